package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv/browser"
)

// adminPassword is the password the first start printed to the log, once.
func (p *proc) adminPassword(t testing.TB) string {
	t.Helper()
	f, err := os.Open(p.logPath)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var found []string
	for sc.Scan() {
		var line struct {
			User     string `json:"user"`
			Password string `json:"password"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Password != "" {
			found = append(found, line.Password)
		}
	}
	require.Len(t, found, 1, "the admin password is printed exactly once")
	return found[0]
}

// url is the address of a page of the process.
func (p *proc) url(path string) string { return "http://" + p.httpAddr + path }

// signIn opens the UI in a new tab and signs in as admin.
func signIn(t *testing.T, p *proc) context.Context {
	t.Helper()
	ctx := browser.Tab(t)
	browser.Do(t, ctx, chromedp.Navigate(p.url("/")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="login"]`)))
	browser.Screenshot(t, ctx, "sign-in")
	browser.Do(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), p.adminPassword(t)),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user"]`)),
	)
	return ctx
}
