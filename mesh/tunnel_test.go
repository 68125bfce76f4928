package mesh_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun/netstack"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/openova-io/core/mesh"
	"github.com/openova-io/core/secret"
)

// handshakeInitiation is the size of WireGuard's first handshake message;
// a peer that has sent two has retried because the first got no answer.
const handshakeInitiation = 148

// The tunnel is real: both gateways' wg0.conf, rendered by the production
// code and parsed back, configure two wireguard-go devices whose network
// stacks are gVisor's netstack, over UDP on loopback. Each side serves
// HTTP on an address in each of its region's networks (node, pod,
// service), and the other side fetches it through the tunnel: so the
// AllowedIPs of each file route the other region's networks, and the
// return path (to the dialler's tunnel address) is allowed too. The test
// changes only what loopback needs: each device listens on a port of its
// own choosing (both files say 51820) and is told the other's loopback
// port as the endpoint. With one key swapped, the handshake never
// completes and nothing gets through.
func TestTunnelBetweenRegions(t *testing.T) {
	t.Parallel()
	good := newLink(t)
	for _, tc := range []struct {
		name string
		// swap changes the link B's gateway is configured from; A keeps
		// the good one.
		swap    func(l *mesh.Link)
		connect bool
	}{
		{"the rendered keys", func(*mesh.Link) {}, true},
		{"B's private key swapped", func(l *mesh.Link) { l.B.PrivateKey = newKey(t) }, false},
		{"A's key as B knows it swapped", func(l *mesh.Link) { l.A.PrivateKey = newKey(t) }, false},
		{"the preshared key swapped on B", func(l *mesh.Link) { l.PresharedKey = newKey(t) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			confA, _, err := good.Render()
			require.NoError(t, err)
			other := good
			tc.swap(&other)
			_, confB, err := other.Render()
			require.NoError(t, err)

			a := startGateway(t, confA, good.A.Networks)
			b := startGateway(t, confB, good.B.Networks)
			a.pointAt(t, b)
			b.pointAt(t, a)

			if tc.connect {
				start := time.Now()
				for _, addr := range b.served {
					require.Equal(t, "served by "+addr.String(), a.get(t, addr))
				}
				t.Logf("A → B: handshake and first request in %v, %d requests in all in %v",
					a.firstRequest, len(b.served), time.Since(start))
				for _, addr := range a.served {
					require.Equal(t, "served by "+addr.String(), b.get(t, addr))
				}
				require.NotZero(t, a.stat(t, "last_handshake_time_sec"))
				require.NotZero(t, b.stat(t, "last_handshake_time_sec"))
				return
			}
			// A tries to reach B's pod network: the packet starts a
			// handshake. Wait until each side has retried its handshake
			// (the first got no answer; wireguard-go retries after 5 s),
			// then check that none completed and the dial got nothing.
			ctx, cancel := context.WithCancel(t.Context())
			dialed := make(chan error, 1)
			go func() {
				c, err := a.net.DialContextTCPAddrPort(ctx, netip.AddrPortFrom(b.served[1], 80))
				if err == nil {
					_ = c.Close()
				}
				dialed <- err
			}()
			require.EventuallyWithT(t, func(c *assert.CollectT) {
				assert.GreaterOrEqual(c, a.stat(t, "tx_bytes"), 2*handshakeInitiation)
				assert.GreaterOrEqual(c, b.stat(t, "tx_bytes"), 2*handshakeInitiation)
			}, 60*time.Second, 100*time.Millisecond, "both sides retry their handshake")
			require.Zero(t, a.stat(t, "last_handshake_time_sec"), "A completed a handshake")
			require.Zero(t, b.stat(t, "last_handshake_time_sec"), "B completed a handshake")
			cancel()
			require.Error(t, <-dialed, "a connection went through")
		})
	}
}

// gateway is one side: a wireguard-go device on a netstack.
type gateway struct {
	dev    *device.Device
	net    *netstack.Net
	conf   mesh.Config
	port   int
	served []netip.Addr
	// firstRequest is how long the first get took (handshake included).
	firstRequest time.Duration
}

// startGateway brings up a device from a rendered wg0.conf. Its stack
// has the file's tunnel address and, standing in for the region's
// machines, one address in each of the region's networks, each serving
// HTTP.
func startGateway(t *testing.T, text secret.Text, nets mesh.Networks) *gateway {
	t.Helper()
	conf, err := mesh.Parse(text)
	require.NoError(t, err)
	require.Equal(t, mesh.Port, conf.Interface.ListenPort, "the file as rendered")
	conf.Interface.ListenPort = 0 // both say 51820; on one loopback each takes its own
	g := &gateway{conf: conf}
	for _, n := range []netip.Prefix{nets.Node, nets.Pod, nets.Service} {
		g.served = append(g.served, n.Addr().Next().Next())
	}
	local := append([]netip.Addr{conf.Interface.Addresses[0].Addr()}, g.served...)
	tunDev, tnet, err := netstack.CreateNetTUN(local, nil, 1420)
	require.NoError(t, err)
	g.net = tnet
	g.dev = device.NewDevice(tunDev, conn.NewDefaultBind(), device.NewLogger(device.LogLevelError, fmt.Sprintf("wg %s: ", local[0])))
	t.Cleanup(g.dev.Close)
	// The interface first, to learn its port; the peer follows in pointAt,
	// with the other's port as its endpoint.
	uapi, err := mesh.Config{Interface: conf.Interface}.UAPI()
	require.NoError(t, err)
	require.NoError(t, g.dev.IpcSet(uapi.Reveal()))
	require.NoError(t, g.dev.Up())
	g.port = g.stat(t, "listen_port")
	for _, addr := range g.served {
		l, err := tnet.ListenTCPAddrPort(netip.AddrPortFrom(addr, 80))
		require.NoError(t, err)
		srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "served by "+addr.String())
		})}
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(func() { _ = srv.Close() })
	}
	return g
}

// pointAt configures the peer as the file has it, its endpoint rewritten
// to the other device's loopback port.
func (g *gateway) pointAt(t *testing.T, other *gateway) {
	t.Helper()
	g.conf.Peers[0].Endpoint = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(other.port))
	uapi, err := g.conf.UAPI()
	require.NoError(t, err)
	require.NoError(t, g.dev.IpcSet(uapi.Reveal()))
}

// get fetches http://addr/ through the tunnel. A busy machine can lose
// the first handshake's packets, and wireguard-go retries the handshake
// for 90 s (REKEY_ATTEMPT_TIME), so a request that gets no answer is
// tried again (a new connection) until one does.
func (g *gateway) get(t *testing.T, addr netip.Addr) string {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DialContext: g.net.DialContext}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	start := time.Now()
	var body string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		resp, err := client.Get("http://" + net.JoinHostPort(addr.String(), "80") + "/")
		if !assert.NoError(c, err) {
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		assert.NoError(c, err)
		body = string(b)
	}, 90*time.Second, 100*time.Millisecond, "a request through the tunnel to %s", addr)
	if g.firstRequest == 0 {
		g.firstRequest = time.Since(start)
	}
	return body
}

// stat is a number the device reports for itself or its one peer.
func (g *gateway) stat(t *testing.T, key string) int {
	t.Helper()
	text, err := g.dev.IpcGet()
	require.NoError(t, err)
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			n, err := strconv.Atoi(v)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("the device reports no %s", key)
	return 0
}

// newLink is two regions with the wizard's default networks and fresh
// keys from wgtypes (what the WireGuard activity generates with).
func newLink(t *testing.T) mesh.Link {
	return mesh.Link{
		A: mesh.Site{Region: "fsn1", PublicAddress: netip.MustParseAddr("203.0.113.10"), Tunnel: mesh.TunnelA, PrivateKey: newKey(t),
			Networks: mesh.Networks{Node: netip.MustParsePrefix("10.0.0.0/16"), Pod: netip.MustParsePrefix("10.42.0.0/16"), Service: netip.MustParsePrefix("10.43.0.0/16")}},
		B: mesh.Site{Region: "nbg1", PublicAddress: netip.MustParseAddr("198.51.100.20"), Tunnel: mesh.TunnelB, PrivateKey: newKey(t),
			Networks: mesh.Networks{Node: netip.MustParsePrefix("10.1.0.0/16"), Pod: netip.MustParsePrefix("10.44.0.0/16"), Service: netip.MustParsePrefix("10.45.0.0/16")}},
		PresharedKey: newKey(t),
	}
}

func newKey(t *testing.T) secret.Text {
	k, err := wgtypes.GeneratePrivateKey()
	require.NoError(t, err)
	return secret.Text(k.String())
}
