package workflows

import (
	"context"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/crds/v1alpha1"
)

// EditPlatform commits the change once and says so; an edit Git has
// already is shown as such; a file that does not hold the Platform ends
// the run with the activity's own words.
func TestEditPlatform(t *testing.T) {
	in := EditPlatformInput{Git: activities.GitTarget{URL: "https://198.51.100.1:3000/acme/platform.git", Branch: "main", SecretRef: "openova-git"},
		File: "clusters/fsn1/platform.yaml", Platform: "acme", Entry: v1alpha1.ComponentRef{Name: "mongodb", Version: "8.0.3"},
		Actor: "ops", Message: "openova: install mongodb on acme"}
	for _, tc := range []struct {
		name    string
		res     activities.EditPlatformResult
		err     error
		message string
	}{
		{"committed", activities.EditPlatformResult{Commit: "0123456789abcdef0123", Changed: true}, nil, "committed 0123456789ab"},
		{"already in Git", activities.EditPlatformResult{Commit: "0123456789abcdef0123"}, nil, "already in Git at 0123456789ab"},
		{"no such file", activities.EditPlatformResult{}, temporal.NewNonRetryableApplicationError(
			"the platform repository has no clusters/fsn1/platform.yaml", activities.ErrPlatformFile, nil), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newWorkflowEnv()
			var g *activities.Git
			calls := 0
			env.OnActivity(g.EditPlatform, mock.Anything, mock.Anything).Return(
				func(_ context.Context, got activities.EditPlatformInput) (activities.EditPlatformResult, error) {
					calls++
					require.Equal(t, in, got)
					return tc.res, tc.err
				})
			env.ExecuteWorkflow(EditPlatform, in)
			require.Equal(t, 1, calls)
			if tc.err != nil {
				require.ErrorContains(t, env.GetWorkflowError(), "has no clusters/fsn1/platform.yaml")
				return
			}
			require.NoError(t, env.GetWorkflowError())
			var res EditPlatformResult
			require.NoError(t, env.GetWorkflowResult(&res))
			require.Equal(t, tc.res, res)
			v, err := env.QueryWorkflow(QueryProgress)
			require.NoError(t, err)
			var p Progress
			require.NoError(t, v.Get(&p))
			require.Equal(t, "commit mongodb to clusters/fsn1/platform.yaml", p.Steps[0].Name)
			require.Equal(t, StepSucceeded, p.Steps[0].State)
			require.Equal(t, tc.message, p.Steps[0].Message)
		})
	}
}

// A Settings page edit is the same commit, named as the settings'.
func TestEditPlatformSettings(t *testing.T) {
	in := EditPlatformInput{Git: activities.GitTarget{URL: "https://198.51.100.1:3000/acme/platform.git", Branch: "main"},
		File: "clusters/fsn1/platform.yaml", Platform: "acme", Actor: "ops", Message: "openova: change the settings on platform acme",
		Settings: &PlatformSettings{Window: &v1alpha1.MaintenanceWindow{Days: []string{"Saturday"}, Start: "02:00", TimeZone: "UTC"}}}
	env := newWorkflowEnv()
	var g *activities.Git
	env.OnActivity(g.EditPlatform, mock.Anything, mock.Anything).Return(
		func(_ context.Context, got activities.EditPlatformInput) (activities.EditPlatformResult, error) {
			require.Equal(t, in, got)
			return activities.EditPlatformResult{Commit: "0123456789abcdef0123", Changed: true}, nil
		})
	env.ExecuteWorkflow(EditPlatform, in)
	require.NoError(t, env.GetWorkflowError())
	v, err := env.QueryWorkflow(QueryProgress)
	require.NoError(t, err)
	var p Progress
	require.NoError(t, v.Get(&p))
	require.Equal(t, "commit the settings to clusters/fsn1/platform.yaml", p.Steps[0].Name)
}
