package worker

import (
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/openova-io/core/workflows"
)

// recorder is a registry that remembers what was registered.
type recorder struct {
	workflows  []string
	activities []string
}

func (r *recorder) RegisterWorkflowWithOptions(_ any, o workflow.RegisterOptions) {
	r.workflows = append(r.workflows, o.Name)
}

func (r *recorder) RegisterActivity(a any) { r.activities = append(r.activities, fmt.Sprintf("%T", a)) }

// Each mode registers its workflows under their constant names and builds
// its activities from typed dependencies; bootstrap hosts no manager work.
func TestRegisterPerMode(t *testing.T) {
	cases := []struct {
		name           string
		cfg            Config
		wantWorkflows  map[string]any
		wantActivities []string
	}{
		{name: "bootstrap", cfg: Config{Mode: ModeBootstrap, DataDir: t.TempDir()},
			wantWorkflows: workflows.BootstrapWorkflows(), wantActivities: []string{"*activities.SelfCheck"}},
		{name: "manager", cfg: Config{Mode: ModeManager, DataDir: t.TempDir(), Manager: &ManagerDeps{
			Kube: fake.NewClientBuilder().Build(), Namespace: "openova-system", AlertmanagerURL: "http://am:9093"}},
			wantWorkflows: workflows.ManagerWorkflows(), wantActivities: []string{
				"*activities.SelfCheck", "*activities.Rollouts", "*activities.Schedules", "*activities.Crossplane", "*activities.Kubernetes",
				"*activities.Catalog", "*activities.Git", "*activities.Alerts"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r recorder
			Register(&r, tc.cfg, nil)
			var want []string
			for name := range tc.wantWorkflows {
				want = append(want, name)
			}
			sort.Strings(want)
			require.Equal(t, want, r.workflows, "sorted, each once")
			require.Equal(t, tc.wantActivities, r.activities)
		})
	}
	require.Len(t, workflows.ManagerWorkflows(), 9)
	require.Contains(t, workflows.AllWorkflows(), workflows.SelfCheckWorkflow)
}
