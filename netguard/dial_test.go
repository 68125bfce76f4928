package netguard

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// dnsServer is a DNS server on loopback that answers every A query with
// the address its names map holds (or a.b.c.d for names it does not
// know: none), and AAAA queries with no address. It records the names it
// was asked for.
type dnsServer struct {
	mu    sync.Mutex
	names map[string]netip.Addr
	asked []string
}

func startDNS(t *testing.T, names map[string]string) *dnsServer {
	t.Helper()
	s := &dnsServer{names: map[string]netip.Addr{}}
	for n, ip := range names {
		s.names[n] = netip.MustParseAddr(ip)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	go s.serve(pc)
	prev := resolver
	resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
	t.Cleanup(func() { resolver = prev })
	return s
}

func (s *dnsServer) serve(pc net.PacketConn) {
	buf := make([]byte, 512)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp := s.answer(buf[:n]); resp != nil {
			_, _ = pc.WriteTo(resp, from)
		}
	}
}

// answer builds the response to one query (RFC 1035 4.1): the header with
// the query's ID, the question, and an A record when the name is known.
func (s *dnsServer) answer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	i, name := 12, ""
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		name += string(q[i+1:i+1+l]) + "."
		i += 1 + l
	}
	end := i + 5 // the root label, QTYPE, QCLASS
	if end > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	s.mu.Lock()
	s.asked = append(s.asked, name)
	ip, known := s.names[name]
	s.mu.Unlock()
	resp := append([]byte{q[0], q[1], 0x85, 0x80, 0, 1, 0, 0, 0, 0, 0, 0}, q[12:end]...)
	if known && qtype == 1 {
		resp[7] = 1
		a := ip.As4()
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4)
		resp = append(resp, a[:]...)
	}
	return resp
}

// A name that resolves to the metadata address is refused at the dial,
// after DNS, before any connection: what a DNS rebinding attack looks
// like from openova's side. The same dialer connects to a name that
// resolves to a server on loopback.
func TestDialRefusesNamesResolvingToLinkLocal(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	dns := startDNS(t, map[string]string{"rebind.test.": "169.254.169.254", "alibaba.test.": "100.100.100.200", "ok.test.": "127.0.0.1"})
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	for _, name := range []string{"rebind.test", "alibaba.test"} {
		_, err = DialContext(context.Background(), "tcp", net.JoinHostPort(name, port))
		require.ErrorContains(t, err, name+" resolves to ")
		var refused *Error
		require.ErrorAs(t, err, &refused)
	}
	c, err := DialContext(context.Background(), "tcp", net.JoinHostPort("ok.test", port))
	require.NoError(t, err)
	_ = c.Close()
	require.Contains(t, dns.asked, "rebind.test.", "the name was resolved, through the test's DNS server")
}

// An HTTP client on Transport: a URL naming a host that resolves to
// 169.254.169.254 is refused; a redirect to the metadata address or to
// plain http is refused at the hop; what the policy admits is fetched.
func TestTransportRefusesAtEveryHop(t *testing.T) {
	startDNS(t, map[string]string{"rebind.test.": "169.254.169.254"})
	var hits sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		switch r.URL.Path {
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-rebind":
			http.Redirect(w, r, "http://rebind.test/latest/meta-data/", http.StatusFound)
		default:
			_, _ = io.WriteString(w, "index")
		}
	}))
	t.Cleanup(srv.Close)

	dev := Policy{AllowHTTP: true}.Client(0)
	resp, err := dev.Get(srv.URL + "/index.yaml")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, "index", string(body))

	for path, want := range map[string]string{
		"/to-metadata": "169.254.169.254 is a link-local address",
		"/to-rebind":   "rebind.test resolves to 169.254.169.254, a link-local address",
	} {
		_, err := dev.Get(srv.URL + path)
		require.ErrorContains(t, err, want, path)
		var refused *Error
		require.ErrorAs(t, err, &refused)
	}
	_, err = dev.Get("http://rebind.test/")
	require.ErrorContains(t, err, "rebind.test resolves to 169.254.169.254, a link-local address")

	_, err = Policy{}.Client(0).Get(srv.URL + "/index.yaml")
	require.ErrorContains(t, err, "give an https URL")
	require.ErrorContains(t, Control("tcp", "[fe80::1%eth0]:443", nil), "link-local")
	require.NoError(t, Control("tcp", "10.0.0.5:443", nil))
}
