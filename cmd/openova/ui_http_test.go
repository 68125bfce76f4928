package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv/browser"
)

// uiClient is a signed-in HTTP client of the UI, as a browser without
// script would be.
type uiClient struct {
	t    testing.TB
	base string
	hc   *http.Client
}

// signInHTTP signs in as admin with the first-run password.
func signInHTTP(t testing.TB, p *proc) *uiClient {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &uiClient{t: t, base: p.url(""), hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	resp, body := c.post("/login", url.Values{"user": {"admin"}, "password": {p.adminPassword(t)}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `data-testid="user"`, "signed in")
	return c
}

// tab opens a browser tab signed in with the client's session (a
// restarted openova prints no password to sign in with again).
func (c *uiClient) tab(t *testing.T) context.Context {
	t.Helper()
	ctx := browser.Tab(t)
	u, err := url.Parse(c.base)
	require.NoError(t, err)
	for _, ck := range c.hc.Jar.Cookies(u) {
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: ck.Name, Value: ck.Value, URL: c.base,
			HTTPOnly: new(true), SameSite: network.CookieSameSiteStrict})
		require.NoError(t, err)
	}
	return ctx
}

func (c *uiClient) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, string(b)
}

func (c *uiClient) get(path string, headers ...string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	require.NoError(c.t, err)
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

func (c *uiClient) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", c.base)
	return c.do(req)
}

// stream reads an operation's event stream until its first event (or the
// done event of a closed one).
func (c *uiClient) stream(path string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	require.NoError(c.t, err)
	resp, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer func() { _ = resp.Body.Close() }()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
		if sc.Text() == "" && strings.Contains(b.String(), "data:") {
			break
		}
	}
	return b.String()
}

// crawl follows every same-site link and form-less page from start,
// returning each page's body by path, and every event stream's first
// message by stream URL.
func (c *uiClient) crawl(limit int, starts ...string) map[string]string {
	c.t.Helper()
	seen := map[string]string{}
	queue := starts
	for len(queue) > 0 && len(seen) < limit {
		path := queue[0]
		queue = queue[1:]
		if _, ok := seen[path]; ok {
			continue
		}
		resp, body := c.get(path)
		require.Less(c.t, resp.StatusCode, 500, "%s: %s", path, body)
		seen[path] = body
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		require.NoError(c.t, err)
		doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
			href, _ := s.Attr("href")
			if u, err := url.Parse(href); err == nil && u.Host == "" && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "/static/") {
				u.Fragment = ""
				queue = append(queue, u.String())
			}
		})
		doc.Find("[data-stream]").Each(func(_ int, s *goquery.Selection) {
			src, _ := s.Attr("data-stream")
			if _, ok := seen[src]; !ok {
				seen[src] = c.stream(src)
			}
		})
	}
	return seen
}
