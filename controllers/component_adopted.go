package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// adoptedPoll is how often an adopted component's workloads are read: they
// live outside the manager's namespace, which it does not watch (it holds
// a get on those workloads by name, nothing more).
const (
	adoptedPoll      = 10 * time.Second
	adoptedPollIdle  = time.Minute
	workloadNotFound = "not found"
)

// WorkloadState is what the API server showed of one workload of an
// adopted component: "" when available, else why not.
type WorkloadState struct {
	Workload v1alpha1.Workload
	Problem  string
}

// readWorkloads reads each workload an adopted component names.
func readWorkloads(ctx context.Context, r crclient.Reader, ws []v1alpha1.Workload) ([]WorkloadState, error) {
	out := make([]WorkloadState, 0, len(ws))
	for _, w := range ws {
		key := crclient.ObjectKey{Namespace: w.Namespace, Name: w.Name}
		var problem string
		var err error
		switch w.Kind {
		case v1alpha1.KindDaemonSet:
			var ds appsv1.DaemonSet
			if err = r.Get(ctx, key, &ds); err == nil {
				problem = daemonSetProblem(&ds)
			}
		default:
			var d appsv1.Deployment
			if err = r.Get(ctx, key, &d); err == nil {
				problem = deploymentProblem(&d)
			}
		}
		switch {
		case apierrors.IsNotFound(err):
			problem = workloadNotFound
		case err != nil:
			return nil, fmt.Errorf("read %s: %w", w, err)
		}
		out = append(out, WorkloadState{Workload: w, Problem: problem})
	}
	return out, nil
}

func deploymentProblem(d *appsv1.Deployment) string {
	if d.Status.ObservedGeneration < d.Generation || d.Status.AvailableReplicas < 1 {
		return fmt.Sprintf("%d of %d replicas available", d.Status.AvailableReplicas, d.Status.Replicas)
	}
	return ""
}

func daemonSetProblem(ds *appsv1.DaemonSet) string {
	s := ds.Status
	if s.ObservedGeneration < ds.Generation || s.DesiredNumberScheduled == 0 || s.NumberAvailable < s.DesiredNumberScheduled {
		return fmt.Sprintf("%d of %d pods available", s.NumberAvailable, s.DesiredNumberScheduled)
	}
	return ""
}

// adoptedStatus is the pure status of an adopted Component: Running and
// Healthy at the version the bootstrap installed while every workload is
// available; otherwise which are not.
func adoptedStatus(c *v1alpha1.Component, a v1alpha1.Adopted, seen []WorkloadState) v1alpha1.ComponentStatus {
	st := *c.Status.DeepCopy()
	st.ObservedGeneration = c.Generation
	st.InstalledVersion = c.Spec.Version
	set := conditionSetter(&st.Conditions, c.Generation)
	var missing []string
	for _, w := range seen {
		if w.Problem != "" {
			missing = append(missing, w.Workload.String()+": "+w.Problem)
		}
	}
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
	seen, err := readWorkloads(ctx, reader, a.Workloads)
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
