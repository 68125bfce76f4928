package worker

import (
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Metrics is the Prometheus registry behind /metrics: the SDK's metrics
// (through tally, the SDK's own Prometheus bridge) plus process and Go
// runtime metrics.
type Metrics struct {
	Registry *prometheus.Registry
	Handler  client.MetricsHandler
	closer   io.Closer
}

// NewMetrics builds the registry and the SDK metrics handler.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	reporter := tallyprom.NewReporter(tallyprom.Options{Registerer: reg})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
		Prefix:          "openova",
	}, time.Second)
	return &Metrics{Registry: reg, Handler: sdktally.NewMetricsHandler(scope), closer: closer}
}

// Close flushes and stops the reporter.
func (m *Metrics) Close() error { return m.closer.Close() }
