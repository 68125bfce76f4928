package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/workflows"
)

// rollbacks is how many upgrades the test makes fail at once.
const rollbacks = 20

// Twenty upgrades asked for at once ("Upgrade now" on each), every one
// of them failing: half report Ready=False (CrashLoopBackOff), half never
// become Ready (the release stays "Creating"). Each upgrade is rolled back
// at its deadline to the recorded version, which is Healthy again, each
// raises one alert naming its component and versions, and no workflow is
// left running.
func TestUpgradeTwentyFailuresTwentyRollbacks_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	index := rollIndex(rollbacks)
	indexURL := serveIndex(t, index)
	rcv := testenv.NewReceiver(t, http.StatusOK)
	// Installs keep the default test timeout (20 s); the upgrades ask for 8 s.
	e := startManagerEnv(t, 200*time.Millisecond,
		"--alertmanager-url", rcv.URL, "--alert-webhook-url", rcv.URL+"/hook")
	names := make([]string, rollbacks)
	refs := make([]v1alpha1.ComponentRef, rollbacks)
	for i := range names {
		names[i] = fmt.Sprintf("roll-%02d", i)
		refs[i] = v1alpha1.ComponentRef{Name: names[i], Version: "v1.0.0"}
	}
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{CatalogIndexURL: indexURL, Components: refs})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 3*time.Minute)

	for i, n := range names {
		if i%2 == 0 {
			e.xp.FailChart(n, "1.1.0", "CrashLoopBackOff: "+n+"-0")
		} else {
			e.xp.HoldChart(n, "1.1.0")
		}
	}
	runs := make([]client.WorkflowRun, rollbacks)
	for i, n := range names {
		var err error
		runs[i], err = e.tc.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
			ID: workflows.UpgradeID("acme", n, "v1.1.0"), TaskQueue: workflows.TaskQueueManager,
			TypedSearchAttributes: upgradeAttrs("acme", n),
		}, workflows.UpgradeComponentWorkflow, workflows.UpgradeComponentInput{
			Platform: "acme", Namespace: e.ns, Component: n, To: "v1.1.0", IndexURL: indexURL, ReadyTimeout: 8 * time.Second,
		})
		require.NoError(t, err)
	}
	for _, r := range runs {
		_ = r.Get(context.Background(), nil) // each fails; checked below
	}
	for i, n := range names {
		err := e.tc.GetWorkflow(context.Background(), workflows.UpgradeID("acme", n, "v1.1.0"), "").Get(context.Background(), nil)
		var app *temporal.ApplicationError
		require.True(t, errors.As(err, &app), "%s: %v", n, err)
		require.Equal(t, workflows.ErrRolledBack, app.Type(), n)
		require.Contains(t, app.Message(), fmt.Sprintf("upgrade %s v1.0.0 → v1.1.0 failed", n))
		require.Contains(t, app.Message(), "not Ready by", "%s was not stopped at its deadline", n)
		if i%2 == 0 {
			require.Contains(t, app.Message(), "CrashLoopBackOff", n)
		}
		require.Equal(t, 1, e.executions(t, workflows.UpgradeID("acme", n, "v1.1.0")), "%s upgraded more than once", n)
	}
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		comps := e.components(ct)
		for _, n := range names {
			assertHealthyAt(ct, comps, n, "v1.0.0")
			assertRolledBack(ct, comps, n, true)
		}
	}, time.Minute, 200*time.Millisecond, "not every component is Healthy at v1.0.0 and RolledBack")

	// CheckUpdates runs whenever installed versions change; it is not part
	// of the upgrades and may still be asking unreachable Helm repositories.
	resp, err := e.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: "ExecutionStatus = 'Running' AND WorkflowType != 'CheckUpdates'",
	})
	require.NoError(t, err)
	require.Empty(t, resp.Executions, "workflows stuck: %v", resp.Executions)

	alerted := map[string]bool{}
	for _, body := range rcv.Bodies("/api/v2/alerts") {
		var alerts []struct {
			Labels map[string]string `json:"labels"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &alerts))
		for _, a := range alerts {
			require.Equal(t, "v1.0.0", a.Labels["from_version"])
			require.Equal(t, "v1.1.0", a.Labels["to_version"])
			alerted[a.Labels["component"]] = true
		}
	}
	require.Len(t, alerted, rollbacks)
	require.Len(t, rcv.Bodies("/api/v2/alerts"), rollbacks)
}

// rollIndex is a remote catalog index of n independent components, each
// released at v1.0.0 and v1.1.0.
func rollIndex(n int) []byte {
	var sb strings.Builder
	sb.WriteString("apiVersion: catalog.openova.io/v1\ncomponents:\n")
	for i := range n {
		name := fmt.Sprintf("roll-%02d", i)
		fmt.Fprintf(&sb, "  - name: %s\n    title: %s\n    description: generated for the rollback test\n    category: a-la-carte\n", name, name)
		fmt.Fprintf(&sb, "    chart: {name: %s, repository: oci://charts.example.com/roll}\n", name)
		sb.WriteString("    versions:\n")
		sb.WriteString("      - {version: v1.0.0, released: 2025-01-01, changelog: first}\n")
		sb.WriteString("      - {version: v1.1.0, released: 2025-02-01, changelog: second}\n")
	}
	return []byte(sb.String())
}
