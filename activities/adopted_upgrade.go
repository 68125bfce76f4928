package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/kube"
)

// An adopted component (one the bootstrap installed, v1alpha1.Adopted)
// is upgraded, and rolled back, the way it was installed: the chart
// version of its k3s HelmChart changes (patched here, or committed to the
// platform repository by Git.SetHelmChartVersion), k3s's Helm controller
// runs the chart's Helm job again, and the component's workloads roll out.
// No Crossplane release is involved: there is none for it.

// Error types of an adopted component's upgrade (non-retryable).
const (
	// ErrHelmChartMissing: the HelmChart the component names is not in the cluster (or its file).
	ErrHelmChartMissing = "HelmChartMissing"
	// ErrHelmJobFailed: k3s's Helm job for the new chart version failed.
	ErrHelmJobFailed = "HelmJobFailed"
	// ErrHelmChartNotReady: the job or the workloads were not done by the deadline.
	ErrHelmChartNotReady = "HelmChartNotReady"
)

// HelmJob is the Job k3s's Helm controller runs to install or upgrade a
// HelmChart (helm-controller's jobName).
func HelmJob(helmChart string) string { return "helm-install-" + helmChart }

// helmChartKey splits "<namespace>/<name>" (v1alpha1.Adopted.HelmChart,
// validated when the annotation was read).
func helmChartKey(ref string) client.ObjectKey {
	ns, name, _ := strings.Cut(ref, "/")
	return client.ObjectKey{Namespace: ns, Name: name}
}

// HelmChartVersion is the chart a HelmChart is to install.
type HelmChartVersion struct {
	HelmChart  string // "<namespace>/<name>"
	Chart      string
	Repository string
	Version    string // the chart version
}

// PatchHelmChartResult is the HelmChart's generation after the patch.
type PatchHelmChartResult struct {
	Generation int64
}

// PatchHelmChart sets the HelmChart's chart, repository and version with a
// merge patch of those fields only, so running it again changes nothing.
func (k *Kubernetes) PatchHelmChart(ctx context.Context, in HelmChartVersion) (PatchHelmChartResult, error) {
	if in.HelmChart == "" || in.Chart == "" || in.Version == "" {
		return PatchHelmChartResult{}, temporal.NewNonRetryableApplicationError(
			"patch of a HelmChart: the HelmChart, chart and version are required", ErrInvalidComponent, nil)
	}
	key := helmChartKey(in.HelmChart)
	spec := map[string]any{"chart": in.Chart, "version": in.Version}
	if in.Repository != "" {
		spec["repo"] = in.Repository
	}
	patch, _ := json.Marshal(map[string]any{"spec": spec}) // strings only: cannot fail
	hc := &unstructured.Unstructured{}
	hc.SetAPIVersion(helmChartAPI)
	hc.SetKind("HelmChart")
	hc.SetNamespace(key.Namespace)
	hc.SetName(key.Name)
	err := k.Client.Patch(ctx, hc, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(k.owner()))
	if apierrors.IsNotFound(err) {
		return PatchHelmChartResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"HelmChart %s is not in the cluster: it installed the component; put it back, then Retry", in.HelmChart), ErrHelmChartMissing, nil)
	}
	if err != nil {
		return PatchHelmChartResult{}, fmt.Errorf("patch HelmChart %s to chart %s %s: %w", in.HelmChart, in.Chart, in.Version, err)
	}
	return PatchHelmChartResult{Generation: hc.GetGeneration()}, nil
}

// WaitHelmChartInput is what an adopted component's upgrade waits for.
type WaitHelmChartInput struct {
	HelmChartVersion
	Workloads []v1alpha1.Workload
	Deadline  time.Time
}

// WaitHelmChartResult is empty: the chart runs at the version.
type WaitHelmChartResult struct{}

// WaitHelmChart waits until k3s's Helm job has installed the chart version
// (the Job of the HelmChart asks for that version and is Complete) and
// every workload of the component is available at its new generation. A
// Failed job fails at once, naming it; past the deadline it fails with
// what it still waits for.
func (k *Kubernetes) WaitHelmChart(ctx context.Context, in WaitHelmChartInput) (WaitHelmChartResult, error) {
	if in.HelmChart == "" || in.Version == "" || in.Deadline.IsZero() {
		return WaitHelmChartResult{}, temporal.NewNonRetryableApplicationError(
			"wait for a HelmChart: the HelmChart, version and deadline are required", ErrInvalidComponent, nil)
	}
	key := helmChartKey(in.HelmChart)
	job := client.ObjectKey{Namespace: key.Namespace, Name: HelmJob(key.Name)}
	err := pollMissing(ctx, in.Deadline, k.poll(), func(ctx context.Context) ([]string, error) {
		missing, err := helmJobMissing(ctx, k.Client, job, in.Version)
		if err != nil || len(missing) > 0 {
			return missing, err
		}
		seen, err := kube.ReadWorkloads(ctx, k.Client, in.Workloads)
		return kube.Unavailable(seen), err
	}, func(missing string) error {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"chart %s %s of HelmChart %s was not running by %s (waiting for: %s)", in.Chart, in.Version, in.HelmChart, clock(in.Deadline), missing),
			ErrHelmChartNotReady, nil)
	})
	return WaitHelmChartResult{}, err
}

// helmJobMissing says what the Helm job of version still lacks: the Job
// k3s recreates for the new version, and its completion. A failed one is
// an error.
func helmJobMissing(ctx context.Context, c client.Client, key client.ObjectKey, version string) ([]string, error) {
	var j batchv1.Job
	err := c.Get(ctx, key, &j)
	if apierrors.IsNotFound(err) {
		return []string{"Job " + key.String() + " for chart version " + version}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read Job %s: %w", key, err)
	}
	if v := jobEnv(&j, "VERSION"); v != version {
		return []string{fmt.Sprintf("Job %s for chart version %s (it is for %q)", key, version, v)}, nil
	}
	for _, c := range j.Status.Conditions {
		switch {
		case c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue:
			return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"the Helm job %s for chart version %s failed: %s; its pod's log says why (kubectl -n %s logs job/%s)",
				key, version, strings.TrimSpace(c.Reason+" "+c.Message), key.Namespace, key.Name), ErrHelmJobFailed, nil)
		case c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue:
			return nil, nil
		}
	}
	return []string{"Job " + key.String() + " to complete"}, nil
}

// jobEnv is the value of a variable of the Helm job's container.
func jobEnv(j *batchv1.Job, name string) string {
	for _, c := range j.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == name {
				return e.Value
			}
		}
	}
	return ""
}

// RecordAdoptedInput is an adopted component at the version it now runs.
type RecordAdoptedInput struct {
	Namespace string
	Platform  string
	Name      string
	ComponentSpec
	Adopted v1alpha1.Adopted
}

// RecordAdoptedResult is empty: the Component is the result.
type RecordAdoptedResult struct{}

// RecordAdopted applies the Component's spec and its adopted annotation at
// the version the upgrade (or rollback) reached, so the Component's status
// and the next upgrade start from it.
func (k *Kubernetes) RecordAdopted(ctx context.Context, in RecordAdoptedInput) (RecordAdoptedResult, error) {
	a := in.Adopted
	a.Version, a.ChartVersion = in.Version, in.ChartVersion
	if _, err := v1alpha1.ParseAdopted(a.JSON()); err != nil {
		return RecordAdoptedResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("component %s/%s: %v", in.Namespace, in.Name, err), ErrInvalidComponent, nil)
	}
	spec := in.ComponentSpec
	err := k.applyComponent(ctx, k.owner(), componentApply{Namespace: in.Namespace, Name: in.Name, Platform: in.Platform, Spec: &spec,
		Annotations: map[string]string{v1alpha1.AnnotationAdopted: a.JSON()}})
	if err != nil {
		return RecordAdoptedResult{}, fmt.Errorf("record component %s/%s at %s: %w", in.Namespace, in.Name, in.Version, err)
	}
	return RecordAdoptedResult{}, nil
}
