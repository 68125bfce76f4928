package bootstrap

import "time"

// Signals the Bootstrap workflow takes: approve the plans shown in Review;
// retry the step a region is parked on; abort (destroy what the run
// created, then end). Progress.Awaiting names the one it waits for.
const (
	SignalApprove = "approve"
	SignalRetry   = "retry"
	SignalAbort   = "abort"
)

// Step states shown by the progress query (every workflow's).
const (
	StepPending   = "pending"
	StepRunning   = "running"
	StepSucceeded = "succeeded"
	StepFailed    = "failed"
	StepSkipped   = "skipped"
)

// ProgressStep is one line of a workflow's progress: every workflow's
// progress query has them; the Bootstrap's lives here so the wizard reads
// it without the workflows package.
type ProgressStep struct {
	Name  string
	State string
	// Region names the Bootstrap region the step belongs to ("" for the
	// run's own steps and every other workflow's).
	Region   string    `json:",omitempty"`
	Started  time.Time `json:",omitempty"`
	Finished time.Time `json:",omitempty"`
	Message  string    `json:",omitempty"`
	// Markdown says Message is Markdown (an upgrade's changelog), which the
	// pages render rather than show as text.
	Markdown bool `json:",omitempty"`
}

// Progress is the Bootstrap's progress query: the steps as every workflow
// has them, plus what the wizard's Review and progress pages need.
type Progress struct {
	Steps   []ProgressStep
	Regions []RegionProgress
	// Awaiting names the decision the run waits for: SignalApprove, or
	// SignalRetry (with SignalAbort) while a step is parked; "" otherwise.
	Awaiting string `json:",omitempty"`
}

// RegionProgress is one region as the wizard shows it.
type RegionProgress struct {
	Name        string
	Role        string
	Plan        *PlanSummary `json:",omitempty"`
	APIEndpoint string       `json:",omitempty"`
	// Parked is the error of the step the region waits on, and
	// ParkedType its typed name (terraform.ErrQuota, …), from which the
	// wizard says what to fix.
	Parked     string `json:",omitempty"`
	ParkedType string `json:",omitempty"`
	// Steps are the region's own steps, in order (also in Progress.Steps,
	// marked with the region).
	Steps []ProgressStep `json:",omitempty"`
}
