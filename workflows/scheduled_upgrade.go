package workflows

import (
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
)

// ScheduledUpgradeInput is what an upgrade Schedule starts at its time.
type ScheduledUpgradeInput struct {
	Upgrade UpgradeComponentInput
	// Generation is the platform generation that asked for the upgrade
	// (0 when an operator scheduled it): the Platform reconciler reads it
	// from the upgrade's memo, as for the upgrades it starts itself.
	Generation int64 `json:",omitempty"`
}

// ScheduledUpgradeResult is the upgrade's result.
type ScheduledUpgradeResult struct {
	UpgradeComponentResult
	// WaitedFor lists the rollouts of the component that ran when the
	// schedule fired.
	WaitedFor []string `json:",omitempty"`
	// AlreadyAt is set when the component ran the target version already
	// (a late or repeated firing): nothing was upgraded.
	AlreadyAt string `json:",omitempty"`
}

// waitIdleTimeout bounds the wait for other rollouts: each bounds itself
// by its ready timeout, so this is only a backstop.
const waitIdleTimeout = 6 * time.Hour

// ScheduledUpgrade runs when an upgrade's time or maintenance window
// comes: it waits until no other operation of the component runs, then
// runs UpgradeComponent as a child (same ID as an upgrade started now).
// A window upgrades once: when the component already runs the target (the
// schedule fired again in a backfill, or caught up after an outage), the
// run is a successful no-op that says so, and whatever the outcome the
// schedule is deleted when the run ends.
func ScheduledUpgrade(ctx workflow.Context, in ScheduledUpgradeInput) (ScheduledUpgradeResult, error) {
	u := in.Upgrade
	if u.Platform == "" || u.Namespace == "" || u.Component == "" || u.To == "" {
		return ScheduledUpgradeResult{}, temporal.NewNonRetryableApplicationError(
			"platform, namespace, component and target version are required", ErrInvalidInput, nil)
	}
	s := &scheduledUpgrade{in: in, once: workflow.GetVersion(ctx, ChangeScheduledUpgradeOnce, workflow.DefaultVersion, 1) >= 1}
	s.steps.waitIdle = s.progress.add("wait for other rollouts of " + u.Component)
	if s.once {
		s.steps.check = s.progress.add("check which version of " + u.Component + " runs")
	}
	s.steps.upgrade = s.progress.add("upgrade " + u.Component + " to " + u.To)
	if s.once {
		s.steps.forget = s.progress.add("remove the schedule")
	}
	if err := s.progress.serve(ctx); err != nil {
		return ScheduledUpgradeResult{}, err
	}
	// A cancel while waiting stops here; during the upgrade it reaches the
	// child, which rolls itself back.
	err := s.run(cancellable(ctx))
	if s.once {
		s.forget(ctx)
	}
	return s.res, err
}

type scheduledUpgrade struct {
	in ScheduledUpgradeInput
	// once: the code of ChangeScheduledUpgradeOnce (false when replaying
	// a history recorded before it).
	once     bool
	progress Progress
	steps    struct{ waitIdle, check, upgrade, forget step }
	res      ScheduledUpgradeResult
}

func (s *scheduledUpgrade) run(ctx workflow.Context) error {
	if err := s.progress.run(ctx, s.steps.waitIdle, s.waitIdle); err != nil {
		return err
	}
	if s.once {
		if err := s.progress.run(ctx, s.steps.check, s.check); err != nil {
			return err
		}
		if s.res.AlreadyAt != "" {
			s.progress.skip(s.steps.upgrade, "already at "+s.res.AlreadyAt)
			return nil
		}
	}
	return s.progress.run(ctx, s.steps.upgrade, s.upgrade)
}

func (s *scheduledUpgrade) waitIdle(ctx workflow.Context) error {
	var r *activities.Rollouts
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: waitIdleTimeout,
		HeartbeatTimeout:    waitHeartbeat,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 10 * time.Second},
	})
	var out activities.WaitIdleResult
	info := workflow.GetInfo(ctx)
	err := workflow.ExecuteActivity(actx, r.WaitIdle, activities.WaitIdleInput{
		Platform: s.in.Upgrade.Platform, Component: s.in.Upgrade.Component,
		Self: info.WorkflowExecution.ID, StartedAt: info.WorkflowStartTime, Queue: ScheduledUpgradeWorkflow,
	}).Get(ctx, &out)
	s.res.WaitedFor = out.WaitedFor
	if len(out.WaitedFor) > 0 {
		s.progress.note(s.steps.waitIdle, "waited for "+strings.Join(out.WaitedFor, ", "))
	}
	return err
}

// check asks the catalog check the upgrade makes first whether the target
// runs already. Only that answer is acted on here (a no-op); any other
// refusal is left to the upgrade, which reports it as an upgrade's failure
// where the reconciler and the Upgrades page look for it.
func (s *scheduledUpgrade) check(ctx workflow.Context) error {
	u := s.in.Upgrade
	var a *activities.Catalog
	err := workflow.ExecuteActivity(apiCall(ctx), a.CheckUpgrade, activities.CheckUpgradeInput{
		Namespace: u.Namespace, Platform: u.Platform, IndexURL: u.IndexURL,
		Request: catalog.UpgradeRequest{Component: u.Component, To: u.To, ConfirmForwardOnly: u.ConfirmForwardOnly,
			ConfirmUpstream: u.ConfirmUpstream},
	}).Get(ctx, nil)
	var app *temporal.ApplicationError
	switch {
	case errors.As(err, &app) && app.Type() == catalog.ErrAlreadyInstalled:
		s.res.AlreadyAt, s.res.To = u.To, u.To
		s.progress.note(s.steps.check, u.Component+" is already at "+u.To+": nothing to upgrade")
	case err != nil:
		s.progress.note(s.steps.check, "the upgrade checks again: "+rootCause(err))
	default:
		s.progress.note(s.steps.check, u.Component+" is not at "+u.To+" yet")
	}
	return nil
}

func (s *scheduledUpgrade) upgrade(ctx workflow.Context) error {
	u := s.in.Upgrade
	cctx := operation{ID: UpgradeID(u.Platform, u.Component, u.To), Platform: u.Platform, Component: u.Component,
		Operation: OperationUpgrade, Generation: s.in.Generation}.child(ctx)
	return workflow.ExecuteChildWorkflow(cctx, UpgradeComponentWorkflow, u).Get(cctx, &s.res.UpgradeComponentResult)
}

// forget deletes the schedule, on a context a cancel does not reach: a
// schedule that has done its work (or failed it) must not fire again. The
// upgrade's own outcome stands whatever this step does.
func (s *scheduledUpgrade) forget(ctx workflow.Context) {
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	u := s.in.Upgrade
	var a *activities.Schedules
	_ = s.progress.run(ctx, s.steps.forget, func(ctx workflow.Context) error {
		return workflow.ExecuteActivity(apiCall(ctx), a.ForgetSchedule, activities.ForgetScheduleInput{
			ID: ScheduledUpgradeID(u.Platform, u.Component, u.To)}).Get(ctx, nil)
	})
}
