package auth

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/netguard"
)

// oidcEnv is a real OpenID provider running in the test (mockoidc: its
// discovery document, authorization and token endpoints, signed ID
// tokens) and openova's sign-in routes using it.
type oidcEnv struct {
	m   *mockoidc.MockOIDC
	s   *Sessions
	srv *httptest.Server
	log *bytes.Buffer
}

// withProvider runs mockoidc and sign-in routes that admit whom allow
// names. The provider is plain http on loopback: the development policy.
func withProvider(t *testing.T, allow Allow) *oidcEnv {
	t.Helper()
	m, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Shutdown() })
	cfg := m.Config()
	s, err := LoadSessions(t.TempDir(), false)
	require.NoError(t, err)
	o, err := NewOIDC(context.Background(), OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		Allow: allow, HTTP: netguard.Policy{AllowHTTP: true}.Client(0)})
	require.NoError(t, err)
	var log bytes.Buffer
	a := New(s, "", slog.New(slog.NewTextHandler(&log, nil)))
	a.OIDC = o
	e := echo.New()
	a.Routes(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &oidcEnv{m: m, s: s, srv: srv, log: &log}
}

// signIn runs one sign-in of u through the provider, as a browser does,
// and returns the last answer and the session cookie (nil: none).
func (env *oidcEnv) signIn(t *testing.T, u *mockoidc.MockUser, next string) (*http.Response, string, *http.Cookie) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	env.m.QueueUser(u)
	resp, err := browser.Get(env.srv.URL + "/login/oidc?next=" + url.QueryEscape(next))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	su, _ := url.Parse(env.srv.URL)
	for _, ck := range jar.Cookies(su) {
		if ck.Name == env.s.CookieName() {
			return resp, string(body), ck
		}
	}
	return resp, string(body), nil
}

func (env *oidcEnv) user(t *testing.T, session *http.Cookie) User {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(session)
	u, _, err := env.s.Read(r)
	require.NoError(t, err)
	return u
}

// Sign-in with a real OpenID provider: the browser is sent there, comes
// back with a code, and ends with the same session cookie a password
// sign-in gets, shown under the provider's user name and recorded under
// the provider's issuer and the user's subject.
func TestOIDCSignInWithARealProvider(t *testing.T) {
	env := withProvider(t, Allow{Users: []string{"42"}})
	resp, err := http.Get(env.srv.URL + "/login")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Contains(t, string(body), `href="/login/oidc?next=%2F"`, "the login page offers the provider")

	resp, page, session := env.signIn(t, &mockoidc.MockUser{Subject: "42", PreferredUsername: "grace", Email: "grace@example.com"}, "/platforms/acme/")
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, `content="0;url=/platforms/acme/"`, "the page goes on to where the user was going")
	require.NotNil(t, session, "signed in")
	u := env.user(t, session)
	require.Equal(t, "grace", u.Name)
	require.Equal(t, "oidc", u.Method)
	require.Equal(t, env.m.Issuer()+"#42", u.Identity, "who signed in: the issuer and the subject, which the user cannot choose")
}

// The provider's accounts sign in only when the operator named them: by
// subject, by verified email address, by verified email domain or by
// group. Everyone else gets a page that says why and what to ask for, a
// log line, and no session; an email address counts only when the
// provider verified it, and the user name the provider shows
// (preferred_username, which users may often set themselves) never counts.
func TestOIDCAdmitsOnlyWhomTheOperatorNames(t *testing.T) {
	allow := Allow{Users: []string{"42", "ada@example.org", "grace"}, EmailDomains: []string{"example.com"}, Groups: []string{"platform-ops"}}
	cases := []struct {
		name   string
		user   mockoidc.MockUser
		admit  bool
		reason string // on the refusal page
	}{
		{"by subject", mockoidc.MockUser{Subject: "42", PreferredUsername: "grace", Email: "grace@elsewhere.net"}, true, ""},
		{"by verified email", mockoidc.MockUser{Subject: "7", PreferredUsername: "ada", Email: "Ada@Example.org", EmailVerified: true}, true, ""},
		{"by verified email domain", mockoidc.MockUser{Subject: "8", PreferredUsername: "linus", Email: "linus@example.com", EmailVerified: true}, true, ""},
		{"by group", mockoidc.MockUser{Subject: "9", PreferredUsername: "ken", Email: "ken@elsewhere.net", Groups: []string{"dev", "platform-ops"}}, true, ""},
		{"nobody named", mockoidc.MockUser{Subject: "10", PreferredUsername: "mallory", Email: "mallory@evil.example", EmailVerified: true, Groups: []string{"dev"}}, false,
			"Your account mallory (mallory@evil.example) is not allowed to sign in to this openova: ask the operator to add it to --oidc-allowed-users"},
		{"unverified email in an allowed domain", mockoidc.MockUser{Subject: "11", PreferredUsername: "eve", Email: "eve@example.com"}, false,
			"the provider has not verified its email address eve@example.com"},
		{"unverified allowed email", mockoidc.MockUser{Subject: "12", PreferredUsername: "ada2", Email: "ada@example.org"}, false,
			"the provider has not verified its email address ada@example.org"},
		{"user name of an allowed user, other subject", mockoidc.MockUser{Subject: "666", PreferredUsername: "grace", Email: "grace@evil.example"}, false,
			"Your account grace (grace@evil.example) is not allowed"},
		{"user name equal to an allowed subject", mockoidc.MockUser{Subject: "667", PreferredUsername: "42"}, false, "is not allowed"},
		{"group named like an allowed user", mockoidc.MockUser{Subject: "668", PreferredUsername: "x", Groups: []string{"42", "grace"}}, false, "is not allowed"},
	}
	env := withProvider(t, allow)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env.log.Reset()
			resp, page, session := env.signIn(t, &tc.user, "/")
			if tc.admit {
				require.Equal(t, http.StatusOK, resp.StatusCode, page)
				require.NotNil(t, session, "signed in")
				require.Equal(t, env.m.Issuer()+"#"+tc.user.Subject, env.user(t, session).Identity)
				return
			}
			require.Nil(t, session, "no session for a refused account")
			require.Equal(t, http.StatusForbidden, resp.StatusCode, page)
			require.Contains(t, page, tc.reason)
			require.Contains(t, env.log.String(), "OIDC sign-in refused")
			require.Contains(t, env.log.String(), "sub="+tc.user.Subject)
		})
	}
}

// The groups scope is asked for only when groups decide: providers that
// do not know it (Google) refuse the whole sign-in otherwise.
func TestOIDCAsksForGroupsOnlyWhenGroupsDecide(t *testing.T) {
	for allow, want := range map[*Allow]bool{{Users: []string{"1"}}: false, {Groups: []string{"ops"}}: true} {
		env := withProvider(t, *allow)
		jar, _ := cookiejar.New(nil)
		noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(env.srv.URL + "/login/oidc")
		require.NoError(t, err)
		_ = resp.Body.Close()
		to, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		require.Equal(t, want, bytes.Contains([]byte(" "+to.Query().Get("scope")+" "), []byte(" groups ")), to.Query().Get("scope"))
	}
}

// A callback that does not belong to a sign-in this browser started is
// refused with the login page, and signs nobody in.
func TestOIDCRefusesForeignCallbacks(t *testing.T) {
	env := withProvider(t, Allow{Users: []string{"42"}})
	resp, err := http.Get(env.srv.URL + "/login/oidc/callback?code=stolen&state=guess")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, string(body), "Sign-in with your identity provider failed")
	for _, ck := range resp.Cookies() {
		require.NotEqual(t, env.s.CookieName(), ck.Name, "nobody is signed in")
	}

	_, err = NewOIDC(context.Background(), OIDCConfig{Issuer: "http://127.0.0.1:1/nothing", ClientID: "id", ClientSecret: "secret",
		Allow: Allow{Users: []string{"42"}}, HTTP: netguard.Policy{AllowHTTP: true}.Client(0)})
	require.ErrorContains(t, err, "check --oidc-issuer")
}

// Discovery goes through the fetch policy: an issuer at a metadata
// address, or plain http without the development policy, is refused
// before any request.
func TestOIDCDiscoveryKeepsToTheFetchPolicy(t *testing.T) {
	for issuer, want := range map[string]string{
		"https://169.254.169.254/": "169.254.169.254 is a link-local address",
		"http://127.0.0.1:1/oidc":  "give an https URL",
	} {
		_, err := NewOIDC(context.Background(), OIDCConfig{Issuer: issuer, ClientID: "id", ClientSecret: "secret",
			Allow: Allow{Users: []string{"42"}}, HTTP: netguard.Policy{}.Client(0)})
		require.ErrorContains(t, err, want, issuer)
	}
}
