package web

import (
	"compress/gzip"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/labstack/echo/v4"
)

// compressed sends pages and static files gzip- or zstd-compressed, as
// the client accepts, through klauspost's gzhttp: its fastest gzip level
// took a third of the time of the standard library's, which was a fifth
// of the manager's time at fifty pages at once (BENCHMARKS.md). An event
// stream must flush each event as it is, metrics scrapers ask for their
// own encoding, and the codec endpoint answers Temporal's tools: those
// pass uncompressed.
func compressed() echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzip.BestSpeed))
	if err != nil {
		panic(err) // the options are constants: an error is a programming error
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if uncompressed(c.Request().URL.Path) {
				return next(c)
			}
			var out error
			wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res := c.Response()
				orig := res.Writer
				res.Writer = w
				c.SetRequest(r)
				out = next(c)
				if out != nil {
					// The error handler writes the error page through
					// the compressing writer, before it closes.
					c.Error(out)
					out = nil
				}
				res.Writer = orig
			})).ServeHTTP(c.Response().Writer, c.Request())
			return out
		}
	}
}

// uncompressed are the paths that pass as they are.
func uncompressed(path string) bool {
	return strings.HasPrefix(path, "/operations/stream") || path == "/metrics" || strings.HasPrefix(path, "/codec/")
}
