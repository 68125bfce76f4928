package ui

import (
	"time"

	"github.com/a-h/templ"
)

// ProblemVM is a failure explained: title, message, what to do.
type ProblemVM struct {
	Title   string
	Message string
	Hint    string
	Back    string
}

// TimelineVM is one operation's progress.
type TimelineVM struct {
	Title string
	// State is running, succeeded, failed, cancelled or unknown.
	State   string
	Steps   []StepVM
	Message string
}

// StateLabel is the badge text of the operation's state.
// Timeline states beside Temporal's: an operation asked for whose run does
// not exist yet (a controller starts it within seconds), and a run that
// waits for the operator's Retry or Abort after a step failed.
const (
	StateStarting = "starting"
	StateParked   = "parked"
	// StateAwaiting is a run that waits for the operator's approval of its
	// plans: nothing runs until then.
	StateAwaiting = "awaiting"
)

func (t TimelineVM) StateLabel() string {
	switch t.State {
	case "running":
		return "Running"
	case "succeeded":
		return "Succeeded"
	case "failed":
		return "Failed"
	case "cancelled":
		return "Cancelled"
	case StateStarting:
		return "Starting"
	case StateParked:
		return "Parked"
	case StateAwaiting:
		return "Awaiting approval"
	case "aborted":
		return "Aborted"
	}
	return "Unknown"
}

// StepVM is one line of a timeline.
type StepVM struct {
	Name    string
	State   string
	When    string
	Message string
	// Markdown: Message is Markdown (a changelog), rendered.
	Markdown bool
}

// StepTimes formats a step's start and end the way timelines show them.
func StepTimes(started, finished time.Time) string {
	switch {
	case started.IsZero():
		return ""
	case finished.IsZero():
		return "since " + started.UTC().Format("15:04:05")
	}
	return started.UTC().Format("15:04:05") + "–" + finished.UTC().Format("15:04:05") + " (" + finished.Sub(started).Round(time.Second).String() + ")"
}

// LiveVM is a timeline kept current from StreamURL; when the operation
// ends, DoneURL replaces DoneTarget (or the page loads DoneURL).
type LiveVM struct {
	ID         string
	StreamURL  string
	DoneURL    string
	DoneTarget string
	Timeline   TimelineVM
}

// CardVM is one component in a list.
type CardVM struct {
	Name        string
	Title       string
	Description string
	Version     string
	Status      string
	Installed   bool
	Upgrade     string
	UpgradeURL  string
	InstallURL  string
	// Required: the platform needs this component and does not run it
	// (a mandatory one missing), so its install is no option to weigh.
	Required     bool
	UninstallURL string
	Live         *LiveVM
	Problem      string
}

// badgeKind maps a status word to its colour class.
func badgeKind(status string) string {
	switch status {
	case "Healthy", "Succeeded", "Installed", "Ready":
		return "ok"
	case "Installing", "Upgrading", "Uninstalling", "Running", "Pending", "Scheduled", "Rolling back", "Starting", "Awaiting approval":
		return "info"
	case "Degraded", "RolledBack", "Rolled back", "Paused", "Cancelled", "Missing", "Parked", "Aborted":
		return "warn"
	case "Failed", "Unhealthy", "Error":
		return "bad"
	}
	return "muted"
}

// Invalid marks a field with an error for assistive technology (and
// Pico's red outline); a valid field carries no mark at all.
func Invalid(msg string) templ.Attributes {
	if msg != "" {
		return templ.Attributes{"aria-invalid": "true"}
	}
	return templ.Attributes{}
}
