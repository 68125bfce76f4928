package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/openova-io/core/secret"
)

// WireGuard makes the keys of the site-to-site link between two regions'
// gateways (package mesh renders the gateways' wg0.conf from them). The
// keys live only in the workflow's encrypted history and in the gateways'
// user data: nothing is stored here, so a second attempt of the activity
// (its first result lost in a crash) makes new keys and does no harm.
type WireGuard struct{}

// LinkKeysInput names the link's two regions (A is the primary's).
type LinkKeysInput struct {
	RegionA, RegionB string
}

// GatewayKey is one gateway's key pair.
type GatewayKey struct {
	Region     string
	PrivateKey secret.Text
	// PublicKey is what the other gateway names as its peer.
	PublicKey string
}

// LinkKeys are both gateways' key pairs and the preshared key they share.
type LinkKeys struct {
	A, B         GatewayKey
	PresharedKey secret.Text
}

// GenerateLinkKeys makes a key pair per gateway and one preshared key,
// with wgtypes (Curve25519, clamped as WireGuard requires).
func (w *WireGuard) GenerateLinkKeys(_ context.Context, in LinkKeysInput) (LinkKeys, error) {
	if in.RegionA == "" || in.RegionB == "" || in.RegionA == in.RegionB {
		return LinkKeys{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("a link joins two different regions, not %q and %q", in.RegionA, in.RegionB), ErrInvalidBootstrap, nil)
	}
	a, err := gatewayKey(in.RegionA)
	if err != nil {
		return LinkKeys{}, err
	}
	b, err := gatewayKey(in.RegionB)
	if err != nil {
		return LinkKeys{}, err
	}
	psk, err := wgtypes.GenerateKey()
	if err != nil {
		return LinkKeys{}, fmt.Errorf("generate the preshared key: %w", err)
	}
	return LinkKeys{A: a, B: b, PresharedKey: secret.Text(psk.String())}, nil
}

func gatewayKey(region string) (GatewayKey, error) {
	k, err := wgtypes.GeneratePrivateKey()
	if err != nil {
		return GatewayKey{}, fmt.Errorf("generate the key of %s's gateway: %w", region, err)
	}
	return GatewayKey{Region: region, PrivateKey: secret.Text(k.String()), PublicKey: k.PublicKey().String()}, nil
}
