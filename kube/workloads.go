package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// WorkloadNotFound is the problem of a workload the API server does not have.
const WorkloadNotFound = "not found"

// WorkloadState is what the API server showed of one workload of an
// adopted component: "" when available, else why not. The Component
// reconciler shows it as health, and an upgrade of an adopted component
// waits on it, so both read availability the same way.
type WorkloadState struct {
	Workload v1alpha1.Workload
	Problem  string
}

// ReadWorkloads reads each named workload by name (the manager may get
// them, never list them).
func ReadWorkloads(ctx context.Context, r crclient.Reader, ws []v1alpha1.Workload) ([]WorkloadState, error) {
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
			problem = WorkloadNotFound
		case err != nil:
			return nil, fmt.Errorf("read %s: %w", w, err)
		}
		out = append(out, WorkloadState{Workload: w, Problem: problem})
	}
	return out, nil
}

// Unavailable lists the workloads that are not available, with why.
func Unavailable(seen []WorkloadState) []string {
	var out []string
	for _, w := range seen {
		if w.Problem != "" {
			out = append(out, w.Workload.String()+": "+w.Problem)
		}
	}
	return out
}

// deploymentProblem: the controller has seen the current spec and one
// replica is available.
func deploymentProblem(d *appsv1.Deployment) string {
	if d.Status.ObservedGeneration < d.Generation || d.Status.AvailableReplicas < 1 {
		return fmt.Sprintf("%d of %d replicas available", d.Status.AvailableReplicas, d.Status.Replicas)
	}
	return ""
}

// daemonSetProblem: the controller has seen the current spec and every
// scheduled pod is available.
func daemonSetProblem(ds *appsv1.DaemonSet) string {
	s := ds.Status
	if s.ObservedGeneration < ds.Generation || s.DesiredNumberScheduled == 0 || s.NumberAvailable < s.DesiredNumberScheduled {
		return fmt.Sprintf("%d of %d pods available", s.NumberAvailable, s.DesiredNumberScheduled)
	}
	return ""
}
