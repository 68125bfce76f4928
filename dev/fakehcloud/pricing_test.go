package fakehcloud

import (
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/require"
)

// The pricing lists a Primary IP price for every location but those of
// Options.NoPrimaryIPs, for IPv4 and IPv6 alike, and creating one agrees:
// refused exactly where no price is listed. Server types cost what
// /server_types says.
func TestPricingSaysWherePrimaryIPsAreOffered(t *testing.T) {
	e := newEnv(t, Options{NoPrimaryIPs: []string{"sin"}})
	p, _, err := e.client.Pricing.Get(e.ctx)
	require.NoError(t, err)
	require.Len(t, p.PrimaryIPs, 2)
	for _, typ := range p.PrimaryIPs {
		var locs []string
		for _, pr := range typ.Pricings {
			locs = append(locs, pr.Location)
		}
		require.Equal(t, []string{"fsn1", "nbg1", "hel1", "ash", "hil"}, locs, typ.Type)
	}
	for _, l := range locations {
		_, _, err := e.client.PrimaryIP.Create(e.ctx, hcloud.PrimaryIPCreateOpts{Name: "ip-" + l.Name, Type: hcloud.PrimaryIPTypeIPv4,
			Location: l.Name, AssigneeType: "server"})
		if l.Name == "sin" {
			require.True(t, hcloud.IsError(err, hcloud.ErrorCodeInvalidInput), "%v", err)
		} else {
			require.NoError(t, err, l.Name)
		}
	}
	types, err := e.client.ServerType.All(e.ctx)
	require.NoError(t, err)
	require.Len(t, p.ServerTypes, len(types))
	require.Equal(t, types[0].Pricings[0].Hourly.Net, p.ServerTypes[0].Pricings[0].Hourly.Net)
}
