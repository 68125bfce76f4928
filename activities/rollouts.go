package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	workflowpb "go.temporal.io/api/workflow/v1"
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

// WaitIdleInput names the component and the workflow that waits. Runs of
// the Queue type (scheduled upgrades, which wait like this one) count only
// when they started before the caller, so two that fire together go one
// after the other instead of waiting for each other.
type WaitIdleInput struct {
	Platform  string
	Component string
	// Self is the waiting workflow's ID and StartedAt its start time.
	Self      string    `json:",omitempty"`
	StartedAt time.Time `json:",omitempty"`
	Queue     string    `json:",omitempty"`
	// Ignore lists workflow types that never count (older histories).
	Ignore []string `json:",omitempty"`
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
			if id == in.Self || (e.GetType().GetName() == in.Queue && in.Queue != "" && !before(e, in)) {
				continue
			}
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

// before: the run started ahead of the caller (ties go by workflow ID).
func before(e *workflowpb.WorkflowExecutionInfo, in WaitIdleInput) bool {
	start := e.GetStartTime().AsTime()
	if start.Equal(in.StartedAt) {
		return e.GetExecution().GetWorkflowId() < in.Self
	}
	return start.Before(in.StartedAt)
}
