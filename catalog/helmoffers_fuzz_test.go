package catalog

import (
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/stretchr/testify/require"
)

// FuzzHelmOffers follows a Helm repository's index.yaml (fetched from the
// chart's repository: outside input) the way CheckUpdates does: parse the
// chart's releases, pick what to offer beyond the catalog, write each
// offer's changelog. It holds: releases come newest chart version first,
// none deprecated, each chart version semver, an app version only in the
// catalog's spelling, at most 50 changes each with a description, errors
// on one line; offers are newer than what is installed, not pre-releases,
// not listed in the catalog, each software version once, at most max, each
// with a changelog.
func FuzzHelmOffers(f *testing.F) {
	changes := `    annotations:
      artifacthub.io/changes: |
        - kind: fixed
          description: "a fix"
          links:
            - {name: "PR", url: "https://github.com/grafana/helm-charts/pull/1"}
            - {name: "bad", url: "javascript:alert(1)"}
        - plain change
`
	f.Add([]byte(grafanaIndex), "grafana", "v11.3.0", 3)
	f.Add([]byte("apiVersion: v1\nentries:\n  grafana:\n  - version: 9.0.0\n    appVersion: 12.0.0\n"+changes), "grafana", "v11.3.0", 5)
	f.Add([]byte("apiVersion: v1\nentries:\n  grafana:\n  - {version: 8.8.2, appVersion: v11.4.0}\n  - {version: 8.8.3, appVersion: 11.4.0}\n"), "grafana", "8.6.0", 10)
	f.Add([]byte("apiVersion: v1\nentries:\n  x:\n  - {version: 1.0.0, annotations: {artifacthub.io/changes: '[{kind: added}]'}}\n"), "x", "latest", 1)
	f.Add([]byte("apiVersion: v1\nentries: {grafana: [{version: '1.2.3+build'}, {version: 1.2.3}]}\n"), "grafana", "v0.1.0", 0)
	cat := Default()
	f.Fuzz(func(t *testing.T, data []byte, chart, installed string, max int) {
		releases, err := ParseHelmIndex(data, chart)
		if err != nil {
			if !strings.Contains(chart, "\n") { // chart names come from the catalog
				require.NotContains(t, err.Error(), "\n")
			}
			return
		}
		require.NotEmpty(t, releases)
		for i, r := range releases {
			v, err := semver.NewVersion(r.ChartVersion)
			require.NoError(t, err)
			if i > 0 {
				prev := semver.MustParse(releases[i-1].ChartVersion)
				require.False(t, v.GreaterThan(prev), "%s after %s", v, prev)
			}
			if r.AppVersion != "" {
				norm, err := NormalizeVersion(r.AppVersion)
				require.NoError(t, err)
				require.Equal(t, norm, r.AppVersion)
			}
			require.LessOrEqual(t, len(r.Changes), maxChanges)
			for _, c := range r.Changes {
				require.NotEmpty(t, strings.TrimSpace(c.Description))
			}
		}
		comp, ok := cat.Get("grafana")
		require.True(t, ok)
		if max < 0 || max > 20 {
			max = 3
		}
		offers := comp.HelmOffers(releases, installed, max)
		if max > 0 {
			require.LessOrEqual(t, len(offers), max)
		}
		seen := map[string]bool{}
		for _, o := range offers {
			require.False(t, seen[o.Version], "%s offered twice", o.Version)
			seen[o.Version] = true
			cv := semver.MustParse(o.Release.ChartVersion)
			require.Empty(t, cv.Prerelease(), "a pre-release chart is offered")
			_, listed := comp.Find(o.Version)
			require.False(t, listed, "%s is in the catalog already", o.Version)
			log := HelmChangelog(o.Release, "https://grafana.github.io/helm-charts")
			require.True(t, strings.HasPrefix(log, "## Chart "+o.Release.ChartVersion+"\n"), log)
		}
	})
}
