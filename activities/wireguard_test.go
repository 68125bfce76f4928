package activities

import (
	"fmt"
	"net/netip"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/openova-io/core/mesh"
	"github.com/openova-io/core/secret"
)

// The link's keys render the gateways' wg0.conf that mesh parses back,
// each side naming the other's public key and both the same preshared
// key; two runs make different keys; nothing secret prints.
func TestGenerateLinkKeys(t *testing.T) {
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	w := &WireGuard{}
	env.RegisterActivity(w)
	gen := func(in LinkKeysInput) (LinkKeys, error) {
		v, err := env.ExecuteActivity(w.GenerateLinkKeys, in)
		if err != nil {
			return LinkKeys{}, err
		}
		var keys LinkKeys
		require.NoError(t, v.Get(&keys))
		return keys, nil
	}
	keys, err := gen(LinkKeysInput{RegionA: "fsn1", RegionB: "hel1"})
	require.NoError(t, err)
	again, err := gen(LinkKeysInput{RegionA: "fsn1", RegionB: "hel1"})
	require.NoError(t, err)
	require.NotEqual(t, keys.A.PrivateKey.Reveal(), again.A.PrivateKey.Reveal())
	require.NotEqual(t, keys.PresharedKey.Reveal(), again.PresharedKey.Reveal())
	require.NotEqual(t, keys.A.PublicKey, keys.B.PublicKey)

	link := mesh.Link{
		A: mesh.Site{Region: "fsn1", PublicAddress: netip.MustParseAddr("203.0.113.10"), Tunnel: mesh.TunnelA, PrivateKey: keys.A.PrivateKey,
			Networks: mesh.Networks{Node: netip.MustParsePrefix("10.0.0.0/16"), Pod: netip.MustParsePrefix("10.42.0.0/16"), Service: netip.MustParsePrefix("10.43.0.0/16")}},
		B: mesh.Site{Region: "hel1", PublicAddress: netip.MustParseAddr("198.51.100.20"), Tunnel: mesh.TunnelB, PrivateKey: keys.B.PrivateKey,
			Networks: mesh.Networks{Node: netip.MustParsePrefix("10.1.0.0/16"), Pod: netip.MustParsePrefix("10.44.0.0/16"), Service: netip.MustParsePrefix("10.45.0.0/16")}},
		PresharedKey: keys.PresharedKey,
	}
	a, b, err := link.Render()
	require.NoError(t, err)
	for _, side := range []struct {
		conf          string
		self, peerPub string
	}{{a.Reveal(), keys.A.PrivateKey.Reveal(), keys.B.PublicKey}, {b.Reveal(), keys.B.PrivateKey.Reveal(), keys.A.PublicKey}} {
		c, err := mesh.Parse(secret.Text(side.conf))
		require.NoError(t, err)
		require.Equal(t, side.self, c.Interface.PrivateKey.Reveal())
		require.Len(t, c.Peers, 1)
		require.Equal(t, side.peerPub, c.Peers[0].PublicKey)
		require.Equal(t, keys.PresharedKey.Reveal(), c.Peers[0].PresharedKey.Reveal())
	}

	// Logs and messages print them masked; the audit view masks them by
	// their type (the payload itself carries them, encrypted).
	require.Subset(t, secret.Fields(reflect.TypeOf(keys)), []string{"PrivateKey", "PresharedKey"})
	for _, s := range []string{fmt.Sprintf("%v", keys), fmt.Sprintf("%+v", keys)} {
		for _, k := range []string{keys.A.PrivateKey.Reveal(), keys.B.PrivateKey.Reveal(), keys.PresharedKey.Reveal()} {
			require.NotContains(t, s, k)
		}
	}

	for _, in := range []LinkKeysInput{{RegionA: "fsn1"}, {RegionA: "fsn1", RegionB: "fsn1"}} {
		_, err := gen(in)
		var appErr *temporal.ApplicationError
		require.ErrorAs(t, err, &appErr)
		require.Equal(t, ErrInvalidBootstrap, appErr.Type())
		require.True(t, appErr.NonRetryable())
	}
}

// MakeLink renders both gateways' wg0.conf from new keys: each names the
// other's gateway as its endpoint and routes the other's networks; a site
// whose address cannot be parsed is refused, non-retryable.
func TestMakeLink(t *testing.T) {
	w := &WireGuard{}
	in := MakeLinkInput{
		A: LinkSite{Region: "fsn1", Gateway: "203.0.113.10", NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16"},
		B: LinkSite{Region: "hel1", Gateway: "198.51.100.10", NodeCIDR: "10.1.0.0/16", PodCIDR: "10.44.0.0/16", ServiceCIDR: "10.45.0.0/16"},
	}
	res, err := w.MakeLink(t.Context(), in)
	require.NoError(t, err)
	a, err := mesh.Parse(res.ConfA)
	require.NoError(t, err)
	b, err := mesh.Parse(res.ConfB)
	require.NoError(t, err)
	require.Equal(t, "198.51.100.10:51820", a.Peers[0].Endpoint.String())
	require.Equal(t, "203.0.113.10:51820", b.Peers[0].Endpoint.String())
	require.Equal(t, res.B.PublicKey, a.Peers[0].PublicKey)
	require.Equal(t, res.A.PublicKey, b.Peers[0].PublicKey)
	require.Contains(t, fmt.Sprint(a.Peers[0].AllowedIPs), "10.44.0.0/16")
	require.NotContains(t, fmt.Sprint(res), string(a.Interface.PrivateKey), "the result prints masked")

	in.B.Gateway = "not-an-address"
	_, err = w.MakeLink(t.Context(), in)
	var ae *temporal.ApplicationError
	require.ErrorAs(t, err, &ae)
	require.True(t, ae.NonRetryable())
	require.Contains(t, ae.Message(), `region hel1's gateway address "not-an-address"`)
}
