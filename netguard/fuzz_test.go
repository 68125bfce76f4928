package netguard

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzCheckURL checks a URL as typed (a catalog index, a Git repository, an
// alert receiver: whoever edits the Platform or the flags chooses it). It
// holds: an accepted URL is https (http only under AllowHTTP; ssh only when
// asked for) with a host, and a host that is an address is none that
// CheckIP refuses, in any spelling net/url and the dialer accept; and a
// refusal names at most the host, never the credentials, query or
// fragment the URL carries.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://catalog.example.com/index.yaml", "http://127.0.0.1:8080/index.yaml", "ssh://git@git.example.com/p.git",
		"https://169.254.169.254/latest/meta-data/", "https://[fe80::1%25eth0]/", "https://[::ffff:169.254.169.254]/",
		"https://[64:ff9b::a9fe:a9fe]/", "https://metadata.google.internal./", "https://2852039166/", "https://0xa9fea9fe/",
		"https://169%2e254%2e169%2e254/", "https://user:hunter2hunter2@host.example/?token=hunter2hunter2#hunter2hunter2",
		"ftp://x/", "https://", "//host/path", "https:///path",
	} {
		f.Add(s, false, false)
	}
	f.Fuzz(func(t *testing.T, raw string, allowHTTP, ssh bool) {
		var also []string
		if ssh {
			also = []string{"ssh"}
		}
		err := Policy{AllowHTTP: allowHTTP}.CheckURL(raw, also...)
		u, perr := url.Parse(raw)
		if err != nil {
			if perr != nil {
				return
			}
			// The same URL with credentials, a query and a fragment.
			withSecrets := *u
			withSecrets.User = url.UserPassword("canary-user", "canary-password")
			withSecrets.RawQuery, withSecrets.Fragment = "canary-query", "canary-fragment"
			if err := (Policy{AllowHTTP: allowHTTP}).CheckURL(withSecrets.String(), also...); err != nil && !strings.Contains(raw, "canary-") {
				require.NotRegexp(t, "canary-", err.Error(), "a refusal quotes the URL's credentials, query or fragment")
			}
			return
		}
		require.NoError(t, perr)
		scheme := strings.ToLower(u.Scheme)
		require.True(t, scheme == "https" || allowHTTP && scheme == "http" || ssh && scheme == "ssh", "scheme %q accepted", u.Scheme)
		host := u.Hostname()
		require.NotEmpty(t, host, "no host") // a name such as ".." fails at DNS, where Control checks the address
		if ip, err := netip.ParseAddr(host); err == nil {
			require.NoError(t, CheckIP(ip), "the address the URL names is accepted at entry but refused at dial")
		}
	})
}
