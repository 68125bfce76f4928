// Package web is openova's HTTP side: probes, metrics, the codec endpoint
// and (in later releases) the wizard and dashboard. Handlers declare the
// small interfaces they use, so this package links no Temporal server code.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
}

// readyTimeout bounds one readiness check, well under a kubelet's probe timeout.
const readyTimeout = 2 * time.Second

// New builds the router.
func New(o Options) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(o.Logger)
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", readyz(o.Ready))
	gatherer := mergedGatherer{primary: o.Metrics, more: o.MoreMetrics}
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{Registry: o.Metrics})))
	e.Any("/codec/*", echo.WrapHandler(o.Codec))
	return e
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
// traces reach a client.
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
		_ = c.String(code, msg+"\n")
	}
}
