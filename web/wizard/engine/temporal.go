// Package engine is the wizard's Bootstraps on Temporal: it starts,
// queries and signals the Bootstrap and ChangeInfrastructure workflows by
// the names package workflows gives them. It is apart from package wizard
// so the pages depend only on the Bootstrap's contract (package
// bootstrap), never on the workflows' activity references and the clients
// behind them.
package engine

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/wizard"
	"github.com/openova-io/core/workflows"
)

// Temporal is wizard.Bootstraps through a Temporal client whose data
// converter decrypts on the server: nothing encrypted reaches a browser.
// The zero Kind is the Bootstrap; Changes gives the same for
// ChangeInfrastructure.
type Temporal struct {
	Client    client.Client
	Namespace string
	// Data decodes a recorded workflow input (Platform).
	Data converter.DataConverter
	k    kind
	// status shares run readings between the pages that ask at once.
	status operations.Shared[wizard.Run]
}

// kind is one of the two workflows the wizard runs per organization.
type kind struct {
	workflow, prefix, operation string
}

func (t *Temporal) kind() kind {
	if t.k.workflow == "" {
		return kind{workflows.BootstrapWorkflow, workflows.PrefixBootstrap, workflows.OperationBootstrap}
	}
	return t.k
}

func (t *Temporal) id(org string) string { return t.kind().prefix + org }

// Changes is t for the organizations' infrastructure changes.
func (t *Temporal) Changes() *Temporal {
	return &Temporal{Client: t.Client, Namespace: t.Namespace, Data: t.Data,
		k: kind{workflows.ChangeInfrastructureWorkflow, workflows.PrefixChange, workflows.OperationChange}}
}

var (
	_ wizard.Bootstraps = (*Temporal)(nil)
	_ wizard.Platforms  = (*Temporal)(nil)
)

// Start starts the bootstrap (or change) of the input's organization, or
// attaches to the running one.
func (t *Temporal) Start(ctx context.Context, in bootstrap.Input, actor string) error {
	defer t.status.Forget(in.Organization)
	k := t.kind()
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: t.id(in.Organization), TaskQueue: workflows.TaskQueueBootstrap,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Memo:                     map[string]any{workflows.MemoActor: actor},
		TypedSearchAttributes:    workflows.OperationAttributes(in.Organization, "", k.operation),
	}, k.workflow, in)
	if err != nil {
		return fmt.Errorf("start the %s of %s: %w", k.operation, in.Organization, err)
	}
	return nil
}

// Status reads the organization's latest run (a reading shared by the
// pages that ask within statusTTL).
func (t *Temporal) Status(ctx context.Context, org string) (wizard.Run, error) {
	r, err := t.status.Get(ctx, org, statusTTL, func(ctx context.Context) (wizard.Run, error) { return t.readStatus(ctx, org) })
	if err != nil {
		return wizard.Run{Organization: org}, err
	}
	return r, nil
}

// readStatus asks the engine about the organization's latest run.
func (t *Temporal) readStatus(ctx context.Context, org string) (wizard.Run, error) {
	id := t.id(org)
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
	for _, rp := range r.Progress.Regions {
		if rp.Parked != "" {
			if r.Fixes == nil {
				r.Fixes = map[string]string{}
			}
			r.Fixes[rp.Name] = workflows.ParkedFix(rp.ParkedType)
		}
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
			if app.Type() == workflows.ErrAborted {
				r.State = "aborted" // the operator's decision, not a failure
			}
		} else if err != nil {
			r.Error = err.Error()
		}
	}
	return r, nil
}

// Signal sends a decision (approve, retry, abort) to the running run.
func (t *Temporal) Signal(ctx context.Context, org, name string) error {
	defer t.status.Forget(org)
	return t.Client.SignalWorkflow(ctx, t.id(org), "", name, nil)
}

// Latest is the organization of the newest run, "" if there is none: a
// closed tab or a restarted openova finds it again.
func (t *Temporal) Latest(ctx context.Context) (string, error) {
	k := t.kind()
	resp, err := t.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: t.Namespace, PageSize: 1,
		Query: fmt.Sprintf("WorkflowType = %q", k.workflow),
	})
	if err != nil {
		return "", fmt.Errorf("list %ss: %w", k.operation, err)
	}
	for _, e := range resp.GetExecutions() {
		id := e.GetExecution().GetWorkflowId()
		if len(id) > len(k.prefix) {
			return id[len(k.prefix):], nil
		}
	}
	return "", nil
}

// Platform is the platform as the organization's last finished change
// left it, else as its bootstrap built it: the input that run was started
// with, without its secrets (the cloud's credentials, the bucket's keys).
// What a change starts from.
func (t *Temporal) Platform(ctx context.Context, org string) (bootstrap.Input, error) {
	change := workflows.ChangeID(org)
	d, err := t.Client.DescribeWorkflowExecution(ctx, change, "")
	var nf *serviceerror.NotFound
	switch {
	case err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return t.input(ctx, change, d.GetWorkflowExecutionInfo().GetExecution().GetRunId())
	case err != nil && !errors.As(err, &nf):
		return bootstrap.Input{}, fmt.Errorf("describe %s: %w", change, err)
	}
	return t.input(ctx, workflows.BootstrapID(org), "")
}

// input is the recorded input of a run, without its secrets.
func (t *Temporal) input(ctx context.Context, id, runID string) (bootstrap.Input, error) {
	iter := t.Client.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !iter.HasNext() {
		return bootstrap.Input{}, fmt.Errorf("%s: %w", id, wizard.ErrNoPlatform)
	}
	ev, err := iter.Next()
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return bootstrap.Input{}, fmt.Errorf("%s: %w", id, wizard.ErrNoPlatform)
	}
	if err != nil {
		return bootstrap.Input{}, fmt.Errorf("history of %s: %w", id, err)
	}
	started := ev.GetWorkflowExecutionStartedEventAttributes()
	if started == nil || t.Data == nil {
		return bootstrap.Input{}, fmt.Errorf("history of %s: no recorded input", id)
	}
	var in bootstrap.Input
	if err := t.Data.FromPayloads(started.GetInput(), &in); err != nil {
		return bootstrap.Input{}, fmt.Errorf("input of %s: %w", id, err)
	}
	return in.WithoutSecrets(), nil
}
