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

func backstagePlan() activities.CheckUpgradeResult {
	return activities.CheckUpgradeResult{
		Plan: catalog.UpgradePlan{Component: "backstage",
			From:    catalog.Version{Version: "v1.30.0"},
			To:      catalog.Version{Version: "v1.31.0", Changelog: "## Backstage 1.31.0\n- new catalog UI"},
			Crosses: []catalog.Version{{Version: "v1.31.0", Changelog: "## Backstage 1.31.0\n- new catalog UI"}}},
		ChartVersion: "2.1.0", FromChartVersion: "2.0.0",
	}
}

// A forward-only release runs its catalog backup after recording what
// runs and before the rollout; a failed backup stops the upgrade with
// nothing changed and nothing to roll back.
func TestUpgradeComponentBacksUpForwardOnlyReleases(t *testing.T) {
	backup := &catalog.Backup{APIVersion: "batch/v1", Kind: "Job", Done: catalog.FieldMatch{Path: "status.succeeded", Equals: "1"}}
	for _, fail := range []bool{false, true} {
		f := newFakeCluster(catalog.Plan{})
		f.upgrade = backstagePlan()
		f.upgrade.Plan.Crosses[0].ForwardOnly, f.upgrade.Plan.Crosses[0].Backup = true, backup
		if fail {
			f.backupErr = temporal.NewNonRetryableApplicationError("backup Job ns/backstage-before-v1-31-0 failed", activities.ErrBackupFailed, nil)
		}
		env := f.newEnv()
		env.ExecuteWorkflow(UpgradeComponent, UpgradeComponentInput{
			Platform: "acme", Namespace: "ns", Component: "backstage", To: "v1.31.0", ConfirmForwardOnly: true, ReadyTimeout: time.Minute,
		})
		require.True(t, env.IsWorkflowCompleted())
		v, err := env.QueryWorkflow(QueryProgress)
		require.NoError(t, err)
		var p Progress
		require.NoError(t, v.Get(&p))
		var names []string
		for _, s := range p.Steps {
			names = append(names, s.Name)
		}
		require.Equal(t, []string{"check compatibility", "record current version", "back up backstage before v1.31.0", "upgrade backstage to v1.31.0"}, names)
		require.Equal(t, []string{"backstage-before-v1-31-0"}, f.callsOf("backup "))
		if !fail {
			require.NoError(t, env.GetWorkflowError())
			require.Equal(t, "2.1.0", f.releases["backstage"])
			continue
		}
		var app *temporal.ApplicationError
		require.True(t, errors.As(env.GetWorkflowError(), &app))
		require.Equal(t, activities.ErrBackupFailed, app.Type())
		require.Empty(t, f.callsOf("apply "), "nothing released after a failed backup")
		require.Empty(t, f.alerts)
	}
}

func TestUpgradeComponent(t *testing.T) {
	cases := []struct {
		name       string
		failChart  string
		checkErr   error
		wantErr    string
		wantType   string
		wantApply  []string // releases applied, in order
		wantAlerts int
	}{
		{name: "upgrades and reports the changelog", wantApply: []string{"2.1.0"}},
		{
			name: "a rollout that never gets Ready rolls back and alerts", failChart: "2.1.0",
			wantErr:   "upgrade backstage v1.30.0 → v1.31.0 failed: backstage not Ready by the deadline: Ready=False ReconcileError: image pull failed; rolled back to v1.30.0",
			wantType:  ErrRolledBack,
			wantApply: []string{"2.1.0", "2.0.0"}, wantAlerts: 1,
		},
		{
			name:     "a refused upgrade changes nothing",
			checkErr: temporal.NewNonRetryableApplicationError("backstage: v1.29.0 is older than the installed v1.30.0", catalog.ErrDowngrade, nil),
			wantErr:  "is older than the installed v1.30.0", wantType: catalog.ErrDowngrade,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCluster(catalog.Plan{})
			f.upgrade, f.upgradeErr = backstagePlan(), tc.checkErr
			f.failChart = map[string]string{"backstage": tc.failChart}
			env := f.newEnv()
			env.ExecuteWorkflow(UpgradeComponent, UpgradeComponentInput{
				Platform: "acme", Namespace: "ns", Component: "backstage", To: "v1.31.0", ReadyTimeout: time.Minute,
			})
			require.True(t, env.IsWorkflowCompleted())
			require.Len(t, f.callsOf("apply "), len(tc.wantApply))
			require.Len(t, f.alerts, tc.wantAlerts)
			err := env.GetWorkflowError()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				var app *temporal.ApplicationError
				require.True(t, errors.As(err, &app))
				require.Equal(t, tc.wantType, app.Type())
				if tc.wantAlerts > 0 {
					require.Equal(t, "2.0.0", f.releases["backstage"], "rolled back to the recorded chart version")
					require.Equal(t, "v1.31.0", f.alerts[0].ToVersion)
					require.Contains(t, f.alerts[0].Reason, "not Ready")
					require.NotEmpty(t, f.callsOf("event UpgradeRolledBack"))
					require.Equal(t, []string{"backstage v1.31.0"}, f.callsOf("mark "), "marked rolled back")
				}
				return
			}
			require.NoError(t, err)
			var res UpgradeComponentResult
			require.NoError(t, env.GetWorkflowResult(&res))
			require.Equal(t, "v1.30.0", res.From)
			require.Equal(t, "v1.31.0", res.To)
			v, err := env.QueryWorkflow(QueryProgress)
			require.NoError(t, err)
			var p Progress
			require.NoError(t, v.Get(&p))
			require.Contains(t, p.Steps[0].Message, "## Backstage 1.31.0")
			require.True(t, p.Steps[0].Markdown, "the changelog is Markdown, for the pages to render")
			require.Equal(t, []string{"backstage "}, f.callsOf("mark "), "an earlier rollback mark is cleared")
		})
	}
}

// A release's catalog values and a chart move reach the release: the
// rollout installs the target's chart with the target's values, and the
// rollback the chart that ran with the values of what ran.
func TestUpgradeComponentReleasesTheCatalogsChartAndValues(t *testing.T) {
	f := newFakeCluster(catalog.Plan{})
	f.upgrade = backstagePlan()
	f.upgrade.Plan.From.Values = map[string]any{"postgresql": map[string]any{"enabled": true}}
	f.upgrade.Plan.To.Values = map[string]any{"postgresql": map[string]any{"enabled": false}}
	f.upgrade.Chart = catalog.Chart{Name: "backstage-ng", Repository: "https://backstage.example.com/charts"}
	f.failChart = map[string]string{"backstage": "2.1.0"}
	env := f.newEnv()
	env.ExecuteWorkflow(UpgradeComponent, UpgradeComponentInput{
		Platform: "acme", Namespace: "ns", Component: "backstage", To: "v1.31.0", ReadyTimeout: time.Minute,
	})
	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, env.GetWorkflowError(), "the rollout fails and is rolled back")
	require.Len(t, f.applied, 2)
	rollout, rollback := f.applied[0], f.applied[1]
	require.Equal(t, "backstage-ng", rollout.Chart, "the target's chart after a chart move")
	require.Equal(t, "https://backstage.example.com/charts", rollout.Repository)
	require.Equal(t, map[string]any{"postgresql": map[string]any{"enabled": false}}, rollout.Defaults)
	require.NotEqual(t, "backstage-ng", rollback.Chart, "the rollback goes back to the chart that ran")
	require.Equal(t, "2.0.0", rollback.Version)
	require.Equal(t, map[string]any{"postgresql": map[string]any{"enabled": true}}, rollback.Defaults, "with the values of what ran")
}
