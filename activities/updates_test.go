package activities

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// goodHelmIndex offers grafana charts around the catalog's: a repackage of
// a catalog version, two charts of an unlisted 11.5.0 (the newer with
// artifacthub.io/changes), a pre-release and a deprecated chart; loki
// charts state no appVersion and no changes.
const goodHelmIndex = `apiVersion: v1
entries:
  grafana:
    - {version: 9.0.0-beta.1, appVersion: 12.0.0-beta.1, created: "2025-01-20T10:00:00Z"}
    - {version: 8.10.0, appVersion: 11.6.0, created: "2025-01-10T10:00:00Z", deprecated: true}
    - version: 8.9.1
      appVersion: 11.5.0
      created: "2024-12-03T10:00:00Z"
      annotations:
        artifacthub.io/changes: |
          - kind: changed
            description: Bump Grafana to 11.5.0
            links:
              - {name: "PR #3512", url: "https://github.com/grafana/helm-charts/pull/3512"}
          - kind: fixed
            description: Probes honour the configured port
    - {version: 8.9.0, appVersion: 11.5.0, created: "2024-12-01T10:00:00Z"}
    - {version: 8.8.3, appVersion: 11.4.0, created: "2024-11-20T10:00:00Z"}
    - {version: 8.8.2, appVersion: 11.4.0, created: "2024-11-15T10:00:00Z"}
    - {version: 8.5.8, appVersion: 11.3.0, created: "2024-10-22T10:00:00Z"}
  loki:
    - {version: 6.2.0, created: "2024-12-02T10:00:00Z"}
    - {version: 6.1.0, created: "2024-11-02T10:00:00Z"}
`

// updatesCatalog is a small catalog whose charts live on the test's Helm
// repositories.
func updatesCatalog(t *testing.T, good, down, bad string) *catalog.Catalog {
	t.Helper()
	comp := func(name, chart, repo string, versions ...string) string {
		s := fmt.Sprintf("  - name: %s\n    title: %s\n    description: d\n    category: a-la-carte\n    chart: {name: %s, repository: %q}\n    versions:\n",
			name, name, chart, repo)
		for _, v := range versions {
			ver, chartVer, _ := strings.Cut(v, "=")
			s += fmt.Sprintf("      - {version: %s, chartVersion: %s, released: 2024-10-01, changelog: \"## %s %s\", source: {repository: https://github.com/example/charts, ref: %s-%s, path: Chart.yaml}}\n",
				ver, chartVer, name, ver, chart, chartVer)
		}
		return s
	}
	c, err := catalog.Parse([]byte("apiVersion: catalog.openova.io/v1\ncomponents:\n" +
		comp("grafana", "grafana", good, "v11.4.0=8.8.2", "v11.3.0=8.5.8") +
		comp("loki", "loki", good, "v3.1.0=6.1.0", "v3.0.0=6.0.0") +
		comp("backstage", "backstage", down, "v1.31.0=2.3.0", "v1.30.0=2.2.0") +
		comp("cnpg", "cloudnative-pg", bad, "v1.25.0=0.23.0", "v1.24.1=0.22.1") +
		comp("valkey", "valkey", "oci://registry.example/charts", "v8.0.0=1.0.0", "v7.2.6=0.3.14")))
	require.NoError(t, err)
	return c
}

// helmRepo serves one index.yaml and counts the requests.
func helmRepo(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if !strings.HasSuffix(r.URL.Path, "/index.yaml") {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// Against a real API server and Helm repositories on loopback: CheckUpdates
// reads every source once and reports the broken ones per component;
// WriteAvailableVersions records the findings idempotently and keeps the
// last known Helm releases of a repository that is down.
func TestUpdates(t *testing.T) {
	good, goodHits := helmRepo(t, 200, goodHelmIndex)
	down, _ := helmRepo(t, 503, "maintenance")
	bad, _ := helmRepo(t, 200, "{{{ not yaml")
	downURL := down.URL + "/charts?token=repo-s3cret"
	cat := updatesCatalog(t, good.URL, downURL, bad.URL+"/")

	cl, ns := kubeClient(t)
	ctx := context.Background()
	installed := map[string]string{"grafana": "v11.3.0", "loki": "v3.1.0", "backstage": "v1.30.0", "cnpg": "v1.24.1", "valkey": "v8.0.0"}
	for name, v := range installed {
		require.NoError(t, cl.Create(ctx, &v1alpha1.Component{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{v1alpha1.LabelPlatform: "acme"}},
			Spec:       v1alpha1.ComponentSpec{Platform: "acme", Chart: name, Version: v},
		}))
	}

	a := &Catalog{Client: cl, Base: cat, HTTP: devHTTP}
	platform := &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: ns},
		Spec: v1alpha1.PlatformSpec{Organization: v1alpha1.Organization{Name: "acme", Domain: "acme.io"},
			Regions: []v1alpha1.Region{{Name: "eu-central", Role: "primary"}}}}
	require.NoError(t, cl.Create(ctx, platform))
	t.Run("off by default: the catalog's versions only, no repository read", func(t *testing.T) {
		res, err := run[CheckUpdatesResult](t, a, a.CheckUpdates, CheckUpdatesInput{Namespace: ns, Platform: "acme"})
		require.NoError(t, err)
		for _, cu := range res.Components {
			require.Empty(t, cu.IndexError, cu.Name)
			for _, v := range cu.Available {
				require.Equal(t, v1alpha1.SourceCatalog, v.Source, "%s %s", cu.Name, v.Version)
			}
		}
		require.Equal(t, int32(0), goodHits.Load(), "no Helm repository was read")
	})
	platform.Spec.CheckUpstreamCharts = true
	require.NoError(t, cl.Update(ctx, platform))
	res, err := run[CheckUpdatesResult](t, a, a.CheckUpdates,
		CheckUpdatesInput{Namespace: ns, Platform: "acme"})
	require.NoError(t, err)
	got := map[string]ComponentUpdates{}
	for _, cu := range res.Components {
		got[cu.Name] = cu
		require.NotContains(t, cu.IndexError, "s3cret")
	}
	require.Len(t, got, len(installed))
	require.Equal(t, int32(1), goodHits.Load(), "grafana and loki share one fetch of their repository")

	t.Run("catalog and helm versions, newest first", func(t *testing.T) {
		g := got["grafana"]
		require.Empty(t, g.IndexError)
		require.Equal(t, []v1alpha1.AvailableVersion{
			{Version: "v11.4.0", ChartVersion: "8.8.2", Changelog: "## grafana v11.4.0", Source: v1alpha1.SourceCatalog},
			{Version: "v11.5.0", ChartVersion: "8.9.1", Source: v1alpha1.SourceHelmRepository,
				Changelog: "## Chart 8.9.1\n" +
					"- Changed: Bump Grafana to 11.5.0 ([PR #3512](https://github.com/grafana/helm-charts/pull/3512))\n" +
					"- Fixed: Probes honour the configured port\n" +
					"\nChart 8.9.1 published 2024-12-03 in " + good.URL + "; not in the OpenOva catalog: openova has not checked it, so an upgrade to it asks you to accept that risk.\n"},
		}, g.Available)
		require.Equal(t, []v1alpha1.AvailableVersion{{Version: "6.2.0", ChartVersion: "6.2.0", Source: v1alpha1.SourceHelmRepository,
			Changelog: "## Chart 6.2.0\n\nChart 6.2.0 published 2024-12-02 in " + good.URL + "; not in the OpenOva catalog: openova has not checked it, so an upgrade to it asks you to accept that risk.\n"}},
			got["loki"].Available, "a chart without appVersion is offered by its chart version")
	})
	t.Run("a repository that is down keeps the catalog versions and says why", func(t *testing.T) {
		b := got["backstage"]
		require.Equal(t, "helm index "+down.URL+"/charts/index.yaml: HTTP 503", b.IndexError)
		require.Len(t, b.Available, 1)
		require.Equal(t, "v1.31.0", b.Available[0].Version)
	})
	t.Run("a malformed index is reported on one line", func(t *testing.T) {
		c := got["cnpg"]
		require.Contains(t, c.IndexError, "helm index "+bad.URL+"/index.yaml: ")
		require.Contains(t, c.IndexError, "not valid YAML")
		require.NotContains(t, c.IndexError, "\n")
		require.Equal(t, "v1.25.0", c.Available[0].Version)
	})
	t.Run("oci repositories have no index and are skipped", func(t *testing.T) {
		require.Equal(t, ComponentUpdates{Name: "valkey", Installed: "v8.0.0"}, got["valkey"])
	})

	k := &Kubernetes{Client: cl}
	write := func(updates []ComponentUpdates, at time.Time) WriteAvailableVersionsResult {
		t.Helper()
		out, err := run[WriteAvailableVersionsResult](t, k, k.WriteAvailableVersions,
			WriteAvailableVersionsInput{Namespace: ns, Updates: updates, CheckedAt: at})
		require.NoError(t, err)
		return out
	}
	read := func(name string) (v1alpha1.AvailableVersions, *v1alpha1.Component) {
		t.Helper()
		var c v1alpha1.Component
		require.NoError(t, cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &c))
		av, ok := v1alpha1.ParseAvailableVersions(c.Annotations[v1alpha1.AnnotationAvailableVersions])
		require.True(t, ok, "annotation of %s: %q", name, c.Annotations[v1alpha1.AnnotationAvailableVersions])
		return av, &c
	}
	first := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

	t.Run("writes each component's findings once", func(t *testing.T) {
		out := write(res.Components, first)
		require.Equal(t, WriteAvailableVersionsResult{Changed: 5, WithUpgrades: 4}, out)
		av, before := read("grafana")
		require.Equal(t, v1alpha1.AvailableVersions{Versions: got["grafana"].Available, CheckedAt: first}, av)
		require.Equal(t, "v11.3.0", before.Spec.Version, "the spec is untouched")

		require.Equal(t, WriteAvailableVersionsResult{WithUpgrades: 4}, write(res.Components, first), "the same findings change nothing")
		_, after := read("grafana")
		require.Equal(t, before.ResourceVersion, after.ResourceVersion)
	})
	t.Run("a repository that went down keeps the last known helm versions", func(t *testing.T) {
		g := got["grafana"]
		g.Available = g.Available[:1] // the catalog version only
		g.IndexError = "helm index " + good.URL + "/index.yaml: HTTP 502"
		out := write([]ComponentUpdates{g, {Name: "gone", Installed: "v1.0.0"}}, first.Add(24*time.Hour))
		require.Equal(t, WriteAvailableVersionsResult{Changed: 1, WithUpgrades: 1, Missing: []string{"gone"}}, out)
		av, _ := read("grafana")
		require.Equal(t, got["grafana"].Available, av.Versions, "v11.5.0 from the previous check is still shown")
		require.Equal(t, g.IndexError, av.IndexError)
		require.Equal(t, first.Add(24*time.Hour), av.CheckedAt)

		g.Installed = "v11.5.0" // upgraded meanwhile: the kept release is no longer newer
		write([]ComponentUpdates{g}, first.Add(48*time.Hour))
		av, _ = read("grafana")
		require.Equal(t, got["grafana"].Available[:1], av.Versions)
	})
}
