package main

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// BenchmarkManagerRelease500: the whole manager (controllers, worker,
// embedded Temporal) against a real API server installs one meta-component
// that requires n-1 others from a remote catalog index: n component
// releases, n-1 of them in one parallel layer (n = 50 as the peer of
// n = 500, in the same run), each Ready when the test
// (playing Crossplane) says so. Reports the time from the Platform edit to
// Ready, the workflows per second and the manager's Kubernetes API requests
// per component (the request counter on its /metrics).
func BenchmarkManagerRelease500(b *testing.B) {
	for _, n := range []int{50, 500} {
		b.Run(fmt.Sprintf("releases=%d", n), func(b *testing.B) { benchRelease(b, n) })
	}
}

func benchRelease(b *testing.B, n int) {
	index := benchIndex(n - 1)
	indexURL := serveIndex(b, index)
	for i := 0; i < b.N; i++ {
		e := startManagerEnv(b, 0, extraBenchArgs()...)
		before := restRequests(b, e.proc)
		start := time.Now()
		e.createPlatform(b, "bench", v1alpha1.PlatformSpec{
			CatalogIndexURL: indexURL,
			Components:      []v1alpha1.ComponentRef{{Name: "bench-all"}},
		})
		e.waitCondition(b, "bench", v1alpha1.ConditionReady, metav1.ConditionTrue, 20*time.Minute)
		elapsed := time.Since(start)
		if got := len(e.components(b)); got != n {
			b.Fatalf("%d components, want %d", got, n)
		}
		var res workflows.InstallComponentsResult
		if err := e.tc.GetWorkflow(b.Context(), workflows.InstallID("bench", "bench-all"), "").Get(b.Context(), &res); err != nil {
			b.Fatal(err)
		}
		if len(res.Installed) != n {
			b.Fatalf("installed %d, want %d", len(res.Installed), n)
		}
		b.ReportMetric(elapsed.Seconds(), "s-to-ready")
		b.ReportMetric(float64(n+1)/elapsed.Seconds(), "workflows/s")
		after := restRequests(b, e.proc)
		if after == 0 {
			b.Fatal("no openova_kubernetes_requests_total on /metrics")
		}
		b.ReportMetric((after-before)/float64(n), "api-requests/component")
		_ = e.proc.stop()
	}
}

// benchIndex is a remote catalog index with leaves bench-000… and a
// meta-component bench-all that requires all of them.
func benchIndex(leaves int) []byte {
	var sb strings.Builder
	sb.WriteString("apiVersion: catalog.openova.io/v1\ncomponents:\n")
	comp := func(name, category, extra string) {
		fmt.Fprintf(&sb, "  - name: %s\n    title: %s\n    description: generated for the benchmark\n    category: %s\n", name, name, category)
		fmt.Fprintf(&sb, "    chart: {name: %s, repository: https://charts.example.com/}\n", name)
		sb.WriteString("    versions: [{version: v1.0.0, released: 2025-01-01, changelog: generated}]\n")
		sb.WriteString(extra)
	}
	var req strings.Builder
	req.WriteString("    requires:\n")
	for i := range leaves {
		name := fmt.Sprintf("bench-%03d", i)
		comp(name, "a-la-carte", "")
		fmt.Fprintf(&req, "      - {name: %s}\n", name)
	}
	comp("bench-all", "meta-platform", req.String())
	return []byte(sb.String())
}

// restRequests sums the manager's Kubernetes request counter on its /metrics.
func restRequests(b *testing.B, p *proc) float64 {
	resp, err := http.Get("http://" + p.httpAddr + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	total := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "openova_kubernetes_requests_total{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
		if err == nil {
			total += v
		}
	}
	return total
}
