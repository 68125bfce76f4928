package activities

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/dev/fakehcloud"
)

// The credential check refuses, for good and before any plan, a region the
// API does not list and a size it does not offer there, with the field
// (region or size) in the error's details, as the wizard refuses them.
func TestCheckCredentialsRefusesRegionsAndSizes(t *testing.T) {
	token := strings.Repeat("c3", 32)
	api := fakehcloud.New(fakehcloud.Options{Token: token, NoPrimaryIPs: []string{"sin"}})
	t.Cleanup(api.Close)
	c := &Cloud{Endpoints: cloud.Endpoints{Hetzner: api.URL()}}
	in := func(region string, sizes ...string) CheckCredentialsInput {
		return CheckCredentialsInput{Provider: cloud.Hetzner, Credentials: map[string]string{"token": token},
			Regions: []string{"fsn1", region}, Sizes: map[string][]string{"fsn1": {"cx22"}, region: sizes}}
	}
	cases := []struct {
		name, field, msg string
		in               CheckCredentialsInput
	}{
		{"all offered", "", "", in("hel1", "cx22", "cpx31")},
		{"unknown region", "region", `region ams9: "ams9" is not a hetzner location`, in("ams9", "cx22")},
		{"size not offered there", "size", `region ash: size "cx22" cannot be created in ash`, in("ash", "cpx31", "cx22")},
		{"no Primary IP for the link's gateway", "region", "region sin: Hetzner offers no Primary IP in sin: pick another location", in("sin", "cpx11")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.CheckCredentials(context.Background(), tc.in)
			if tc.field == "" {
				require.NoError(t, err)
				require.NotEmpty(t, res.Locations)
				return
			}
			var ae *temporal.ApplicationError
			require.ErrorAs(t, err, &ae)
			require.True(t, ae.NonRetryable())
			require.Equal(t, ErrInvalidBootstrap, ae.Type())
			require.Contains(t, ae.Message(), tc.msg)
			var field string
			require.NoError(t, ae.Details(&field))
			require.Equal(t, tc.field, field)
		})
	}
}
