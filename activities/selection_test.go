package activities

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/catalog"
)

// The substrate the bootstrap installs itself comes with its chart from
// the embedded catalog, at the chart version that ships the selected
// release: one source of versions for the bootstrap and the manager.
func TestResolveGivesTheSubstratesCharts(t *testing.T) {
	res, err := (&Selection{}).Resolve(t.Context(), SelectionInput{})
	require.NoError(t, err)
	for _, name := range []string{"cilium", "gitea", "flux", "crossplane"} {
		t.Run(name, func(t *testing.T) {
			chart := bootstrap.ChartOf(res.Components, name)
			require.NotNil(t, chart, "%s is mandatory and has a chart", name)
			comp, ok := catalog.Default().Get(name)
			require.True(t, ok)
			require.Equal(t, comp.Chart.Repository, chart.Repository)
			require.Equal(t, comp.Chart.Name, chart.Name)
			var version string
			for _, c := range res.Components {
				if c.Name == name {
					version = c.Version
				}
			}
			v, ok := comp.Find(version)
			require.True(t, ok)
			require.Equal(t, v.HelmChartVersion(), chart.Version)
		})
	}
	require.Nil(t, bootstrap.ChartOf(res.Components, "no-such-component"))
}
