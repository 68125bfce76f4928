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
	s.progress.add("wait for other rollouts of " + u.Component)
	s.progress.add("upgrade " + u.Component + " to " + u.To)
	if err := s.progress.serve(ctx); err != nil {
		return ScheduledUpgradeResult{}, err
	}
	for i, fn := range []func(workflow.Context) error{s.waitIdle, s.upgrade} {
		if err := s.progress.run(ctx, i, fn); err != nil {
			return s.res, err
		}
	}
	return s.res, nil
}

type scheduledUpgrade struct {
	in       ScheduledUpgradeInput
	progress Progress
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
		s.progress.Steps[0].Message = "waited for " + strings.Join(out.WaitedFor, ", ")
	}
	return err
}

func (s *scheduledUpgrade) upgrade(ctx workflow.Context) error {
	u := s.in.Upgrade
	opts := workflow.ChildWorkflowOptions{
		WorkflowID: UpgradeID(u.Platform, u.Component, u.To),
		TaskQueue:  TaskQueueManager,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			SearchAttrPlatform.ValueSet(u.Platform), SearchAttrComponent.ValueSet(u.Component),
			SearchAttrOperation.ValueSet(OperationUpgrade)),
	}
	if s.in.Generation != 0 {
		opts.Memo = map[string]any{MemoPlatformGeneration: s.in.Generation}
	}
	cctx := workflow.WithChildOptions(ctx, opts)
	return workflow.ExecuteChildWorkflow(cctx, UpgradeComponentWorkflow, u).Get(cctx, &s.res.UpgradeComponentResult)
}
