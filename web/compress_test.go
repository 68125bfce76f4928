package web

import (
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// bigPages serves a page, and an event stream, larger than the
// compression threshold.
type bigPages struct{}

var bigBody = "<!doctype html><p>" + strings.Repeat("openova ", 1000) + "</p>"

func (bigPages) Routes(e *echo.Echo) {
	e.GET("/big", func(c echo.Context) error { return c.HTML(http.StatusOK, bigBody) })
	e.GET("/operations/stream", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, "text/event-stream")
		return c.String(http.StatusOK, bigBody)
	})
}

// Pages, and the error page, go compressed as the client accepts; the
// event stream, metrics and the codec endpoint pass as they are.
func TestResponsesAreCompressedAsTheClientAccepts(t *testing.T) {
	codec := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, bigBody) })
	h := New(Options{Ready: readiness{}, Metrics: prometheus.NewRegistry(), Codec: codec, Pages: []Pages{bigPages{}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	cases := []struct {
		name, method, path, accept string
		code                       int
		encoding, contains         string
	}{
		{"page, gzip", http.MethodGet, "/big", "gzip", 200, "gzip", bigBody},
		{"page, zstd preferred", http.MethodGet, "/big", "gzip, deflate, br, zstd", 200, "zstd", bigBody},
		{"page, no encoding accepted", http.MethodGet, "/big", "", 200, "", bigBody},
		{"error page", http.MethodGet, "/nope", "gzip", 404, "gzip", "There is no page at /nope"},
		{"event stream", http.MethodGet, "/operations/stream", "gzip", 200, "", bigBody},
		{"codec", http.MethodPost, "/codec/decode", "gzip", 200, "", bigBody},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			req.Header.Set("Accept", "text/html")
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.code, rec.Code)
			require.Equal(t, tc.encoding, rec.Header().Get("Content-Encoding"))
			var body io.Reader = rec.Body
			switch tc.encoding {
			case "gzip":
				zr, err := gzip.NewReader(rec.Body)
				require.NoError(t, err)
				body = zr
			case "zstd":
				zr, err := zstd.NewReader(rec.Body)
				require.NoError(t, err)
				defer zr.Close()
				body = zr
			}
			plain, err := io.ReadAll(body)
			require.NoError(t, err)
			require.Contains(t, string(plain), tc.contains)
			require.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'self'")
		})
	}
}
