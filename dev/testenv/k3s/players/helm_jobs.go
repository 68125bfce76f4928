package players

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
)

// HelmUpgrades is one HelmChart whose changes the Helm job player plays,
// and the Deployments its chart runs.
type HelmUpgrades struct {
	HelmChart string // its name
	// HelmChartNamespace is where it and its Job are (kube-system when "":
	// a test that shares an API server keeps to its own namespace).
	HelmChartNamespace string
	Namespace          string // where the Deployments are
	Deployments        []string
	// Fail lists chart versions whose Helm job fails (a chart that does
	// not install); the workloads then stay as they were.
	Fail map[string]bool
}

// HelmJob is the Job k3s's Helm controller runs for a HelmChart.
func HelmJob(helmChart string) string { return "helm-install-" + helmChart }

// PlayHelmUpgrades plays k3s's Helm controller and the charts' rollouts
// for later changes of HelmCharts that exist already: whenever a
// HelmChart's spec.version is not the VERSION of its Job, it replaces the
// Job with one for that version (as the controller does when the chart's
// config hash changes), which completes, and the chart's Deployments
// roll out to a new generation; or, for a version in Fail, the Job fails
// and nothing rolls out. It starts by making the Job of the version each
// HelmChart has now, complete.
func PlayHelmUpgrades(t testing.TB, cfg *rest.Config, charts ...HelmUpgrades) *Play {
	t.Helper()
	c, err := newClients(cfg)
	require.NoError(t, err)
	step := func(ctx context.Context) error {
		for _, h := range charts {
			if err := c.helmUpgrade(ctx, h); err != nil {
				return err
			}
		}
		return nil
	}
	return start(t, "k3s's Helm controller (upgrades)", step, func(ctx context.Context) {
		if err := until(ctx, func() (bool, error) { return false, step(ctx) }); err != nil && ctx.Err() == nil {
			t.Errorf("k3s's Helm controller (upgrades): %v", err)
		}
	})
}

// helmUpgrade brings one HelmChart's Job and rollout to its spec.version.
func (c clients) helmUpgrade(ctx context.Context, h HelmUpgrades) error {
	ns := h.HelmChartNamespace
	if ns == "" {
		ns = HelmChartNamespace
	}
	hc, err := c.dc.Resource(HelmChartGVR).Namespace(ns).Get(ctx, h.HelmChart, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read HelmChart %s: %w", h.HelmChart, err)
	}
	version, _, _ := unstructured.NestedString(hc.Object, "spec", "version")
	jobs := c.cs.BatchV1().Jobs(ns)
	name := HelmJob(h.HelmChart)
	j, err := jobs.Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil && jobVersion(j) == version:
		return nil // done already
	case err == nil:
		bg := metav1.DeletePropagationBackground
		if err := jobs.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("replace Job %s: %w", name, err)
		}
		return nil // created anew at the next look, once it is gone
	case !apierrors.IsNotFound(err):
		return fmt.Errorf("read Job %s: %w", name, err)
	}
	j, err = jobs.Create(ctx, &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyOnFailure,
			Containers: []corev1.Container{{Name: "helm", Image: "rancher/klipper-helm",
				Env: []corev1.EnvVar{{Name: "NAME", Value: h.HelmChart}, {Name: "VERSION", Value: version}}}}}}}}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create Job %s for %s: %w", name, version, err)
	}
	now := metav1.Now()
	j.Status.StartTime = &now
	if h.Fail[version] {
		j.Status.Failed = 1
		j.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit", LastTransitionTime: now},
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit", LastTransitionTime: now}}
	} else {
		for _, d := range h.Deployments {
			if err := c.rollOut(ctx, h.Namespace, d, version); err != nil {
				return err
			}
		}
		j.Status.Succeeded, j.Status.CompletionTime = 1, &now
		j.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now}}
	}
	if _, err := jobs.UpdateStatus(ctx, j, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("status of Job %s: %w", name, err)
	}
	return nil
}

// rollOut changes the Deployment's pod template to the chart version (a
// new generation, as helm upgrade makes) and rolls it out.
func (c clients) rollOut(ctx context.Context, ns, name, version string) error {
	d, err := c.cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read Deployment %s/%s: %w", ns, name, err)
	}
	if d.Spec.Template.Annotations == nil {
		d.Spec.Template.Annotations = map[string]string{}
	}
	d.Spec.Template.Annotations["helm.sh/chart-version"] = version
	if _, err := c.cs.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("upgrade Deployment %s/%s: %w", ns, name, err)
	}
	return c.availableDeployment(ctx, ns, name, d.Spec.Selector.MatchLabels)
}

// jobVersion is the chart version a Helm job installs.
func jobVersion(j *batchv1.Job) string {
	for _, c := range j.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == "VERSION" {
				return e.Value
			}
		}
	}
	return ""
}
