package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that keeps what Accessible reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper() {}

// axe finds a form field without a label and an image without a text (both
// critical) and fails on them, naming each; an accessible page passes.
func TestAccessibleFailsOnSeriousViolations(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/bad" {
			fmt.Fprint(w, `<!doctype html><html lang="en"><title>bad</title><main><h1>bad</h1><img src="/x.png"><input name="q"></main></html>`)
			return
		}
		fmt.Fprint(w, `<!doctype html><html lang="en"><title>good</title><main><h1>good</h1><label>Query <input name="q"></label></main></html>`)
	}))
	t.Cleanup(srv.Close)
	ctx := Tab(t)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/good", nil},
		{"/bad", []string{"image-alt (critical)", "label (critical)"}},
	} {
		Do(t, ctx, chromedp.Navigate(srv.URL+tc.path), Present("h1"))
		r := &recorder{TB: t}
		Accessible(r, ctx, tc.path)
		if tc.want == nil {
			require.Empty(t, r.errors)
			continue
		}
		require.Len(t, r.errors, 1)
		for _, w := range tc.want {
			require.True(t, strings.Contains(r.errors[0], w), "%q in %s", w, r.errors[0])
		}
	}
}

// A page that navigates while axe runs on it (as a live operation's page
// loads its done URL when it ends): Accessible checks the new document
// rather than fail with Chromium's "Inspected target navigated or closed".
// The old page catches axe as it is injected (axe sets window.axe, then
// its methods) and makes its run start the navigation and never end, so the run is in
// flight when the new document commits, every time: the overlap a busy
// machine and a live page's end make by chance, made on purpose. The new
// page has an unlabelled field, so the violation found proves the new
// document was checked.
func TestAccessibleChecksThePageANavigationDuringTheCheckLoads(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/next" {
			fmt.Fprint(w, `<!doctype html><html lang="en"><title>new</title><main><h1>new page</h1><input name="q"></main></html>`)
			return
		}
		fmt.Fprint(w, `<!doctype html><html lang="en"><title>old</title><main><h1>old page</h1></main><script>
Object.defineProperty(window, 'axe', {configurable: true, get() { return undefined; }, set(real) {
	const run = () => { location.assign('/next'); return new Promise(() => {}); };
	Object.defineProperty(real, 'run', {configurable: true, get() { return run; }, set() {}}); // axe sets its own later
	Object.defineProperty(window, 'axe', {value: real, writable: true, configurable: true});
}});
</script></html>`)
	}))
	t.Cleanup(srv.Close)
	ctx := Tab(t)
	Do(t, ctx, chromedp.Navigate(srv.URL+"/"), Present("h1"))
	// Bound the check well below the step timeout: without the fix the
	// run waits for ever (or fails at once).
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r := &recorder{TB: t}
	Accessible(r, bctx, "navigating")
	require.Len(t, r.errors, 1, "the new page's unlabelled field")
	require.Contains(t, r.errors[0], "label (critical)")
	require.Equal(t, "new page", Text(t, ctx, "h1"))
}
