package workflows

import "time"

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

// start marks step i running at now.
func (p *Progress) start(i int, now time.Time) {
	p.Steps[i].State = StepRunning
	p.Steps[i].Started = now
}

// finish marks step i done at now, failed when err is set.
func (p *Progress) finish(i int, now time.Time, err error) {
	p.Steps[i].Finished = now
	if err != nil {
		p.Steps[i].State = StepFailed
		p.Steps[i].Message = err.Error()
		return
	}
	p.Steps[i].State = StepSucceeded
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
