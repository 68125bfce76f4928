package controllers

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// maxProgressQueries bounds the progress queries of one reconcile: each is
// a round trip to a worker.
const maxProgressQueries = 5

// running lists the platform's running install and uninstall workflows
// with one visibility query, so a platform of many components costs one
// call per reconcile, not one per component. Visibility lags a moment
// behind a start; a component that is not yet in its desired state is
// described directly by observe, which does not lag.
func (r *PlatformReconciler) running(ctx context.Context, p *v1alpha1.Platform) (map[string]Op, error) {
	ops := map[string]Op{}
	query := fmt.Sprintf("%s = '%s' AND ExecutionStatus = 'Running'", workflows.SearchAttrPlatform.GetName(), p.Name)
	byID := map[string]string{}
	for _, ref := range p.Spec.Components {
		byID[workflows.InstallID(p.Name, ref.Name)] = ref.Name
		byID[workflows.UninstallID(p.Name, ref.Name)] = ref.Name
	}
	var token []byte
	queried := 0
	for {
		resp, err := r.Workflows.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list running workflows of platform %s: %w", p.Name, err)
		}
		for _, e := range resp.GetExecutions() {
			id := e.GetExecution().GetWorkflowId()
			name, ok := byID[id]
			if !ok {
				continue // a release, or a component no longer in the spec
			}
			op := Op{Uninstall: id == workflows.UninstallID(p.Name, name), State: OpRunning}
			if queried < maxProgressQueries {
				op.Message = r.currentStep(ctx, id)
				queried++
			}
			ops[name] = op
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return ops, nil
		}
	}
}

// observe reads the component's last workflow of the kind the spec asks
// for; if none, the other kind (so a running uninstall is seen too).
func (r *PlatformReconciler) observe(ctx context.Context, platform, component string, enabled bool) (Op, error) {
	first, second := workflows.InstallID(platform, component), workflows.UninstallID(platform, component)
	if !enabled {
		first, second = second, first
	}
	op, err := r.describe(ctx, first, !enabled)
	if err != nil || op.State != OpNone {
		return op, err
	}
	other, err := r.describe(ctx, second, enabled)
	if err != nil || other.State != OpRunning {
		return op, err
	}
	return other, nil
}

func (r *PlatformReconciler) describe(ctx context.Context, id string, uninstall bool) (Op, error) {
	op := Op{Uninstall: uninstall}
	resp, err := r.Workflows.DescribeWorkflowExecution(ctx, id, "")
	if _, ok := err.(*serviceerror.NotFound); ok {
		return op, nil
	}
	if err != nil {
		return op, fmt.Errorf("describe workflow %s: %w", id, err)
	}
	info := resp.GetWorkflowExecutionInfo()
	if f := info.GetMemo().GetFields()[memoGeneration]; f != nil && r.DataConverter != nil {
		_ = r.DataConverter.FromPayload(f, &op.Generation)
	}
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		op.State = OpRunning
		op.Message = r.currentStep(ctx, id)
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		op.State = OpSucceeded
	default:
		op.State = OpFailed
		op.Message = r.failure(ctx, id, info.GetStatus())
	}
	return op, nil
}

// currentStep asks the running workflow for its progress and names the
// running step; a workflow that cannot answer yet shows nothing.
func (r *PlatformReconciler) currentStep(ctx context.Context, id string) string {
	v, err := r.Workflows.QueryWorkflow(ctx, id, "", workflows.QueryProgress)
	if err != nil {
		return ""
	}
	var p workflows.Progress
	if err := v.Get(&p); err != nil {
		return ""
	}
	for _, s := range p.Steps {
		if s.State == workflows.StepRunning {
			return s.Name
		}
	}
	return ""
}

// failure reads why the workflow failed (its result carries the
// ApplicationError message, decoded through the codec).
func (r *PlatformReconciler) failure(ctx context.Context, id string, status enumspb.WorkflowExecutionStatus) string {
	err := r.Workflows.GetWorkflow(ctx, id, "").Get(ctx, nil)
	var ae *temporal.ApplicationError
	switch {
	case err == nil:
		return status.String()
	case errors.As(err, &ae):
		return ae.Message()
	default:
		return err.Error()
	}
}
