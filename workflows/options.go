package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Defaults for component operations; inputs may shorten them (tests) or
// lengthen them (slow charts).
const (
	DefaultReadyTimeout = 15 * time.Minute
	// waitHeartbeat is how long a waiting activity may go silent before
	// Temporal declares its worker lost and retries it elsewhere.
	waitHeartbeat = 10 * time.Second
)

// apiCall is for short calls to the Kubernetes API or a catalog index:
// transient failures retry with backoff for up to ten minutes. The short
// start-to-close bounds how long a call lost in a crash waits before its
// retry.
func apiCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	})
}

// gitCall is for a clone or fetch, commit and push: it may take minutes on
// a large repository, so it heartbeats between steps instead.
func gitCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Minute,
		HeartbeatTimeout:       time.Minute,
		ScheduleToCloseTimeout: 30 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}

// waitUntil is for activities that poll until a deadline and heartbeat; a
// retry (after a lost worker) keeps the same absolute deadline.
func waitUntil(ctx workflow.Context, timeout time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout + time.Minute,
		HeartbeatTimeout:    waitHeartbeat,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Second,
		},
	})
}

// orDefault returns d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
