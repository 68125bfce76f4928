package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Step states shown by the progress query.
const (
	StepPending   = "pending"
	StepRunning   = "running"
	StepSucceeded = "succeeded"
	StepFailed    = "failed"
	StepSkipped   = "skipped"
)

// Progress is what every workflow's progress query returns; the UI renders it
// and the stock CLI shows it with `temporal workflow query --type progress`.
type Progress struct {
	Steps []ProgressStep
}

// ProgressStep is one line of a workflow's progress.
type ProgressStep struct {
	Name     string
	State    string
	Started  time.Time `json:",omitempty"`
	Finished time.Time `json:",omitempty"`
	Message  string    `json:",omitempty"`
}

// start marks step i running and logs it, so the steps show live in the
// logs as in the progress query (the workflow logger is silent on replay).
func (p *Progress) start(ctx workflow.Context, i int) {
	p.Steps[i].State = StepRunning
	p.Steps[i].Started = workflow.Now(ctx)
	workflow.GetLogger(ctx).Info("step started", "step", p.Steps[i].Name)
}

// finish marks step i done, failed when err is set. The log line names the
// step only: failure messages may quote inputs, and stay in the (encrypted)
// history.
func (p *Progress) finish(ctx workflow.Context, i int, err error) {
	p.Steps[i].Finished = workflow.Now(ctx)
	if err != nil {
		p.Steps[i].State = StepFailed
		p.Steps[i].Message = err.Error()
		workflow.GetLogger(ctx).Warn("step failed", "step", p.Steps[i].Name)
		return
	}
	p.Steps[i].State = StepSucceeded
	workflow.GetLogger(ctx).Info("step succeeded", "step", p.Steps[i].Name)
}

// run executes fn as step i, with its start, end and outcome recorded.
func (p *Progress) run(ctx workflow.Context, i int, fn func(workflow.Context) error) error {
	p.start(ctx, i)
	err := fn(ctx)
	p.finish(ctx, i, err)
	return err
}

// serve answers the progress query with p as it stands, for the whole run.
func (p *Progress) serve(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (Progress, error) { return *p, nil }); err != nil {
		return fmt.Errorf("register progress query: %w", err)
	}
	return nil
}

// add appends a pending step and returns its index.
func (p *Progress) add(name string) int {
	p.Steps = append(p.Steps, ProgressStep{Name: name, State: StepPending})
	return len(p.Steps) - 1
}

// skip marks step i as not needed, with why.
func (p *Progress) skip(i int, why string) {
	p.Steps[i].State = StepSkipped
	p.Steps[i].Message = why
}
