package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/workflows"
)

// kill -9 of the manager while an upgrade watches its rollout, and again
// while a failed upgrade waits for its rollback: after each restart on the
// same data dir the same upgrade continues from the step it was in (no
// step runs twice, nothing is released twice), ends where it should, and
// the rollback raises exactly one alert.
func TestUpgradeKill9DuringRolloutAndRollback_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	rcv := testenv.NewReceiver(t, http.StatusOK)
	e := startManagerEnv(t, 200*time.Millisecond, "--alertmanager-url", rcv.URL)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{
		{Name: "cilium", Version: "v1.19.6"}, {Name: "grafana", Version: "v13.1.3"},
	}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	chart := func(component, version string) string {
		v, ok := catalog.Default().Components[component].Find(version)
		require.True(t, ok)
		return v.HelmChartVersion()
	}

	// Not subtests: the restarted manager must outlive each part.
	{ // during the rollout
		to := chart("cilium", "v1.20.0")
		e.xp.HoldChart("cilium", to)
		e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[0].Version = "v1.20.0" })
		e.waitReleaseChart(t, "cilium", to)
		e.kill9AndRestart(t)
		e.xp.LetGo("cilium", to)
		e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
		c := e.components(t)["cilium"]
		require.Equal(t, "v1.20.0", c.Status.InstalledVersion)
		require.Nil(t, meta.FindStatusCondition(c.Status.Conditions, v1alpha1.ConditionRolledBack))
		id := workflows.UpgradeID("acme", "cilium", "v1.20.0")
		require.Equal(t, 1, e.executions(t, id))
		require.NoError(t, e.tc.GetWorkflow(context.Background(), id, "").Get(context.Background(), nil))
		require.Equal(t, 2, e.executions(t, workflows.ReleaseID("acme", "cilium")), "install and upgrade: one release each")
		require.Equal(t, map[string]int{"CheckUpgrade": 1, "ReadComponent": 1, "MarkRolledBack": 1}, e.activities(t, id))
	}

	{ // during the rollback
		from, to := chart("grafana", "v13.1.3"), chart("grafana", "v13.2.0")
		e.xp.FailChart("grafana", to, "CrashLoopBackOff: grafana-7d9")
		e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[1].Version = "v13.2.0" })
		e.waitReleaseChart(t, "grafana", to)
		e.xp.HoldChart("grafana", from)
		e.waitReleaseChart(t, "grafana", from) // the rollout failed: the rollback is under way
		e.kill9AndRestart(t)
		e.xp.LetGo("grafana", from)
		stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, 2*time.Minute)
		require.Contains(t, stalled.Message, "upgrade grafana v13.1.3 → v13.2.0 failed")
		require.Contains(t, stalled.Message, "rolled back to v13.1.3")
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			comps := e.components(ct)
			assertHealthyAt(ct, comps, "grafana", "v13.1.3")
			assertRolledBack(ct, comps, "grafana", true)
		}, time.Minute, 100*time.Millisecond, "grafana is not Healthy at v13.1.3 with RolledBack")
		id := workflows.UpgradeID("acme", "grafana", "v13.2.0")
		require.Equal(t, 1, e.executions(t, id))
		// install, upgrade, rollback: one release each, none repeated
		require.Equal(t, 3, e.executions(t, workflows.ReleaseID("acme", "grafana")))
		require.Equal(t, map[string]int{"CheckUpgrade": 1, "ReadComponent": 1, "MarkRolledBack": 1, "RaiseAlert": 1, "RecordEvent": 1},
			e.activities(t, id))
		require.Len(t, rcv.Bodies("/api/v2/alerts"), 1)
	}
}

// waitReleaseChart waits until the component's composite resource asks
// for the chart version, i.e. a release of it is rolling out.
func (e *managerEnv) waitReleaseChart(t *testing.T, name, chartVersion string) {
	t.Helper()
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.Equal(ct, chartVersion, e.releaseChart(name), "chart of release %s", name)
	}, time.Minute, 50*time.Millisecond, "%s never rolled out chart %s; running: %s", name, chartVersion, e.running(t))
}

// releaseChart is the chart version the component's composite resource
// asks for ("" when there is none).
func (e *managerEnv) releaseChart(name string) string {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(v1alpha1.ReleaseGVK)
	if e.c.Get(context.Background(), crclient.ObjectKey{Namespace: e.ns, Name: name}, u) != nil {
		return ""
	}
	v, _, _ := unstructured.NestedString(u.Object, "spec", "chart", "version")
	return v
}

// activities counts the activities the workflow scheduled, by type.
func (e *managerEnv) activities(t *testing.T, id string) map[string]int {
	it := e.tc.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	out := map[string]int{}
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			out[a.GetActivityType().GetName()]++
		}
	}
	return out
}
