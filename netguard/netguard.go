// Package netguard keeps the fetches openova makes on its own (a catalog
// index, a Helm repository, a Git remote, the OpenID provider, the S3
// state bucket) away from where no operator means to send them: the
// link-local network and the cloud metadata services, which hand out the
// machine's cloud credentials to whoever asks from inside it. Anyone who
// may type a URL into a form or a Platform spec could otherwise make the
// manager fetch http://169.254.169.254/ and read its answer back.
//
// A URL is checked twice: when it is entered (CheckURL, CheckHost: a
// clear message beside the field or flag), and when it is dialled, after
// DNS (Control, Transport), so a name that resolves, or re-resolves, to
// a metadata address is refused too. Plain http is refused unless the
// Policy allows it (--allow-http-fetch, for development against servers
// on loopback). Loopback and private addresses are allowed: an in-cluster
// Git server or catalog mirror is a normal place to fetch from.
package netguard

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Policy is where fetches may go beyond the fixed refusals.
type Policy struct {
	// AllowHTTP admits plain http URLs (openova --allow-http-fetch): for
	// development and tests against servers on loopback, never production.
	AllowHTTP bool
}

// Error is a refused destination; its message says what was wrong and
// what to do.
type Error struct {
	Msg string
	// addr and why are a refused address and the reason, for a message
	// that names the host that resolved to it.
	addr, why string
}

func (e *Error) Error() string { return e.Msg }

func refuse(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// metadataAddrs are cloud metadata services outside the link-local
// ranges (169.254.169.254, used by AWS, GCP, Azure, OCI, OpenStack,
// Hetzner and DigitalOcean, is link-local already).
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("168.63.129.16"),   // Azure WireServer
	netip.MustParseAddr("192.0.0.192"),     // Oracle Cloud Classic
	netip.MustParseAddr("fd00:ec2::254"),   // AWS instance metadata over IPv6
	netip.MustParseAddr("fd20:ce::254"),    // Google Cloud metadata over IPv6
}

// metadataNames are the names cloud metadata services answer to.
var metadataNames = []string{
	"metadata", "metadata.google.internal", "metadata.goog",
	"instance-data", "instance-data.ec2.internal", "metadata.tencentyun.com",
}

var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	sixTo = netip.MustParsePrefix("2002::/16")
	// numericTLD: a name whose last label is a number is an IPv4 address
	// in a form some resolvers read (2852039166, 0xa9fea9fe, 169.254.43518).
	numericTLD = regexp.MustCompile(`(^|\.)(0x[0-9a-f]*|[0-9]+)$`)
)

// embeddedV4 is the IPv4 address an IPv6 address carries to (NAT64,
// 6to4, IPv4-mapped), which a dial reaches in the end.
func embeddedV4(ip netip.Addr) (netip.Addr, bool) {
	if ip.Is4In6() {
		return ip.Unmap(), true
	}
	b := ip.As16()
	switch {
	case ip.Is6() && nat64.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case ip.Is6() && sixTo.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return ip, false
}

// CheckIP refuses link-local and metadata addresses, and addresses that
// are no server's (unspecified, multicast).
func CheckIP(ip netip.Addr) error {
	ip = ip.WithZone("")
	if v4, ok := embeddedV4(ip); ok {
		ip = v4
	}
	const what = "openova does not fetch from there, since that would hand the machine's cloud credentials to whoever chose the URL: give the address of the server itself"
	var why string
	switch {
	case slices.Contains(metadataAddrs, ip):
		why = "a cloud metadata address: " + what
	case ip.IsLinkLocalUnicast():
		why = "a link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services answer: " + what
	case ip.IsUnspecified() || ip.IsMulticast():
		why = "not the address of a server: give the server's name or address"
	default:
		return nil
	}
	return &Error{Msg: fmt.Sprintf("%s is %s", ip, why), addr: ip.String(), why: why}
}

// CheckHost refuses a host (a name or a literal address, bracketed or
// not) that is or names a link-local or metadata address.
func CheckHost(host string) error {
	literal := strings.ToLower(strings.Trim(host, "[]"))
	// An IPv6 literal's zone may end in a dot ("::%."): it is parsed as
	// the dialer will see it, before the dot of a name is trimmed.
	if ip, err := netip.ParseAddr(literal); err == nil {
		return CheckIP(ip)
	}
	h := strings.TrimSuffix(literal, ".")
	if h == "" {
		return refuse("the URL has no host: give one such as https://git.example.com/path")
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		return CheckIP(ip)
	}
	if strings.Contains(h, "%") {
		return refuse("%s is neither a host name nor an IP address in the usual form: write an address as e.g. 10.0.0.5 or [fd00::5]", host)
	}
	if slices.Contains(metadataNames, h) {
		return refuse("%s names a cloud metadata service: openova does not fetch from there, since that would hand the machine's cloud credentials to whoever chose the URL: give the address of the server itself", host)
	}
	if numericTLD.MatchString(h) {
		return refuse("%s is neither a host name nor an IP address in the usual form: write an address as e.g. 10.0.0.5 or [fd00::5]", host)
	}
	return nil
}

// CheckURL checks a URL openova will fetch: https (http only when the
// policy allows it; more schemes, such as ssh for Git, in also), a host,
// and a host that CheckHost admits. Messages name the host, never the
// whole URL (which may carry credentials).
func (p Policy) CheckURL(raw string, also ...string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return refuse("the URL does not parse: give one such as https://host/path")
	}
	return p.checkURL(u, also...)
}

func (p Policy) checkURL(u *url.URL, also ...string) error {
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme == "https" || slices.Contains(also, scheme):
	case scheme == "http" && p.AllowHTTP:
	case scheme == "http":
		return refuse("http://%s is plain http, which anyone on the way can read and change: give an https URL (openova allows http only with --allow-http-fetch, for development)", u.Host)
	default:
		want := "https"
		for _, s := range also {
			want += " or " + s
		}
		return refuse("%q is not a scheme openova fetches with: give an %s URL, such as https://host/path", u.Scheme, want)
	}
	return CheckHost(u.Hostname())
}

// effectivePort is the URL's port, or its scheme's default.
func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return strings.TrimLeft(p, "0")
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	case "ssh":
		return "22"
	}
	return ""
}

// SameOrigin reports whether to is the origin from is, or its upgrade
// from http on port 80 to https on 443: credentials saved for from may be
// sent to to, and a redirect from one to the other stays with the server
// the operator named.
func SameOrigin(from, to *url.URL) bool {
	if !strings.EqualFold(from.Hostname(), to.Hostname()) {
		return false
	}
	fs, ts := strings.ToLower(from.Scheme), strings.ToLower(to.Scheme)
	if fs == ts {
		return effectivePort(from) == effectivePort(to)
	}
	return fs == "http" && ts == "https" && effectivePort(from) == "80" && effectivePort(to) == "443"
}
