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
