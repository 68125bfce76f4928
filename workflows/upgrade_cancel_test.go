package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/catalog"
)

// The cancel signal means one thing for an upgrade: roll back to the
// recorded version. Each wait for Ready takes ten minutes of test time, so
// the signals land inside the rollout and inside the rollback; a cancel
// during the rollback does not stop it.
func TestUpgradeComponentCancelRollsBack(t *testing.T) {
	cases := []struct {
		name    string
		signals []time.Duration // when the cancel signal arrives
	}{
		{name: "cancel mid-rollout rolls back", signals: []time.Duration{time.Minute}},
		{name: "cancel during the rollback does not stop it", signals: []time.Duration{time.Minute, 5 * time.Minute}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCluster(catalog.Plan{})
			f.upgrade = backstagePlan()
			f.readyAfter = 10 * time.Minute
			env := f.newEnv()
			for _, at := range tc.signals {
				env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalCancel, nil) }, at)
			}
			env.ExecuteWorkflow(UpgradeComponent, UpgradeComponentInput{
				Platform: "acme", Namespace: "ns", Component: "backstage", To: "v1.31.0", ReadyTimeout: time.Hour,
			})
			require.True(t, env.IsWorkflowCompleted())
			err := env.GetWorkflowError()
			var app *temporal.ApplicationError
			require.True(t, errors.As(err, &app), "want an application error, got %v", err)
			require.Equal(t, ErrRolledBack, app.Type())
			require.Contains(t, app.Message(), "upgrade backstage v1.30.0 → v1.31.0 cancelled; rolled back to v1.30.0")
			require.Equal(t, []string{"backstage", "backstage"}, f.callsOf("apply "), "the new version, then the recorded one")
			require.Equal(t, "2.0.0", f.releases["backstage"], "ends at the recorded chart version")
			require.Len(t, f.alerts, 1, "one alert")
			require.Equal(t, "cancelled", f.alerts[0].Reason)
			require.Equal(t, []string{"backstage v1.31.0"}, f.callsOf("mark "), "marked rolled back")

			p := progressOf(t, env)
			require.Equal(t, StepFailed, stepNamed(t, p, "upgrade backstage to v1.31.0").State)
			require.Equal(t, StepSucceeded, stepNamed(t, p, "roll back backstage to v1.30.0").State)
		})
	}
}

// A cancel before the rollout stops the upgrade with nothing changed.
func TestUpgradeComponentCancelBeforeRollout(t *testing.T) {
	f := newFakeCluster(catalog.Plan{})
	f.upgrade = backstagePlan()
	f.upgrade.Plan.Crosses[0].ForwardOnly = true
	f.upgrade.Plan.Crosses[0].Backup = &catalog.Backup{APIVersion: "batch/v1", Kind: "Job", Done: catalog.FieldMatch{Path: "status.succeeded", Equals: "1"}}
	f.backupAfter = 10 * time.Minute
	env := f.newEnv()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalCancel, nil) }, time.Minute)
	env.ExecuteWorkflow(UpgradeComponent, UpgradeComponentInput{
		Platform: "acme", Namespace: "ns", Component: "backstage", To: "v1.31.0", ConfirmForwardOnly: true, ReadyTimeout: time.Hour,
	})
	require.True(t, env.IsWorkflowCompleted())
	var app *temporal.ApplicationError
	require.True(t, errors.As(env.GetWorkflowError(), &app))
	require.Equal(t, ErrCancelled, app.Type())
	require.Empty(t, f.callsOf("apply "), "nothing released")
	require.Empty(t, f.alerts)
}

// A cancel of several upgrades reaches the running one, which rolls back;
// the ones after it are not touched.
func TestUpgradeComponentsCancelStops(t *testing.T) {
	f := newFakeCluster(catalog.Plan{})
	f.upgrade = backstagePlan()
	f.order = []string{"backstage", "grafana"}
	f.readyAfter = 10 * time.Minute
	env := f.newEnv()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalCancel, nil) }, time.Minute)
	env.ExecuteWorkflow(UpgradeComponents, UpgradeComponentsInput{
		Platform: "acme", Namespace: "ns", ReadyTimeout: time.Hour,
		Targets: []UpgradeTarget{{Component: "backstage", To: "v1.31.0"}, {Component: "grafana", To: "v11.4.0"}},
	})
	require.True(t, env.IsWorkflowCompleted())
	var app *temporal.ApplicationError
	require.True(t, errors.As(env.GetWorkflowError(), &app))
	require.Equal(t, ErrUpgradesStopped, app.Type())
	require.Contains(t, app.Message(), "cancelled; rolled back to v1.30.0; not upgraded: grafana")
	require.Equal(t, []string{"backstage", "backstage"}, f.callsOf("apply "), "grafana is not touched")
	require.Len(t, f.alerts, 1)
}
