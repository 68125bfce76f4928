package main

import (
	"testing"
	"time"

	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/workflows"
)

// BenchmarkBootstrapRunPage: the real `openova bootstrap` (embedded
// Temporal on SQLite) with a Bootstrap of two regions planned against the
// fake Hetzner API and waiting for approval, its run page the heaviest the
// wizard serves (both plans, every step), and the wizard's other pages
// and the audit. Fifty signed-in clients load each page 20 times one
// after another; /healthz of the same process, in
// the same run, is the floor. Each page asks the engine for the run (a
// Describe and a Query), shared between the pages that ask at once
// (engine.Temporal.Status, through operations.Shared). Reports p50 and p99 latency.
func BenchmarkBootstrapRunPage(b *testing.B) {
	const clients, each = 50, 20
	cloud := newCloudStandIn(b, fakehcloud.Options{})
	p := cloud.start(b, b.TempDir())
	startBootstrap(b, p.client(b, ""), cloud.input("fsn1", "hel1"))
	awaiting(b, p.client(b, ""), workflows.SignalApprove, 3*time.Minute)
	ui := signInHTTP(b, p)
	for _, page := range []struct{ name, path string }{
		{"healthz-floor", "/healthz"},
		{"run-page", "/wizard/run/acme"},
		{"wizard-organization", "/wizard/organization"},
		{"wizard-restore", "/wizard/restore"},
		{"audit", "/audit"},
	} {
		b.Run(page.name, func(b *testing.B) {
			for range b.N {
				lat := load(b, ui, page.path, clients, each)
				b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
				b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			}
		})
	}
}
