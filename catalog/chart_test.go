package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHelmChart: the substrate's charts come from the embedded catalog, at
// the chart version (flux2's is versioned apart from Flux), and an unknown
// component or release is an error, not a guess.
func TestHelmChart(t *testing.T) {
	c := Default()
	flux, err := c.HelmChart("flux", "v2.4.0")
	require.NoError(t, err)
	require.Equal(t, HelmChartRef{Name: "flux2", Repository: "https://fluxcd-community.github.io/helm-charts", Version: "2.14.0"}, flux)

	latest, err := c.HelmChart("crossplane", "")
	require.NoError(t, err)
	require.Equal(t, "crossplane", latest.Name)
	require.Equal(t, "https://charts.crossplane.io/stable", latest.Repository)
	require.Equal(t, c.Components["crossplane"].Latest().HelmChartVersion(), latest.Version)

	_, err = c.HelmChart("no-such", "")
	require.ErrorContains(t, err, `no component "no-such"`)
	_, err = c.HelmChart("flux", "v0.0.1")
	require.ErrorContains(t, err, "no release v0.0.1 of flux")
}
