package activities

import (
	"context"
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/temporal"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/openova-io/core/secret"
)

// WireGuard generates the keys of the link between two regions' gateways
// (package mesh renders each gateway's wg0.conf from them). It holds no
// client: the keys are made here and go nowhere but into the activity's
// result, which the workflow keeps in its encrypted history, and from
// there into the gateways' cloud-init.
type WireGuard struct{}

// WireGuardKeysInput names the two regions the link joins.
type WireGuardKeysInput struct {
	A, B string
}

// GatewayKeys are one region's gateway's key pair, in wg-quick's base64
// form. The private key travels only in encoded payloads; the public key
// is plain (it is public, and pages may show it).
type GatewayKeys struct {
	Region     string
	PrivateKey secret.Text
	PublicKey  string
}

// WireGuardKeys are both gateways' key pairs and the preshared key the
// two share.
type WireGuardKeys struct {
	A, B         GatewayKeys
	PresharedKey secret.Text
}

// LogValue shows the regions and public keys: slog's JSON handler would
// otherwise marshal the struct, private keys included.
func (g GatewayKeys) LogValue() slog.Value {
	return slog.GroupValue(slog.String("region", g.Region), slog.String("public_key", g.PublicKey),
		slog.Any("private_key", g.PrivateKey))
}

// LogValue shows both gateways' public keys, never a secret one.
func (k WireGuardKeys) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("a", k.A), slog.Any("b", k.B), slog.Any("preshared_key", k.PresharedKey))
}

// GenerateWireGuardKeys makes a key pair per gateway and a preshared key.
// It has no side effect, so running it twice is safe: a retried attempt
// makes other keys, and only the result the history records counts. A
// replay or a resumed run reads that recorded result instead of calling
// the activity again, so the gateways and the files rendered later always
// agree.
func (w *WireGuard) GenerateWireGuardKeys(_ context.Context, in WireGuardKeysInput) (WireGuardKeys, error) {
	if in.A == "" || in.B == "" || in.A == in.B {
		return WireGuardKeys{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("a link joins two different regions, not %q and %q", in.A, in.B), ErrInvalidBootstrap, nil)
	}
	a, err := gatewayKeys(in.A)
	if err != nil {
		return WireGuardKeys{}, err
	}
	b, err := gatewayKeys(in.B)
	if err != nil {
		return WireGuardKeys{}, err
	}
	psk, err := wgtypes.GenerateKey()
	if err != nil {
		return WireGuardKeys{}, fmt.Errorf("preshared key: %w", err)
	}
	return WireGuardKeys{A: a, B: b, PresharedKey: secret.Text(psk.String())}, nil
}

// gatewayKeys is a fresh key pair for a region's gateway.
func gatewayKeys(region string) (GatewayKeys, error) {
	k, err := wgtypes.GeneratePrivateKey()
	if err != nil {
		return GatewayKeys{}, fmt.Errorf("private key of %s's gateway: %w", region, err)
	}
	return GatewayKeys{Region: region, PrivateKey: secret.Text(k.String()), PublicKey: k.PublicKey().String()}, nil
}
