package main

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/workflows"
)

// The cancel signal on a running upgrade (the UI's Cancel, or `temporal
// workflow signal --name cancel`) rolls it back: the component ends Healthy
// at the recorded version, marked RolledBack, with one alert. A second
// cancel during the rollback does not stop the rollback, and the rollback
// does not collide with the cancelled release of the same component.
func TestUpgradeCancel_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	indexURL := serveIndex(t, rollIndex(2))
	rcv := testenv.NewReceiver(t, http.StatusOK)
	e := startManagerEnv(t, 200*time.Millisecond, "--alertmanager-url", rcv.URL)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{CatalogIndexURL: indexURL, Components: []v1alpha1.ComponentRef{
		{Name: "roll-00", Version: "v1.0.0"}, {Name: "roll-01", Version: "v1.0.0"},
	}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 3*time.Minute)

	cases := []struct {
		name, component, history string
		// cancelRollback sends a second cancel while the rollback waits.
		cancelRollback bool
	}{
		{name: "mid-rollout", component: "roll-00", history: "upgradecomponent-v1-cancelled"},
		{name: "during the rollback", component: "roll-01", history: "upgradecomponent-v1-cancelledrollback", cancelRollback: true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := workflows.UpgradeID("acme", tc.component, "v1.1.0")
			e.xp.HoldChart(tc.component, "1.1.0")
			_, err := e.tc.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
				ID: id, TaskQueue: workflows.TaskQueueManager, TypedSearchAttributes: upgradeAttrs("acme", tc.component),
			}, workflows.UpgradeComponentWorkflow, workflows.UpgradeComponentInput{
				Platform: "acme", Namespace: e.ns, Component: tc.component, To: "v1.1.0", IndexURL: indexURL, ReadyTimeout: 3 * time.Minute,
			})
			require.NoError(t, err)
			e.waitStep(t, id, "upgrade "+tc.component+" to v1.1.0", workflows.StepRunning)
			if tc.cancelRollback {
				e.xp.HoldChart(tc.component, "1.0.0") // the rollback waits until letGo
			}
			require.NoError(t, e.tc.SignalWorkflow(context.Background(), id, "", workflows.SignalCancel, nil))
			if tc.cancelRollback {
				e.waitStep(t, id, "roll back "+tc.component+" to v1.0.0", workflows.StepRunning)
				require.NoError(t, e.tc.SignalWorkflow(context.Background(), id, "", workflows.SignalCancel, nil))
				// A cancel that stopped the rollback would cancel it or end
				// the run in the workflow task that handles the signal.
				for _, typ := range e.afterSignal(t, id, 2) {
					require.NotContains(t, []enumspb.EventType{
						enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
						enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
					}, typ, "the second cancel stopped the rollback")
				}
				e.xp.LetGo(tc.component, "1.0.0")
			}

			err = e.tc.GetWorkflow(context.Background(), id, "").Get(context.Background(), nil)
			var app *temporal.ApplicationError
			require.True(t, errors.As(err, &app), "want the rolled-back error, got %v", err)
			require.Equal(t, workflows.ErrRolledBack, app.Type())
			require.Contains(t, app.Message(), "upgrade "+tc.component+" v1.0.0 → v1.1.0 cancelled; rolled back to v1.0.0")
			p := e.progress(t, id)
			require.Equal(t, workflows.StepSucceeded, stepState(p, "roll back "+tc.component+" to v1.0.0"), "%+v", p.Steps)
			require.Equal(t, workflows.StepSucceeded, stepState(p, "raise alert"), "%+v", p.Steps)

			require.EventuallyWithT(t, func(c *assert.CollectT) {
				comp := e.components(t)[tc.component]
				assert.Equal(c, v1alpha1.HealthHealthy, comp.Status.Health)
				assert.Equal(c, "v1.0.0", comp.Status.InstalledVersion)
				assert.True(c, meta.IsStatusConditionTrue(comp.Status.Conditions, v1alpha1.ConditionRolledBack))
			}, time.Minute, 200*time.Millisecond, "%s is not Healthy at v1.0.0 and RolledBack", tc.component)
			require.Len(t, rcv.Bodies("/api/v2/alerts"), i+1, "one alert per cancelled upgrade")
			e.recordHistory(t, id, tc.history)
		})
	}
}

// progress queries a workflow's progress.
func (e *managerEnv) progress(t testing.TB, id string) workflows.Progress {
	t.Helper()
	v, err := e.tc.QueryWorkflow(context.Background(), id, "", workflows.QueryProgress)
	require.NoError(t, err)
	var p workflows.Progress
	require.NoError(t, v.Get(&p))
	return p
}

// waitStep waits until the workflow's progress shows the step in a state.
func (e *managerEnv) waitStep(t testing.TB, id, name, state string) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		v, err := e.tc.QueryWorkflow(context.Background(), id, "", workflows.QueryProgress)
		if !assert.NoError(c, err) {
			return
		}
		var p workflows.Progress
		if assert.NoError(c, v.Get(&p)) {
			assert.Equal(c, state, stepState(p, name), "step %q", name)
		}
	}, time.Minute, 100*time.Millisecond)
}

// afterSignal waits until the workflow has handled its n-th signal (a
// workflow task completed after the signal reached its history) and
// returns the types of the events from that signal on.
func (e *managerEnv) afterSignal(t testing.TB, id string, n int) []enumspb.EventType {
	t.Helper()
	var after []enumspb.EventType
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		it := e.tc.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		signals, handled := 0, false
		after = nil
		for it.HasNext() {
			ev, err := it.Next()
			if !assert.NoError(c, err) {
				return
			}
			if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
				signals++
			}
			if signals >= n {
				after = append(after, ev.GetEventType())
				handled = handled || ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
			}
		}
		assert.True(c, handled, "signal %d of %s is not handled yet (%d signals)", n, id, signals)
	}, time.Minute, 100*time.Millisecond)
	return after
}

// stepState is the state of the named step, "" when there is none.
func stepState(p workflows.Progress, name string) string {
	for _, s := range p.Steps {
		if s.Name == name {
			return s.State
		}
	}
	return ""
}
