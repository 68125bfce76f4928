// Package browser drives Debian's headless Chromium (linked into .cache/bin
// by dev/dev.sh) for the UI's end-to-end tests: one browser per test
// package, a fresh tab (with its own cookies) per test, and screenshots
// written to .cache/screenshots/<test>/ so a person can look at every one.
package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// Window size of every tab: a laptop screen.
const (
	Width  = 1280
	Height = 900
)

var shared struct {
	once    sync.Once
	browser context.Context
	err     error
}

// Tab opens a new tab of the package's browser in a browser context of its
// own (no cookies shared with other tests), closed when the test ends.
func Tab(t testing.TB) context.Context {
	t.Helper()
	bin := testenv.Bin(t, "chromium")
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "openova-chromium-")
		if err != nil {
			panic(err)
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(bin), chromedp.UserDataDir(dir), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
			chromedp.WindowSize(Width, Height))
		alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
		// The first context starts the browser (it lives as long as the
		// test binary); every tab is a browser context of its own.
		shared.browser, _ = chromedp.NewContext(alloc)
		shared.err = chromedp.Do(shared.browser)
	})
	require.NoError(t, shared.err, "start chromium")
	ctx, cancel := chromedp.NewContext(shared.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(Width, Height)))
	watchErrors(t, ctx)
	return ctx
}

// watchErrors fails the test, when it ends, for every script exception,
// console error and browser error log entry of the tab: a Content-Security-
// Policy violation (an inline script or style) is one of those.
func watchErrors(t testing.TB, ctx context.Context) {
	var mu sync.Mutex
	var errs []string
	add := func(s string) { mu.Lock(); errs = append(errs, s); mu.Unlock() }
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			add("exception: " + e.ExceptionDetails.Text + " " + describe(e.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				msg := "console.error:"
				for _, a := range e.Args {
					msg += " " + describe(a)
				}
				add(msg)
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				add(fmt.Sprintf("browser log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		}
	}))
	_, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range errs {
			if allowed(e) {
				continue
			}
			t.Errorf("browser: %s", e)
		}
	})
}

// allowed are errors a test causes on purpose: a refused request (403,
// 401, 404, 422, 429) is logged by the browser as a failed resource load,
// and an event stream cut when a tab closes.
func allowed(e string) bool {
	for _, s := range []string{"status of 403", "status of 401", "status of 404", "status of 422", "status of 429", "/operations/stream"} {
		if strings.Contains(e, s) {
			return true
		}
	}
	return false
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Value)
}

// Timeout bounds one step of a test (a navigation, a wait).
const Timeout = 60 * time.Second

// Do runs steps with the step timeout.
func Do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		failed(t, ctx)
		require.NoError(t, err)
	}
}

// failed keeps a screenshot of the page a step failed on.
func failed(t testing.TB, ctx context.Context) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)); err == nil {
		dir := filepath.Join(testenv.RepoRoot(), ".cache", "screenshots", unsafeName.ReplaceAllString(t.Name(), "_"))
		_ = os.MkdirAll(dir, 0o755)
		path := filepath.Join(dir, "failed.png")
		_ = os.WriteFile(path, png, 0o644)
		t.Logf("failed on the page in %s", path)
	}
}

// Text is the text of the first element matching css, once there is one.
// It reads the current document in the page itself, so a body htmx has
// swapped (a boosted navigation) is read as it is now.
func Text(t testing.TB, ctx context.Context, css string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(sctx, Present(css)); err != nil {
		failed(t, ctx)
		require.NoError(t, err, "text of %s", css)
	}
	s, err := chromedp.Run(sctx, chromedp.Evaluate[string]("document.querySelector("+strconv.Quote(css)+").innerText"))
	require.NoError(t, err, "text of %s", css)
	return s
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

var shots sync.Map // test name → *int

// Screenshot saves the whole page as .cache/screenshots/<test>/<NN>-<name>.png
// and returns the file's path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	// Let htmx settle (no request in flight, no swap pending), but on a
	// page that keeps requesting, take the picture anyway: the wait must
	// not eat the screenshot's own time.
	settle, stop := context.WithTimeout(ctx, 10*time.Second)
	_, _ = chromedp.Run(settle, chromedp.Poll[bool](`!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')`))
	stop()
	sctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	n, loaded := shots.LoadOrStore(t.Name(), new(int))
	*n.(*int)++
	dir := filepath.Join(testenv.RepoRoot(), ".cache", "screenshots", unsafeName.ReplaceAllString(t.Name(), "_"))
	if !loaded {
		_ = os.RemoveAll(dir) // an earlier run's pictures would mix with this one's
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", *n.(*int), unsafeName.ReplaceAllString(name, "_")))
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot %s", path)
	return path
}

// Present waits until an element matching css is in the page. It asks
// the page again and again from Go, each time in the current document, so
// it survives htmx swapping the body and a full navigation alike.
func Present(css string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		expr := "document.querySelector(" + strconv.Quote(css) + ") !== null"
		for {
			qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			ok, err := chromedp.Evaluate[bool](expr)(qctx, t)
			cancel()
			if err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s never appeared: %w", css, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}
