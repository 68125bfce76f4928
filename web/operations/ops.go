// Package operations is the UI's Temporal side: the state and progress of
// one operation (a workflow), the operations running now, and the live
// stream of an operation's progress (Server-Sent Events).
package operations

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/web/ui"
	"github.com/openova-io/core/workflows"
)

// Operation states, as the UI shows them.
const (
	StateRunning   = "running"
	StateSucceeded = "succeeded"
	StateFailed    = "failed"
	StateCancelled = "cancelled"
	StateNone      = ""
)

// Snapshot is one operation as it stands.
type Snapshot struct {
	ID       string
	RunID    string
	Type     string
	State    string
	Progress workflows.Progress
	// Error and ErrorType are the failure of a failed operation: the
	// workflow's message (already meant for people) and its typed name.
	Error     string
	ErrorType string
	Started   time.Time
	Closed    time.Time
}

// Found reports whether the operation exists.
func (s Snapshot) Found() bool { return s.State != StateNone }

// Ops reads operations through a Temporal client whose data converter
// decrypts payloads on the server: nothing encrypted reaches a browser.
type Ops struct {
	Client client.Client
}

// Snapshot describes the latest run of the workflow id; a missing one is
// a Snapshot that is not Found.
func (o *Ops) Snapshot(ctx context.Context, id string) (Snapshot, error) {
	d, err := o.Client.DescribeWorkflowExecution(ctx, id, "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return Snapshot{ID: id}, nil
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("describe %s: %w", id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	s := Snapshot{ID: id, RunID: info.GetExecution().GetRunId(), Type: info.GetType().GetName(),
		State: stateOf(info.GetStatus()), Started: info.GetStartTime().AsTime()}
	if info.GetCloseTime() != nil {
		s.Closed = info.GetCloseTime().AsTime()
	}
	if q, err := o.Client.QueryWorkflow(ctx, id, s.RunID, workflows.QueryProgress); err == nil {
		_ = q.Get(&s.Progress)
	}
	if s.State == StateFailed || s.State == StateCancelled {
		s.Error, s.ErrorType = o.Failure(ctx, id, s.RunID)
	}
	return s, nil
}

// Failure is the closed run's error as its workflow worded it, and its
// typed name ("" and "" for a run that did not fail).
func (o *Ops) Failure(ctx context.Context, id, runID string) (string, string) {
	err := o.Client.GetWorkflow(ctx, id, runID).Get(ctx, nil)
	if err == nil {
		return "", ""
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message(), app.Type()
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return "cancelled", workflows.ErrCancelled
	}
	var term *temporal.TerminatedError
	if errors.As(err, &term) {
		return "terminated (with the temporal CLI or the Temporal UI)", "Terminated"
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "timed out", "TimedOut"
	}
	return errors.Unwrap(err).Error(), ""
}

func stateOf(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED:
		return StateRunning
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return StateSucceeded
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return StateCancelled
	case enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED:
		return StateNone
	}
	return StateFailed
}

// Timeline is the snapshot as a timeline view model. An operation with no
// run yet is one a page shows because it was asked for (a controller
// starts it within seconds): it is Starting.
func Timeline(title string, s Snapshot) ui.TimelineVM {
	t := ui.TimelineVM{Title: title, State: s.State, Message: s.Error}
	if !s.Found() {
		t.State, t.Message = ui.StateStarting, NotStartedYet
	}
	for _, st := range s.Progress.Steps {
		t.Steps = append(t.Steps, ui.StepVM{Name: st.Name, State: st.State, When: ui.StepTimes(st.Started, st.Finished), Message: st.Message, Markdown: st.Markdown})
	}
	return t
}
