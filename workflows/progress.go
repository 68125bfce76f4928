package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/bootstrap"
)

// Step states shown by the progress query.
const (
	StepPending   = bootstrap.StepPending
	StepRunning   = bootstrap.StepRunning
	StepSucceeded = bootstrap.StepSucceeded
	StepFailed    = bootstrap.StepFailed
	StepSkipped   = bootstrap.StepSkipped
)

// Progress is what every workflow's progress query returns; the UI renders it
// and the stock CLI shows it with `temporal workflow query --type progress`.
type Progress struct {
	Steps []ProgressStep
}

// ProgressStep is one line of a workflow's progress (package bootstrap
// defines it, so the wizard reads the Bootstrap's without this package).
type ProgressStep = bootstrap.ProgressStep

// step is a handle on one line of a Progress, returned by add. Workflow code
// keeps the handles of its steps by name, so what a step means never
// depends on where it sits in the list.
type step int

// add appends a pending step and returns its handle.
func (p *Progress) add(name string) step {
	p.Steps = append(p.Steps, ProgressStep{Name: name, State: StepPending})
	return step(len(p.Steps) - 1)
}

// start marks s running and logs it, so the steps show live in the logs as
// in the progress query (the workflow logger is silent on replay).
func (p *Progress) start(ctx workflow.Context, s step) {
	p.Steps[s].State = StepRunning
	p.Steps[s].Started = workflow.Now(ctx)
	workflow.GetLogger(ctx).Info("step started", "step", p.Steps[s].Name)
}

// finish marks s done, failed when err is set. The log line names the step
// only: failure messages may quote inputs, and stay in the (encrypted)
// history.
func (p *Progress) finish(ctx workflow.Context, s step, err error) {
	p.Steps[s].Finished = workflow.Now(ctx)
	if err != nil {
		p.Steps[s].State = StepFailed
		p.Steps[s].Message = err.Error()
		workflow.GetLogger(ctx).Warn("step failed", "step", p.Steps[s].Name)
		return
	}
	p.Steps[s].State = StepSucceeded
	workflow.GetLogger(ctx).Info("step succeeded", "step", p.Steps[s].Name)
}

// run executes fn as step s, with its start, end and outcome recorded.
func (p *Progress) run(ctx workflow.Context, s step, fn func(workflow.Context) error) error {
	p.start(ctx, s)
	err := fn(ctx)
	p.finish(ctx, s, err)
	return err
}

// note sets the message of s (a summary once it has run).
func (p *Progress) note(s step, msg string) { p.Steps[s].Message = msg }

// noteMarkdown sets s's message to Markdown (a changelog).
func (p *Progress) noteMarkdown(s step, msg string) {
	p.Steps[s].Message, p.Steps[s].Markdown = msg, msg != ""
}

// skip marks s as not needed, with why.
func (p *Progress) skip(s step, why string) {
	p.Steps[s].State = StepSkipped
	p.Steps[s].Message = why
}

// serve answers the progress query with p as it stands, for the whole run.
func (p *Progress) serve(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (Progress, error) { return *p, nil }); err != nil {
		return fmt.Errorf("register progress query: %w", err)
	}
	return nil
}
