package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/spf13/pflag"
)

// proxyFlags say how browsers reach the UI when a reverse proxy stands in
// front of --listen: which peers are proxies whose X-Forwarded-For is
// believed (sign-in throttles per client; without this every client
// behind the proxy would share its address), and the URL browsers use,
// whose https makes the session cookie Secure and sends HSTS although
// openova itself serves plain HTTP.
type proxyFlags struct {
	trustedProxies []string
	publicURL      string

	// Set by validate: the proxies' networks, and whether browsers reach
	// the UI over HTTPS.
	nets   []*net.IPNet
	secure bool
}

func (p *proxyFlags) register(fs *pflag.FlagSet) {
	fs.StringSliceVar(&p.trustedProxies, "trusted-proxies", nil, "networks (CIDR) or addresses of the reverse proxies in front of --listen, comma-separated: their X-Forwarded-For names the client (sign-in throttling, logs); others' is ignored")
	fs.StringVar(&p.publicURL, "public-url", "", "URL browsers use to reach the UI through a proxy that terminates TLS (e.g. https://ops.example.com): https makes session cookies Secure (__Host- prefix) and sends HSTS")
}

// validate parses the flags; https says openova serves TLS itself.
func (p *proxyFlags) validate(https bool) error {
	p.nets, p.secure = nil, https
	for _, s := range p.trustedProxies {
		s = strings.TrimSpace(s)
		n, err := parseNet(s)
		if err != nil {
			return usageError{fmt.Errorf("--trusted-proxies %q is not a network (10.0.0.0/8, fd00::/8) or an address: name the proxies in front of openova", s)}
		}
		if ones, _ := n.Mask.Size(); ones == 0 {
			return usageError{fmt.Errorf("--trusted-proxies %q trusts every address, so any client could forge its own: name the proxies' networks only", s)}
		}
		p.nets = append(p.nets, n)
	}
	if p.publicURL == "" {
		return nil
	}
	u, err := url.Parse(p.publicURL)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "":
		return usageError{fmt.Errorf("--public-url %q is not an http(s) URL: give the address browsers open, e.g. https://ops.example.com", p.publicURL)}
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/"):
		return usageError{fmt.Errorf("--public-url %q: give scheme and host only (the UI is served at the root of its host), e.g. https://ops.example.com", p.publicURL)}
	case u.Scheme == "http" && https:
		return usageError{errors.New("--public-url is http:// but openova serves HTTPS itself (--tls-cert): give the https:// URL browsers open")}
	}
	p.secure = p.secure || u.Scheme == "https"
	return nil
}

// oidcRedirect is the OpenID redirect URL: --oidc-redirect-url, else the
// callback under --public-url (behind a TLS proxy the browser's request
// reaches openova as plain HTTP, so the URL cannot be read from it).
func (p *proxyFlags) oidcRedirect(flag string) string {
	if flag != "" || p.publicURL == "" {
		return flag
	}
	return strings.TrimSuffix(p.publicURL, "/") + "/login/oidc/callback"
}

// parseNet reads a CIDR, or an address as a network of itself.
func parseNet(s string) (*net.IPNet, error) {
	if _, n, err := net.ParseCIDR(s); err == nil {
		return n, nil
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, errors.New("not an address")
	}
	if v4 := ip.To4(); v4 != nil {
		return &net.IPNet{IP: v4, Mask: net.CIDRMask(32, 32)}, nil
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(128, 128)}, nil
}
