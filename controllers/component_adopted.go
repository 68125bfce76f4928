package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/kube"
)

// adoptedPoll is how often an adopted component's workloads are read: they
// live outside the manager's namespace, which it does not watch (it holds
// a get on those workloads by name, nothing more).
const (
	adoptedPoll     = 10 * time.Second
	adoptedPollIdle = time.Minute
)

// adoptedStatus is the pure status of an adopted Component: Running and
// Healthy at the version the bootstrap installed while every workload is
// available; otherwise which are not.
func adoptedStatus(c *v1alpha1.Component, a v1alpha1.Adopted, seen []kube.WorkloadState) v1alpha1.ComponentStatus {
	st := *c.Status.DeepCopy()
	st.ObservedGeneration = c.Generation
	st.InstalledVersion = c.Spec.Version
	set := conditionSetter(&st.Conditions, c.Generation)
	missing := kube.Unavailable(seen)
	by := "installed by " + a.InstalledBy
	if len(missing) == 0 {
		st.Phase, st.Health = v1alpha1.PhaseRunning, v1alpha1.HealthHealthy
		set(v1alpha1.ConditionReady, true, "Adopted", by+"; its workloads are available")
		set(v1alpha1.ConditionWorkloadsAvailable, true, "Available", fmt.Sprintf("%d workloads available", len(seen)))
		set(v1alpha1.ConditionReconciling, false, "Adopted", "")
		set(v1alpha1.ConditionStalled, false, "Adopted", "")
	} else {
		msg := strings.Join(missing, "; ")
		st.Phase, st.Health = v1alpha1.PhaseRunning, v1alpha1.HealthDegraded
		set(v1alpha1.ConditionReady, false, "WorkloadsUnavailable", by+"; "+msg)
		set(v1alpha1.ConditionWorkloadsAvailable, false, "Unavailable", msg)
		set(v1alpha1.ConditionReconciling, false, "Adopted", "")
		set(v1alpha1.ConditionStalled, false, "Adopted", "")
	}
	rolledBack(c, &st, set)
	availableVersions(c, &st, set)
	return st
}

// reconcileAdopted mirrors an adopted Component's workloads into its
// status, and looks again later (they are not watched).
func (r *ComponentReconciler) reconcileAdopted(ctx context.Context, c *v1alpha1.Component, a v1alpha1.Adopted) (time.Duration, error) {
	reader := r.Workloads
	if reader == nil {
		reader = r.Client
	}
	seen, err := kube.ReadWorkloads(ctx, reader, a.Workloads)
	if err != nil {
		return 0, err
	}
	st := adoptedStatus(c, a, seen)
	stamp := func(s *v1alpha1.ComponentStatus, at *metav1.Time) { s.LastReconciled = at }
	if err := patchStatus(ctx, r.Client, c, &c.Status, st, stamp); err != nil {
		return 0, fmt.Errorf("patch status of component %s: %w", c.Name, err)
	}
	if st.Health == v1alpha1.HealthHealthy {
		return adoptedPollIdle, nil
	}
	return adoptedPoll, nil
}
