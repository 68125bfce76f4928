package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeedCatalogIsValid(t *testing.T) {
	c, err := Parse(seed)
	require.NoError(t, err)
	require.NotPanics(t, func() { Default() })
	require.Same(t, Default(), Default(), "Default parses once and is shared")
	require.Len(t, c.Components, 24)
}

func TestSeedComponents(t *testing.T) {
	want := map[Category][]string{
		Mandatory:    {"cilium", "flux", "crossplane", "cert-manager", "external-secrets", "gitea", "grafana", "backstage"},
		ALaCarte:     {"cnpg", "valkey", "mongodb", "redpanda", "debezium", "vault", "harbor", "keycloak", "kserve-crd", "kserve", "knative", "vllm", "milvus", "neo4j"},
		MetaPlatform: {"ai-hub", "open-banking"},
	}
	c := Default()
	for cat, names := range want {
		for _, name := range names {
			comp, ok := c.Get(name)
			require.True(t, ok, name)
			require.Equal(t, cat, comp.Category, name)
			if why, ok := singleRelease[name]; ok {
				require.Len(t, comp.Versions, 1, "%s: %s", name, why)
			} else {
				require.GreaterOrEqual(t, len(comp.Versions), 2, "%s needs at least two versions so upgrades exist", name)
			}
			for _, v := range comp.Versions {
				require.NotEmpty(t, v.Changelog, "%s %s", name, v.Version)
				require.False(t, v.Released.IsZero(), "%s %s", name, v.Version)
				require.Equal(t, byte('v'), v.Version[0], "%s %s", name, v.Version)
			}
		}
		require.Len(t, c.InCategory(cat), len(names))
	}
}

// singleRelease lists the components that truthfully have one release in
// the catalog, and why; every other one has two or more, so upgrades exist.
var singleRelease = map[string]string{
	"ai-hub":       "OpenOva's own meta-platform, defined but not yet released",
	"open-banking": "OpenOva's own meta-platform, defined but not yet released",
}

// Every release of the seed says where it was checked upstream.
func TestSeedReleasesHaveSources(t *testing.T) {
	for _, comp := range Default().Components {
		for _, v := range comp.Versions {
			require.NotNil(t, v.Source, "%s %s", comp.Name, v.Version)
			require.Empty(t, validateSource(*v.Source), "%s %s", comp.Name, v.Version)
		}
	}
}

func depNames(deps []Dependency) []string {
	var out []string
	for _, d := range deps {
		out = append(out, d.Name)
	}
	return out
}

func TestSeedDependencies(t *testing.T) {
	c := Default()
	tests := []struct {
		name     string
		requires []string
		optional []string
	}{
		{"mongodb", []string{"debezium", "redpanda"}, nil},
		{"debezium", []string{"redpanda"}, nil},     // Debezium Server streams into a Kafka API
		{"redpanda", []string{"cert-manager"}, nil}, // the chart's TLS certificates
		{"kserve", []string{"kserve-crd", "cert-manager"}, []string{"knative"}},
		{"cnpg", []string{"external-secrets"}, nil},
		{"ai-hub", []string{"kserve", "knative", "vllm", "milvus", "cnpg"}, []string{"neo4j"}},
		{"open-banking", []string{"keycloak", "vault", "cnpg", "redpanda", "cert-manager"}, []string{"debezium", "valkey"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comp, ok := c.Get(tt.name)
			require.True(t, ok)
			require.ElementsMatch(t, tt.requires, depNames(comp.Requires))
			require.ElementsMatch(t, tt.optional, depNames(comp.Optional))
			for _, d := range append(comp.Requires, comp.Optional...) {
				require.NotEmpty(t, d.Why, "%s → %s should say why", tt.name, d.Name)
			}
		})
	}
}

func TestSeedJourneyVersions(t *testing.T) {
	c := Default()
	for name, pair := range map[string][2]string{"cilium": {"v1.19.6", "v1.20.0"}, "grafana": {"v13.1.3", "v13.2.0"}} {
		comp := c.Components[name]
		_, ok := comp.Find(pair[0])
		require.True(t, ok, name)
		require.Equal(t, pair[1], comp.Latest().Version, name)
		newer := comp.Newer(pair[0])
		require.Len(t, newer, 1, name)
		require.Equal(t, pair[1], newer[0].Version)
	}
	forwardOnly := 0
	for _, comp := range c.Components {
		for _, v := range comp.Versions {
			if v.ForwardOnly {
				forwardOnly++
				require.Contains(t, v.Changelog, "Forward only", "%s %s must say why", comp.Name, v.Version)
			}
		}
	}
	require.Positive(t, forwardOnly)
}

func TestSeedEndpoints(t *testing.T) {
	g := Default().Components["grafana"]
	require.Equal(t, "https://grafana.acme.io", g.Endpoints[0].URLFor("acme.io"))
}

func TestVersions(t *testing.T) {
	c := &Component{Name: "x", Versions: []Version{
		{Version: "v1.2.0"}, {Version: "v1.10.0"}, {Version: "v2.0.0-rc.1"}, {Version: "v1.9.1", ChartVersion: "0.9.1"},
	}}
	c.sortVersions()
	require.Equal(t, []string{"v2.0.0-rc.1", "v1.10.0", "v1.9.1", "v1.2.0"}, c.VersionList())
	require.Equal(t, "v1.10.0", c.Latest().Version, "stable releases win over pre-releases")

	v, ok := c.Find("1.9.1")
	require.True(t, ok)
	require.Equal(t, "0.9.1", v.HelmChartVersion())
	v, ok = c.Find("v1.2.0")
	require.True(t, ok)
	require.Equal(t, "1.2.0", v.HelmChartVersion())
	_, ok = c.Find("v3.0.0")
	require.False(t, ok)
	_, ok = c.Find("nonsense")
	require.False(t, ok)

	require.Equal(t, []string{"v2.0.0-rc.1", "v1.10.0"}, versionsOf(c.Newer("1.9.1")))
	require.Empty(t, c.Newer("v2.0.0"))
	require.Nil(t, c.Newer("latest"))

	pre := &Component{Versions: []Version{{Version: "v1.0.0-beta.1"}, {Version: "v1.0.0-alpha.1"}}}
	require.Equal(t, "v1.0.0-beta.1", pre.Latest().Version)
	require.Equal(t, Version{}, (&Component{}).Latest())

	// A cache that no longer matches Versions is ignored.
	c.Versions[0].Version = "v9.0.0"
	require.Equal(t, "v9.0.0", c.Latest().Version)
}

func versionsOf(vs []Version) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Version)
	}
	return out
}

func TestNormalizeVersion(t *testing.T) {
	for in, want := range map[string]string{"1.2.3": "v1.2.3", "v1.2.3": "v1.2.3", "1.0.0-rc.1+b5": "v1.0.0-rc.1+b5"} {
		got, err := NormalizeVersion(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	for _, in := range []string{"1.2", "v1", "", "latest", "01.2.3", "vv1.2.3"} {
		_, err := NormalizeVersion(in)
		require.Error(t, err, in)
	}
}

// Names is sorted and the caller's own: the cached order is not changed
// by a caller that edits its copy.
func TestNamesIsSortedAndACopy(t *testing.T) {
	c := Default()
	n := c.Names()
	require.True(t, slices.IsSorted(n))
	n[0] = "zzz"
	require.NotEqual(t, "zzz", c.Names()[0])
	require.Equal(t, c.Names()[0], c.InCategory(c.Components[c.Names()[0]].Category)[0].Name, "the first name leads its category")
}

// ByTitle is each category by title, ties by name, the same from a built
// catalog's cache as from one built by hand; Matches finds every word of
// a search in the name, title or description, in any case, the same with
// and without the cache.
func TestByTitleAndMatches(t *testing.T) {
	built := Default()
	hand := &Catalog{Components: map[string]*Component{}}
	for name, comp := range built.Components {
		c := *comp
		c.search = ""
		hand.Components[name] = &c
	}
	for _, cat := range []Category{Mandatory, ALaCarte, MetaPlatform} {
		list := built.ByTitle(cat)
		require.NotEmpty(t, list, cat)
		require.Len(t, list, len(built.InCategory(cat)))
		require.True(t, slices.IsSortedFunc(list, func(a, b *Component) int {
			if a.Title != b.Title {
				return strings.Compare(a.Title, b.Title)
			}
			return strings.Compare(a.Name, b.Name)
		}), "%s by title, then name", cat)
		var names, handNames []string
		for _, c := range list {
			names = append(names, c.Name)
		}
		for _, c := range hand.ByTitle(cat) {
			handNames = append(handNames, c.Name)
		}
		require.Equal(t, names, handNames, cat)
	}
	cnpg, _ := built.Get("cnpg")
	handCNPG, _ := hand.Get("cnpg")
	for q, want := range map[string]bool{"": true, "postgres": true, "POSTGRESQL operator": true, "cnpg": true, "postgres mongodb": false} {
		words := strings.Fields(strings.ToLower(q))
		require.Equal(t, want, cnpg.Matches(words), "search %q", q)
		require.Equal(t, want, handCNPG.Matches(words), "search %q without the cache", q)
	}
}
