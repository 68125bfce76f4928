package main

import (
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// BenchmarkManagerUpgrades: the whole manager upgrades n installed
// components at once, each through its own UpgradeComponent (check against
// the catalog, record, ReleaseComponent child, wait until Ready, clear the
// rollback mark), the test playing Crossplane with no delay. n = 1 is the
// peer of n = 20 in the same run. Reports the time from the starts to the
// last completion and the upgrades per second; installing is not timed.
func BenchmarkManagerUpgrades(b *testing.B) {
	for _, n := range []int{1, 20} {
		b.Run(fmt.Sprintf("upgrades=%d", n), func(b *testing.B) { benchUpgrades(b, n) })
	}
}

func benchUpgrades(b *testing.B, n int) {
	index := rollIndex(n)
	indexURL := serveIndex(b, index)
	for i := 0; i < b.N; i++ {
		e := startManagerEnv(b, 0, extraBenchArgs()...)
		refs := make([]v1alpha1.ComponentRef, n)
		for j := range refs {
			refs[j] = v1alpha1.ComponentRef{Name: fmt.Sprintf("roll-%02d", j), Version: "v1.0.0"}
		}
		e.createPlatform(b, "bench", v1alpha1.PlatformSpec{CatalogIndexURL: indexURL, Components: refs})
		e.waitCondition(b, "bench", v1alpha1.ConditionReady, metav1.ConditionTrue, 10*time.Minute)
		start := time.Now()
		runs := make([]client.WorkflowRun, n)
		for j, r := range refs {
			var err error
			runs[j], err = e.tc.ExecuteWorkflow(b.Context(), client.StartWorkflowOptions{
				ID: workflows.UpgradeID("bench", r.Name, "v1.1.0"), TaskQueue: workflows.TaskQueueManager,
				TypedSearchAttributes: upgradeAttrs("bench", r.Name),
			}, workflows.UpgradeComponentWorkflow, workflows.UpgradeComponentInput{
				Platform: "bench", Namespace: e.ns, Component: r.Name, To: "v1.1.0", IndexURL: indexURL,
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		for _, r := range runs {
			if err := r.Get(b.Context(), nil); err != nil {
				b.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		b.ReportMetric(elapsed.Seconds(), "s-all-upgraded")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "upgrades/s")
		_ = e.proc.stop()
	}
}
