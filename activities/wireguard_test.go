package activities

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/openova-io/core/mesh"
)

// generateWireGuardKeys runs the activity the way the worker does, so its
// result goes through the data converter as the history records it.
func generateWireGuardKeys(t *testing.T, in WireGuardKeysInput) (WireGuardKeys, error) {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	w := &WireGuard{}
	env.RegisterActivity(w)
	v, err := env.ExecuteActivity(w.GenerateWireGuardKeys, in)
	if err != nil {
		return WireGuardKeys{}, err
	}
	var keys WireGuardKeys
	require.NoError(t, v.Get(&keys))
	return keys, nil
}

// The keys are WireGuard keys: each public key is the one mesh derives from
// its private key (wgtypes and crypto/ecdh agree), the preshared key has 32
// bytes, no two are the same, and a second run makes new ones (the
// recorded result, not a rerun, is what a resumed workflow uses).
func TestGenerateWireGuardKeys(t *testing.T) {
	keys, err := generateWireGuardKeys(t, WireGuardKeysInput{A: "fsn1", B: "nbg1"})
	require.NoError(t, err)
	require.Equal(t, "fsn1", keys.A.Region)
	require.Equal(t, "nbg1", keys.B.Region)
	for _, g := range []GatewayKeys{keys.A, keys.B} {
		public, err := mesh.PublicKey(g.PrivateKey)
		require.NoError(t, err)
		require.Equal(t, public, g.PublicKey, "%s's public key", g.Region)
	}
	psk, err := base64.StdEncoding.DecodeString(keys.PresharedKey.Reveal())
	require.NoError(t, err)
	require.Len(t, psk, 32)
	all := []string{keys.A.PrivateKey.Reveal(), keys.A.PublicKey, keys.B.PrivateKey.Reveal(), keys.B.PublicKey, keys.PresharedKey.Reveal()}
	seen := map[string]bool{}
	for _, k := range all {
		require.False(t, seen[k], "a key appears twice")
		seen[k] = true
	}

	again, err := generateWireGuardKeys(t, WireGuardKeysInput{A: "fsn1", B: "nbg1"})
	require.NoError(t, err)
	require.NotEqual(t, keys.A.PrivateKey, again.A.PrivateKey)
	require.NotEqual(t, keys.PresharedKey, again.PresharedKey)

	// What they are for: both gateways' files render, and each names the
	// other's public key.
	link := mesh.Link{
		A: mesh.Site{Region: "fsn1", PublicAddress: netip.MustParseAddr("203.0.113.10"), Tunnel: mesh.TunnelA, PrivateKey: keys.A.PrivateKey,
			Networks: mesh.Networks{Node: netip.MustParsePrefix("10.0.0.0/16"), Pod: netip.MustParsePrefix("10.42.0.0/16"), Service: netip.MustParsePrefix("10.43.0.0/16")}},
		B: mesh.Site{Region: "nbg1", PublicAddress: netip.MustParseAddr("198.51.100.20"), Tunnel: mesh.TunnelB, PrivateKey: keys.B.PrivateKey,
			Networks: mesh.Networks{Node: netip.MustParsePrefix("10.1.0.0/16"), Pod: netip.MustParsePrefix("10.44.0.0/16"), Service: netip.MustParsePrefix("10.45.0.0/16")}},
		PresharedKey: keys.PresharedKey,
	}
	a, b, err := link.Configs()
	require.NoError(t, err)
	require.Equal(t, keys.B.PublicKey, a.Peers[0].PublicKey)
	require.Equal(t, keys.A.PublicKey, b.Peers[0].PublicKey)
}

// Printed or logged, the result shows the public keys and none of the
// secret ones.
func TestWireGuardKeysPrintMasked(t *testing.T) {
	keys, err := generateWireGuardKeys(t, WireGuardKeysInput{A: "fsn1", B: "nbg1"})
	require.NoError(t, err)
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("keys", "keys", keys)
	for _, out := range []string{fmt.Sprintf("%v", keys), fmt.Sprintf("%+v", keys), fmt.Sprintf("%#v", keys), log.String()} {
		require.Contains(t, out, keys.A.PublicKey)
		for _, s := range []string{keys.A.PrivateKey.Reveal(), keys.B.PrivateKey.Reveal(), keys.PresharedKey.Reveal()} {
			require.NotContains(t, out, s)
		}
	}
}

func TestGenerateWireGuardKeysRefusesABadLink(t *testing.T) {
	for _, in := range []WireGuardKeysInput{{A: "fsn1"}, {B: "nbg1"}, {A: "fsn1", B: "fsn1"}} {
		t.Run(fmt.Sprintf("%q-%q", in.A, in.B), func(t *testing.T) {
			_, err := generateWireGuardKeys(t, in)
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr), "%v", err)
			require.Equal(t, ErrInvalidBootstrap, appErr.Type())
			require.True(t, appErr.NonRetryable())
		})
	}
}
