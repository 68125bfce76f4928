package workflows

// Workflows of each mode by their constant names: the one list the worker
// registers, the replay test replays against and the workflow tests run,
// so a workflow added here is hosted, replayed and tested alike.

// BootstrapWorkflows are what a bootstrap worker hosts.
func BootstrapWorkflows() map[string]any {
	return map[string]any{SelfCheckWorkflow: SelfCheck, BootstrapWorkflow: Bootstrap, PromoteWorkflow: Promote,
		ChangeInfrastructureWorkflow: ChangeInfrastructure}
}

// ManagerWorkflows are what a manager worker hosts: the day-2 operations,
// and the self-check that proves the engine (both modes host it).
func ManagerWorkflows() map[string]any {
	return map[string]any{
		SelfCheckWorkflow:          SelfCheck,
		InstallComponentsWorkflow:  InstallComponents,
		ReleaseComponentWorkflow:   ReleaseComponent,
		UninstallComponentWorkflow: UninstallComponent,
		UpgradeComponentWorkflow:   UpgradeComponent,
		CheckUpdatesWorkflow:       CheckUpdates,
		ScheduledUpgradeWorkflow:   ScheduledUpgrade,
		UpgradeComponentsWorkflow:  UpgradeComponents,
		EditPlatformWorkflow:       EditPlatform,
	}
}

// AllWorkflows are every workflow of every mode, for replaying histories.
func AllWorkflows() map[string]any {
	all := ManagerWorkflows()
	for name, fn := range BootstrapWorkflows() {
		all[name] = fn
	}
	return all
}
