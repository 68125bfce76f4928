package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

func TestCheckUpdates(t *testing.T) {
	const down = "helm index https://grafana.github.io/helm-charts/index.yaml: HTTP 503"
	found := activities.CheckUpdatesResult{Components: []activities.ComponentUpdates{
		{Name: "backstage", Installed: "v1.30.0", Available: []v1alpha1.AvailableVersion{{Version: "v1.31.0", Source: v1alpha1.SourceCatalog}}},
		{Name: "grafana", Installed: "v11.3.0", IndexError: down},
		{Name: "loki", Installed: "v3.1.0", IndexError: down},
		{Name: "valkey", Installed: "v8.0.0"},
	}}
	cases := []struct {
		name      string
		in        CheckUpdatesInput
		checkErr  error
		want      CheckUpdatesResult
		wantErr   string
		wantType  string
		wantWrite bool
		wantSteps []string // states
	}{
		{
			name: "records what every source offers", in: CheckUpdatesInput{Platform: "acme", Namespace: "ns"}, wantWrite: true,
			want:      CheckUpdatesResult{Components: 4, UpgradesAvailable: 2, IndexErrors: []string{down}},
			wantSteps: []string{StepSucceeded, StepSucceeded},
		},
		{
			name: "a bad catalog index writes nothing", in: CheckUpdatesInput{Platform: "acme", Namespace: "ns", IndexURL: "https://idx.example/index.yaml"},
			checkErr: temporal.NewNonRetryableApplicationError("catalog index https://idx.example/index.yaml: apiVersion", catalog.ErrInvalidCatalog, nil),
			wantErr:  "apiVersion", wantType: catalog.ErrInvalidCatalog, wantSteps: []string{StepFailed, StepPending},
		},
		{name: "platform is required", in: CheckUpdatesInput{Namespace: "ns"}, wantErr: "required", wantType: ErrInvalidInput},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCluster(catalog.Plan{})
			env := f.newEnv()
			var (
				a      *activities.Catalog
				k      *activities.Kubernetes
				writes []activities.WriteAvailableVersionsInput
			)
			env.OnActivity(a.CheckUpdates, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.CheckUpdatesInput) (activities.CheckUpdatesResult, error) {
					require.Equal(t, activities.CheckUpdatesInput{Namespace: tc.in.Namespace, Platform: tc.in.Platform, IndexURL: tc.in.IndexURL}, in)
					return found, tc.checkErr
				})
			env.OnActivity(k.WriteAvailableVersions, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.WriteAvailableVersionsInput) (activities.WriteAvailableVersionsResult, error) {
					writes = append(writes, in)
					// 2, not 1: grafana kept its last known Helm release, which the writer counts
					return activities.WriteAvailableVersionsResult{Changed: 2, WithUpgrades: 2}, nil
				})
			env.ExecuteWorkflow(CheckUpdates, tc.in)
			require.True(t, env.IsWorkflowCompleted())

			if tc.wantWrite {
				require.Len(t, writes, 1)
				require.Equal(t, "ns", writes[0].Namespace)
				require.Equal(t, found.Components, writes[0].Updates)
				require.False(t, writes[0].CheckedAt.IsZero())
			} else {
				require.Empty(t, writes)
			}
			if tc.wantErr != "" {
				err := env.GetWorkflowError()
				require.ErrorContains(t, err, tc.wantErr)
				var app *temporal.ApplicationError
				require.True(t, errors.As(err, &app))
				require.Equal(t, tc.wantType, app.Type())
			} else {
				require.NoError(t, env.GetWorkflowError())
				var res CheckUpdatesResult
				require.NoError(t, env.GetWorkflowResult(&res))
				require.Equal(t, tc.want, res)
			}
			if tc.wantSteps == nil {
				return
			}
			v, err := env.QueryWorkflow(QueryProgress)
			require.NoError(t, err)
			var p Progress
			require.NoError(t, v.Get(&p))
			var states []string
			for _, s := range p.Steps {
				states = append(states, s.State)
			}
			require.Equal(t, tc.wantSteps, states)
			if tc.wantWrite {
				require.Equal(t, "4 components checked, Helm repositories unreadable: 1", p.Steps[0].Message)
				require.Equal(t, "2 components have newer versions", p.Steps[1].Message)
			}
		})
	}
}
