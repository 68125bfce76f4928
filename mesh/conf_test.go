package mesh

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/secret"
)

// What Render writes, Parse reads back as the same Config, for the link's
// files and for the optional parts left out.
func TestParseReadsWhatRenderWrites(t *testing.T) {
	a, b, err := testLink().Configs()
	require.NoError(t, err)
	bare := Config{
		Interface: Interface{PrivateKey: alicePrivate, Addresses: []netip.Prefix{pfx("100.64.255.1/30"), pfx("fd00::1/64")}},
		Peers: []Peer{
			{PublicKey: bobPublic, AllowedIPs: []netip.Prefix{pfx("10.1.0.0/16")}},
			{PublicKey: alicePublic, Endpoint: netip.MustParseAddrPort("[2001:db8::1]:51820"), AllowedIPs: []netip.Prefix{pfx("fd01::/64")}},
		},
	}
	for name, c := range map[string]Config{"gateway A": a, "gateway B": b, "no port, endpoint, preshared key or hooks": bare} {
		t.Run(name, func(t *testing.T) {
			text, err := c.Render()
			require.NoError(t, err)
			back, err := Parse(text)
			require.NoError(t, err)
			require.Equal(t, c, back)
		})
	}
}

// wg-quick's own spellings: keys in any case, comments, lists over
// several lines, "off".
func TestParseAcceptsWgQuickSpellings(t *testing.T) {
	c, err := Parse(secret.Text(`
# a comment
[interface]
privatekey=` + alicePrivate + `   # trailing comment
ADDRESS = 100.64.255.1/30
listenPort = 51820

[PEER]
PublicKey = ` + bobPublic + `
AllowedIPs = 10.1.0.0/16,10.44.0.0/16
AllowedIPs = 10.45.0.0/16
PersistentKeepalive = off
`))
	require.NoError(t, err)
	require.Equal(t, Config{
		Interface: Interface{PrivateKey: alicePrivate, Addresses: []netip.Prefix{pfx("100.64.255.1/30")}, ListenPort: 51820},
		Peers:     []Peer{{PublicKey: bobPublic, AllowedIPs: []netip.Prefix{pfx("10.1.0.0/16"), pfx("10.44.0.0/16"), pfx("10.45.0.0/16")}}},
	}, c)
}

func TestParseRefusesMalformedFiles(t *testing.T) {
	iface := "[Interface]\nPrivateKey = " + alicePrivate + "\nAddress = 100.64.255.1/30\n"
	peer := "[Peer]\nPublicKey = " + bobPublic + "\n"
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "", "no [Interface] section"},
		{"peer first", peer + iface, "line 1: [Peer] before [Interface]"},
		{"two interfaces", iface + iface, "line 4: [Interface] must come once, first"},
		{"unknown section", iface + "[Route]\n", `unknown section "[Route]"`},
		{"key outside a section", "PrivateKey = " + alicePrivate + "\n", `line 1: "privatekey" outside a section`},
		{"no equals sign", iface + "ListenPort\n", "line 4: not a section nor"},
		{"bad private key", "[Interface]\nPrivateKey = abc\n", "line 2: PrivateKey is not a WireGuard key"},
		{"private key twice", iface + "PrivateKey = " + alicePrivate + "\n", "PrivateKey given twice"},
		{"bad address", iface + "Address = 100.64.255.1\n", `Address "100.64.255.1" is not a prefix`},
		{"port zero", iface + "ListenPort = 0\n", "is not a UDP port"},
		{"port too high", iface + "ListenPort = 70000\n", "is not a UDP port"},
		{"unsupported interface key", iface + "DNS = 1.1.1.1\n", `[Interface] key "dns" is not one openova writes`},
		{"no address", "[Interface]\nPrivateKey = " + alicePrivate + "\n", "interface: no Address"},
		{"bad public key", iface + "[Peer]\nPublicKey = " + bobPublic[:40] + "\n", "PublicKey is not a WireGuard key"},
		{"bad preshared key", iface + peer + "PresharedKey = x\n", "PresharedKey is not a WireGuard key"},
		{"endpoint by name", iface + peer + "Endpoint = gw.example.com:51820\n", "is not an IP address and port"},
		{"endpoint without port", iface + peer + "Endpoint = 203.0.113.1\n", "is not an IP address and port"},
		{"allowed IPs with host bits", iface + peer + "AllowedIPs = 10.1.2.3/16\n", "AllowedIPs 10.1.2.3/16 has host bits set: use 10.1.0.0/16"},
		{"no allowed IPs", iface + peer, "peer 1: no AllowedIPs"},
		{"same peer twice", iface + peer + "AllowedIPs = 10.1.0.0/16\n" + peer + "AllowedIPs = 10.2.0.0/16\n", "peer 2: PublicKey " + bobPublic + " is already the key of another peer"},
		{"network routed to two peers", iface + peer + "AllowedIPs = 10.1.0.0/16\n[Peer]\nPublicKey = " + alicePublic + "\nAllowedIPs = 10.1.0.0/16\n", "peer 2: AllowedIPs 10.1.0.0/16 is already routed to peer 1"},
		{"bad keepalive", iface + peer + "PersistentKeepalive = soon\n", "is not 0-65535 seconds or off"},
		{"unsupported peer key", iface + peer + "Table = off\n", `[Peer] key "table" is not one openova writes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(secret.Text(tc.text))
			require.ErrorContains(t, err, tc.want)
			require.NotContains(t, err.Error(), alicePrivate, "an error quotes the private key")
		})
	}
}

func TestValidateRefusesWhatRenderCannotWrite(t *testing.T) {
	good := func() Config { a, _, _ := testLink().Configs(); return a }
	for _, tc := range []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"port out of range", func(c *Config) { c.Interface.ListenPort = 65536 }, "ListenPort 65536 is not a UDP port"},
		{"multi-line hook", func(c *Config) { c.Interface.PostUp = []string{"true\nrm -rf /"} }, "must be one non-empty line"},
		{"empty hook", func(c *Config) { c.Interface.PostDown = []string{""} }, "must be one non-empty line"},
		{"endpoint without port", func(c *Config) { c.Peers[0].Endpoint = netip.AddrPortFrom(netip.MustParseAddr("203.0.113.1"), 0) }, "has no port"},
		{"invalid address", func(c *Config) { c.Interface.Addresses = []netip.Prefix{{}} }, "an Address is not a prefix"},
		{"keepalive out of range", func(c *Config) { c.Peers[0].PersistentKeepalive = -1 }, "PersistentKeepalive -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.change(&c)
			_, err := c.Render()
			require.ErrorContains(t, err, tc.want)
			_, err = c.UAPI()
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// The UAPI text: hex keys, the replace_ lines that make a second set
// idempotent, no listen_port or endpoint when the file has none.
func TestUAPI(t *testing.T) {
	a, _, err := testLink().Configs()
	require.NoError(t, err)
	hexAlice := "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
	hexBob := "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
	hexPSK := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	for _, tc := range []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"as rendered", func(*Config) {}, "private_key=" + hexAlice + "\nlisten_port=51820\nreplace_peers=true\npublic_key=" + hexBob +
			"\npreshared_key=" + hexPSK + "\nendpoint=198.51.100.20:51820\npersistent_keepalive_interval=25\nreplace_allowed_ips=true\n" +
			"allowed_ip=100.64.255.2/32\nallowed_ip=10.1.0.0/16\nallowed_ip=10.44.0.0/16\nallowed_ip=10.45.0.0/16\n"},
		{"no port, endpoint or preshared key", func(c *Config) {
			c.Interface.ListenPort, c.Peers[0].Endpoint, c.Peers[0].PresharedKey, c.Peers[0].PersistentKeepalive = 0, netip.AddrPort{}, "", 0
			c.Peers[0].AllowedIPs = c.Peers[0].AllowedIPs[:1]
		}, "private_key=" + hexAlice + "\nreplace_peers=true\npublic_key=" + hexBob +
			"\npersistent_keepalive_interval=0\nreplace_allowed_ips=true\nallowed_ip=100.64.255.2/32\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := a
			c.Peers = []Peer{a.Peers[0]}
			tc.change(&c)
			got, err := c.UAPI()
			require.NoError(t, err)
			require.Equal(t, tc.want, got.Reveal())
		})
	}
}
