package worker

import (
	"path/filepath"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/workflows"
)

// registry is the part of an SDK worker that registration needs; tests pass
// a replayer or a test environment.
type registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivity(a any)
}

func taskQueue(m Mode) string {
	if m == ModeManager {
		return workflows.TaskQueueManager
	}
	return workflows.TaskQueueBootstrap
}

// register adds the workflows and activities each mode hosts. Both modes
// host the self-check, so an operator can prove either engine end to end.
// The manager's Rollouts activity asks this engine's Temporal client which
// operations run.
func register(r registry, cfg Config, c client.Client) {
	r.RegisterWorkflowWithOptions(workflows.SelfCheck, workflow.RegisterOptions{Name: workflows.SelfCheckWorkflow})
	r.RegisterActivity(&activities.SelfCheck{Dir: filepath.Join(cfg.DataDir, "selfcheck")})
	if cfg.Mode == ModeManager {
		RegisterManagerWorkflows(r)
		r.RegisterActivity(&activities.Rollouts{Workflows: c})
	}
	for _, a := range cfg.Activities {
		r.RegisterActivity(a)
	}
}

// RegisterManagerWorkflows registers the day-2 workflows under their
// constant names; replay tests use it too.
func RegisterManagerWorkflows(r interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}) {
	r.RegisterWorkflowWithOptions(workflows.InstallComponents, workflow.RegisterOptions{Name: workflows.InstallComponentsWorkflow})
	r.RegisterWorkflowWithOptions(workflows.ReleaseComponent, workflow.RegisterOptions{Name: workflows.ReleaseComponentWorkflow})
	r.RegisterWorkflowWithOptions(workflows.UninstallComponent, workflow.RegisterOptions{Name: workflows.UninstallComponentWorkflow})
	r.RegisterWorkflowWithOptions(workflows.UpgradeComponent, workflow.RegisterOptions{Name: workflows.UpgradeComponentWorkflow})
	r.RegisterWorkflowWithOptions(workflows.CheckUpdates, workflow.RegisterOptions{Name: workflows.CheckUpdatesWorkflow})
	r.RegisterWorkflowWithOptions(workflows.ScheduledUpgrade, workflow.RegisterOptions{Name: workflows.ScheduledUpgradeWorkflow})
	r.RegisterWorkflowWithOptions(workflows.UpgradeComponents, workflow.RegisterOptions{Name: workflows.UpgradeComponentsWorkflow})
}
