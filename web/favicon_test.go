package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every page names its icon, which is served to anyone (the sign-in page
// asks for it before a session exists); /favicon.ico, which browsers and
// feed readers ask for unprompted, redirects to it instead of a 404.
func TestFaviconIsServed(t *testing.T) {
	h, _, _ := secured(t, false)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	login := get("/login")
	require.Equal(t, http.StatusOK, login.Code)
	i := strings.Index(login.Body.String(), `<link rel="icon" type="image/svg+xml" href="`)
	require.Positive(t, i, "the page names its icon")
	href := login.Body.String()[i+len(`<link rel="icon" type="image/svg+xml" href="`):]
	href = href[:strings.Index(href, `"`)]
	require.Regexp(t, `^/static/favicon\.[0-9a-f]{12}\.svg$`, href)

	ico := get("/favicon.ico")
	require.Equal(t, http.StatusMovedPermanently, ico.Code, "no sign-in needed, no 404")
	require.Equal(t, href, ico.Header().Get("Location"))
	svg := get(href)
	require.Equal(t, http.StatusOK, svg.Code)
	require.Equal(t, "image/svg+xml", svg.Header().Get("Content-Type"))
	require.Contains(t, svg.Body.String(), "<svg")
}
