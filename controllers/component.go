package controllers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	ctrl "sigs.k8s.io/controller-runtime"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// ComponentReconciler mirrors each component's Crossplane composite
// resource (same name and namespace) into the Component's status: the
// Synced/Ready conditions, the installed version and the endpoints; and
// shows what the manager recorded on the Component in annotations (the last
// rollback, the newer versions available).
type ComponentReconciler struct {
	Client crclient.Client
	// Workloads reads the workloads of adopted components, outside the
	// namespace the Client's cache holds (nil: Client).
	Workloads crclient.Reader
}

// SetupWithManager watches Components and their composite resources.
func (r *ComponentReconciler) SetupWithManager(mgr ctrl.Manager) error {
	xr := &unstructured.Unstructured{}
	xr.SetGroupVersionKind(v1alpha1.ReleaseGVK)
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.Component{}).
		Watches(xr, &handler.EnqueueRequestForObject{}).
		Named("component").
		Complete(r)
}

// Reconcile reads the composite resource and patches the mirrored status
// when it changed.
func (r *ComponentReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var c v1alpha1.Component
	if err := r.Client.Get(ctx, req.NamespacedName, &c); err != nil {
		return ctrl.Result{}, crclient.IgnoreNotFound(err)
	}
	if raw, ok := c.Annotations[v1alpha1.AnnotationAdopted]; ok {
		a, err := v1alpha1.ParseAdopted(raw)
		if err != nil {
			return ctrl.Result{}, reconcile.TerminalError(fmt.Errorf("component %s: %w", c.Name, err))
		}
		after, err := r.reconcileAdopted(ctx, &c, a)
		return ctrl.Result{RequeueAfter: after}, err
	}
	xr := &unstructured.Unstructured{}
	xr.SetGroupVersionKind(v1alpha1.ReleaseGVK)
	var rel v1alpha1.ReleaseState
	switch err := r.Client.Get(ctx, req.NamespacedName, xr); {
	case apierrors.IsNotFound(err):
	case err != nil:
		return ctrl.Result{}, fmt.Errorf("read release of %s: %w", req.Name, err)
	default:
		rel = v1alpha1.ReleaseStateOf(xr)
	}
	st := componentStatus(&c, rel)
	stamp := func(s *v1alpha1.ComponentStatus, at *metav1.Time) { s.LastReconciled = at }
	if err := patchStatus(ctx, r.Client, &c, &c.Status, st, stamp); err != nil {
		return ctrl.Result{}, fmt.Errorf("patch status of component %s: %w", c.Name, err)
	}
	return ctrl.Result{}, nil
}

// componentStatus is the pure mirror of a release's state into a
// Component's status.
func componentStatus(c *v1alpha1.Component, rel v1alpha1.ReleaseState) v1alpha1.ComponentStatus {
	st := *c.Status.DeepCopy()
	st.ObservedGeneration = c.Generation
	set := conditionSetter(&st.Conditions, c.Generation)
	switch {
	case !rel.Exists:
		st.Phase, st.Health = v1alpha1.PhasePending, v1alpha1.HealthUnknown
		set(v1alpha1.ConditionReady, false, "ReleaseMissing", "the composite resource does not exist (yet)")
		set(v1alpha1.ConditionReconciling, true, "ReleaseMissing", "waiting for the composite resource")
		set(v1alpha1.ConditionStalled, false, "ReleaseMissing", "")
	case readyNow(rel) && !deployed(c, rel):
		// Crossplane says Ready, but Helm has not deployed the chart the
		// spec asks for yet: the component is not at its version.
		msg := v1alpha1.ChartNotDeployed(rel.Version, c.Spec.ChartVersion)
		st.Phase, st.Health = v1alpha1.PhaseInstalling, v1alpha1.HealthProgressing
		if st.InstalledVersion != "" {
			st.Health = v1alpha1.HealthDegraded
		}
		set(v1alpha1.ConditionReady, false, "ChartNotDeployed", msg)
		set(v1alpha1.ConditionReconciling, true, "ChartNotDeployed", msg)
		set(v1alpha1.ConditionStalled, false, "Progressing", "")
	case readyNow(rel):
		// Ready for the release's current generation with the spec's chart
		// deployed: what the manager released is what runs.
		st.Phase, st.Health = v1alpha1.PhaseRunning, v1alpha1.HealthHealthy
		st.InstalledVersion = c.Spec.Version
		st.Endpoints = endpoints(rel.Endpoints)
		set(v1alpha1.ConditionReady, true, reason(rel.Ready.Reason, "Available"), rel.Ready.Message)
		set(v1alpha1.ConditionReconciling, false, "Available", "")
		set(v1alpha1.ConditionStalled, false, "Available", "")
	case rel.Synced.Status == string(metav1.ConditionFalse):
		// Crossplane cannot apply it: nothing will change until someone acts.
		st.Phase, st.Health = v1alpha1.PhaseFailed, v1alpha1.HealthDegraded
		set(v1alpha1.ConditionReady, false, reason(rel.Synced.Reason, "NotSynced"), rel.Synced.Message)
		set(v1alpha1.ConditionReconciling, false, reason(rel.Synced.Reason, "NotSynced"), rel.Synced.Message)
		set(v1alpha1.ConditionStalled, true, reason(rel.Synced.Reason, "NotSynced"), rel.Synced.Message)
	default:
		st.Phase, st.Health = v1alpha1.PhaseInstalling, v1alpha1.HealthProgressing
		if st.InstalledVersion != "" {
			st.Health = v1alpha1.HealthDegraded
		}
		set(v1alpha1.ConditionReady, false, reason(rel.Ready.Reason, "Creating"), rel.Ready.Message)
		set(v1alpha1.ConditionReconciling, true, reason(rel.Ready.Reason, "Creating"), rel.Ready.Message)
		set(v1alpha1.ConditionStalled, false, "Progressing", "")
	}
	rolledBack(c, &st, set)
	availableVersions(c, &st, set)
	return st
}

// availableVersions shows what the last CheckUpdates run found (the
// annotation WriteAvailableVersions sets). Only versions still newer than
// the installed one are shown, so the list shrinks as soon as an upgrade
// lands rather than at the next check.
func availableVersions(c *v1alpha1.Component, st *v1alpha1.ComponentStatus, set func(string, bool, string, string)) {
	av, ok := v1alpha1.ParseAvailableVersions(c.Annotations[v1alpha1.AnnotationAvailableVersions])
	if !ok {
		st.AvailableVersions = nil
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionUpdatesChecked)
		return
	}
	installed := st.InstalledVersion
	if installed == "" {
		installed = c.Spec.Version
	}
	var shown []v1alpha1.AvailableVersion // nil when none: equal to what the API server returns
	for _, v := range av.Versions {
		if catalog.NewerThan(v.Version, installed, v.ChartOnly()) {
			shown = append(shown, v)
		}
	}
	st.AvailableVersions = shown
	noun := "newer versions"
	if len(shown) == 1 {
		noun = "newer version"
	}
	summary := fmt.Sprintf("%d %s (checked %s)", len(shown), noun, av.CheckedAt.UTC().Format(time.RFC3339))
	if av.IndexError != "" {
		// The versions shown are the last known ones for that source.
		set(v1alpha1.ConditionUpdatesChecked, false, "IndexUnreachable", av.IndexError+"; last known: "+summary)
		return
	}
	set(v1alpha1.ConditionUpdatesChecked, true, "Checked", summary)
}

// rolledBack shows the last rolled-back upgrade (the annotation that
// UpgradeComponent sets, and clears on a later success) as a condition.
func rolledBack(c *v1alpha1.Component, st *v1alpha1.ComponentStatus, set func(string, bool, string, string)) {
	var rb v1alpha1.RolledBack
	raw, ok := c.Annotations[v1alpha1.AnnotationRolledBack]
	if !ok || json.Unmarshal([]byte(raw), &rb) != nil {
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionRolledBack)
		return
	}
	set(v1alpha1.ConditionRolledBack, true, "UpgradeFailed",
		fmt.Sprintf("upgrade %s → %s failed at %s: %s; rolled back to %s", rb.From, rb.To, rb.At.UTC().Format(time.RFC3339), rb.Reason, rb.From))
}

// stale reports conditions that Crossplane computed for an older generation
// of the release (it has not seen the latest change yet).
// readyNow is Synced and Ready for the release's current generation.
func readyNow(rel v1alpha1.ReleaseState) bool {
	return rel.Ready.Status == string(metav1.ConditionTrue) && rel.Synced.Status == string(metav1.ConditionTrue) && !stale(rel)
}

// deployed says whether the chart Crossplane reports deployed (the XR's
// status.installedVersion, provider-helm's status.atProvider.version) is
// the one the spec asks for. A Component written before specs named their
// chart version is taken at its word.
func deployed(c *v1alpha1.Component, rel v1alpha1.ReleaseState) bool {
	return c.Spec.ChartVersion == "" || rel.Version == c.Spec.ChartVersion
}

func stale(rel v1alpha1.ReleaseState) bool {
	return rel.Ready.ObservedGeneration != 0 && rel.Ready.ObservedGeneration < rel.Generation
}

func reason(r, def string) string {
	if r == "" {
		return def
	}
	return r
}

func endpoints(in []v1alpha1.Endpoint) []v1alpha1.Endpoint {
	var out []v1alpha1.Endpoint
	for _, e := range in {
		out = append(out, v1alpha1.Endpoint{Name: e.Name, URL: e.URL})
	}
	return out
}
