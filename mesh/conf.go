// Package mesh is the WireGuard link between two regions: each region's
// gateway node gets a complete wg-quick wg0.conf at first boot, because
// both gateways' public addresses (Hetzner Primary IPs) are fixed before
// any server exists. The package renders those files, parses them back
// (into the struct and into wireguard-go's UAPI text, which is how the
// tests bring the same configuration up in userspace), and checks the
// regions' networks, which the link routes to each other and which
// therefore must not overlap.
//
// It imports only the standard library and package secret, so the
// workflows, the UI's validation and the activities can all use it.
package mesh

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/openova-io/core/secret"
)

// Config is one wg-quick configuration: an interface and its peers. Keys
// are in wg-quick's base64 form.
type Config struct {
	Interface Interface
	Peers     []Peer
}

// Interface is the [Interface] section.
type Interface struct {
	PrivateKey secret.Text
	// Addresses are the interface's own addresses on the link, with the
	// link's prefix length (wg-quick routes that prefix to the interface).
	Addresses []netip.Prefix
	// ListenPort is the UDP port; 0 leaves it out (a random port, as for
	// a peer that only ever initiates).
	ListenPort int
	// PostUp and PostDown are shell commands wg-quick runs after bringing
	// the interface up and after taking it down, in order.
	PostUp, PostDown []string
}

// Peer is one [Peer] section.
type Peer struct {
	PublicKey    string
	PresharedKey secret.Text
	// Endpoint is where the peer is reached; the zero value leaves it out
	// (the peer's address is then learnt from its first handshake).
	Endpoint netip.AddrPort
	// AllowedIPs are the networks routed to the peer and accepted from
	// it: masked prefixes.
	AllowedIPs []netip.Prefix
	// PersistentKeepalive is in seconds; 0 leaves it out.
	PersistentKeepalive int
}

// Render writes c in wg-quick's format, after checking it. The text holds
// the private key, so it is a secret.Text.
func (c Config) Render() (secret.Text, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	var b strings.Builder
	line := func(key string, value any) { fmt.Fprintf(&b, "%s = %v\n", key, value) }
	b.WriteString("[Interface]\n")
	line("PrivateKey", c.Interface.PrivateKey.Reveal())
	line("Address", joinPrefixes(c.Interface.Addresses))
	if c.Interface.ListenPort != 0 {
		line("ListenPort", c.Interface.ListenPort)
	}
	for _, cmd := range c.Interface.PostUp {
		line("PostUp", cmd)
	}
	for _, cmd := range c.Interface.PostDown {
		line("PostDown", cmd)
	}
	for _, p := range c.Peers {
		b.WriteString("\n[Peer]\n")
		line("PublicKey", p.PublicKey)
		if p.PresharedKey != "" {
			line("PresharedKey", p.PresharedKey.Reveal())
		}
		if p.Endpoint.IsValid() {
			line("Endpoint", p.Endpoint)
		}
		line("AllowedIPs", joinPrefixes(p.AllowedIPs))
		if p.PersistentKeepalive != 0 {
			line("PersistentKeepalive", p.PersistentKeepalive)
		}
	}
	return secret.Text(b.String()), nil
}

// Validate checks what wg-quick and wg would refuse, and what would make
// a link that never carries a packet: keys that are not keys, no address,
// a port out of range, a peer that appears twice, an AllowedIPs prefix
// with host bits set or owned by two peers. Messages never quote a
// private or preshared key.
func (c Config) Validate() error {
	if _, err := decodeKey(c.Interface.PrivateKey.Reveal()); err != nil {
		return fmt.Errorf("interface: PrivateKey %w", err)
	}
	if len(c.Interface.Addresses) == 0 {
		return fmt.Errorf("interface: no Address: the link needs an address on each gateway")
	}
	for _, a := range c.Interface.Addresses {
		if !a.IsValid() {
			return fmt.Errorf("interface: an Address is not a prefix such as 100.64.255.1/30")
		}
	}
	if c.Interface.ListenPort < 0 || c.Interface.ListenPort > 65535 {
		return fmt.Errorf("interface: ListenPort %d is not a UDP port (1-65535)", c.Interface.ListenPort)
	}
	for _, cmd := range append(append([]string(nil), c.Interface.PostUp...), c.Interface.PostDown...) {
		if strings.ContainsAny(cmd, "\n\r") || strings.TrimSpace(cmd) != cmd || cmd == "" {
			return fmt.Errorf("interface: hook %q must be one non-empty line without surrounding spaces", cmd)
		}
	}
	keys := map[string]bool{}
	owner := map[netip.Prefix]int{}
	for i, p := range c.Peers {
		if _, err := decodeKey(p.PublicKey); err != nil {
			return fmt.Errorf("peer %d: PublicKey %w", i+1, err)
		}
		if keys[p.PublicKey] {
			return fmt.Errorf("peer %d: PublicKey %s is already the key of another peer", i+1, p.PublicKey)
		}
		keys[p.PublicKey] = true
		if p.PresharedKey != "" {
			if _, err := decodeKey(p.PresharedKey.Reveal()); err != nil {
				return fmt.Errorf("peer %d: PresharedKey %w", i+1, err)
			}
		}
		if p.Endpoint.IsValid() && p.Endpoint.Port() == 0 {
			return fmt.Errorf("peer %d: Endpoint %s has no port", i+1, p.Endpoint.Addr())
		}
		if len(p.AllowedIPs) == 0 {
			return fmt.Errorf("peer %d: no AllowedIPs: nothing would be routed to it", i+1)
		}
		for _, a := range p.AllowedIPs {
			if !a.IsValid() || a != a.Masked() {
				return fmt.Errorf("peer %d: AllowedIPs %s has host bits set: use %s", i+1, a, a.Masked())
			}
			if j, dup := owner[a]; dup {
				return fmt.Errorf("peer %d: AllowedIPs %s is already routed to peer %d", i+1, a, j)
			}
			owner[a] = i + 1
		}
		if p.PersistentKeepalive < 0 || p.PersistentKeepalive > 65535 {
			return fmt.Errorf("peer %d: PersistentKeepalive %d is not 0-65535 seconds", i+1, p.PersistentKeepalive)
		}
	}
	return nil
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
