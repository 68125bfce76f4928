package mesh

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/openova-io/core/secret"
)

// The link's constants.
const (
	// Port is the UDP port each gateway listens on (WireGuard's usual one;
	// the firewall opens it to the other gateway's address only).
	Port = 51820
	// Keepalive keeps the path open through stateful firewalls and NAT in
	// between, and lets each side notice the other within half a minute.
	Keepalive = 25
)

// Tunnel addresses: the gateways' own addresses on the link, a /30 in
// the shared address space (RFC 6598), which no region's node, pod or
// service network is likely to use; Check refuses one that does.
var (
	TunnelA = netip.MustParsePrefix("100.64.255.1/30")
	TunnelB = netip.MustParsePrefix("100.64.255.2/30")
)

// Site is one region's end of the link.
type Site struct {
	// Region names the region in messages.
	Region string
	// PublicAddress is the gateway's public IPv4, fixed before it boots
	// (a Hetzner Primary IP), so the other side's file can name it.
	PublicAddress netip.Addr
	// Tunnel is the gateway's address on the link, with the link's
	// prefix length (TunnelA or TunnelB).
	Tunnel netip.Prefix
	// PrivateKey is the gateway's key (wg-quick's base64); the public
	// key the other side needs is derived from it.
	PrivateKey secret.Text
	// Networks are the region's networks, routed to it over the link.
	Networks Networks
}

// Link is the site-to-site link between two regions' gateways.
type Link struct {
	A, B Site
	// PresharedKey is mixed into every handshake (post-quantum margin);
	// both sides hold the same one.
	PresharedKey secret.Text
}

// forwardHooks clamp the MSS of TCP connections forwarded into and out of
// wg0 to the path MTU. Nodes send 1450-byte packets on Hetzner's private
// network; wg0 carries 1420 (1500 less WireGuard's 80), so without the
// clamp every forwarded connection between regions depends on ICMP
// "fragmentation needed" crossing two clouds' networks, and stalls where
// it does not. Forwarding itself needs no rule: k3s turns ip_forward on and
// leaves the FORWARD policy at ACCEPT.
var (
	forwardUp = []string{
		"iptables -t mangle -A FORWARD -o %i -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
		"iptables -t mangle -A FORWARD -i %i -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
	}
	forwardDown = []string{
		"iptables -t mangle -D FORWARD -o %i -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
		"iptables -t mangle -D FORWARD -i %i -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
	}
)

// Configs are the wg0.conf of A's gateway and of B's: each listens on
// Port and has the other as its one peer, reached at its public address,
// with AllowedIPs = the other's tunnel address and node, pod and service
// networks (wg-quick routes those to wg0). It refuses a link whose
// networks overlap (see Check) or whose sites are incomplete.
func (l Link) Configs() (a, b Config, err error) {
	if err := l.check(); err != nil {
		return Config{}, Config{}, err
	}
	if a, err = l.config(l.A, l.B); err != nil {
		return Config{}, Config{}, fmt.Errorf("region %s: %w", l.A.Region, err)
	}
	if b, err = l.config(l.B, l.A); err != nil {
		return Config{}, Config{}, fmt.Errorf("region %s: %w", l.B.Region, err)
	}
	return a, b, nil
}

// Render is Configs, written out: A's wg0.conf and B's.
func (l Link) Render() (a, b secret.Text, err error) {
	ca, cb, err := l.Configs()
	if err != nil {
		return "", "", err
	}
	if a, err = ca.Render(); err != nil {
		return "", "", err
	}
	if b, err = cb.Render(); err != nil {
		return "", "", err
	}
	return a, b, nil
}

func (l Link) config(self, peer Site) (Config, error) {
	peerKey, err := PublicKey(peer.PrivateKey)
	if err != nil {
		return Config{}, fmt.Errorf("region %s's %w", peer.Region, err)
	}
	c := Config{
		Interface: Interface{
			PrivateKey: self.PrivateKey,
			Addresses:  []netip.Prefix{self.Tunnel},
			ListenPort: Port,
			PostUp:     slices.Clone(forwardUp),
			PostDown:   slices.Clone(forwardDown),
		},
		Peers: []Peer{{
			PublicKey:    peerKey,
			PresharedKey: l.PresharedKey,
			Endpoint:     netip.AddrPortFrom(peer.PublicAddress, Port),
			AllowedIPs: []netip.Prefix{
				netip.PrefixFrom(peer.Tunnel.Addr(), 32),
				peer.Networks.Node, peer.Networks.Pod, peer.Networks.Service,
			},
			PersistentKeepalive: Keepalive,
		}},
	}
	return c, c.Validate()
}

// check refuses what would render a link that cannot work.
func (l Link) check() error {
	var errs []error
	for _, s := range []Site{l.A, l.B} {
		if s.Region == "" {
			errs = append(errs, errors.New("a site has no region name"))
		}
		if !s.PublicAddress.Is4() || !s.PublicAddress.IsGlobalUnicast() || s.PublicAddress.IsPrivate() {
			errs = append(errs, fmt.Errorf("region %s: the gateway's public address %v is not a public IPv4 address (its Primary IP)", s.Region, s.PublicAddress))
		}
		if !s.Tunnel.IsValid() || !s.Tunnel.Addr().Is4() || s.Tunnel.Bits() > 30 {
			errs = append(errs, fmt.Errorf("region %s: tunnel address %v is not an IPv4 address with the link's prefix (such as %s)", s.Region, s.Tunnel, TunnelA))
		}
	}
	if l.A.Region == l.B.Region && l.A.Region != "" {
		errs = append(errs, fmt.Errorf("both sites are region %s: a link joins two regions", l.A.Region))
	}
	if l.A.PublicAddress == l.B.PublicAddress && l.A.PublicAddress.IsValid() {
		errs = append(errs, fmt.Errorf("both gateways have the public address %s", l.A.PublicAddress))
	}
	if l.A.Tunnel.Masked() != l.B.Tunnel.Masked() || l.A.Tunnel.Addr() == l.B.Tunnel.Addr() {
		errs = append(errs, fmt.Errorf("tunnel addresses %v and %v must be two addresses of one prefix", l.A.Tunnel, l.B.Tunnel))
	}
	if _, err := decodeKey(l.PresharedKey.Reveal()); err != nil {
		errs = append(errs, fmt.Errorf("preshared key %w", err))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, o := range Check([]Region{{l.A.Region, l.A.Networks}, {l.B.Region, l.B.Networks}}, l.A.Tunnel.Masked()) {
		errs = append(errs, o)
	}
	return errors.Join(errs...)
}
