package v1alpha1

// Condition types, shared by Platform and Component (kstatus-compatible:
// Ready, Reconciling and Stalled are what kstatus and Flux read).
const (
	ConditionReady       = "Ready"
	ConditionReconciling = "Reconciling"
	ConditionStalled     = "Stalled"
	ConditionRolledBack  = "RolledBack"
	// ConditionUpdatesChecked says whether the last CheckUpdates run could
	// read every source of newer versions.
	ConditionUpdatesChecked = "UpdatesChecked"
	// ConditionUpgradeScheduled says which version bumps of a Platform wait
	// for its maintenance window, and when it opens.
	ConditionUpgradeScheduled = "UpgradeScheduled"
	// ConditionSubstrateAdopted says whether a Platform's AnnotationSubstrate
	// (what its bootstrap installed) could be read and adopted.
	ConditionSubstrateAdopted = "SubstrateAdopted"
	// ConditionWorkloadsAvailable says whether an adopted Component's
	// workloads are available (an adopted component has no release).
	ConditionWorkloadsAvailable = "WorkloadsAvailable"
)

// Phases shown in `kubectl get`.
const (
	PhasePending    = "Pending"
	PhaseInstalling = "Installing"
	PhaseRunning    = "Running"
	PhaseFailed     = "Failed"
)

// Health values of a component.
const (
	HealthHealthy     = "Healthy"
	HealthProgressing = "Progressing"
	HealthDegraded    = "Degraded"
	HealthUnknown     = "Unknown"
)

// Labels that tie objects to their platform and component.
const (
	LabelPlatform  = "openova.io/platform"
	LabelComponent = "openova.io/component"
)

// Delivery modes of a platform.
const (
	DeliveryDirect = "Direct"
	DeliveryGitOps = "GitOps"
)
