package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"
)

// source is a client of the UI from its own loopback address (127.0.0.0/8
// is all loopback), optionally through a proxy that adds X-Forwarded-For.
// It never follows redirects and keeps no cookies: the tests look at them.
type source struct {
	t    testing.TB
	p    *proc
	hc   *http.Client
	xff  string
	addr string
}

func from(t testing.TB, p *proc, addr, xff string) *source {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	return &source{t: t, p: p, addr: addr, xff: xff, hc: &http.Client{Timeout: time.Minute,
		Transport:     &http.Transport{DialContext: d.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (s *source) do(method, path string, form url.Values, cookie *http.Cookie) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, s.p.url(path), strings.NewReader(form.Encode()))
	require.NoError(s.t, err)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if s.xff != "" {
		req.Header.Set("X-Forwarded-For", s.xff)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := s.hc.Do(req)
	require.NoError(s.t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return resp, string(b)
}

// login posts the sign-in form; on success it returns the session cookie.
func (s *source) login(user, password, next string) (*http.Response, *http.Cookie) {
	s.t.Helper()
	resp, _ := s.do(http.MethodPost, "/login", url.Values{"user": {user}, "password": {password}, "next": {next}}, nil)
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, "openova_session") && c.Value != "" {
			return resp, c
		}
	}
	return resp, nil
}

// signedIn: the cookie opens the start page instead of sending to sign-in.
func (s *source) signedIn(ck *http.Cookie) bool {
	resp, _ := s.do(http.MethodGet, "/wizard/organization", nil, ck)
	return resp.StatusCode == http.StatusOK
}

// Sign-in cannot be turned against its owner (issue 21, item 4), against
// the real binary behind a trusted proxy (127.0.0.1).
func TestSignInCannotBeTurnedAgainstTheOwner(t *testing.T) {
	p := startOpenova(t, "bootstrap", t.TempDir(), "--trusted-proxies", "127.0.0.1/32")
	password := p.adminPassword(t)
	failures := func() int { return strings.Count(p.log(), `"msg":"sign-in failed"`) }

	t.Run("concurrent guesses reach the password check only while free", func(t *testing.T) {
		before := failures()
		s := from(t, p, "127.0.0.5", "")
		codes := make(chan int, 30)
		var wg sync.WaitGroup
		for range 30 {
			wg.Go(func() {
				resp, _ := s.login("admin", "wrong", "")
				codes <- resp.StatusCode
			})
		}
		wg.Wait()
		close(codes)
		count := map[int]int{}
		for c := range codes {
			count[c]++
		}
		require.Equal(t, map[int]int{http.StatusUnauthorized: 5, http.StatusTooManyRequests: 25}, count)
		require.Equal(t, 5, failures()-before, "five guesses were checked, the rest refused before argon2")
	})

	t.Run("the owner signs in during a lockout attack", func(t *testing.T) {
		attackers := []*source{
			from(t, p, "127.0.0.2", ""),
			from(t, p, "127.0.0.3", "198.51.100.7"), // a forged X-Forwarded-For from an untrusted peer
			from(t, p, "127.0.0.1", "203.0.113.9"),  // through the trusted proxy
			from(t, p, "127.0.0.1", "203.0.113.10"),
		}
		for _, a := range attackers {
			for range 8 {
				resp, _ := a.login("admin", "guess", "")
				require.Contains(t, []int{http.StatusUnauthorized, http.StatusTooManyRequests}, resp.StatusCode)
			}
		}
		for _, owner := range []*source{from(t, p, "127.0.0.1", "198.51.100.7"), from(t, p, "127.0.0.4", "")} {
			resp, ck := owner.login("admin", password, "")
			require.Equal(t, http.StatusSeeOther, resp.StatusCode, "the owner from %s (%s) is not locked out", owner.addr, owner.xff)
			require.True(t, owner.signedIn(ck))
		}
		require.Contains(t, p.log(), `"addr":"203.0.113.9"`, "the client behind the trusted proxy is the one logged")
	})

	t.Run("next never leaves the site", func(t *testing.T) {
		s := from(t, p, "127.0.0.6", "")
		for _, next := range []string{"/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/\\evil", "/%5Cevil", "//evil",
			"https://evil", "/%2F%2Fevil", "/%2f/evil", " //evil", "\t//evil", "http:evil", "/\\/evil", "/login?next=//evil"} {
			resp, ck := s.login("admin", password, next)
			require.Equal(t, http.StatusSeeOther, resp.StatusCode, next)
			require.NotNil(t, ck)
			requireOnSite(t, resp.Header.Get("Location"), next)
			_, body := s.do(http.MethodGet, "/login?next="+url.QueryEscape(next), nil, nil)
			require.NotContains(t, body, "evil", "the form does not carry %q", next)
		}
		resp, _ := s.login("admin", password, "/audit?kind=upgrade&page=2")
		require.Equal(t, "/audit?kind=upgrade&page=2", resp.Header.Get("Location"), "an on-site path is kept")
	})

	t.Run("sign-out ends the session on the server", func(t *testing.T) {
		a, b, c := from(t, p, "127.0.0.7", ""), from(t, p, "127.0.0.8", ""), from(t, p, "127.0.0.9", "")
		_, copied := a.login("admin", password, "")
		require.True(t, a.signedIn(copied))
		resp, _ := a.do(http.MethodPost, "/logout", nil, copied)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.False(t, b.signedIn(copied), "a copy of the cookie no longer works after sign-out")

		_, other := b.login("admin", password, "")
		_, mine := c.login("admin", password, "")
		require.True(t, b.signedIn(other))
		_, page := c.do(http.MethodGet, "/wizard/organization", nil, mine)
		require.Contains(t, page, `data-testid="sign-out-everywhere"`)
		resp, _ = c.do(http.MethodPost, "/logout/everywhere", nil, mine)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.False(t, b.signedIn(other), "sign-out everywhere ends the other browser's session")
		require.False(t, c.signedIn(mine))
		_, again := b.login("admin", password, "")
		require.True(t, b.signedIn(again), "a new sign-in works")
	})
}

func requireOnSite(t *testing.T, location, next string) {
	t.Helper()
	require.NotEmpty(t, location, next)
	require.True(t, strings.HasPrefix(location, "/") && !strings.HasPrefix(location, "//"), "%q redirects to %q", next, location)
	require.False(t, strings.ContainsAny(location, "\\") || strings.ContainsFunc(location, unicode.IsControl), "%q redirects to %q", next, location)
	u, err := url.Parse(location)
	require.NoError(t, err)
	require.Empty(t, u.Host, "%q redirects to %q", next, location)
	require.NotContains(t, location, "evil", "%q redirects to %q", next, location)
}

// Behind a TLS-terminating proxy (--public-url https://...), the session
// cookie is Secure with the __Host- prefix and HSTS is sent, though
// openova itself serves plain HTTP.
func TestBehindATLSProxyCookiesAreSecure(t *testing.T) {
	p := startOpenova(t, "bootstrap", t.TempDir(), "--public-url", "https://ops.example.test")
	resp, ck := from(t, p, "127.0.0.1", "").login("admin", p.adminPassword(t), "")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.NotNil(t, ck)
	require.Equal(t, "__Host-openova_session", ck.Name)
	require.True(t, ck.Secure)
	require.Equal(t, "max-age=31536000", resp.Header.Get("Strict-Transport-Security"))
}
