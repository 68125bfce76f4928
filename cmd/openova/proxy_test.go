package main

import (
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

// --trusted-proxies and --public-url are checked at start, each refusal
// saying what to give instead.
func TestProxyFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		https   bool
		nets    []string
		secure  bool
		refusal string
	}{
		{name: "none", secure: false},
		{name: "networks and addresses", args: []string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.7,fd00::/8", "--trusted-proxies", "2001:db8::1"},
			nets: []string{"10.0.0.0/8", "192.0.2.7/32", "fd00::/8", "2001:db8::1/128"}},
		{name: "not a network", args: []string{"--trusted-proxies", "proxy.example"}, refusal: `--trusted-proxies "proxy.example" is not a network`},
		{name: "everyone", args: []string{"--trusted-proxies", "0.0.0.0/0"}, refusal: "trusts every address"},
		{name: "https behind a proxy", args: []string{"--public-url", "https://ops.example.com"}, secure: true},
		{name: "http behind a proxy", args: []string{"--public-url", "http://ops.example.com/"}, secure: false},
		{name: "own TLS", https: true, secure: true},
		{name: "not a URL", args: []string{"--public-url", "ops.example.com"}, refusal: "is not an http(s) URL"},
		{name: "a path", args: []string{"--public-url", "https://example.com/ops"}, refusal: "give scheme and host only"},
		{name: "user info", args: []string{"--public-url", "https://me:pw@example.com"}, refusal: "give scheme and host only"},
		{name: "http with own TLS", args: []string{"--public-url", "http://ops.example.com"}, https: true, refusal: "give the https:// URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p proxyFlags
			fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
			p.register(fs)
			require.NoError(t, fs.Parse(tc.args))
			err := p.validate(tc.https)
			if tc.refusal != "" {
				require.ErrorContains(t, err, tc.refusal)
				return
			}
			require.NoError(t, err)
			var nets []string
			for _, n := range p.nets {
				nets = append(nets, n.String())
			}
			require.Equal(t, tc.nets, nets)
			require.Equal(t, tc.secure, p.secure)
		})
	}
}

func TestOIDCRedirectFollowsThePublicURL(t *testing.T) {
	cases := []struct{ public, flag, want string }{
		{"", "", ""},
		{"https://ops.example.com", "", "https://ops.example.com/login/oidc/callback"},
		{"https://ops.example.com/", "", "https://ops.example.com/login/oidc/callback"},
		{"https://ops.example.com", "https://sso.example.com/cb", "https://sso.example.com/cb"},
	}
	for _, c := range cases {
		p := proxyFlags{publicURL: c.public}
		require.Equal(t, c.want, p.oidcRedirect(c.flag), "%+v", c)
	}
}
