package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
)

// SelfCheckInput asks for a self-check run. Zero values give a quick check of
// five steps.
type SelfCheckInput struct {
	Steps            int
	Note             string
	StepHold         time.Duration
	FailFirstAttempt bool
}

// SelfCheckResult lists the receipt of every step's side effect.
type SelfCheckResult struct {
	Receipts []activities.StepReceipt
}

// Limits that keep a self-check cheap however it is started.
const (
	defaultSelfCheckSteps = 5
	maxSelfCheckSteps     = 50
	maxSelfCheckHold      = 10 * time.Minute
)

// SelfCheck runs a chain of journaled steps. Operators start it (UI, or
// `temporal workflow start --type SelfCheck`) to prove that the engine on this
// machine persists, retries, resumes after a crash and encrypts.
func SelfCheck(ctx workflow.Context, in SelfCheckInput) (SelfCheckResult, error) {
	s, err := newSelfCheck(in)
	if err != nil {
		return SelfCheckResult{}, err
	}
	if err := s.progress.serve(ctx); err != nil {
		return SelfCheckResult{}, err
	}
	return s.run(cancellable(ctx))
}

type selfCheck struct {
	in       SelfCheckInput
	progress Progress
	steps    []step // one per journaled step, in order
}

func newSelfCheck(in SelfCheckInput) (*selfCheck, error) {
	if in.Steps == 0 {
		in.Steps = defaultSelfCheckSteps
	}
	if in.Steps < 0 || in.Steps > maxSelfCheckSteps {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("steps must be between 1 and %d, got %d", maxSelfCheckSteps, in.Steps), ErrInvalidInput, nil)
	}
	if in.StepHold < 0 || in.StepHold > maxSelfCheckHold {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("step hold must be between 0 and %s, got %s", maxSelfCheckHold, in.StepHold), ErrInvalidInput, nil)
	}
	s := &selfCheck{in: in}
	for i := range in.Steps {
		s.steps = append(s.steps, s.progress.add(fmt.Sprintf("step %d", i+1)))
	}
	return s, nil
}

func (s *selfCheck) run(ctx workflow.Context) (SelfCheckResult, error) {
	var res SelfCheckResult
	for i := range s.in.Steps {
		r, err := s.step(ctx, i)
		if err != nil {
			return res, err
		}
		res.Receipts = append(res.Receipts, r)
	}
	return res, nil
}

func (s *selfCheck) step(ctx workflow.Context, i int) (activities.StepReceipt, error) {
	var a *activities.SelfCheck
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: s.in.StepHold + time.Minute,
		HeartbeatTimeout:    5 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    200 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Second,
		},
	})
	s.progress.start(ctx, s.steps[i])
	var r activities.StepReceipt
	err := workflow.ExecuteActivity(ctx, a.Step, activities.StepInput{
		Index: i + 1, Note: s.in.Note, Hold: s.in.StepHold, FailFirstAttempt: s.in.FailFirstAttempt,
	}).Get(ctx, &r)
	s.progress.finish(ctx, s.steps[i], err)
	if err != nil {
		return r, fmt.Errorf("self-check step %d: %w", i+1, err)
	}
	return r, nil
}
