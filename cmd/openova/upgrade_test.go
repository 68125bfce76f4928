package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/workflows"
)

// UpgradeComponent through the real manager: Cilium v1.19.6 → v1.20.0
// succeeds with its changelog in the progress query; a Grafana release
// that never gets Ready is rolled back to the recorded version, which is
// Healthy again, and the alert reaches Alertmanager and the webhook.
func TestUpgradeComponent_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	rcv := testenv.NewReceiver(t, http.StatusOK)
	e := startManagerEnv(t, 300*time.Millisecond, "--alertmanager-url", rcv.URL, "--alert-webhook-url", rcv.URL+"/hook")
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{
		{Name: "cilium", Version: "v1.19.6"}, {Name: "grafana", Version: "v13.1.3"},
	}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	upgrade := func(component, to string) (workflows.UpgradeComponentResult, error) {
		run, err := e.tc.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
			ID: workflows.UpgradeID("acme", component, to), TaskQueue: workflows.TaskQueueManager,
		}, workflows.UpgradeComponentWorkflow, workflows.UpgradeComponentInput{
			Platform: "acme", Namespace: e.ns, Component: component, To: to, ReadyTimeout: 10 * time.Second,
		})
		require.NoError(t, err)
		var res workflows.UpgradeComponentResult
		err = run.Get(context.Background(), &res)
		return res, err
	}
	healthyAt := func(name, version string) {
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			assertHealthyAt(ct, e.components(ct), name, version)
		}, time.Minute, 100*time.Millisecond, "%s never Healthy at %s", name, version)
	}

	res, err := upgrade("cilium", "v1.20.0")
	require.NoError(t, err)
	require.Equal(t, "v1.19.6", res.From)
	require.Equal(t, "v1.20.0", res.To)
	v, err := e.tc.QueryWorkflow(context.Background(), workflows.UpgradeID("acme", "cilium", "v1.20.0"), "", workflows.QueryProgress)
	require.NoError(t, err)
	var p workflows.Progress
	require.NoError(t, v.Get(&p))
	want, _ := catalog.Default().Components["cilium"].Find("v1.20.0")
	require.Equal(t, want.Changelog, p.Steps[0].Message)
	healthyAt("cilium", "v1.20.0")
	e.recordHistory(t, workflows.UpgradeID("acme", "cilium", "v1.20.0"), "upgradecomponent-v1-ok")

	target, _ := catalog.Default().Components["grafana"].Find("v13.2.0")
	e.xp.FailChart("grafana", target.HelmChartVersion(), "CrashLoopBackOff: grafana-7d9")
	_, err = upgrade("grafana", "v13.2.0")
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "%v", err)
	require.Equal(t, workflows.ErrRolledBack, app.Type())
	require.Contains(t, app.Message(), "upgrade grafana v13.1.3 → v13.2.0 failed")
	require.Contains(t, app.Message(), "CrashLoopBackOff")
	require.Contains(t, app.Message(), "rolled back to v13.1.3")
	healthyAt("grafana", "v13.1.3")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		c := meta.FindStatusCondition(e.components(ct)["grafana"].Status.Conditions, v1alpha1.ConditionRolledBack)
		require.NotNil(ct, c, "grafana has no RolledBack condition")
		assert.Equal(ct, metav1.ConditionTrue, c.Status)
		assert.Contains(ct, c.Message, "v13.1.3 → v13.2.0 failed")
	}, 30*time.Second, 100*time.Millisecond, "grafana never showed RolledBack")
	require.Nil(t, meta.FindStatusCondition(e.components(t)["cilium"].Status.Conditions, v1alpha1.ConditionRolledBack))

	require.Len(t, rcv.Bodies("/api/v2/alerts"), 1)
	var alerts []struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	}
	require.NoError(t, json.Unmarshal([]byte(rcv.Bodies("/api/v2/alerts")[0]), &alerts))
	require.Equal(t, map[string]string{"alertname": "OpenovaUpgradeRolledBack", "severity": "warning", "platform": "acme",
		"namespace": e.ns, "component": "grafana", "from_version": "v13.1.3", "to_version": "v13.2.0"}, alerts[0].Labels)
	require.Contains(t, alerts[0].Annotations["description"], "CrashLoopBackOff")
	require.Len(t, rcv.Bodies("/hook"), 1)
	e.recordHistory(t, workflows.UpgradeID("acme", "grafana", "v13.2.0"), "upgradecomponent-v1-rolledback")
}
