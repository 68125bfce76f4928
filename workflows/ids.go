// Package workflows holds deterministic workflow code only. Every name that
// crosses the process boundary (workflow IDs, task queues, query and signal
// names, search attributes) is a constant here, so the UI, the controllers and
// operators using the stock temporal CLI all speak the same names.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/bootstrap"
)

// Task queues: one per mode, so a bootstrap worker never picks up day-2 work.
const (
	TaskQueueBootstrap = "openova-bootstrap"
	TaskQueueManager   = "openova-manager"
)

// Query and signal names shared by every workflow.
const (
	QueryProgress = "progress"
	SignalCancel  = "cancel"
)

// Signals of the Bootstrap workflow: approve the plans shown in Review;
// retry the step a region is parked on; abort (destroy what this run
// created, then end).
const (
	SignalApprove = bootstrap.SignalApprove
	SignalRetry   = bootstrap.SignalRetry
	SignalAbort   = bootstrap.SignalAbort
)

// Workflow type names, registered explicitly so that renaming a Go function
// never silently changes what running histories call.
const (
	SelfCheckWorkflow            = "SelfCheck"
	InstallComponentsWorkflow    = "InstallComponents"
	ReleaseComponentWorkflow     = "ReleaseComponent"
	UninstallComponentWorkflow   = "UninstallComponent"
	UpgradeComponentWorkflow     = "UpgradeComponent"
	ScheduledUpgradeWorkflow     = "ScheduledUpgrade"
	UpgradeComponentsWorkflow    = "UpgradeComponents"
	CheckUpdatesWorkflow         = "CheckUpdates"
	BootstrapWorkflow            = "Bootstrap"
	PromoteWorkflow              = "Promote"
	EditPlatformWorkflow         = "EditPlatform"
	ChangeInfrastructureWorkflow = "ChangeInfrastructure"
)

// Operation values of the OpenovaOperation search attribute.
const (
	OperationInstall      = "install"
	OperationRelease      = "release"
	OperationUninstall    = "uninstall"
	OperationUpgrade      = "upgrade"
	OperationCheckUpdates = "check-updates"
	OperationBootstrap    = "bootstrap"
	OperationPromote      = "promote"
	// OperationEdit is a UI change committed to a Platform that Flux
	// applies from Git (EditPlatform).
	OperationEdit = "edit"
	// OperationChange is a change to a built platform's infrastructure
	// (ChangeInfrastructure).
	OperationChange = "infrastructure-change"
	// OperationScheduledUpgrade marks upgrade Schedules and the runs they start.
	OperationScheduledUpgrade = "scheduled-upgrade"
)

// Error types of permanent failures, so the UI and the controllers can say
// what to do. Catalog errors (DependencyCycle, UnknownComponent, ...) use
// the kinds of package catalog; activities' own (InvalidRelease,
// ReleaseNotReady, ...) pass through unchanged.
const (
	// ErrInvalidInput: a workflow input misses a required field.
	ErrInvalidInput = "InvalidInput"
	// ErrStillRequired: an uninstall refused while an installed component depends on it.
	ErrStillRequired = "StillRequired"
	// ErrInstallFailed: an install failed (or was cancelled) and was undone.
	ErrInstallFailed = "InstallFailed"
	// ErrRolledBack: an upgrade failed (or was cancelled) and was rolled back.
	ErrRolledBack = "RolledBack"
	// ErrUpgradesStopped: a multi-component upgrade stopped at a failed,
	// rolled-back component.
	ErrUpgradesStopped = "UpgradesStopped"
	// ErrCancelled: an operation was cancelled before it changed anything.
	ErrCancelled = "Cancelled"
	// ErrNoGatewayAddress: a provider module reserved a link gateway's
	// address but its gateway_ipv4 output is empty.
	ErrNoGatewayAddress = "NoGatewayAddress"
	// ErrNoChart: the components the bootstrap resolved hold no chart for a
	// piece of the substrate it installs.
	ErrNoChart = "NoChart"
	// ErrAborted: a bootstrap was aborted or cancelled and what it created
	// was destroyed.
	ErrAborted = "Aborted"
	// ErrNotApproved: a bootstrap's plans were not approved in time;
	// nothing was created.
	ErrNotApproved = "NotApproved"
	// ErrAdoptedNotUpgradable: an upgrade of a component the bootstrap
	// installed where a change by the manager would not last (Cilium's
	// HelmChart, which k3s applies again at every start).
	ErrAdoptedNotUpgradable = "AdoptedNotUpgradable"
	// ErrPrimaryNotReached: a promotion fenced the old primary off but it
	// never answered, so the mirror was not turned.
	ErrPrimaryNotReached = "PrimaryNotReached"
)

// Prefixes of the deterministic workflow and schedule IDs, so a list
// filtered by operation (`temporal workflow list --query 'WorkflowId
// STARTS_WITH "upgrade/"'`) uses the same strings as the code.
const (
	PrefixInstall          = "install/"
	PrefixRelease          = "release/"
	PrefixUninstall        = "uninstall/"
	PrefixUpgrade          = "upgrade/"
	PrefixUpgrades         = "upgrades/"
	PrefixCheckUpdates     = "check-updates/"
	PrefixScheduledUpgrade = "upgrade-at/"
	PrefixSelfCheck        = "selfcheck/"
	PrefixBootstrap        = "bootstrap/"
	PrefixPromote          = "promote/"
	PrefixEdit             = "edit/"
	PrefixChange           = "change/"
)

// Custom search attributes the UI filters on. They are registered by the
// worker package on every start; values are plain (indexed), so never put a
// secret in one.
var (
	SearchAttrPlatform  = temporal.NewSearchAttributeKeyKeyword("OpenovaPlatform")
	SearchAttrComponent = temporal.NewSearchAttributeKeyKeyword("OpenovaComponent")
	SearchAttrOperation = temporal.NewSearchAttributeKeyKeyword("OpenovaOperation")
)

// SearchAttributes lists the custom search attributes, for registration.
func SearchAttributes() []temporal.SearchAttributeKey {
	return []temporal.SearchAttributeKey{SearchAttrPlatform, SearchAttrComponent, SearchAttrOperation}
}

// OperationAttributes are the search attributes of one operation: every
// workflow and schedule the manager starts carries them, so the audit view
// and `temporal workflow list --query` filter on the same values. An empty
// component (a platform-wide operation) is left out.
func OperationAttributes(platform, component, operation string) temporal.SearchAttributes {
	updates := []temporal.SearchAttributeUpdate{SearchAttrPlatform.ValueSet(platform), SearchAttrOperation.ValueSet(operation)}
	if component != "" {
		updates = append(updates, SearchAttrComponent.ValueSet(component))
	}
	return temporal.NewSearchAttributes(updates...)
}

// InstallID is the workflow ID of installing a component (and its missing
// dependencies) on a platform: a second start attaches to the running one.
func InstallID(platform, component string) string { return PrefixInstall + platform + "/" + component }

// ReleaseID is the workflow ID of releasing one component.
func ReleaseID(platform, component string) string { return PrefixRelease + platform + "/" + component }

// UninstallID is the workflow ID of uninstalling one component.
func UninstallID(platform, component string) string {
	return PrefixUninstall + platform + "/" + component
}

// UpgradeID is the workflow ID of upgrading a component to one version:
// asking twice for the same upgrade attaches to the running one.
func UpgradeID(platform, component, to string) string {
	return PrefixUpgrade + platform + "/" + component + "/" + to
}

// CheckUpdatesID is the ID of the Temporal Schedule that checks a
// platform's components for newer versions, and the prefix of the IDs of
// the workflows it starts.
func CheckUpdatesID(platform string) string { return PrefixCheckUpdates + platform }

// UpgradesID is the workflow ID of upgrading several components of a
// platform at once: one such run per platform at a time.
func UpgradesID(platform string) string { return PrefixUpgrades + platform }

// MemoComponents is the memo key listing the components of an
// UpgradeComponents run, so the Platform reconciler knows what it covers.
const MemoComponents = "components"

// ScheduledUpgradeID is the ID of the Schedule that upgrades a component
// to one version at a time or in a maintenance window (and the prefix of
// the IDs of the ScheduledUpgrade runs it starts).
func ScheduledUpgradeID(platform, component, to string) string {
	return PrefixScheduledUpgrade + platform + "/" + component + "/" + to
}

// MemoPlatformGeneration is the memo key holding the platform generation
// an operation was started for.
const MemoPlatformGeneration = "platformGeneration"

// MemoActor is the memo key naming who caused an operation: the user
// signed in to the UI, or the field manager (kubectl, a GitOps controller)
// that changed the Platform.
const MemoActor = "actor"

// EditID is the workflow ID of one UI change to a component's entry of a
// Platform kept in Git; at tells one change from the next.
func EditID(platform, component string, at time.Time) string {
	return PrefixEdit + platform + "/" + component + "/" + at.UTC().Format("20060102T150405.000000000Z")
}

// EditSettingsSubject stands for the component in the EditID of a
// Settings page edit (no component is named "settings": the catalog's
// names are its components').
const EditSettingsSubject = "settings"

// SelfCheckID is the workflow ID of a named self-check run.
func SelfCheckID(name string) string { return PrefixSelfCheck + name }

// BootstrapID is the workflow ID of bootstrapping an organization's
// platform: a second start (a reloaded wizard) attaches to the running one.
func BootstrapID(organization string) string { return PrefixBootstrap + organization }

// ChangeID is the workflow ID of changing an organization's built
// infrastructure: one change at a time, a reloaded page attaches to it.
func ChangeID(organization string) string { return PrefixChange + organization }

// PromoteID is the workflow ID of promoting an organization's standby
// Gitea: one promotion at a time.
func PromoteID(organization string) string { return PrefixPromote + organization }

// Change IDs of workflow.GetVersion: a workflow whose code changed keeps
// replaying the histories recorded before the change.
const (
	// ChangeScheduledUpgradeOnce: a ScheduledUpgrade checks which version
	// runs before it upgrades (the target already there is a no-op) and
	// deletes its Schedule when it ends, so a window upgrades once.
	ChangeScheduledUpgradeOnce = "scheduled-upgrade-once"
	// ChangeBootstrapSubstrate: a Bootstrap with two regions reserves the
	// gateways' addresses and makes the WireGuard link before it applies,
	// passes Cilium and the link to the module, and after the API answers
	// installs the substrate: Cilium's check, Gitea, Flux, the platform
	// repository with its push mirror, and Crossplane.
	ChangeBootstrapSubstrate = "bootstrap-substrate"
	// ChangeBootstrapManager: a Bootstrap checks before approval that its
	// executable can be the manager's image, and once the substrate is
	// ready pushes that image to each region's Gitea, deploys the
	// manager in the primary through Flux, and waits until it answers.
	ChangeBootstrapManager = "bootstrap-manager"
	// ChangeBootstrapHandOff: once the manager answers, a Bootstrap gives
	// it a Git token for the platform repository and commits the Platform
	// (the chosen components, GitOps, the substrate listed for adoption),
	// waiting until Flux has applied it.
	ChangeBootstrapHandOff = "bootstrap-handoff"
)

// Names the Bootstrap gives what it makes in each region's Gitea.
const (
	// PlatformRepository is the repository Flux syncs (clusters/<region>/).
	PlatformRepository = "platform"
	// FluxTokenName is the read-only token Flux pulls the repository with.
	// RegistryTokenName is the read-only package token the manager's
	// nodes pull its image with (the Deployment's imagePullSecret).
	RegistryTokenName = "openova-registry"
	// RecoveryTokenName is the primary Gitea's site admin token the
	// recovery bundle holds.
	RecoveryTokenName = "openova-recovery"
	// ManagerGitTokenName is the manager's token for its GitOps commits
	// to the platform repository (write:repository).
	ManagerGitTokenName = "openova-manager-git"
	FluxTokenName       = "openova-flux"
)
