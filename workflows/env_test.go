package workflows

import (
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
)

// stuckBound is how long the test environment lets a workflow task run,
// and wait for the next callback, before it calls the workflow stuck. The
// SDK's defaults (1 s of task, 3 s of wait) measure the machine, not the
// workflow: on a loaded CI machine a task that never blocks took longer
// than 1 s and was reported as a deadlock. A truly stuck workflow still
// fails, after this bound.
const stuckBound = 2 * time.Minute

// newWorkflowEnv is every workflow test's environment.
func newWorkflowEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: stuckBound})
	env.SetTestTimeout(stuckBound)
	return env
}
