package controllers

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/worker/schedules"
)

// Workflows is the part of the Temporal client the reconcilers use.
type Workflows interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
	GetWorkflow(ctx context.Context, workflowID, runID string) client.WorkflowRun
	ListWorkflow(ctx context.Context, request *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
}

// busyPoll is how often a platform with a running workflow is re-read to
// mirror its progress.
const busyPoll = 3 * time.Second

// PlatformReconciler turns a Platform's components into install and
// uninstall workflows and mirrors their progress and the components'
// health into the Platform's status.
type PlatformReconciler struct {
	Client    crclient.Client
	Workflows Workflows
	// DataConverter decodes memos (they pass the payload codec).
	DataConverter converter.DataConverter
	// ReadyTimeout is passed to the workflows (0: their default).
	ReadyTimeout time.Duration
	// Checks keeps each platform's CheckUpdates Schedule (nil: none).
	Checks *checkSchedules
}

// SetupWithManager watches Platforms and the Components labelled with them.
func (r *PlatformReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.Platform{}).
		Watches(&v1alpha1.Component{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o crclient.Object) []reconcile.Request {
			p := o.GetLabels()[v1alpha1.LabelPlatform]
			if p == "" {
				return nil
			}
			return []reconcile.Request{{NamespacedName: crclient.ObjectKey{Namespace: o.GetNamespace(), Name: p}}}
		})).
		Named("platform").
		Complete(r)
}

// Reconcile observes, plans, starts what the plan says and patches status
// once, only when it changed.
func (r *PlatformReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var p v1alpha1.Platform
	if err := r.Client.Get(ctx, req.NamespacedName, &p); apierrors.IsNotFound(err) {
		return ctrl.Result{}, r.Checks.remove(ctx, req.Namespace, req.Name)
	} else if err != nil {
		return ctrl.Result{}, err
	}
	if err := r.Checks.ensure(ctx, &p); err != nil {
		return ctrl.Result{}, err
	}
	installed, err := r.installed(ctx, &p)
	if err != nil {
		return ctrl.Result{}, err
	}
	adopt, adoptProblem := planAdoptions(&p, installed)
	if len(adopt) > 0 {
		if err := r.adopt(ctx, adopt); err != nil {
			return ctrl.Result{}, err
		}
		if installed, err = r.installed(ctx, &p); err != nil {
			return ctrl.Result{}, err
		}
	}
	ops, err := r.running(ctx, &p)
	if err != nil {
		return ctrl.Result{}, err
	}
	for _, ref := range p.Spec.Components {
		inst, exists := installed[ref.Name]
		kind := wantedKind(ref, inst, exists)
		if kind == "" || ops[ref.Name].State == OpRunning {
			continue // in the desired state or on its way: no need to ask
		}
		op, err := r.observe(ctx, p.Name, ref, kind)
		if err != nil {
			return ctrl.Result{}, err
		}
		ops[ref.Name] = op
	}
	scheduled, err := r.scheduledUpgrades(ctx, &p)
	if err != nil {
		return ctrl.Result{}, err
	}
	plan := planPlatform(&p, installed, ops, scheduled, time.Now())
	substrateCondition(&p, &plan.Status, adoptProblem)
	for _, id := range plan.Cancel {
		if err := schedules.Cancel(ctx, r.Checks.client(), id); err != nil {
			return ctrl.Result{}, err
		}
	}
	if err := r.startAll(ctx, &p, plan.Starts); err != nil {
		return ctrl.Result{}, err
	}
	stamp := func(s *v1alpha1.PlatformStatus, at *metav1.Time) { s.LastReconciled = at }
	if err := patchStatus(ctx, r.Client, &p, &p.Status, plan.Status, stamp); err != nil {
		return ctrl.Result{}, fmt.Errorf("patch status of platform %s: %w", p.Name, err)
	}
	if !plan.Busy {
		if err := r.Checks.installedChanged(ctx, &p, installed); err != nil {
			return ctrl.Result{}, err
		}
	}
	if plan.Busy {
		return ctrl.Result{RequeueAfter: busyPoll}, nil
	}
	return ctrl.Result{}, nil
}

func (r *PlatformReconciler) installed(ctx context.Context, p *v1alpha1.Platform) (map[string]Installed, error) {
	var list v1alpha1.ComponentList
	if err := r.Client.List(ctx, &list, crclient.InNamespace(p.Namespace), crclient.MatchingLabels{v1alpha1.LabelPlatform: p.Name}); err != nil {
		return nil, fmt.Errorf("list components of %s: %w", p.Name, err)
	}
	out := make(map[string]Installed, len(list.Items))
	for _, c := range list.Items {
		inst := Installed{Ready: c.Status.Health == v1alpha1.HealthHealthy, Health: c.Status.Health,
			Version: c.Status.InstalledVersion, Upgradable: upgradable(c.Status.AvailableVersions)}
		if a, ok := c.Annotations[v1alpha1.AnnotationAdopted]; ok {
			inst.AdoptedBy = "adopted"
			if ad, err := v1alpha1.ParseAdopted(a); err == nil {
				inst.AdoptedBy = ad.InstalledBy
			}
			inst.NotUpgradable = v1alpha1.ManagerCannotUpgrade(c.Annotations)
			if inst.Version == "" {
				inst.Version = c.Spec.Version // what the bootstrap installed, before its first health check
			}
		}
		out[c.Name] = inst
	}
	return out, nil
}

// upgradable: a catalog version is newer. Versions seen only in a Helm
// repository are shown but cannot be upgraded to, so they do not count.
func upgradable(vs []v1alpha1.AvailableVersion) bool {
	for _, v := range vs {
		if v.Source != v1alpha1.SourceHelmRepository {
			return true
		}
	}
	return false
}
