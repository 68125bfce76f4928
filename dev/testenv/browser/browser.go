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
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
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
	if png, err := capture(sctx, 2*time.Second); err == nil {
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

// TextNow is the text of the first element matching css as the page is
// now, "" when there is none. A poll (EventuallyWithT) reads with it: a
// query that waits for the element would hold the poll past its deadline
// when the element has not come yet, and no later poll would run.
func TextNow(ctx context.Context, css string) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string]("document.querySelector("+strconv.Quote(css)+")?.innerText ?? ''"))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

var shots sync.Map // test name → *int

// Screenshot saves the whole page as .cache/screenshots/<test>/<NN>-<name>.png
// and returns the file's path; then it checks the page's accessibility
// (Accessible), so every page a test pictures is checked.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	png, err := capture(sctx, 10*time.Second)
	require.NoError(t, err, "screenshot %s", name)
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
	Accessible(t, sctx, name)
	return path
}

// capture takes a picture of the whole page (as tall as the document) once
// the page has loaded and htmx has settled: no request in flight, no swap
// pending. A page that keeps requesting is pictured anyway after settle, so
// that the wait cannot eat the capture's own time.
//
// Chromium never answers a capture whose document a navigation replaces
// while it runs: Page.captureScreenshot waits for a frame of the old
// document (or for its size), which never comes once the new document has
// committed, so the command hangs until the context ends. The UI's pages
// navigate by themselves (a live operation that ends loads its done URL),
// and on a busy machine a full-page capture takes seconds, so a picture and
// such a navigation do overlap. capture therefore watches the tab's top
// frame, and when it commits a new document during an attempt, it drops the
// attempt and pictures the new document once that one has loaded.
func capture(ctx context.Context, settle time.Duration) ([]byte, error) {
	for {
		png, navigated, err := captureOnce(ctx, settle)
		if !navigated {
			return png, err
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("the page kept navigating during the screenshot: %w", ctx.Err())
		}
	}
}

// captureOnce is one attempt of capture. navigated reports that the top
// frame committed a new document during it, which makes the picture (or
// its error) worthless.
func captureOnce(ctx context.Context, settle time.Duration) (png []byte, navigated bool, err error) {
	// Watch before the wait for the page, so that a commit between the
	// wait and the capture is seen as well; the capture would wait for
	// ever on a replaced document.
	actx, cancel, nav, err := watchNavigation(ctx)
	if err != nil {
		return nil, false, err
	}
	defer cancel()
	settled(actx, settle)
	png, err = chromedp.Run(actx, chromedp.FullScreenshot(100))
	if nav.Load() {
		return nil, true, nil
	}
	return png, false, err
}

// watchNavigation returns a context that ends when the tab's top frame
// commits a new document, and whether it has: what a capture or a check
// of the document that was there is worth then is nothing.
func watchNavigation(ctx context.Context) (context.Context, context.CancelFunc, *atomic.Bool, error) {
	wctx, cancel := context.WithCancel(ctx)
	nav := new(atomic.Bool)
	err := chromedp.Listen(wctx, func(ev any) {
		if e, ok := ev.(*page.EventFrameNavigated); ok && e.Frame.ParentID == "" {
			nav.Store(true)
			cancel()
		}
	})
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return wctx, cancel, nav, nil
}

// settled waits, at most for max, until the document has loaded and htmx
// has settled. It asks from Go, like Present, so it needs no animation
// frame of the page and survives a navigation.
func settled(ctx context.Context, max time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	expr := `document.readyState === 'complete' && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')`
	for {
		qctx, qcancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(qctx, chromedp.Evaluate[bool](expr))
		qcancel()
		if err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
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
