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
)

func TestSelfCheck(t *testing.T) {
	cases := []struct {
		name      string
		in        SelfCheckInput
		failStep  int // 1-based step whose activity fails for good; 0 for none
		wantSteps int
		wantErr   string
	}{
		{name: "defaults to five steps", in: SelfCheckInput{}, wantSteps: 5},
		{name: "runs the steps asked for", in: SelfCheckInput{Steps: 2, Note: "n"}, wantSteps: 2},
		{name: "too many steps", in: SelfCheckInput{Steps: 51}, wantErr: "steps must be between 1 and 50, got 51"},
		{name: "negative steps", in: SelfCheckInput{Steps: -1}, wantErr: "steps must be between 1 and 50"},
		{name: "hold too long", in: SelfCheckInput{StepHold: time.Hour}, wantErr: "step hold must be between 0 and 10m0s"},
		{name: "stops at a failed step", in: SelfCheckInput{Steps: 3}, failStep: 2, wantErr: "self-check step 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newWorkflowEnv()
			env.RegisterActivity(&activities.SelfCheck{})
			var a *activities.SelfCheck
			calls := 0
			env.OnActivity(a.Step, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.StepInput) (activities.StepReceipt, error) {
					calls++
					require.Equal(t, tc.in.Note, in.Note)
					if in.Index == tc.failStep {
						return activities.StepReceipt{}, temporal.NewNonRetryableApplicationError("disk full", "Test", nil)
					}
					return activities.StepReceipt{Index: in.Index, Attempt: 1}, nil
				})
			env.ExecuteWorkflow(SelfCheck, tc.in)
			require.True(t, env.IsWorkflowCompleted())
			err := env.GetWorkflowError()
			if tc.wantErr != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.wantErr)
				var app *temporal.ApplicationError
				require.True(t, errors.As(err, &app))
				return
			}
			require.NoError(t, err)
			var res SelfCheckResult
			require.NoError(t, env.GetWorkflowResult(&res))
			require.Len(t, res.Receipts, tc.wantSteps)
			require.Equal(t, tc.wantSteps, calls)

			v, err := env.QueryWorkflow(QueryProgress)
			require.NoError(t, err)
			var p Progress
			require.NoError(t, v.Get(&p))
			require.Len(t, p.Steps, tc.wantSteps)
			for _, st := range p.Steps {
				require.Equal(t, StepSucceeded, st.State)
				require.False(t, st.Finished.Before(st.Started))
			}
		})
	}
}

// The progress query shows a failed step with its message and later steps
// still pending.
func TestSelfCheckProgressOnFailure(t *testing.T) {
	env := newWorkflowEnv()
	env.RegisterActivity(&activities.SelfCheck{})
	var a *activities.SelfCheck
	env.OnActivity(a.Step, mock.Anything, mock.Anything).Return(activities.StepReceipt{}, temporal.NewNonRetryableApplicationError("boom", "Test", nil))
	env.ExecuteWorkflow(SelfCheck, SelfCheckInput{Steps: 3})
	require.Error(t, env.GetWorkflowError())
	v, err := env.QueryWorkflow(QueryProgress)
	require.NoError(t, err)
	var p Progress
	require.NoError(t, v.Get(&p))
	require.Equal(t, StepFailed, p.Steps[0].State)
	require.Contains(t, p.Steps[0].Message, "boom")
	require.Equal(t, StepPending, p.Steps[1].State)
	require.Equal(t, StepPending, p.Steps[2].State)
}
