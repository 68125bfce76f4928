package mesh

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/openova-io/core/secret"
)

// keyLen is the length of every WireGuard key: Curve25519 keys and the
// preshared key alike.
const keyLen = 32

// decodeKey reads a key in wg-quick's form (standard base64 of 32 bytes).
// Its error never quotes the value, which may be a private key.
func decodeKey(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != keyLen {
		return nil, fmt.Errorf("is not a WireGuard key (base64 of %d bytes, 44 characters)", keyLen)
	}
	return b, nil
}

// PublicKey is the public key of a private key, both in wg-quick's form.
// X25519 clamps the scalar itself, so it agrees with wg pubkey (and
// wgtypes) for any 32 bytes.
func PublicKey(private secret.Text) (string, error) {
	b, err := decodeKey(private.Reveal())
	if err != nil {
		return "", fmt.Errorf("private key %w", err)
	}
	k, err := ecdh.X25519().NewPrivateKey(b)
	if err != nil {
		return "", fmt.Errorf("private key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(k.PublicKey().Bytes()), nil
}

// UAPI is c in the text wireguard-go's and the kernel's configuration
// protocol take (device.IpcSet, `wg set` over the UAPI socket): keys in
// hex, replace_peers and replace_allowed_ips so that setting it twice
// gives the same device, not one with twice the peers. The hooks and
// addresses are wg-quick's business, not the device's, and are left out.
func (c Config) UAPI() (secret.Text, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	var b strings.Builder
	line := func(key string, value any) { fmt.Fprintf(&b, "%s=%v\n", key, value) }
	hexKey := func(s string) string {
		k, _ := decodeKey(s) // checked by Validate
		return hex.EncodeToString(k)
	}
	line("private_key", hexKey(c.Interface.PrivateKey.Reveal()))
	if c.Interface.ListenPort != 0 {
		line("listen_port", c.Interface.ListenPort)
	}
	line("replace_peers", "true")
	for _, p := range c.Peers {
		line("public_key", hexKey(p.PublicKey))
		if p.PresharedKey != "" {
			line("preshared_key", hexKey(p.PresharedKey.Reveal()))
		}
		if p.Endpoint.IsValid() {
			line("endpoint", p.Endpoint)
		}
		line("persistent_keepalive_interval", p.PersistentKeepalive)
		line("replace_allowed_ips", "true")
		for _, a := range p.AllowedIPs {
			line("allowed_ip", a)
		}
	}
	return secret.Text(b.String()), nil
}
