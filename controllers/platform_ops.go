package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"

	commonpb "go.temporal.io/api/common/v1"
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
	kinds := map[string]OpKind{}
	for _, ref := range p.Spec.Components {
		ids := map[OpKind]string{KindInstall: workflows.InstallID(p.Name, ref.Name), KindUninstall: workflows.UninstallID(p.Name, ref.Name)}
		if ref.Version != "" {
			ids[KindUpgrade] = workflows.UpgradeID(p.Name, ref.Name, ref.Version)
		}
		for k, id := range ids {
			byID[id], kinds[id] = ref.Name, k
		}
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
			if id == workflows.UpgradesID(p.Name) {
				for _, name := range r.members(e.GetMemo()) {
					if _, ok := ops[name]; !ok {
						ops[name] = Op{Kind: KindUpgrade, State: OpRunning, Message: "waiting for its turn in a multi-component upgrade"}
					}
				}
				continue
			}
			name, ok := byID[id]
			if !ok {
				continue // a release, or a component no longer in the spec
			}
			op := Op{Kind: kinds[id], State: OpRunning}
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

// observe reads the component's last workflow of the kind the plan wants;
// for an install or uninstall with none, the other kind (so a running
// uninstall is seen too).
func (r *PlatformReconciler) observe(ctx context.Context, platform string, ref v1alpha1.ComponentRef, kind OpKind) (Op, error) {
	ids := map[OpKind]string{
		KindInstall: workflows.InstallID(platform, ref.Name), KindUninstall: workflows.UninstallID(platform, ref.Name),
		KindUpgrade: workflows.UpgradeID(platform, ref.Name, ref.Version),
	}
	op, err := r.describe(ctx, ids[kind], kind)
	if err != nil || op.State != OpNone {
		return op, err
	}
	if kind == KindUpgrade {
		return r.describeBatch(ctx, platform, ref.Name)
	}
	other := KindUninstall
	if kind == KindUninstall {
		other = KindInstall
	}
	o, err := r.describe(ctx, ids[other], other)
	if err != nil || o.State != OpRunning {
		return op, err
	}
	return o, nil
}

func (r *PlatformReconciler) describe(ctx context.Context, id string, kind OpKind) (Op, error) {
	op := Op{Kind: kind}
	resp, err := r.Workflows.DescribeWorkflowExecution(ctx, id, "")
	if _, ok := err.(*serviceerror.NotFound); ok {
		return op, nil
	}
	if err != nil {
		return op, fmt.Errorf("describe workflow %s: %w", id, err)
	}
	info := resp.GetWorkflowExecutionInfo()
	op.Started = info.GetStartTime().AsTime()
	if f := info.GetMemo().GetFields()[workflows.MemoPlatformGeneration]; f != nil && r.DataConverter != nil {
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
		var kind string
		op.Message, kind = r.failure(ctx, id, info.GetStatus())
		op.RolledBack = kind == workflows.ErrRolledBack
	}
	return op, nil
}

// describeBatch reads the platform's last multi-component upgrade as far as
// it concerns one component whose own upgrade never started: still to come
// while it runs, not upgraded if it stopped before it.
func (r *PlatformReconciler) describeBatch(ctx context.Context, platform, component string) (Op, error) {
	id := workflows.UpgradesID(platform)
	resp, err := r.Workflows.DescribeWorkflowExecution(ctx, id, "")
	if _, ok := err.(*serviceerror.NotFound); ok {
		return Op{Kind: KindUpgrade}, nil
	}
	if err != nil {
		return Op{}, fmt.Errorf("describe workflow %s: %w", id, err)
	}
	if !slices.Contains(r.members(resp.GetWorkflowExecutionInfo().GetMemo()), component) {
		return Op{Kind: KindUpgrade}, nil
	}
	return r.describe(ctx, id, KindUpgrade)
}

// members decodes the components an UpgradeComponents run covers.
func (r *PlatformReconciler) members(memo *commonpb.Memo) []string {
	var names []string
	if f := memo.GetFields()[workflows.MemoComponents]; f != nil && r.DataConverter != nil {
		_ = r.DataConverter.FromPayload(f, &names)
	}
	return names
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

// failure reads why the workflow failed and the error's type (its result
// carries the ApplicationError, decoded through the codec).
func (r *PlatformReconciler) failure(ctx context.Context, id string, status enumspb.WorkflowExecutionStatus) (msg, kind string) {
	err := r.Workflows.GetWorkflow(ctx, id, "").Get(ctx, nil)
	var ae *temporal.ApplicationError
	switch {
	case err == nil:
		return status.String(), ""
	case errors.As(err, &ae):
		return ae.Message(), ae.Type()
	default:
		return err.Error(), ""
	}
}
