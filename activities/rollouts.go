package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
)

// Rollouts answers, from Temporal's own visibility, whether a component
// has an operation running: a maintenance window that opens during
// another rollout of the same component waits for it instead of racing it.
type Rollouts struct {
	// Workflows lists executions (the worker's Temporal client).
	Workflows interface {
		ListWorkflow(ctx context.Context, request *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
	}
	// Poll is how often to look again (2 s when 0).
	Poll time.Duration
}

// WaitIdleInput names the component; workflows of the Ignore types (the
// scheduled upgrades themselves, which only wait) do not count.
type WaitIdleInput struct {
	Platform  string
	Component string
	Ignore    []string `json:",omitempty"`
}

// WaitIdleResult lists what was waited for, for the progress message.
type WaitIdleResult struct {
	WaitedFor []string `json:",omitempty"`
}

// WaitIdle polls until no workflow of the component runs, heartbeating
// what it waits for; it has no deadline of its own (the activity's
// timeout bounds it), because a rollout bounds itself.
func (r *Rollouts) WaitIdle(ctx context.Context, in WaitIdleInput) (WaitIdleResult, error) {
	query := fmt.Sprintf("OpenovaPlatform = '%s' AND OpenovaComponent = '%s' AND ExecutionStatus = 'Running'", in.Platform, in.Component)
	for _, t := range in.Ignore {
		query += fmt.Sprintf(" AND WorkflowType != '%s'", t)
	}
	poll := r.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	var res WaitIdleResult
	seen := map[string]bool{}
	for {
		resp, err := r.Workflows.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			return res, fmt.Errorf("list running workflows of %s/%s: %w", in.Platform, in.Component, err)
		}
		var running []string
		for _, e := range resp.GetExecutions() {
			id := e.GetExecution().GetWorkflowId()
			running = append(running, id)
			if !seen[id] {
				seen[id] = true
				res.WaitedFor = append(res.WaitedFor, id)
			}
		}
		if len(running) == 0 {
			return res, nil
		}
		activity.RecordHeartbeat(ctx, "waiting for "+strings.Join(running, ", "))
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(poll):
		}
	}
}
