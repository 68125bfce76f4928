package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The substrate the bootstrap installs gets its chart from the embedded
// catalog: the newest stable release, at the chart version the catalog
// names for it (Gitea's chart versions are not its own).
func TestNewestChart(t *testing.T) {
	gitea, _ := Default().Get("gitea")
	latest := gitea.Latest()
	require.NotEmpty(t, latest.ChartVersion, "the catalog names Gitea's chart versions")
	for _, tc := range []struct {
		name string
		want ChartRelease
		ok   bool
	}{
		{"gitea", ChartRelease{Repository: "https://dl.gitea.com/charts/", Chart: "gitea", Version: latest.ChartVersion, AppVersion: latest.Version}, true},
		{"no-such-component", ChartRelease{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Default().NewestChart(tc.name)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}
