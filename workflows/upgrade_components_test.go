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

func upgradePlan(name, from, to, chart, fromChart string) activities.CheckUpgradeResult {
	return activities.CheckUpgradeResult{
		Plan: catalog.UpgradePlan{Component: name, From: catalog.Version{Version: from}, To: catalog.Version{Version: to},
			Crosses: []catalog.Version{{Version: to}}},
		ChartVersion: chart, FromChartVersion: fromChart,
	}
}

// Several components go one at a time in the order OrderUpgrades gives;
// the first failure rolls back that component only and leaves the rest.
func TestUpgradeComponents(t *testing.T) {
	cases := []struct {
		name        string
		failChart   map[string]string
		wantChecks  []string // UpgradeComponent children, in order
		wantCharts  map[string]string
		wantErr     string
		wantSkipped []string
	}{
		{
			name:       "all upgrade, dependencies first",
			wantChecks: []string{"redpanda", "debezium", "mongodb"},
			wantCharts: map[string]string{"redpanda": "5.9.5", "debezium": "2.7.1", "mongodb": "16.2.0"},
		},
		{
			name:       "the first failure stops the rest and rolls back only itself",
			failChart:  map[string]string{"debezium": "2.7.1"},
			wantChecks: []string{"redpanda", "debezium"},
			// redpanda stays upgraded, debezium is back on its old chart, mongodb untouched
			wantCharts:  map[string]string{"redpanda": "5.9.5", "debezium": "2.7.0"},
			wantErr:     "upgrade debezium v2.7.0 → v2.7.1 failed",
			wantSkipped: []string{"mongodb"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCluster(catalog.Plan{})
			f.order = []string{"redpanda", "debezium", "mongodb"}
			f.upgrades = map[string]activities.CheckUpgradeResult{
				"redpanda": upgradePlan("redpanda", "v24.2.0", "v24.2.1", "5.9.5", "5.9.4"),
				"debezium": upgradePlan("debezium", "v2.7.0", "v2.7.1", "2.7.1", "2.7.0"),
				"mongodb":  upgradePlan("mongodb", "v8.0.0", "v8.0.1", "16.2.0", "16.1.0"),
			}
			f.failChart = tc.failChart
			env := f.newEnv()
			env.ExecuteWorkflow(UpgradeComponents, UpgradeComponentsInput{
				Platform: "acme", Namespace: "ns", ReadyTimeout: time.Minute, Generation: 3,
				Targets: []UpgradeTarget{{Component: "mongodb", To: "v8.0.1"}, {Component: "redpanda", To: "v24.2.1"}, {Component: "debezium", To: "v2.7.1"}},
			})
			require.True(t, env.IsWorkflowCompleted())
			require.Equal(t, tc.wantChecks, f.callsOf("check "))
			require.Equal(t, tc.wantCharts, f.releases)
			v, err := env.QueryWorkflow(QueryProgress)
			require.NoError(t, err)
			var p Progress
			require.NoError(t, v.Get(&p))
			require.Equal(t, "upgrade redpanda to v24.2.1", p.Steps[1].Name)
			if tc.wantErr == "" {
				require.NoError(t, env.GetWorkflowError())
				var res UpgradeComponentsResult
				require.NoError(t, env.GetWorkflowResult(&res))
				require.Len(t, res.Upgraded, 3)
				return
			}
			err = env.GetWorkflowError()
			var app *temporal.ApplicationError
			require.True(t, errors.As(err, &app), "%v", err)
			require.Equal(t, ErrUpgradesStopped, app.Type())
			require.Contains(t, app.Message(), tc.wantErr)
			require.Contains(t, app.Message(), "rolled back to v2.7.0; not upgraded: mongodb")
			require.Equal(t, StepSkipped, p.Steps[3].State)
			require.Len(t, f.alerts, 1)
		})
	}
}
