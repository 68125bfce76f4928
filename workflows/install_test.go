package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
)

func mongoPlan() catalog.Plan {
	return catalog.Plan{Layers: [][]catalog.Step{
		{planStep("redpanda", catalog.WillInstall)},
		{planStep("debezium", catalog.WillInstall)},
		{planStep("mongodb", catalog.WillInstall)},
	}}
}

func TestInstallComponents(t *testing.T) {
	gitops := Delivery{Mode: "GitOps", Git: activities.GitTarget{URL: "https://git.example/p.git", Branch: "main", Path: "platform"}}
	cases := []struct {
		name         string
		plan         catalog.Plan
		delivery     Delivery
		neverReady   string
		wantErr      string
		wantApplied  []string // release writes, in order
		wantUndone   []string // deletes, in order
		wantInstall  []string
		wantSkipped  []string
		wantReleases int
	}{
		{
			name: "dependencies first, layer by layer", plan: mongoPlan(),
			wantApplied: []string{"redpanda", "debezium", "mongodb"}, wantInstall: []string{"redpanda", "debezium", "mongodb"},
			wantReleases: 3,
		},
		{
			name: "already installed ones are skipped",
			plan: catalog.Plan{Layers: [][]catalog.Step{
				{planStep("cnpg", catalog.AlreadyInstalled), planStep("kserve", catalog.WillInstall), planStep("knative", catalog.WillInstall)},
				{planStep("ai-hub", catalog.WillInstall), planStep("neo4j", catalog.OptionalOffered)},
			}},
			wantInstall: []string{"kserve", "knative", "ai-hub"}, wantSkipped: []string{"cnpg"}, wantReleases: 3,
		},
		{
			name: "a component that never becomes Ready undoes the run in reverse order", plan: mongoPlan(), neverReady: "mongodb",
			wantErr:    "install mongodb failed: release mongodb: mongodb not Ready by the deadline: Ready=False ReconcileError: image pull failed; undone: mongodb, debezium, redpanda",
			wantUndone: []string{"mongodb", "debezium", "redpanda"},
		},
		{
			name: "a failed dependency stops before its dependents", plan: mongoPlan(), neverReady: "redpanda",
			wantErr: "release redpanda", wantApplied: []string{"redpanda"}, wantUndone: []string{"redpanda"},
		},
		{
			name: "GitOps mode commits instead of applying", plan: mongoPlan(), delivery: gitops,
			wantInstall: []string{"redpanda", "debezium", "mongodb"}, wantReleases: 3,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCluster(tc.plan)
			if tc.neverReady != "" {
				f.neverReady[tc.neverReady] = true
			}
			env := f.newEnv()
			env.ExecuteWorkflow(InstallComponents, InstallComponentsInput{
				Platform: "acme", Namespace: "openova-system", Component: "mongodb", Delivery: tc.delivery, ReadyTimeout: time.Minute,
			})
			require.True(t, env.IsWorkflowCompleted())
			err := env.GetWorkflowError()
			if tc.wantErr != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.wantErr)
				var app *temporal.ApplicationError
				require.True(t, errors.As(err, &app))
				require.Equal(t, ErrInstallFailed, app.Type())
				require.Equal(t, tc.wantUndone, f.callsOf("delete "))
				if tc.wantApplied != nil {
					require.Equal(t, tc.wantApplied, f.callsOf("apply "))
				}
				require.Empty(t, f.releases, "the platform is as before")
				require.Empty(t, f.components, "the platform is as before")
				require.NotEmpty(t, f.callsOf("event InstallFailed"))
				return
			}
			require.NoError(t, err)
			var res InstallComponentsResult
			require.NoError(t, env.GetWorkflowResult(&res))
			require.Equal(t, tc.wantInstall, res.Installed)
			require.Equal(t, tc.wantSkipped, res.AlreadyInstalled)
			require.Len(t, f.releases, tc.wantReleases)
			if tc.wantApplied != nil {
				require.Equal(t, tc.wantApplied, f.callsOf("apply "))
			}
			if tc.delivery.GitOps() {
				require.Empty(t, f.callsOf("apply "))
				require.Equal(t, 3, f.commits)
				require.Len(t, f.callsOf("exists "), 3)
			}
		})
	}
}

func TestInstallComponentsRejectsBadInput(t *testing.T) {
	f := newFakeCluster(catalog.Plan{})
	env := f.newEnv()
	env.ExecuteWorkflow(InstallComponents, InstallComponentsInput{Platform: "acme"})
	require.ErrorContains(t, env.GetWorkflowError(), "platform, namespace and component are required")
}

func TestInstallComponentsReportsResolveErrors(t *testing.T) {
	f := newFakeCluster(catalog.Plan{})
	f.resolveErr = temporal.NewNonRetryableApplicationError("ai-hub → cnpg → x: unknown component x", catalog.ErrUnknownComponent, nil)
	env := f.newEnv()
	env.ExecuteWorkflow(InstallComponents, InstallComponentsInput{Platform: "acme", Namespace: "ns", Component: "ai-hub"})
	err := env.GetWorkflowError()
	require.ErrorContains(t, err, "ai-hub → cnpg → x: unknown component x")
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app))
	require.Equal(t, catalog.ErrUnknownComponent, app.Type())
}

func TestInstallComponentsCancelUndoes(t *testing.T) {
	f := newFakeCluster(mongoPlan())
	f.readyAfter = time.Minute
	env := f.newEnv()
	// The cancel signal arrives while redpanda is released (the first
	// layer); the run stops there and removes what it wrote.
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalCancel, nil) }, time.Second)
	env.ExecuteWorkflow(InstallComponents, InstallComponentsInput{Platform: "acme", Namespace: "ns", Component: "mongodb"})
	err := env.GetWorkflowError()
	require.Error(t, err)
	require.Contains(t, err.Error(), "release redpanda: cancelled; undone: redpanda")
	require.Empty(t, f.callsOf("apply debezium"))
	require.Empty(t, f.releases)
	require.Empty(t, f.components)
}

func TestInstallComponentsProgress(t *testing.T) {
	f := newFakeCluster(mongoPlan())
	env := f.newEnv()
	env.ExecuteWorkflow(InstallComponents, InstallComponentsInput{Platform: "acme", Namespace: "ns", Component: "mongodb"})
	require.NoError(t, env.GetWorkflowError())
	v, err := env.QueryWorkflow(QueryProgress)
	require.NoError(t, err)
	var p Progress
	require.NoError(t, v.Get(&p))
	var names []string
	for _, s := range p.Steps {
		require.Equal(t, StepSucceeded, s.State, s.Name)
		names = append(names, s.Name)
	}
	require.Equal(t, []string{"resolve plan for mongodb", "release redpanda v1.0.0", "release debezium v1.0.0", "release mongodb v1.0.0"}, names)
}
