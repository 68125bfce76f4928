package activities

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/catalog"
	fluxenv "github.com/openova-io/core/dev/testenv/flux"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/secret"
)

// TestInstallFlux_OneHelmChartThenReady: InstallFlux run twice against an
// API server with k3s's HelmChart CRD leaves one HelmChart, the catalog's
// flux2 chart with only source-controller and kustomize-controller on.
// WaitFluxReady then fails at its deadline naming the CRDs and Deployments
// that are missing, then only the one still missing, and returns once the
// test has played the chart (Flux's CRDs installed, both Deployments
// available).
func TestInstallFlux_OneHelmChartThenReady(t *testing.T) {
	env := kubeenv.Start(t)
	installHelmChartCRD(t, env.Config)
	kubeconfig, err := os.ReadFile(env.Kubeconfig)
	require.NoError(t, err)
	c, err := client.New(env.Config, client.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	chart, err := catalog.Default().HelmChart("flux", "")
	require.NoError(t, err)
	fr := newFluxRun()

	t.Run("applied twice, one HelmChart with the catalog's chart and two controllers", func(t *testing.T) {
		in := InstallFluxInput{Region: "fsn1", Kubeconfig: secret.Bytes(kubeconfig), Chart: chart}
		var first, second InstallFluxResult
		require.NoError(t, fr.do(fr.f.InstallFlux, in, &first))
		require.NoError(t, fr.do(fr.f.InstallFlux, in, &second))
		require.Equal(t, first, second, "a rerun changes nothing")
		require.Equal(t, InstallFluxResult{HelmChart: "kube-system/flux", Generation: 1}, second)

		l := &unstructured.UnstructuredList{}
		l.SetAPIVersion(helmChartAPI)
		l.SetKind("HelmChartList")
		require.NoError(t, c.List(ctx, l, client.InNamespace("kube-system")))
		require.Len(t, l.Items, 1)
		spec := l.Items[0].Object["spec"].(map[string]any)
		require.Equal(t, "https://fluxcd-community.github.io/helm-charts", spec["repo"])
		require.Equal(t, "flux2", spec["chart"])
		require.Equal(t, chart.Version, spec["version"])
		require.Equal(t, "flux-system", spec["targetNamespace"])
		require.Equal(t, true, spec["createNamespace"])
		var values map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(spec["valuesContent"].(string)), &values))
		require.Equal(t, map[string]any{
			"sourceController":          map[string]any{"create": true},
			"kustomizeController":       map[string]any{"create": true},
			"helmController":            map[string]any{"create": false},
			"notificationController":    map[string]any{"create": false},
			"imageAutomationController": map[string]any{"create": false},
			"imageReflectionController": map[string]any{"create": false},
		}, values)
	})

	wait := func(d time.Duration) error {
		return fr.do(fr.f.WaitFluxReady, WaitFluxReadyInput{Region: "fsn1", Kubeconfig: secret.Bytes(kubeconfig), Deadline: time.Now().Add(d)}, &WaitFluxReadyResult{})
	}
	t.Run("nothing installed yet: FluxNotReady names every piece", func(t *testing.T) {
		err := wait(time.Second)
		require.Equal(t, ErrFluxNotReady, errType(err), "%v", err)
		var app *temporal.ApplicationError
		require.ErrorAs(t, err, &app)
		require.True(t, app.NonRetryable())
		for _, s := range []string{
			"CustomResourceDefinition gitrepositories.source.toolkit.fluxcd.io (not created)",
			"CustomResourceDefinition kustomizations.kustomize.toolkit.fluxcd.io (not created)",
			"Deployment flux-system/source-controller (not created)",
			"Deployment flux-system/kustomize-controller (not created)",
			"HelmChart kube-system/flux",
		} {
			require.Contains(t, err.Error(), s)
		}
	})

	// Play the chart: Flux's CRDs, the namespace, the two Deployments.
	for _, dir := range fluxenv.CRDDirs(t) {
		installCRDs(t, env.Config, dir)
	}
	require.NoError(t, c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: FluxNamespace}}))
	for _, name := range fluxControllers {
		require.NoError(t, c.Create(ctx, fluxDeployment(name)))
	}
	available(t, c, "source-controller")

	t.Run("one controller available: FluxNotReady names the other", func(t *testing.T) {
		err := wait(time.Second)
		require.Equal(t, ErrFluxNotReady, errType(err), "%v", err)
		require.Contains(t, err.Error(), "Deployment flux-system/kustomize-controller (0 available)")
		require.NotContains(t, err.Error(), "source-controller")
		require.NotContains(t, err.Error(), "CustomResourceDefinition")
	})

	t.Run("both available: ready", func(t *testing.T) {
		available(t, c, "kustomize-controller")
		require.NoError(t, wait(time.Minute))
	})
}

// fluxDeployment is a Deployment of the chart's name (its pods never run:
// nothing schedules them on envtest).
func fluxDeployment(name string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: FluxNamespace},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "manager", Image: "ghcr.io/fluxcd/" + name}}}},
		},
	}
}

// available plays the Deployment controller: the current generation rolled
// out with one available replica.
func available(t *testing.T, c client.Client, name string) {
	t.Helper()
	d := &appsv1.Deployment{}
	require.NoError(t, c.Get(context.Background(), client.ObjectKey{Namespace: FluxNamespace, Name: name}, d))
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 1, UpdatedReplicas: 1}
	require.NoError(t, c.Status().Update(context.Background(), d))
}
