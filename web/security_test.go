package web

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/web/auth"
	"github.com/openova-io/core/web/static"
)

// changePage is a page area with a state-changing route, as every page's
// forms are.
type changePage struct{ hits int }

func (p *changePage) Routes(e *echo.Echo) {
	e.POST("/platforms/acme/components/mongodb/install", func(c echo.Context) error { p.hits++; return c.NoContent(http.StatusNoContent) })
	e.GET("/platforms/acme/", func(c echo.Context) error { return c.String(http.StatusOK, "dashboard") })
}

func secured(t *testing.T, tls bool) (http.Handler, *changePage, *auth.Sessions) {
	t.Helper()
	phc, err := auth.Hash("pw")
	require.NoError(t, err)
	s, err := auth.LoadSessions(t.TempDir(), tls)
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	page := &changePage{}
	h := New(Options{Ready: readiness{}, Metrics: prometheus.NewRegistry(), Codec: http.NotFoundHandler(), Logger: log,
		Auth: auth.New(s, phc, log), Pages: []Pages{page}, TLS: tls})
	return h, page, s
}

func session(t *testing.T, s *auth.Sessions) *http.Cookie {
	rec := httptest.NewRecorder()
	require.NoError(t, s.Issue(rec, auth.User{Name: "admin"}))
	return rec.Result().Cookies()[0]
}

func TestSecurityHeaders(t *testing.T) {
	for _, tls := range []bool{false, true} {
		h, _, _ := secured(t, tls)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
		require.Equal(t, http.StatusOK, rec.Code)
		hd := rec.Header()
		csp := hd.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
			require.Contains(t, csp, d)
		}
		require.NotContains(t, csp, "unsafe-inline")
		require.NotContains(t, csp, "unsafe-eval")
		require.Equal(t, "nosniff", hd.Get("X-Content-Type-Options"))
		require.Equal(t, "no-referrer", hd.Get("Referrer-Policy"))
		require.Equal(t, "DENY", hd.Get("X-Frame-Options"))
		require.Equal(t, tls, hd.Get("Strict-Transport-Security") != "", "HSTS over TLS only")
	}
}

func TestStateChangesNeedASessionAndTheSameSite(t *testing.T) {
	h, page, s := secured(t, false)
	ck := session(t, s)
	cases := []struct {
		name    string
		cookie  bool
		headers map[string]string
		code    int
	}{
		{"signed in, same origin", true, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"}, http.StatusNoContent},
		{"signed in, from another site (Sec-Fetch-Site)", true, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"signed in, from another origin (Origin)", true, map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"no session", false, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := page.hits
			r := httptest.NewRequest(http.MethodPost, "http://example.com/platforms/acme/components/mongodb/install", nil)
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if tc.cookie {
				r.AddCookie(ck)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			require.Equal(t, tc.code, rec.Code, rec.Body.String())
			if tc.code != http.StatusNoContent {
				require.Equal(t, before, page.hits, "a refused request changes nothing")
			}
		})
	}
}

func TestPagesNeedASession(t *testing.T) {
	h, _, s := secured(t, false)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/platforms/acme/", nil))
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.Equal(t, "/login?next=%2Fplatforms%2Facme%2F", rec.Header().Get("Location"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/audit?kind=upgrade&page=2", nil))
	require.Equal(t, "/login?next=%2Faudit%3Fkind%3Dupgrade%26page%3D2", rec.Header().Get("Location"), "the whole query comes back after sign-in")

	r := httptest.NewRequest(http.MethodGet, "/platforms/acme/", nil)
	r.AddCookie(session(t, s))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	require.Equal(t, http.StatusOK, rec.Code)

	for _, public := range []string{"/healthz", "/readyz", "/login", static.URL("app.css")} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, public, nil))
		require.Equal(t, http.StatusOK, rec.Code, public)
	}
}

func TestUnknownPagesAreA404PageWithoutInternals(t *testing.T) {
	h, _, s := secured(t, false)
	r := httptest.NewRequest(http.MethodGet, "/platforms/acme/nope", nil)
	r.Header.Set("Accept", "text/html")
	r.AddCookie(session(t, s))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.Contains(t, rec.Body.String(), "<!doctype html>")
	require.Contains(t, rec.Body.String(), "There is no page at /platforms/acme/nope")
	require.Contains(t, rec.Body.String(), "Not Found")
	require.NotContains(t, rec.Body.String(), "goroutine")
	require.NotContains(t, rec.Body.String(), ".go:")
}

func TestStaticFilesAreHashedAndCachedForAYear(t *testing.T) {
	h, _, _ := secured(t, false)
	for _, name := range []string{"app.css", "app.js", "vendor/htmx.min.js", "vendor/pico.min.css"} {
		u := static.URL(name)
		require.Regexp(t, `^/static/.+\.[0-9a-f]{12}\.(css|js)$`, u)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
		require.Equal(t, http.StatusOK, rec.Code, u)
		require.Equal(t, "public, max-age=31536000, immutable", rec.Header().Get("Cache-Control"))
		require.NotEmpty(t, rec.Header().Get("Content-Type"))
		stale := strings.Replace(u, ".", ".0", 1)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, stale, nil))
		require.Equal(t, http.StatusNotFound, rec.Code, "a URL with another hash is not served")
	}
}

// Every page is rendered by the page tests; this one checks the shell
// itself carries no inline script or style.
func TestLoginPageHasNoInlineScriptOrStyle(t *testing.T) {
	h, _, _ := secured(t, false)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	requireNoInline(t, rec.Body.Bytes())
}

func requireNoInline(t *testing.T, html []byte) {
	t.Helper()
	low := bytes.ToLower(html)
	require.NotContains(t, string(low), "<style", "inline <style>")
	require.NotContains(t, string(low), " style=", "inline style attribute")
	require.Regexp(t, `^(?s)(?:[^<]|<[^s]|<s[^c]|<script src=)*$`, string(low), "a <script> without src")
	require.NotRegexp(t, `\son[a-z]+=`, string(low), "an inline event handler")
}
