package catalogindex

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzRedactURL: every URL an error, a log line or a page names (catalog
// index, Helm repository, Git remote, alert receiver) goes through
// RedactURL. It holds: what comes out has no user information, query or
// fragment (no password at all), and is the same URL otherwise (scheme,
// host and path read back unchanged), or says the URL did not parse.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{
		"https://catalog.example.com/index.yaml", "https://user:s3cr3t-t0ken@git.example.com/p.git?x=1#frag",
		"https://hooks.example.com/alert?token=s3cr3t-t0ken", "http://[::1]:8080/a%2Fb", "ssh://git@git.example.com:22/p.git",
		"mailto:user:pass@host", "https://u:p@h/p@q", "::", "https://h/%zz", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out := RedactURL(raw)
		u, err := url.Parse(raw)
		if err != nil {
			require.Equal(t, "(unparsable URL)", out)
			return
		}
		if p, ok := u.User.Password(); ok && len(p) >= 8 && !strings.Contains(u.Host+u.EscapedPath()+u.Opaque, p) {
			require.NotContains(t, out, p, "the password is in %q", out)
		}
		if u.Host == "" {
			return // net/url writes a host-less path "//x" so that it reads as a host
		}
		back, err := url.Parse(out)
		require.NoError(t, err, "the redacted URL %q does not parse", out)
		require.Nil(t, back.User, "user information in %q", out)
		require.Empty(t, back.RawQuery, "a query in %q", out)
		require.Empty(t, back.Fragment, "a fragment in %q", out)
		require.Equal(t, strings.ToLower(u.Scheme), strings.ToLower(back.Scheme))
		require.Equal(t, u.Host, back.Host)
		require.Equal(t, u.EscapedPath(), back.EscapedPath())
	})
}
