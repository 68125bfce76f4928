package activities

import (
	"bytes"
	"log/slog"
	"sync"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
)

// activityRun runs activities in Temporal's activity test environment, as
// the worker would, keeping every log line and error message they produce
// (the tests check that no secret is among them).
type activityRun struct {
	env  *testsuite.TestActivityEnvironment
	mu   sync.Mutex
	logs bytes.Buffer
	errs []string
}

func newActivityRun(activities ...any) *activityRun {
	r := &activityRun{}
	var ts testsuite.WorkflowTestSuite
	ts.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(r, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	r.env = ts.NewTestActivityEnvironment()
	for _, a := range activities {
		r.env.RegisterActivity(a)
	}
	return r
}

func (r *activityRun) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.Write(p)
}

// do runs one activity and decodes its result into out.
func (r *activityRun) do(fn, in, out any) error {
	v, err := r.env.ExecuteActivity(fn, in)
	if err != nil {
		r.mu.Lock()
		r.errs = append(r.errs, err.Error())
		r.mu.Unlock()
		return err
	}
	return v.Get(out)
}
