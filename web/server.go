// Package web is openova's HTTP side: probes, metrics, the codec endpoint,
// sign-in and the pages (a package per page area, mounted through Pages),
// behind cross-site request protection and strict security headers.
// Handlers declare the small interfaces they use, so this package links no
// Temporal server code.
package web

//go:generate ../.cache/bin/templ generate -path .

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openova-io/core/web/auth"
	"github.com/openova-io/core/web/static"
	"github.com/openova-io/core/web/ui"
)

// Readiness answers whether the process can do its work now.
type Readiness interface {
	Ready(ctx context.Context) error
}

// Options are the pieces the HTTP server exposes.
type Options struct {
	Ready   Readiness
	Metrics *prometheus.Registry
	// MoreMetrics are served on /metrics too (manager mode: the controllers'
	// reconcile, work queue and Kubernetes request metrics); families that
	// Metrics already has (Go, process) are taken from Metrics.
	MoreMetrics []prometheus.Gatherer
	// Codec serves Temporal's codec-server protocol under /codec.
	Codec  http.Handler
	Logger *slog.Logger
	// Auth, when set, puts every page behind a session and serves sign-in.
	Auth *auth.Auth
	// Pages are the page areas of the mode (dashboard, components, ...).
	Pages []Pages
	// TLS says browsers reach the server over HTTPS, its own or a
	// proxy's (HSTS is sent).
	TLS bool
	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For names the client; without them the peer is.
	TrustedProxies []*net.IPNet
}

// Pages is one page area: it adds its routes to the router.
type Pages interface {
	Routes(e *echo.Echo)
}

// readyTimeout bounds one readiness check, well under a kubelet's probe timeout.
const readyTimeout = 2 * time.Second

// New builds the handler: the router behind Go's cross-origin protection,
// which refuses a state-changing request that a browser sends from another
// site (Sec-Fetch-Site, else Origin against Host).
func New(o Options) http.Handler {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(o.Logger)
	e.IPExtractor = ipExtractor(o.TrustedProxies)
	e.Use(recovered(o.Logger))
	e.Use(securityHeaders(o.TLS))
	e.Use(bounded())
	e.Use(compressed())
	if o.Auth != nil {
		e.Use(o.Auth.Require)
		o.Auth.Routes(e)
	}
	e.GET(static.Prefix+"*", echo.WrapHandler(static.Handler()))
	// Browsers, and clients that read no page, ask for /favicon.ico.
	e.GET("/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, static.URL("favicon.svg")) })
	for _, p := range o.Pages {
		p.Routes(e)
	}
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", readyz(o.Ready))
	gatherer := mergedGatherer{primary: o.Metrics, more: o.MoreMetrics}
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{Registry: o.Metrics})))
	e.Any("/codec/*", echo.WrapHandler(o.Codec))
	return http.NewCrossOriginProtection().Handler(e)
}

// contentSecurityPolicy allows only the site's own files: no inline script
// or style, no framing, forms only to this site. Pico CSS draws its icons
// from data: images.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func securityHeaders(tls bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if tls {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return next(c)
		}
	}
}

func readyz(r Readiness) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
		defer cancel()
		if err := r.Ready(ctx); err != nil {
			return c.String(http.StatusServiceUnavailable, "not ready: "+err.Error()+"\n")
		}
		return c.String(http.StatusOK, "ready\n")
	}
}

// errorHandler answers with the status text only: no internals, no stack
// traces reach a client. A browser gets a page that says what to do.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		code := http.StatusInternalServerError
		msg := http.StatusText(code)
		if he, ok := err.(*echo.HTTPError); ok {
			code = he.Code
			if m, ok := he.Message.(string); ok {
				msg = m
			} else {
				msg = http.StatusText(code)
			}
		} else {
			log.Error("http handler failed", "path", c.Path(), "error", err.Error())
		}
		if wantsHTML(c.Request()) {
			if code == http.StatusNotFound && msg == http.StatusText(code) {
				msg = "There is no page at " + c.Request().URL.Path + ": the start page lists what there is."
			}
			_ = ui.Render(c, code, ui.Meta{Title: http.StatusText(code)}, ui.Problem(ui.ProblemVM{
				Title: http.StatusText(code), Message: msg, Back: "/"}))
			return
		}
		_ = c.String(code, msg+"\n")
	}
}

// wantsHTML: a browser navigation or htmx request, not a probe or the CLI.
func wantsHTML(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" || strings.Contains(r.Header.Get("Accept"), "text/html")
}
