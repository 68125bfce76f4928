package catalog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseChanges(t *testing.T) {
	cases := []struct {
		name, annotation string
		want             []HelmChange
	}{
		{name: "none", annotation: ""},
		{name: "plain list", annotation: "- Bump app to 1.2.0\n- Fix probes\n",
			want: []HelmChange{{Description: "Bump app to 1.2.0"}, {Description: "Fix probes"}}},
		{name: "structured with links",
			annotation: "- kind: security\n  description: Patch CVE-2024-1\n  links:\n    - {name: advisory, url: https://example.com/a}\n- kind: added\n  description: ''\n",
			want:       []HelmChange{{Kind: "security", Description: "Patch CVE-2024-1", Links: []HelmLink{{Name: "advisory", URL: "https://example.com/a"}}}}},
		{name: "not a list is ignored", annotation: "kind: added\ndescription: x\n"},
		{name: "not YAML is ignored", annotation: "- [unclosed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, parseChanges(tc.annotation))
		})
	}
}

func TestHelmChangelog(t *testing.T) {
	r := HelmRelease{ChartVersion: "8.9.1", Created: time.Date(2024, 12, 3, 10, 0, 0, 0, time.UTC), Changes: []HelmChange{
		{Kind: "fixed", Description: "Probes\nsecond line dropped", Links: []HelmLink{{Name: "PR", URL: "https://x/1"}, {Name: "js", URL: "javascript:alert(1)"}}},
		{Description: "Plain entry"},
	}}
	require.Equal(t, "## Chart 8.9.1\n- Fixed: Probes ([PR](https://x/1))\n- Plain entry\n\n"+
		"Chart 8.9.1 published 2024-12-03 in https://charts.example; not in the OpenOva catalog: openova has not checked it, so an upgrade to it asks you to accept that risk.\n",
		HelmChangelog(r, "https://charts.example"), "one line per change, only https links")
}

func TestHelmOffers(t *testing.T) {
	grafana := Default().Components["grafana"]
	releases, err := ParseHelmIndex([]byte(`apiVersion: v1
entries:
  grafana:
    - {version: 13.0.0-beta.1, appVersion: 14.0.0-beta.1}
    - {version: 12.12.1, appVersion: 13.3.0}
    - {version: 12.12.0, appVersion: 13.3.0}
    - {version: 12.11.2, appVersion: 13.2.0}
    - {version: 12.11.1, appVersion: 13.2.0}
    - {version: 12.11.0}
`), "grafana")
	require.NoError(t, err)
	offers := func(installed string, max int) []string {
		var out []string
		for _, o := range grafana.HelmOffers(releases, installed, max) {
			out = append(out, o.Version+"="+o.Release.ChartVersion)
		}
		return out
	}
	require.Equal(t, []string{"v13.3.0=12.12.1", "12.11.0=12.11.0"}, offers("v13.1.3", 10),
		"newest chart of an unlisted version; a catalog version's repackage, older charts and pre-releases left out")
	require.Equal(t, []string{"v13.3.0=12.12.1"}, offers("v13.1.3", 1), "at most max")
	require.Equal(t, []string{"v13.3.0=12.12.1"}, offers("v13.2.0", 10), "a chart-only release of what runs is no upgrade")
	require.Empty(t, offers("latest", 10), "no offers for an installed version that is not semver")
}
