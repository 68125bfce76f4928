package players_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

func TestMain(m *testing.M) { kubeenv.Main(m) }

// standIn is the shared API server with k3s's HelmChart CRD, as a k3s
// server registers it.
func standIn(t *testing.T) *kubeenv.Env {
	t.Helper()
	env := kubeenv.Shared(t)
	_, err := envtest.InstallCRDs(env.Config, envtest.CRDInstallOptions{
		Paths: []string{filepath.Join(testenv.RepoRoot(), "dev", "testenv", "k3s", "crds")}, ErrorIfPathMissing: true})
	require.NoError(t, err)
	return env
}

// applyHelmChart creates a HelmChart in kube-system as the bootstrap
// would, deleted when the test ends (so the next test's player does not
// find it).
func applyHelmChart(t *testing.T, env *kubeenv.Env, name, chart, version, target string, values map[string]any) {
	t.Helper()
	text, err := yaml.Marshal(values)
	require.NoError(t, err)
	dc, err := dynamic.NewForConfig(env.Config)
	require.NoError(t, err)
	hc := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "helm.cattle.io/v1", "kind": "HelmChart",
		"metadata": map[string]any{"name": name, "namespace": players.HelmChartNamespace},
		"spec": map[string]any{"chart": chart, "repo": "https://charts.example", "version": version,
			"targetNamespace": target, "createNamespace": true, "valuesContent": string(text)},
	}}
	res := dc.Resource(players.HelmChartGVR).Namespace(players.HelmChartNamespace)
	_, err = res.Create(context.Background(), hc, createOpts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Delete(context.Background(), name, deleteOpts) })
}

// helmChartInstalled says whether the player wrote the install job into
// the HelmChart's status, as k3s's Helm controller does.
func helmChartInstalled(t *testing.T, env *kubeenv.Env, name string) string {
	t.Helper()
	dc, err := dynamic.NewForConfig(env.Config)
	require.NoError(t, err)
	got, err := dc.Resource(players.HelmChartGVR).Namespace(players.HelmChartNamespace).Get(context.Background(), name, getOpts)
	require.NoError(t, err)
	job, _, _ := unstructured.NestedString(got.Object, "status", "jobName")
	return job
}

var (
	createOpts = metav1.CreateOptions{}
	deleteOpts = metav1.DeleteOptions{}
	getOpts    = metav1.GetOptions{}
)
