package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
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
}

// waitIdleTimeout bounds the wait for other rollouts: each bounds itself
// by its ready timeout, so this is only a backstop.
const waitIdleTimeout = 6 * time.Hour

// ScheduledUpgrade runs when an upgrade's time or maintenance window
// comes: it waits until no other operation of the component runs, then
// runs UpgradeComponent as a child (same ID as an upgrade started now).
func ScheduledUpgrade(ctx workflow.Context, in ScheduledUpgradeInput) (ScheduledUpgradeResult, error) {
	u := in.Upgrade
	if u.Platform == "" || u.Namespace == "" || u.Component == "" || u.To == "" {
		return ScheduledUpgradeResult{}, temporal.NewNonRetryableApplicationError(
			"platform, namespace, component and target version are required", ErrInvalidInput, nil)
	}
	s := &scheduledUpgrade{in: in}
	s.steps.waitIdle = s.progress.add("wait for other rollouts of " + u.Component)
	s.steps.upgrade = s.progress.add("upgrade " + u.Component + " to " + u.To)
	if err := s.progress.serve(ctx); err != nil {
		return ScheduledUpgradeResult{}, err
	}
	// A cancel while waiting stops here; during the upgrade it reaches the
	// child, which rolls itself back.
	ctx = cancellable(ctx)
	if err := s.progress.run(ctx, s.steps.waitIdle, s.waitIdle); err != nil {
		return s.res, err
	}
	if err := s.progress.run(ctx, s.steps.upgrade, s.upgrade); err != nil {
		return s.res, err
	}
	return s.res, nil
}

type scheduledUpgrade struct {
	in       ScheduledUpgradeInput
	progress Progress
	steps    struct{ waitIdle, upgrade step }
	res      ScheduledUpgradeResult
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

func (s *scheduledUpgrade) upgrade(ctx workflow.Context) error {
	u := s.in.Upgrade
	cctx := operation{ID: UpgradeID(u.Platform, u.Component, u.To), Platform: u.Platform, Component: u.Component,
		Operation: OperationUpgrade, Generation: s.in.Generation}.child(ctx)
	return workflow.ExecuteChildWorkflow(cctx, UpgradeComponentWorkflow, u).Get(cctx, &s.res.UpgradeComponentResult)
}
