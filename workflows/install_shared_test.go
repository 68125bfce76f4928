package workflows

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/catalog"
)

// twoInstalls starts two installs that both need "shared", as the Platform
// reconciler does when two components are added in one edit.
func twoInstalls(ctx workflow.Context) ([]InstallComponentsResult, error) {
	start := func(name string) workflow.ChildWorkflowFuture {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: InstallID("acme", name)})
		return workflow.ExecuteChildWorkflow(cctx, InstallComponentsWorkflow, InstallComponentsInput{
			Platform: "acme", Namespace: "ns", Component: name, ReadyTimeout: time.Hour,
		})
	}
	fa, fb := start("a"), start("b")
	out := make([]InstallComponentsResult, 2)
	errA, errB := fa.Get(ctx, &out[0]), fb.Get(ctx, &out[1])
	return out, errors.Join(errA, errB)
}

// A dependency that another install is releasing at that moment is waited
// for, not released twice and not owned: only its releaser would undo it.
func TestInstallComponentsSharesARunningRelease(t *testing.T) {
	f := newFakeCluster(catalog.Plan{})
	f.plans = map[string]catalog.Plan{
		"a": {Layers: [][]catalog.Step{{planStep("shared", catalog.WillInstall)}, {planStep("a", catalog.WillInstall)}}},
		"b": {Layers: [][]catalog.Step{{planStep("shared", catalog.WillInstall)}, {planStep("b", catalog.WillInstall)}}},
	}
	f.readyAfter = time.Minute
	env := f.newEnv()
	env.RegisterWorkflow(twoInstalls)
	env.ExecuteWorkflow(twoInstalls)
	require.NoError(t, env.GetWorkflowError())
	var res []InstallComponentsResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.ElementsMatch(t, []string{"shared", "a", "b"}, f.callsOf("apply "), "shared released once")
	owners := 0
	for _, r := range res {
		for _, n := range r.Installed {
			if n == "shared" {
				owners++
			}
		}
	}
	require.Equal(t, 1, owners, "exactly one install owns shared: %+v", res)
	require.ElementsMatch(t, []string{"shared", "a", "b"}, append(res[0].Installed, res[1].Installed...))
}

// Each step's catalog values reach its release as the base the
// platform's values are merged over; the Component records the
// platform's only.
func TestInstallComponentsReleasesTheCatalogsValues(t *testing.T) {
	gitea := planStep("gitea", catalog.WillInstall)
	gitea.Values = map[string]any{"postgresql-ha": map[string]any{"enabled": false}}
	f := newFakeCluster(catalog.Plan{Layers: [][]catalog.Step{{planStep("cnpg", catalog.WillInstall)}, {gitea}}})
	env := f.newEnv()
	env.ExecuteWorkflow(InstallComponents, InstallComponentsInput{Platform: "acme", Namespace: "ns", Component: "gitea", ReadyTimeout: time.Hour,
		Values: map[string]json.RawMessage{"gitea": json.RawMessage(`{"replicaCount": 2}`)}})
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, f.applied, 2)
	require.Equal(t, "cnpg", f.applied[0].Component)
	require.Nil(t, f.applied[0].Defaults, "a release without catalog values")
	require.Equal(t, "gitea", f.applied[1].Component)
	require.Equal(t, gitea.Values, f.applied[1].Defaults)
	require.JSONEq(t, `{"replicaCount": 2}`, string(f.applied[1].Values), "the platform's values, merged over them in the manifest")
}
