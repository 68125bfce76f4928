// Package engine is the wizard's Bootstraps on Temporal: it starts,
// queries and signals the Bootstrap workflow by the names package
// workflows gives them. It is apart from package wizard so the pages
// depend only on the Bootstrap's contract (package bootstrap), never on
// the workflows' activity references and the clients behind them.
package engine

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/web/wizard"
	"github.com/openova-io/core/workflows"
)

// Temporal is wizard.Bootstraps through a Temporal client whose data
// converter decrypts on the server: nothing encrypted reaches a browser.
type Temporal struct {
	Client    client.Client
	Namespace string
}

var _ wizard.Bootstraps = (*Temporal)(nil)

// Start starts the bootstrap of the input's organization, or attaches to
// the running one.
func (t *Temporal) Start(ctx context.Context, in bootstrap.Input, actor string) error {
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
func (t *Temporal) Status(ctx context.Context, org string) (wizard.Run, error) {
	id := workflows.BootstrapID(org)
	r := wizard.Run{Organization: org}
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
		var res bootstrap.Result
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
