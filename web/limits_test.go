package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// pagesFunc adds a test's routes.
type pagesFunc func(e *echo.Echo)

func (f pagesFunc) Routes(e *echo.Echo) { f(e) }

func testServer(log *slog.Logger, routes pagesFunc) http.Handler {
	codec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		_, _ = io.WriteString(w, "codec read "+strconv.FormatInt(n, 10))
	})
	return New(Options{Ready: readiness{}, Metrics: prometheus.NewRegistry(), Codec: codec, Logger: log, Pages: []Pages{routes}})
}

// Bodies are bounded before a handler reads them: too large by their
// declared length or as they stream (413), multipart at all (415); a form
// within bounds reaches the handler parsed.
func TestBodiesAreBounded(t *testing.T) {
	form := func(size int) io.Reader { return strings.NewReader("user=" + strings.Repeat("a", size)) }
	// Go's multipart parser would spill a large file into TMPDIR: the
	// upload form's is parsed in memory, so nothing lands there.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	upload := multipartBodies(t)
	cases := []struct {
		name, path, contentType string
		body                    io.Reader
		length                  int64 // -1: unknown (streamed)
		code                    int
		says                    string
	}{
		{"a small form", "/echo", echo.MIMEApplicationForm, form(10), 15, 200, "user has 10 bytes"},
		{"a form near the limit", "/echo", echo.MIMEApplicationForm, form(FormLimit - 10), FormLimit - 5, 200, "user has 1048566 bytes"},
		{"declared too large", "/echo", echo.MIMEApplicationForm, form(10), FormLimit + 1, 413, "larger than this server takes (1 MiB)"},
		{"streamed too large", "/echo", echo.MIMEApplicationForm, form(FormLimit), -1, 413, "larger than this server takes"},
		{"multipart", "/echo", "multipart/form-data; boundary=x", strings.NewReader("--x--"), -1, 415, "not as multipart/form-data"},
		{"multipart, any case", "/echo", "Multipart/Mixed; boundary=x", strings.NewReader("--x--"), 5, 415, "url-encoded"},
		{"an upload form takes a file", "/wizard/restore", upload.ct, bytes.NewReader(upload.small), -1, 200, "bundle has 2048 bytes"},
		{"within the limit", "/wizard/restore", upload.ct, bytes.NewReader(upload.large), -1, 413, "larger than this server takes"},
		{"only the upload form", "/echo", upload.ct, bytes.NewReader(upload.small), -1, 415, "not as multipart/form-data"},
		{"codec takes more", "/codec/default/decode", "application/json", bytes.NewReader(make([]byte, 3<<20)), -1, 200, "codec read 3145728"},
		{"but not without end", "/codec/default/decode", "application/json", bytes.NewReader(make([]byte, CodecLimit+1)), -1, 413, ""},
	}
	h := testServer(slog.New(slog.DiscardHandler), func(e *echo.Echo) {
		e.POST("/echo", func(c echo.Context) error {
			return c.String(http.StatusOK, "user has "+strconv.Itoa(len(c.FormValue("user")))+" bytes")
		})
		e.POST("/wizard/restore", func(c echo.Context) error {
			fh, err := c.FormFile("bundle")
			if err != nil {
				return err
			}
			return c.String(http.StatusOK, "bundle has "+strconv.FormatInt(fh.Size, 10)+" bytes")
		})
	})
	t.Cleanup(func() {
		left, err := os.ReadDir(tmp)
		require.NoError(t, err)
		require.Empty(t, left, "no upload spilled into TMPDIR")
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tc.path, tc.body)
			r.ContentLength = tc.length
			r.Header.Set("Content-Type", tc.contentType)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			require.Equal(t, tc.code, rec.Code, rec.Body.String())
			require.Contains(t, rec.Body.String(), tc.says)
		})
	}
}

// uploadBodies are two multipart forms with a file "bundle": one of 2 KiB,
// one over FormLimit; ct is their content type.
type uploadBodies struct {
	ct           string
	small, large []byte
}

func multipartBodies(t *testing.T) uploadBodies {
	t.Helper()
	body := func(size int) ([]byte, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		require.NoError(t, mw.SetBoundary("openova-test-boundary"))
		fw, err := mw.CreateFormFile("bundle", "acme-recovery.age")
		require.NoError(t, err)
		_, _ = fw.Write(bytes.Repeat([]byte("a"), size))
		require.NoError(t, mw.Close())
		return b.Bytes(), mw.FormDataContentType()
	}
	small, ct := body(2048)
	large, _ := body(FormLimit + 10)
	return uploadBodies{ct: ct, small: small, large: large}
}

// A handler's panic answers the 500 error page, with no stack trace, and
// is logged in one line that names the path and the cause.
func TestPanicAnswersTheErrorPage(t *testing.T) {
	var log bytes.Buffer
	h := testServer(slog.New(slog.NewJSONHandler(&log, nil)), func(e *echo.Echo) {
		e.GET("/boom", func(echo.Context) error {
			var roles []string
			_ = roles[0] // index out of range, as the empty role did
			return nil
		})
	})
	for _, accept := range []string{"text/html", "*/*"} {
		log.Reset()
		r := httptest.NewRequest(http.MethodGet, "/boom", nil)
		r.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		require.Equal(t, http.StatusInternalServerError, rec.Code)
		require.Contains(t, rec.Body.String(), "Something went wrong on the server")
		require.NotContains(t, rec.Body.String(), "goroutine")
		require.NotContains(t, rec.Body.String(), "index out of range")
		require.NotEmpty(t, rec.Header().Get("Content-Security-Policy"), "the page has the security headers")
		lines := strings.Split(strings.TrimSpace(log.String()), "\n")
		require.Len(t, lines, 1, log.String())
		var line struct{ Msg, Path, Panic string }
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &line))
		require.Equal(t, "http handler panicked", line.Msg)
		require.Equal(t, "/boom", line.Path)
		require.Contains(t, line.Panic, "index out of range")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	require.Equal(t, http.StatusOK, rec.Code, "the server goes on")
}

// The server's ReadTimeout cuts off a trickled body (408) but not a long
// answer: an event stream keeps its context past it, and there is no write
// timeout. The trickled request starts after the stream: once it was cut
// off, the stream has outlived the read timeout too.
func TestReadTimeoutEndsTrickledBodiesNotStreams(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	cancelled := make(chan error, 1)
	h := testServer(slog.New(slog.DiscardHandler), func(e *echo.Echo) {
		e.GET("/operations/stream", func(c echo.Context) error {
			c.Response().WriteHeader(http.StatusOK)
			c.Response().Flush()
			close(started)
			select {
			case <-c.Request().Context().Done():
				cancelled <- c.Request().Context().Err()
				return nil
			case <-release:
				_, err := io.WriteString(c.Response(), "data: done\n\n")
				return err
			}
		})
		e.POST("/form", func(c echo.Context) error { return c.String(http.StatusOK, c.FormValue("a")) })
	})
	srv := httptest.NewUnstartedServer(h)
	prod := NewServer(h, nil)
	require.Zero(t, prod.WriteTimeout, "no write timeout ends a stream")
	require.Equal(t, ReadTimeout, prod.ReadTimeout)
	require.Equal(t, IdleTimeout, prod.IdleTimeout)
	srv.Config = prod
	srv.Config.ReadTimeout = time.Second // the real one, shorter
	srv.Start()
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/operations/stream")
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	<-started
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = io.WriteString(conn, "POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\na=1")
	require.NoError(t, err)
	cut, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusRequestTimeout, cut.StatusCode)

	select {
	case err := <-cancelled:
		t.Fatalf("the stream's context ended with the read timeout: %v", err)
	default:
	}
	close(release)
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "data: done\n", line)
}

// X-Forwarded-For is believed from the trusted proxies only; loopback
// and private peers are not trusted unless named.
func TestClientAddressBehindTrustedProxies(t *testing.T) {
	_, proxies, err := net.ParseCIDR("10.0.0.0/24")
	require.NoError(t, err)
	cases := []struct {
		name    string
		trusted []*net.IPNet
		peer    string
		xff     string
		want    string
	}{
		{"no proxies: the peer", nil, "192.0.2.1:5000", "198.51.100.7", "192.0.2.1"},
		{"through a trusted proxy: its client", []*net.IPNet{proxies}, "10.0.0.5:5000", "198.51.100.7", "198.51.100.7"},
		{"a chain: the nearest untrusted", []*net.IPNet{proxies}, "10.0.0.5:5000", "203.0.113.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"},
		{"forged by an untrusted peer", []*net.IPNet{proxies}, "192.0.2.1:5000", "198.51.100.7", "192.0.2.1"},
		{"loopback is not trusted by default", []*net.IPNet{proxies}, "127.0.0.1:5000", "198.51.100.7", "127.0.0.1"},
		{"garbage: the peer", []*net.IPNet{proxies}, "10.0.0.5:5000", "not-an-ip", "10.0.0.5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			r.Header.Set("X-Forwarded-For", tc.xff)
			require.Equal(t, tc.want, ipExtractor(tc.trusted)(r))
		})
	}
}
