package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Control is a net.Dialer Control hook: it runs after DNS, on the address
// about to be connected, so a name that resolves to a metadata address
// (DNS rebinding included) is refused before a packet leaves.
func Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return refuse("cannot check the address %s before connecting (%s), so openova does not connect", address, network)
	}
	return CheckIP(ap.Addr())
}

// resolver resolves names for the dialers (nil: the system's); tests set
// it to a DNS server of their own.
var resolver *net.Resolver

// Dialer is a net.Dialer that refuses what Control refuses.
func Dialer() *net.Dialer {
	return &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: Control, Resolver: resolver}
}

// DialContext dials through Dialer; a refusal names the host the caller
// asked for, since the dialled address alone hides where it came from.
func DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := Dialer().DialContext(ctx, network, addr)
	var refused *Error
	if err != nil && errors.As(err, &refused) {
		host, _, _ := net.SplitHostPort(addr)
		if _, perr := netip.ParseAddr(host); perr != nil && refused.why != "" {
			return nil, &Error{Msg: fmt.Sprintf("%s resolves to %s, %s", host, refused.addr, refused.why), addr: refused.addr, why: refused.why}
		}
		return nil, refused
	}
	return c, err
}

// Transport is http.DefaultTransport (proxy from the environment, the
// usual timeouts) dialling through DialContext, that checks every request
// with p.CheckURL first: each redirect is a request of its own, so a
// redirect to http or to a metadata address is refused as well.
func (p Policy) Transport() http.RoundTripper { return p.TransportWith(nil) }

// TransportWith is Transport with configure's changes to the underlying
// http.Transport (nil: none), e.g. a TLS dialer of its own.
func (p Policy) TransportWith(configure func(*http.Transport)) http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = DialContext
	if configure != nil {
		configure(tr)
	}
	return &guarded{policy: p, next: tr}
}

// Client is an http.Client on Transport with the given timeout (0: none).
func (p Policy) Client(timeout time.Duration) *http.Client {
	return &http.Client{Transport: p.Transport(), Timeout: timeout}
}

type guarded struct {
	policy Policy
	next   http.RoundTripper
}

func (g *guarded) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := g.policy.checkURL(r.URL); err != nil {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, err
	}
	return g.next.RoundTrip(r)
}
