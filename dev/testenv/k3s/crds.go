package k3s

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/dev/testenv"
)

// HelmChartCRD is the helm.cattle.io/v1 HelmChart CRD that k3s's Helm
// controller registers on a server (crds/ says which release it came
// from). envtest has none: a test that applies HelmCharts, as the
// bootstrap does for what k3s installs, starts its API server with this.
func HelmChartCRD(t testing.TB) *apiextv1.CustomResourceDefinition {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "dev", "testenv", "k3s", "crds", "helm.cattle.io_helmcharts.yaml"))
	require.NoError(t, err)
	var crd apiextv1.CustomResourceDefinition
	require.NoError(t, yaml.Unmarshal(b, &crd))
	require.Equal(t, "helmcharts.helm.cattle.io", crd.Name)
	return &crd
}
