package mesh

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/secret"
)

// The X25519 key pairs of RFC 7748 section 6.1: fixed keys whose public
// halves are known independently of this package.
const (
	alicePrivate = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
	alicePublic  = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
	bobPrivate   = "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os="
	bobPublic    = "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
	psk          = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
)

// testLink is two regions with the wizard's default networks.
func testLink() Link {
	return Link{
		A: Site{Region: "fsn1", PublicAddress: netip.MustParseAddr("203.0.113.10"), Tunnel: TunnelA, PrivateKey: alicePrivate,
			Networks: Networks{Node: pfx("10.0.0.0/16"), Pod: pfx("10.42.0.0/16"), Service: pfx("10.43.0.0/16")}},
		B: Site{Region: "nbg1", PublicAddress: netip.MustParseAddr("198.51.100.20"), Tunnel: TunnelB, PrivateKey: bobPrivate,
			Networks: Networks{Node: pfx("10.1.0.0/16"), Pod: pfx("10.44.0.0/16"), Service: pfx("10.45.0.0/16")}},
		PresharedKey: psk,
	}
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func TestPublicKeyIsX25519(t *testing.T) {
	for _, tc := range []struct{ private, public string }{{alicePrivate, alicePublic}, {bobPrivate, bobPublic}} {
		got, err := PublicKey(secret.Text(tc.private))
		require.NoError(t, err)
		require.Equal(t, tc.public, got)
	}
	_, err := PublicKey("c2hvcnQ=")
	require.ErrorContains(t, err, "is not a WireGuard key")
}

// Each gateway's wg0.conf, whole: the other gateway as its one peer at its
// Primary IP, the other's tunnel address and three networks allowed.
func TestLinkRendersBothGateways(t *testing.T) {
	a, b, err := testLink().Render()
	require.NoError(t, err)
	hooks := `PostUp = iptables -t mangle -A FORWARD -o %i -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
PostUp = iptables -t mangle -A FORWARD -i %i -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
PostDown = iptables -t mangle -D FORWARD -o %i -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
PostDown = iptables -t mangle -D FORWARD -i %i -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
`
	require.Equal(t, `[Interface]
PrivateKey = `+alicePrivate+`
Address = 100.64.255.1/30
ListenPort = 51820
`+hooks+`
[Peer]
PublicKey = `+bobPublic+`
PresharedKey = `+psk+`
Endpoint = 198.51.100.20:51820
AllowedIPs = 100.64.255.2/32, 10.1.0.0/16, 10.44.0.0/16, 10.45.0.0/16
PersistentKeepalive = 25
`, a.Reveal())
	require.Equal(t, `[Interface]
PrivateKey = `+bobPrivate+`
Address = 100.64.255.2/30
ListenPort = 51820
`+hooks+`
[Peer]
PublicKey = `+alicePublic+`
PresharedKey = `+psk+`
Endpoint = 203.0.113.10:51820
AllowedIPs = 100.64.255.1/32, 10.0.0.0/16, 10.42.0.0/16, 10.43.0.0/16
PersistentKeepalive = 25
`, b.Reveal())
}

func TestLinkRefusesWhatCannotWork(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(l *Link)
		want   string
	}{
		{"private public address", func(l *Link) { l.B.PublicAddress = netip.MustParseAddr("10.0.0.5") }, "region nbg1: the gateway's public address 10.0.0.5 is not a public IPv4 address"},
		{"no public address", func(l *Link) { l.A.PublicAddress = netip.Addr{} }, "region fsn1: the gateway's public address invalid IP is not a public IPv4 address"},
		{"same public address", func(l *Link) { l.B.PublicAddress = l.A.PublicAddress }, "both gateways have the public address 203.0.113.10"},
		{"same region", func(l *Link) { l.B.Region = "fsn1" }, "both sites are region fsn1"},
		{"no region", func(l *Link) { l.A.Region = "" }, "a site has no region name"},
		{"same tunnel address", func(l *Link) { l.B.Tunnel = TunnelA }, "must be two addresses of one prefix"},
		{"tunnel addresses in two prefixes", func(l *Link) { l.B.Tunnel = pfx("100.64.254.2/30") }, "must be two addresses of one prefix"},
		{"tunnel /32", func(l *Link) { l.A.Tunnel = pfx("100.64.255.1/32") }, "region fsn1: tunnel address 100.64.255.1/32 is not an IPv4 address with the link's prefix"},
		{"bad private key", func(l *Link) { l.B.PrivateKey = "bm90IGEga2V5" }, "region nbg1's private key is not a WireGuard key"},
		{"bad preshared key", func(l *Link) { l.PresharedKey = "" }, "preshared key is not a WireGuard key"},
		{"overlapping pod networks", func(l *Link) { l.B.Networks.Pod = pfx("10.42.0.0/16") }, "region nbg1's pod network 10.42.0.0/16 overlaps region fsn1's pod network 10.42.0.0/16"},
		{"network over the tunnel", func(l *Link) { l.A.Networks.Service = pfx("100.64.0.0/10") }, "region fsn1's service network 100.64.0.0/10 overlaps the link's tunnel network 100.64.255.0/30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := testLink()
			tc.change(&l)
			_, _, err := l.Render()
			require.ErrorContains(t, err, tc.want)
			for _, k := range []string{alicePrivate, bobPrivate, psk} {
				require.NotContains(t, err.Error(), k, "an error quotes a key")
			}
		})
	}
}

// Rendering holds the private key, so what Render returns prints masked.
func TestRenderedConfigPrintsMasked(t *testing.T) {
	a, _, err := testLink().Render()
	require.NoError(t, err)
	require.True(t, strings.Contains(a.Reveal(), alicePrivate))
	for _, s := range []string{a.String(), a.GoString()} {
		require.NotContains(t, s, alicePrivate)
	}
}
