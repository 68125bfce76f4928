package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
)

func promoteInput() PromoteInput {
	return PromoteInput{Organization: "acme",
		Primary:        activities.GiteaEndpoint{Region: "fsn1", URL: "https://198.51.100.1:3000"},
		Standby:        activities.GiteaEndpoint{Region: "hel1", URL: "https://198.51.100.2:3000"},
		PrimaryAddress: "https://10.0.1.10:30300/acme/platform.git", StandbyAddress: "https://10.1.1.10:30300/acme/platform.git"}
}

// Promote with the old primary down: each look fences it (the activity is
// idempotent) and the workflow looks again every LookAgain until it
// answers, then the mirror is turned; past GiveUp it ends with
// PrimaryNotReached, saying the fence holds.
func TestPromote(t *testing.T) {
	cases := []struct {
		name      string
		downLooks int // looks at which the old primary does not answer
		giveUp    time.Duration
		looks     int
		errType   string
	}{
		{"primary answers", 0, 0, 1, ""},
		{"primary back at the third look", 2, 0, 3, ""},
		{"primary never back", 1 << 30, 5 * time.Minute, 5, ErrPrimaryNotReached},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newWorkflowEnv()
			env.RegisterWorkflowWithOptions(Promote, workflow.RegisterOptions{Name: PromoteWorkflow})
			var g *activities.Gitea
			var calls []activities.PromoteGiteaInput
			env.OnActivity(g.PromoteGitea, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.PromoteGiteaInput) (activities.PromoteGiteaResult, error) {
					calls = append(calls, in)
					if len(calls) <= tc.downLooks {
						return activities.PromoteGiteaResult{Fenced: true}, nil
					}
					return activities.PromoteGiteaResult{Fenced: true, PrimaryReached: true, RemovedFromPrimary: []string{"remote_mirror_x"},
						Mirror: activities.EnsureGiteaPushMirrorResult{Address: in.PrimaryAddress, Created: true, Commit: "0123456789abcdef"}}, nil
				})
			in := promoteInput()
			in.GiveUp = tc.giveUp
			env.ExecuteWorkflow(PromoteWorkflow, in)
			require.True(t, env.IsWorkflowCompleted())
			require.Len(t, calls, tc.looks)
			require.Equal(t, "platform", calls[0].Repo)
			require.Equal(t, "https://10.0.1.10:30300/acme/platform.git", calls[0].PrimaryAddress)
			if tc.errType != "" {
				var app *temporal.ApplicationError
				require.True(t, errors.As(env.GetWorkflowError(), &app), "%v", env.GetWorkflowError())
				require.Equal(t, tc.errType, app.Type())
				require.Contains(t, app.Error(), "fsn1 did not answer for 5m0s: it is fenced off")
				return
			}
			require.NoError(t, env.GetWorkflowError())
			var res PromoteResult
			require.NoError(t, env.GetWorkflowResult(&res))
			require.Equal(t, tc.looks, res.Looks)
			require.Equal(t, "https://10.0.1.10:30300/acme/platform.git", res.Mirror.Address)
			require.Equal(t, []string{"remote_mirror_x"}, res.Removed)
			v, err := env.QueryWorkflow(QueryProgress)
			require.NoError(t, err)
			var p Progress
			require.NoError(t, v.Get(&p))
			require.Equal(t, "make hel1 the writer and mirror it to fsn1", p.Steps[0].Name)
			require.Equal(t, StepSucceeded, p.Steps[0].State)
		})
	}
}

// Bad input is refused before anything is touched.
func TestPromoteRefusesBadInput(t *testing.T) {
	cases := []struct {
		name string
		edit func(*PromoteInput)
		msg  string
	}{
		{"no organization", func(in *PromoteInput) { in.Organization = "" }, "the organization is required"},
		{"no standby", func(in *PromoteInput) { in.Standby = activities.GiteaEndpoint{} }, "both regions' Gitea"},
		{"same region", func(in *PromoteInput) { in.Standby.Region = "fsn1" }, "another region than the primary fsn1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newWorkflowEnv()
			env.RegisterWorkflowWithOptions(Promote, workflow.RegisterOptions{Name: PromoteWorkflow})
			in := promoteInput()
			tc.edit(&in)
			env.ExecuteWorkflow(PromoteWorkflow, in)
			var app *temporal.ApplicationError
			require.True(t, errors.As(env.GetWorkflowError(), &app))
			require.Equal(t, ErrInvalidInput, app.Type())
			require.Contains(t, app.Error(), tc.msg)
		})
	}
}
