package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// operation names a child workflow that acts on one component (or, with no
// component, on the whole platform): its deterministic ID, the search
// attributes the audit view filters on and, when a platform generation
// asked for it, the memo the Platform reconciler follows it by.
type operation struct {
	ID        string
	Platform  string
	Component string
	Operation string
	// Generation is the platform generation that asked (0: an operator).
	Generation int64
}

// child returns ctx with the options every child operation runs with. A
// cancelled child is waited for until it has ended (WaitForCancellation;
// SDK v1.50 resolves a child's future only when the child closes in any
// case, and says so explicitly here): its compensation (an undo, a
// rollback) finishes before the parent moves on, and the parent never
// starts a workflow with the same ID while its own child still runs.
func (o operation) child(ctx workflow.Context) workflow.Context {
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            o.ID,
		TaskQueue:             TaskQueueManager,
		TypedSearchAttributes: OperationAttributes(o.Platform, o.Component, o.Operation),
		WaitForCancellation:   true,
	}
	if o.Generation != 0 {
		opts.Memo = map[string]any{MemoPlatformGeneration: o.Generation}
	}
	return workflow.WithChildOptions(ctx, opts)
}

// cancellable returns a context that the cancel signal cancels, as a
// Temporal cancel request does: every long-running operation accepts
// `cancel` (the UI, `temporal workflow signal --name cancel`), and each
// decides what cancelled means for it (an install undoes, an upgrade rolls
// back) on a disconnected context.
func cancellable(ctx workflow.Context) workflow.Context {
	ctx, cancel := workflow.WithCancel(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		workflow.GetSignalChannel(ctx, SignalCancel).Receive(ctx, nil)
		cancel()
	})
	return ctx
}
