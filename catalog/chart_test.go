package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHelmChart: the substrate's charts come from the embedded catalog, at
// the chart version (flux2's is versioned apart from Flux), and an unknown
// component or release is an error, not a guess.
func TestHelmChart(t *testing.T) {
	c := Default()
	flux, err := c.HelmChart("flux", "v2.8.5")
	require.NoError(t, err)
	require.Equal(t, HelmChartRef{Name: "flux2", Repository: "https://fluxcd-community.github.io/helm-charts", Version: "2.18.3"}, flux)

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

// After a chart move, the chart of a release is its own: the newest
// release's for a fresh install, the old chart for the releases before.
func TestHelmChartFollowsAChartMove(t *testing.T) {
	moved := strings.Replace(goodYAML, "changelog: second,", "changelog: second, chart: {name: alpha-ng, repository: https://alpha.example.com/charts},", 1)
	c, err := Parse([]byte(moved))
	require.NoError(t, err)
	for _, tt := range []struct{ version, wantName, wantRepo string }{
		{"", "alpha-ng", "https://alpha.example.com/charts"},
		{"v1.1.0", "alpha-ng", "https://alpha.example.com/charts"},
		{"v1.0.0", "alpha", "https://charts.example.com"},
	} {
		ref, err := c.HelmChart("alpha", tt.version)
		require.NoError(t, err)
		require.Equal(t, tt.wantName, ref.Name, "release %q", tt.version)
		require.Equal(t, tt.wantRepo, ref.Repository, "release %q", tt.version)
	}
}
