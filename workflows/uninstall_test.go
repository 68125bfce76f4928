package workflows

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/catalog"
)

func TestUninstallComponent(t *testing.T) {
	cases := []struct {
		name       string
		dependents []string
		wantErr    string
		wantCalls  []string
	}{
		{name: "removes release then component", wantCalls: []string{"delete redpanda", "gone redpanda", "remove component redpanda"}},
		{
			name: "refuses while an installed component needs it", dependents: []string{"debezium", "mongodb"},
			wantErr: "cannot uninstall redpanda: debezium, mongodb still require it; uninstall debezium, mongodb first",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCluster(catalog.Plan{})
			f.releases["redpanda"] = "v1.0.0"
			f.components["redpanda"] = true
			f.dependents["redpanda"] = tc.dependents
			env := f.newEnv()
			env.ExecuteWorkflow(UninstallComponent, UninstallComponentInput{Platform: "acme", Namespace: "ns", Component: "redpanda"})
			err := env.GetWorkflowError()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				var app *temporal.ApplicationError
				require.True(t, errors.As(err, &app))
				require.Equal(t, ErrStillRequired, app.Type())
				require.Contains(t, f.releases, "redpanda", "nothing was deleted")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantCalls, f.calls)
			require.Empty(t, f.releases)
		})
	}
}
