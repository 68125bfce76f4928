package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"

	"github.com/openova-io/core/crds/v1alpha1"
)

// UpgradeComponentInput asks to move one installed component to a version.
type UpgradeComponentInput struct {
	Platform           string
	Namespace          string
	Component          string
	To                 string
	ConfirmForwardOnly bool
	// ConfirmUpstream accepts the risk of an upstream release not in the
	// catalog (catalog.UpstreamRisk).
	ConfirmUpstream bool   `json:",omitempty"`
	IndexURL        string `json:",omitempty"`
	Delivery        Delivery
	// ReadyTimeout bounds the rollout and the rollback (default 15 min).
	ReadyTimeout time.Duration
}

// UpgradeComponentResult says where the component ended.
type UpgradeComponentResult struct {
	From      string
	To        string
	Changelog []catalog.Version
}

// UpgradeComponent checks the upgrade against the catalog, records what
// runs now, releases the new version and watches the rollout; if it does
// not become Ready by the deadline, or the run is cancelled during the
// rollout, it releases the recorded version again, waits until that is
// Ready and raises an alert. A cancel before the rollout stops it with
// nothing changed; a cancel during the rollback does not stop the rollback.
func UpgradeComponent(ctx workflow.Context, in UpgradeComponentInput) (UpgradeComponentResult, error) {
	if in.Platform == "" || in.Namespace == "" || in.Component == "" || in.To == "" {
		return UpgradeComponentResult{}, temporal.NewNonRetryableApplicationError(
			"platform, namespace, component and target version are required", ErrInvalidInput, nil)
	}
	u := &upgrade{in: in}
	u.steps.check = u.progress.add("check compatibility")
	u.steps.record = u.progress.add("record current version")
	if err := u.progress.serve(ctx); err != nil {
		return UpgradeComponentResult{}, err
	}
	return u.run(cancellable(ctx))
}

type upgrade struct {
	in       UpgradeComponentInput
	progress Progress
	steps    struct {
		check, record step
		// backups run before the rollout, one per forward-only release
		// crossed; known once the check has run.
		backups []backupStep
		rollout step
	}
	check   activities.CheckUpgradeResult
	current activities.ReadComponentResult
}

type backupStep struct {
	step step
	run  func(workflow.Context) error
}

// run goes step by step. Until the rollout nothing has changed, so a
// failure or a cancel there simply stops; once the rollout has started,
// either ends in a rollback.
func (u *upgrade) run(ctx workflow.Context) (UpgradeComponentResult, error) {
	if err := u.progress.run(ctx, u.steps.check, u.checkCompatibility); err != nil {
		return UpgradeComponentResult{}, u.stopped(err)
	}
	for _, v := range u.check.Plan.Crosses {
		if v.Backup != nil {
			u.steps.backups = append(u.steps.backups, backupStep{
				step: u.progress.add(fmt.Sprintf("back up %s before %s", u.in.Component, v.Version)),
				run:  u.backup(v.Version, *v.Backup),
			})
		}
	}
	u.steps.rollout = u.progress.add("upgrade " + u.in.Component + " to " + u.in.To)
	if err := u.progress.run(ctx, u.steps.record, u.record); err != nil {
		return UpgradeComponentResult{}, u.stopped(err)
	}
	for _, b := range u.steps.backups {
		if err := u.progress.run(ctx, b.step, b.run); err != nil {
			return UpgradeComponentResult{}, u.stopped(err)
		}
	}
	if err := u.progress.run(ctx, u.steps.rollout, u.rollout); err != nil {
		return u.result(), u.rollback(ctx, err)
	}
	return u.result(), nil
}

// stopped is the failure of a step before the rollout: a cancel becomes a
// Cancelled error that says nothing changed; anything else is reported as
// it is.
func (u *upgrade) stopped(err error) error {
	if temporal.IsCanceledError(err) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"upgrade %s to %s cancelled before the rollout; nothing changed", u.in.Component, u.in.To), ErrCancelled, nil)
	}
	return err
}

// backup runs the catalog's backup of a forward-only release; a backup
// that fails or times out stops the upgrade before anything changed.
func (u *upgrade) backup(version string, b catalog.Backup) func(workflow.Context) error {
	return func(ctx workflow.Context) error {
		var k *activities.Kubernetes
		timeout := b.TimeoutOrDefault()
		return workflow.ExecuteActivity(waitUntil(ctx, timeout), k.RunBackup, activities.RunBackupInput{
			Namespace: u.in.Namespace, Platform: u.in.Platform, Component: u.in.Component, Version: version,
			Backup: b, Deadline: workflow.Now(ctx).Add(timeout),
		}).Get(ctx, nil)
	}
}

func (u *upgrade) result() UpgradeComponentResult {
	return UpgradeComponentResult{From: u.check.Plan.From.Version, To: u.check.Plan.To.Version, Changelog: u.check.Plan.Crosses}
}

func (u *upgrade) checkCompatibility(ctx workflow.Context) error {
	var a *activities.Catalog
	err := workflow.ExecuteActivity(apiCall(ctx), a.CheckUpgrade, activities.CheckUpgradeInput{
		Namespace: u.in.Namespace, Platform: u.in.Platform, IndexURL: u.in.IndexURL,
		Request: catalog.UpgradeRequest{Component: u.in.Component, To: u.in.To, ConfirmForwardOnly: u.in.ConfirmForwardOnly,
			ConfirmUpstream: u.in.ConfirmUpstream},
	}).Get(ctx, &u.check)
	if err != nil {
		return err
	}
	// The changelog shows in the progress query, where the operator looks.
	msg := ""
	for _, v := range u.check.Plan.Crosses {
		msg += v.Changelog
	}
	u.progress.noteMarkdown(u.steps.check, msg)
	return nil
}

func (u *upgrade) record(ctx workflow.Context) error {
	var k *activities.Kubernetes
	err := workflow.ExecuteActivity(apiCall(ctx), k.ReadComponent, activities.ReadComponentInput{
		Namespace: u.in.Namespace, Name: u.in.Component,
	}).Get(ctx, &u.current)
	if err != nil {
		return err
	}
	return u.adoptedRefusal()
}

// release runs ReleaseComponent at one version with the recorded values
// (an adopted component: releaseAdopted).
// A release of the component that still runs (one this run did not start:
// its own children are waited for when cancelled) is waited out a bounded
// number of times instead of failing the rollback on the ID.
func (u *upgrade) release(ctx workflow.Context, to releaseTarget) error {
	if u.current.Adopted != nil {
		return u.releaseAdopted(ctx, to.version, to.chartVersion)
	}
	cctx := operation{ID: ReleaseID(u.in.Platform, u.in.Component), Platform: u.in.Platform,
		Component: u.in.Component, Operation: OperationRelease}.child(ctx)
	spec := u.current.ComponentSpec
	spec.Version, spec.ChartVersion = to.version, to.chartVersion
	if to.chart.Name != "" { // a chart move; rollbacks keep the chart that ran
		spec.Chart, spec.Repository = to.chart.Name, to.chart.Repository
	}
	in := ReleaseComponentInput{
		Platform: u.in.Platform, Namespace: u.in.Namespace, Component: u.in.Component,
		ComponentSpec: spec, CatalogValues: to.values,
		Delivery: u.in.Delivery, ReadyTimeout: u.in.ReadyTimeout,
	}
	for attempt := 1; ; attempt++ {
		err := workflow.ExecuteChildWorkflow(cctx, ReleaseComponentWorkflow, in).Get(cctx, nil)
		if !temporal.IsWorkflowExecutionAlreadyStartedError(err) || attempt == releaseBusyAttempts {
			return err
		}
		if err := workflow.Sleep(ctx, releaseBusyWait); err != nil {
			return err
		}
	}
}

// releaseTarget is what one release of the upgrade installs: the version,
// its chart version, the chart when it moved (empty: the one that runs),
// and the catalog's values for that version.
type releaseTarget struct {
	version, chartVersion string
	chart                 catalog.Chart
	values                map[string]any
}

// How long a release waits for another release of the same component to
// end before it gives up: 60 × 10 s, well past a release's usual minutes.
const (
	releaseBusyAttempts = 60
	releaseBusyWait     = 10 * time.Second
)

func (u *upgrade) rollout(ctx workflow.Context) error {
	to := releaseTarget{version: u.check.Plan.To.Version, chartVersion: u.check.ChartVersion,
		chart: u.check.Chart, values: u.check.Plan.To.Values}
	if err := u.release(ctx, to); err != nil {
		return err
	}
	// A successful upgrade clears the mark of an earlier rollback.
	return u.mark(ctx, activities.MarkRolledBackInput{Clear: true})
}

// mark sets or clears the Component's rolled-back annotation, which its
// reconciler shows as the RolledBack condition.
func (u *upgrade) mark(ctx workflow.Context, in activities.MarkRolledBackInput) error {
	var k *activities.Kubernetes
	in.Namespace, in.Name = u.in.Namespace, u.in.Component
	return workflow.ExecuteActivity(apiCall(ctx), k.MarkRolledBack, in).Get(ctx, nil)
}

// rollback releases the recorded version again on a context the cancel
// does not reach (a cancel during the rollback cannot stop it), then
// alerts; it returns the failure to report.
func (u *upgrade) rollback(ctx workflow.Context, cause error) error {
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	from, to := u.current.Version, u.check.Plan.To.Version
	err := u.progress.run(ctx, u.progress.add("roll back "+u.in.Component+" to "+from), func(ctx workflow.Context) error {
		return u.release(ctx, releaseTarget{version: from, chartVersion: u.check.FromChartVersion, values: u.check.Plan.From.Values})
	})
	reason := rootCause(cause)
	what := "failed: " + reason
	if temporal.IsCanceledError(cause) {
		what = "cancelled"
	}
	msg := fmt.Sprintf("upgrade %s %s → %s %s; rolled back to %s", u.in.Component, from, to, what, from)
	if err != nil {
		msg = fmt.Sprintf("upgrade %s %s → %s %s; rollback to %s failed too: %s", u.in.Component, from, to, what, from, rootCause(err))
	}
	if err == nil {
		_ = u.mark(ctx, activities.MarkRolledBackInput{RolledBack: v1alpha1.RolledBack{
			From: from, To: to, Reason: reason, At: workflow.Now(ctx)}})
	}
	alert := u.progress.add("raise alert")
	u.progress.start(ctx, alert)
	var al *activities.Alerts
	var sent activities.RaiseAlertResult
	aerr := workflow.ExecuteActivity(apiCall(ctx), al.RaiseAlert, activities.RaiseAlertInput{
		Platform: u.in.Platform, Namespace: u.in.Namespace, Component: u.in.Component,
		FromVersion: from, ToVersion: to, Reason: reason, At: workflow.Now(ctx),
	}).Get(ctx, &sent)
	var k *activities.Kubernetes
	_ = workflow.ExecuteActivity(apiCall(ctx), k.RecordEvent, activities.RecordEventInput{
		Namespace: u.in.Namespace, Platform: u.in.Platform, Warning: true, Reason: "UpgradeRolledBack", Message: msg,
	}).Get(ctx, nil)
	u.progress.finish(ctx, alert, aerr)
	if aerr == nil {
		u.progress.note(alert, alertNote(sent))
	}
	return temporal.NewNonRetryableApplicationError(msg, ErrRolledBack, nil)
}

// alertNote says where the rollback alert went, for the progress and the
// Upgrades page.
func alertNote(sent activities.RaiseAlertResult) string {
	switch {
	case sent.Alertmanager && sent.Webhook:
		return "sent to Alertmanager and the webhook"
	case sent.Alertmanager:
		return "sent to Alertmanager"
	case sent.Webhook:
		return "sent to the webhook"
	}
	return "no receiver configured (--alertmanager-url, --alert-webhook-url)"
}
