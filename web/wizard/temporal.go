package wizard

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/workflows"
)

// Run is a bootstrap as the wizard shows it.
type Run struct {
	Organization string
	// State is running, succeeded, failed or cancelled ("" if none).
	State    string
	Progress workflows.BootstrapProgress
	Result   *workflows.BootstrapResult
	// Error is a failed run's message, as the workflow worded it.
	Error string
}

// Temporal runs bootstraps through a Temporal client whose data converter
// decrypts on the server: nothing encrypted reaches a browser.
type Temporal struct {
	Client    client.Client
	Namespace string
}

// Start starts the bootstrap of the input's organization, or attaches to
// the running one.
func (t *Temporal) Start(ctx context.Context, in workflows.BootstrapInput, actor string) error {
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.BootstrapID(in.Organization), TaskQueue: workflows.TaskQueueBootstrap,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Memo:                     map[string]any{workflows.MemoActor: actor},
		TypedSearchAttributes:    workflows.OperationAttributes(in.Organization, "", workflows.OperationBootstrap),
	}, workflows.BootstrapWorkflow, in)
	if err != nil {
		return fmt.Errorf("start the bootstrap of %s: %w", in.Organization, err)
	}
	return nil
}

// Status reads the organization's latest bootstrap.
func (t *Temporal) Status(ctx context.Context, org string) (Run, error) {
	id := workflows.BootstrapID(org)
	r := Run{Organization: org}
	d, err := t.Client.DescribeWorkflowExecution(ctx, id, "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("describe %s: %w", id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	runID := info.GetExecution().GetRunId()
	if q, err := t.Client.QueryWorkflow(ctx, id, runID, workflows.QueryProgress); err == nil {
		_ = q.Get(&r.Progress)
	}
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		r.State = "running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		r.State = "succeeded"
		var res workflows.BootstrapResult
		if err := t.Client.GetWorkflow(ctx, id, runID).Get(ctx, &res); err != nil {
			return r, fmt.Errorf("result of %s: %w", id, err)
		}
		r.Result = &res
	default:
		r.State = "failed"
		err := t.Client.GetWorkflow(ctx, id, runID).Get(ctx, nil)
		var app *temporal.ApplicationError
		if errors.As(err, &app) {
			r.Error = app.Message()
		} else if err != nil {
			r.Error = err.Error()
		}
	}
	return r, nil
}

// Signal sends a decision (approve, retry, abort) to the running bootstrap.
func (t *Temporal) Signal(ctx context.Context, org, name string) error {
	return t.Client.SignalWorkflow(ctx, workflows.BootstrapID(org), "", name, nil)
}

// Latest is the organization of the newest bootstrap, "" if there is none:
// a closed tab or a restarted openova finds it again.
func (t *Temporal) Latest(ctx context.Context) (string, error) {
	resp, err := t.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: t.Namespace, PageSize: 1,
		Query: fmt.Sprintf("WorkflowType = %q", workflows.BootstrapWorkflow),
	})
	if err != nil {
		return "", fmt.Errorf("list bootstraps: %w", err)
	}
	for _, e := range resp.GetExecutions() {
		id := e.GetExecution().GetWorkflowId()
		if len(id) > len(workflows.PrefixBootstrap) {
			return id[len(workflows.PrefixBootstrap):], nil
		}
	}
	return "", nil
}
