package browser

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// A page that navigates while it is being pictured: Chromium never answers
// a capture whose document a navigation replaces, so Screenshot must notice
// the navigation and picture the new page, not wait for its timeout.
//
// The capture resizes the page (to its full height), so the page's resize
// handler starts the navigation in the middle of the capture, every time.
// The new page is on another site (localhost, the page is on 127.0.0.1), so
// it commits in another renderer process while the old page keeps its own
// one busy and cannot draw the frame the capture waits for: the capture that
// a busy machine and a live page's end make by chance, made on purpose.
func TestScreenshotOfAPageThatNavigatesDuringTheCapture(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/":
			next := "http://localhost:" + r.URL.Query().Get("port") + "/next"
			fmt.Fprintf(w, `<!doctype html><html lang="en"><title>old</title><body style="height: 3000px"><h1>old page</h1><script>
addEventListener('resize', () => {
	location.assign(%q);
	const end = Date.now() + 3000;
	while (Date.now() < end) {}
}, {once: true});
</script></body>`, next)
		case "/next":
			fmt.Fprint(w, `<!doctype html><html lang="en"><title>new</title><body style="height: 2000px; margin: 0"><h1 style="margin: 0">new page</h1></body>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)

	ctx := Tab(t)
	Do(t, ctx, chromedp.Navigate(srv.URL+"/?port="+u.Port()), Present("h1"))
	// Without the fix the capture hangs: bound it well below the step
	// timeout, and well above what a busy machine needs.
	bctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	start := time.Now()
	path := Screenshot(t, bctx, "navigated")
	t.Logf("screenshot in %v", time.Since(start).Round(time.Millisecond))

	f, err := os.ReadFile(path)
	require.NoError(t, err)
	img, err := png.DecodeConfig(bytes.NewReader(f))
	require.NoError(t, err)
	require.Equal(t, Width, img.Width)
	require.Equal(t, 2000, img.Height, "the picture is of the new page, as tall as its document")
	require.Equal(t, "new page", Text(t, ctx, "h1"))
}
