package auth

import (
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
)

// withProvider runs mockoidc and sign-in routes that use it.
func withProvider(t *testing.T) (*mockoidc.MockOIDC, *Sessions, *echo.Echo) {
	t.Helper()
	m, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Shutdown() })
	cfg := m.Config()
	s, err := LoadSessions(t.TempDir(), false)
	require.NoError(t, err)
	o, err := NewOIDC(context.Background(), cfg.Issuer, cfg.ClientID, cfg.ClientSecret, "")
	require.NoError(t, err)
	a := New(s, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	a.OIDC = o
	e := echo.New()
	a.Routes(e)
	return m, s, e
}

// Sign-in with a real OpenID provider running in the test (mockoidc: its
// discovery document, authorization and token endpoints, signed ID
// tokens): the browser is sent there, comes back with a code, and ends
// with the same session cookie a password sign-in gets, named after the
// provider's user.
func TestOIDCSignInWithARealProvider(t *testing.T) {
	m, s, e := withProvider(t)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(srv.URL + "/login")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Contains(t, string(body), `href="/login/oidc?next=%2F"`, "the login page offers the provider")

	m.QueueUser(&mockoidc.MockUser{Subject: "42", PreferredUsername: "grace", Email: "grace@example.com"})
	resp, err = browser.Get(srv.URL + "/login/oidc?next=/platforms/acme/")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Contains(t, string(body), `content="0;url=/platforms/acme/"`, "the page goes on to where the user was going")

	u, _ := url.Parse(srv.URL)
	var session *http.Cookie
	for _, ck := range jar.Cookies(u) {
		if ck.Name == s.CookieName() {
			session = ck
		}
	}
	require.NotNil(t, session, "signed in")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(session)
	user, _, err := s.Read(r)
	require.NoError(t, err)
	require.Equal(t, "grace", user.Name)
	require.Equal(t, "oidc", user.Method)
}

// A callback that does not belong to a sign-in this browser started is
// refused with the login page, and signs nobody in.
func TestOIDCRefusesForeignCallbacks(t *testing.T) {
	_, s, e := withProvider(t)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login/oidc/callback?code=stolen&state=guess", nil))
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Contains(t, rec.Body.String(), "Sign-in with your identity provider failed")
	for _, ck := range rec.Result().Cookies() {
		require.NotEqual(t, s.CookieName(), ck.Name, "nobody is signed in")
	}

	_, err := NewOIDC(context.Background(), "http://127.0.0.1:1/nothing", "id", "secret", "")
	require.ErrorContains(t, err, "check --oidc-issuer")
}
