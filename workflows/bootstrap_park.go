package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// errAbort ends the run's phases when the user aborts or cancels.
var errAbort = errors.New("aborted")

// listen records the decisions the signals carry for the whole run. abort
// and cancel also cancel the running steps, so an apply stops (tofu is
// interrupted and saves its state) before the destroy.
func (b *bootstrapRun) listen(ctx workflow.Context, stopWork func()) {
	approve := workflow.GetSignalChannel(ctx, SignalApprove)
	retry := workflow.GetSignalChannel(ctx, SignalRetry)
	abort := workflow.GetSignalChannel(ctx, SignalAbort)
	cancel := workflow.GetSignalChannel(ctx, SignalCancel)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			sel := workflow.NewSelector(ctx)
			sel.AddReceive(approve, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); b.approved = true })
			sel.AddReceive(retry, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); b.retries++ })
			stop := func(c workflow.ReceiveChannel, _ bool) {
				c.Receive(ctx, nil)
				if !b.aborted {
					b.aborted = true
					stopWork()
				}
			}
			sel.AddReceive(abort, stop)
			sel.AddReceive(cancel, stop)
			sel.Select(ctx)
		}
	})
}

// attempt runs a region's step until it succeeds. A failure parks the
// region with its message until retry (the step runs again) or abort.
func (b *bootstrapRun) attempt(ctx workflow.Context, r *region, s step, fn func(workflow.Context) error) error {
	for {
		err := b.progress.run(ctx, s, fn)
		if err == nil {
			return nil
		}
		if b.aborted || ctx.Err() != nil {
			return errAbort
		}
		r.parked, r.parkedType = failureMessage(err), failureType(err)
		seen := b.retries
		err = workflow.Await(ctx, func() bool { return b.retries > seen || b.aborted })
		r.parked, r.parkedType = "", ""
		if err != nil || b.aborted {
			return errAbort
		}
	}
}

// failureMessage is what the user reads of a failed step: the
// application error's own message, without the SDK's wrapping.
func failureMessage(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.Message() != "" {
		return ae.Message() // what failed, without Temporal's "(type: …, retryable: …)"
	}
	return err.Error()
}

// end finishes a run that stopped: after an abort or a cancel it destroys
// every region an apply touched, in a context the cancel does not reach;
// a destroy that fails parks until retry.
func (b *bootstrapRun) end(ctx workflow.Context, err error) error {
	if !errors.Is(err, errAbort) && !temporal.IsCanceledError(err) {
		return err
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	var destroyed []string
	for _, r := range b.regions {
		if !r.touched {
			continue
		}
		s := r.addStep("destroy " + r.spec.Name)
		b.aborted = false // a parked destroy waits for retry, not abort
		if derr := b.attempt(dctx, r, s, r.destroy); derr != nil {
			return derr
		}
		destroyed = append(destroyed, r.spec.Name)
	}
	msg := "the bootstrap was aborted before anything was created"
	if len(destroyed) > 0 {
		msg = fmt.Sprintf("the bootstrap was aborted; what it created in %s was destroyed", strings.Join(destroyed, " and "))
	}
	return temporal.NewNonRetryableApplicationError(msg, ErrAborted, nil)
}

// failureType is the failed step's typed error name ("" when it has none),
// so the page can say what fixes it.
func failureType(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Type()
	}
	return ""
}
