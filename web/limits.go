package web

import (
	"errors"
	"fmt"
	"log"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Bounds of what one request may cost. The largest legitimate form is the
// wizard's credentials step (an OCI private key, a few kB) or a
// component's Helm values; a megabyte is far more than either. The codec
// endpoint decodes the payloads of one history event for the temporal
// CLI: Temporal refuses a payload over 2 MB, base64 in JSON makes it 2.7.
const (
	FormLimit  = 1 << 20
	CodecLimit = 8 << 20
)

// Timeouts of the HTTP server. ReadTimeout bounds reading a whole request,
// headers and body, so a trickled body is cut off; net/http lifts it once
// the body is read, so a slow answer or an event stream goes on. There is
// no write timeout: an event stream writes for as long as its operation
// runs (a client that stops reading is dropped by TCP). IdleTimeout
// closes a keep-alive connection that sends no next request.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 20 * time.Second
	IdleTimeout       = 30 * time.Second
)

// NewServer serves h with the timeouts above, logging to errorLog.
func NewServer(h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		IdleTimeout: IdleTimeout, ErrorLog: errorLog}
}

// uploads are the forms that take a file (multipart/form-data): the
// wizard's restore, whose recovery bundle is a few KiB per region.
var uploads = map[string]bool{"/wizard/restore": true}

// bounded refuses what no page needs before anything reads it: a body
// over its limit (413), multipart (415: every other form here is
// url-encoded, and Go's multipart parser spills large parts into TMPDIR;
// an upload form's is parsed here in memory, its whole body being under
// the limit). A form is parsed here, under http.MaxBytesReader, so a
// handler never sees a silently truncated one; any other body is limited
// the same way.
func bounded() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Body == nil || r.Body == http.NoBody {
				return next(c)
			}
			limit := int64(FormLimit)
			if strings.HasPrefix(r.URL.Path, "/codec/") {
				limit = CodecLimit
			}
			if r.ContentLength > limit {
				return tooLarge(limit)
			}
			mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
			if mt == echo.MIMEMultipartForm && uploads[r.URL.Path] && r.Method == http.MethodPost {
				r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, limit)
				if err := r.ParseMultipartForm(limit); err != nil {
					var mbe *http.MaxBytesError
					if errors.As(err, &mbe) {
						return tooLarge(limit)
					}
					return echo.NewHTTPError(http.StatusBadRequest, "The upload cannot be read ("+err.Error()+"): send it again from this site's pages.")
				}
				return next(c)
			}
			if strings.HasPrefix(mt, "multipart/") {
				return echo.NewHTTPError(http.StatusUnsupportedMediaType,
					"This server takes forms url-encoded, not as multipart/form-data: send the form from this site's pages, or with Content-Type application/x-www-form-urlencoded.")
			}
			// The writer net/http gave: MaxBytesReader tells it to close the
			// connection after the answer when the limit is hit.
			r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, limit)
			if mt != echo.MIMEApplicationForm {
				return next(c)
			}
			if err := r.ParseForm(); err != nil {
				var mbe *http.MaxBytesError
				var ne net.Error
				switch {
				case errors.As(err, &mbe):
					return tooLarge(limit)
				case errors.As(err, &ne) && ne.Timeout():
					return echo.NewHTTPError(http.StatusRequestTimeout, "The form took too long to arrive: send it again.")
				}
				return echo.NewHTTPError(http.StatusBadRequest, "The form cannot be read ("+err.Error()+"): send it again from this site's pages.")
			}
			return next(c)
		}
	}
}

func tooLarge(limit int64) error {
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("The request is larger than this server takes (%d MiB): send less.", limit>>20))
}

// recovered turns a handler's panic into the error page of a 500 and one
// log line (with the stack, which never reaches the client); net/http
// would otherwise drop the connection with no answer.
func recovered(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			log.Error("http handler panicked", "method", c.Request().Method, "path", c.Request().URL.Path,
				"panic", err.Error(), "stack", string(stack))
			return echo.NewHTTPError(http.StatusInternalServerError,
				"Something went wrong on the server and the request was not completed: go back and try again. If it happens again, the server's log names the cause (\"http handler panicked\").")
		},
	})
}

// ipExtractor is where a request comes from: the peer, or behind the
// trusted proxies the nearest address in X-Forwarded-For that none of
// them holds. Echo's own defaults trust loopback and private networks
// too, which would let any local client forge its address: they are off.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
