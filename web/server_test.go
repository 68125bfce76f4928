package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/stretchr/testify/require"
)

type readiness struct{ err error }

func (r readiness) Ready(context.Context) error { return r.err }

func TestRoutes(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "probe_total"}))
	codec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "codec "+r.URL.Path) })
	cases := []struct {
		name     string
		ready    error
		method   string
		path     string
		code     int
		contains string
	}{
		{"healthz", nil, http.MethodGet, "/healthz", 200, "ok"},
		{"ready", nil, http.MethodGet, "/readyz", 200, "ready"},
		{"not ready says why", errors.New("worker is not polling task queue openova-bootstrap yet"), http.MethodGet, "/readyz", 503, "not ready: worker is not polling"},
		{"metrics", nil, http.MethodGet, "/metrics", 200, "probe_total"},
		{"codec mounted", nil, http.MethodPost, "/codec/decode", 200, "codec /codec/decode"},
		{"unknown path, no internals", nil, http.MethodGet, "/nope", 404, "Not Found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Options{Ready: readiness{tc.ready}, Metrics: reg, Codec: codec, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			require.Equal(t, tc.code, rec.Code)
			require.Contains(t, rec.Body.String(), tc.contains)
		})
	}
}

// A second registry with the same Go collector (as controller-runtime's
// has) adds its own families and keeps /metrics answering 200.
func TestMetricsMergesRegistries(t *testing.T) {
	main, more := prometheus.NewRegistry(), prometheus.NewRegistry()
	main.MustRegister(collectors.NewGoCollector())
	more.MustRegister(collectors.NewGoCollector(), prometheus.NewCounter(prometheus.CounterOpts{Name: "reconcile_total"}))
	e := New(Options{Ready: readiness{}, Metrics: main, MoreMetrics: []prometheus.Gatherer{more},
		Codec: http.NotFoundHandler(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), "reconcile_total")
	require.Contains(t, rec.Body.String(), "go_goroutines")
}
