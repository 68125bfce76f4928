package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
)

// ScheduledUpgrade waits for the component's other rollouts (reported by
// the Rollouts activity), then runs UpgradeComponent as its child; the
// child's failure is the scheduled upgrade's failure.
func TestScheduledUpgrade(t *testing.T) {
	cases := []struct {
		name       string
		waitedFor  []string
		failChart  string
		wantErr    string
		wantWaited string
	}{
		{name: "nothing else runs: upgrades at once"},
		{name: "waits for a running rollout first", waitedFor: []string{"upgrade/acme/backstage/v1.30.1", "release/acme/backstage"},
			wantWaited: "waited for upgrade/acme/backstage/v1.30.1, release/acme/backstage"},
		{name: "a failed upgrade fails the scheduled run", failChart: "2.1.0", wantErr: "rolled back to v1.30.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCluster(catalog.Plan{})
			f.upgrade = backstagePlan()
			f.failChart = map[string]string{"backstage": tc.failChart}
			env := f.newEnv()
			var r *activities.Rollouts
			env.RegisterActivity(r)
			var asked activities.WaitIdleInput
			env.OnActivity(r.WaitIdle, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.WaitIdleInput) (activities.WaitIdleResult, error) {
					asked = in
					f.log("wait idle")
					return activities.WaitIdleResult{WaitedFor: tc.waitedFor}, nil
				})
			env.ExecuteWorkflow(ScheduledUpgrade, ScheduledUpgradeInput{Generation: 4, Upgrade: UpgradeComponentInput{
				Platform: "acme", Namespace: "ns", Component: "backstage", To: "v1.31.0", ReadyTimeout: time.Minute}})
			require.True(t, env.IsWorkflowCompleted())
			require.Equal(t, "acme", asked.Platform)
			require.Equal(t, "backstage", asked.Component)
			require.Equal(t, ScheduledUpgradeWorkflow, asked.Queue, "other scheduled upgrades count only when they started first")
			require.NotEmpty(t, asked.Self)
			require.False(t, asked.StartedAt.IsZero())
			require.Equal(t, "wait idle", f.calls[0], "the wait comes before anything is applied")
			if tc.wantErr != "" {
				err := env.GetWorkflowError()
				require.ErrorContains(t, err, tc.wantErr)
				var app *temporal.ApplicationError
				require.True(t, errors.As(err, &app))
				require.Equal(t, ErrRolledBack, app.Type())
				return
			}
			require.NoError(t, env.GetWorkflowError())
			var res ScheduledUpgradeResult
			require.NoError(t, env.GetWorkflowResult(&res))
			require.Equal(t, "v1.31.0", res.To)
			require.Equal(t, tc.waitedFor, res.WaitedFor)
			require.Equal(t, "2.1.0", f.releases["backstage"], "released the new chart")
			v, err := env.QueryWorkflow(QueryProgress)
			require.NoError(t, err)
			var p Progress
			require.NoError(t, v.Get(&p))
			require.Equal(t, tc.wantWaited, p.Steps[0].Message)
			require.Equal(t, StepSucceeded, p.Steps[1].State)
		})
	}
}

func TestScheduledUpgradeRejectsEmptyInput(t *testing.T) {
	env := newFakeCluster(catalog.Plan{}).newEnv()
	env.ExecuteWorkflow(ScheduledUpgrade, ScheduledUpgradeInput{})
	var app *temporal.ApplicationError
	require.True(t, errors.As(env.GetWorkflowError(), &app))
	require.Equal(t, ErrInvalidInput, app.Type())
}

// A maintenance window's schedule that fires twice (a backfill over two
// windows, a catch-up after an outage) upgrades once. The runs start, on
// the test environment's clock, at two Saturday 02:00 Berlin windows in a
// row: the first upgrades; the second finds the target running and ends
// as a successful no-op that says "already at", with no rollback and no
// alert. Each run deletes its schedule when it ends.
func TestWindowFiringTwiceUpgradesOnce(t *testing.T) {
	f := newFakeCluster(catalog.Plan{})
	f.upgrade = backstagePlan()
	f.installed = map[string]string{"backstage": "v1.30.0"}
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	windows := []time.Time{time.Date(2026, 11, 28, 2, 0, 0, 0, berlin), time.Date(2026, 12, 5, 2, 0, 0, 0, berlin)}
	var results []ScheduledUpgradeResult
	var progress []Progress
	for _, at := range windows {
		env := f.newEnv()
		env.SetStartTime(at)
		var r *activities.Rollouts
		env.RegisterActivity(r)
		env.OnActivity(r.WaitIdle, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in activities.WaitIdleInput) (activities.WaitIdleResult, error) {
				require.True(t, in.StartedAt.Equal(at), "the run started at %s, not at its window %s", in.StartedAt, at)
				return activities.WaitIdleResult{}, nil
			})
		env.ExecuteWorkflow(ScheduledUpgrade, ScheduledUpgradeInput{Generation: 4, Upgrade: UpgradeComponentInput{
			Platform: "acme", Namespace: "ns", Component: "backstage", To: "v1.31.0", ReadyTimeout: time.Minute}})
		require.True(t, env.IsWorkflowCompleted())
		require.NoError(t, env.GetWorkflowError(), "the run at %s", at)
		var res ScheduledUpgradeResult
		require.NoError(t, env.GetWorkflowResult(&res))
		results = append(results, res)
		progress = append(progress, progressOf(t, env))
	}

	require.Equal(t, "v1.30.0", results[0].From, "the first window upgrades")
	require.Equal(t, "v1.31.0", results[0].To)
	require.Empty(t, results[0].AlreadyAt)
	require.Equal(t, StepSucceeded, stepNamed(t, progress[0], "upgrade backstage to v1.31.0").State)

	require.Equal(t, "v1.31.0", results[1].AlreadyAt, "the second firing is a no-op")
	require.Equal(t, "v1.31.0", results[1].To)
	require.Equal(t, "backstage is already at v1.31.0: nothing to upgrade", stepNamed(t, progress[1], "check which version of backstage runs").Message)
	skipped := stepNamed(t, progress[1], "upgrade backstage to v1.31.0")
	require.Equal(t, StepSkipped, skipped.State)
	require.Equal(t, "already at v1.31.0", skipped.Message)

	require.Equal(t, []string{"backstage"}, f.callsOf("apply "), "released once")
	require.Empty(t, f.alerts, "no alert")
	require.Empty(t, f.callsOf("event "), "no rollback event")
	require.Empty(t, f.callsOf("mark backstage v"), "no rollback mark")
	require.Equal(t, []string{"upgrade-at/acme/backstage/v1.31.0", "upgrade-at/acme/backstage/v1.31.0"}, f.callsOf("forget "),
		"each run deletes the schedule")
	for _, p := range progress {
		require.Equal(t, StepSucceeded, stepNamed(t, p, "remove the schedule").State)
	}
}
