package controllers

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/rest"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// apiRequests counts every request the manager makes to the Kubernetes API
// (controllers and activities alike). client-go's own request metric is
// claimed by whichever library registers first (in this binary, not
// controller-runtime), so openova counts for itself.
var apiRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "openova_kubernetes_requests_total",
	Help: "Requests to the Kubernetes API by the manager, by method and status code.",
}, []string{"method", "code"})

func init() { ctrlmetrics.Registry.MustRegister(apiRequests) }

// Instrument returns a copy of cfg whose requests are counted.
func Instrument(cfg *rest.Config) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingRoundTripper{rt} })
	return cfg
}

type countingRoundTripper struct{ next http.RoundTripper }

func (c countingRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	apiRequests.WithLabelValues(r.Method, code).Inc()
	return resp, err
}
