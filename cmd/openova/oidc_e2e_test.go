package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/require"
)

// Sign-in with an OpenID provider (mockoidc, a real provider on loopback)
// through the running binary: openova refuses to start with a provider
// and nobody named, or with a plain http provider unless told this is
// development; started with an allow list, it admits the named account
// and refuses, with a page that says why and no session, an account
// whose user name is the allowed one but whose subject is not.
func TestOIDCSignInAdmitsOnlyNamedAccounts(t *testing.T) {
	t.Parallel() // its own processes, ports and data dirs
	m, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Shutdown() })
	cfg := m.Config()
	provider := []string{"--oidc-issuer", cfg.Issuer, "--oidc-client-id", cfg.ClientID,
		"--oidc-client-secret-file", writeFixture(t, t.TempDir(), "oidc-secret", cfg.ClientSecret)}

	refusals := map[string]struct {
		args []string
		want string
	}{
		"nobody named":    {[]string{"--allow-http-fetch"}, "--oidc-issuer admits nobody until you name who may sign in"},
		"http by default": {[]string{"--oidc-allowed-users", "42"}, "give an https URL (openova allows http only with --allow-http-fetch"},
	}
	for name, r := range refusals {
		args := append(append([]string{"bootstrap", "--data-dir", t.TempDir()}, provider...), r.args...)
		code, _, stderr := run(t, nil, args...)
		require.Equal(t, exitUsage, code, name)
		requireOneLine(t, stderr, r.want)
	}

	p := startOpenova(t, "bootstrap", t.TempDir(), append(provider, "--oidc-allowed-users", "42", "--allow-http-fetch")...)
	signIn := func(u *mockoidc.MockUser) (int, string, bool) {
		jar, err := cookiejar.New(nil)
		require.NoError(t, err)
		browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
		m.QueueUser(u)
		resp, err := browser.Get(p.url("/login/oidc?next=/wizard"))
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		base, _ := url.Parse(p.url("/"))
		for _, ck := range jar.Cookies(base) {
			if strings.HasSuffix(ck.Name, "openova_session") {
				return resp.StatusCode, string(body), true
			}
		}
		return resp.StatusCode, string(body), false
	}

	code, page, session := signIn(&mockoidc.MockUser{Subject: "666", PreferredUsername: "42", Email: "mallory@evil.example", EmailVerified: true})
	require.False(t, session, "no session for an account nobody named")
	require.Equal(t, http.StatusForbidden, code, page)
	require.Contains(t, page, "Your account 42 (mallory@evil.example) is not allowed to sign in to this openova: ask the operator to add it to --oidc-allowed-users")
	require.Contains(t, p.log(), "OIDC sign-in refused")

	code, page, session = signIn(&mockoidc.MockUser{Subject: "42", PreferredUsername: "grace", Email: "grace@example.com"})
	require.Equal(t, http.StatusOK, code, page)
	require.True(t, session, "the named account is signed in")
	require.Contains(t, p.log(), `"sub":"42"`)
}
