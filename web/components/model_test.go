package components

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/workflows"
)

func installed(name, version, health string, avail ...v1alpha1.AvailableVersion) v1alpha1.Component {
	return v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:   v1alpha1.ComponentSpec{Version: version},
		Status: v1alpha1.ComponentStatus{InstalledVersion: version, Health: health, AvailableVersions: avail}}
}

func TestCards(t *testing.T) {
	off := false
	p := &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}, Spec: v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{
		{Name: "grafana"}, {Name: "mongodb"}, {Name: "vault"}, {Name: "valkey", Enabled: &off},
	}}}
	comps := []v1alpha1.Component{
		installed("grafana", "v11.3.0", v1alpha1.HealthHealthy, v1alpha1.AvailableVersion{Version: "v11.4.0", Source: v1alpha1.SourceCatalog},
			v1alpha1.AvailableVersion{Version: "12.0.0", ChartVersion: "12.0.0", Source: v1alpha1.SourceHelmRepository}),
		installed("valkey", "v8.0.0", v1alpha1.HealthHealthy),
		installed("cnpg", "v1.24.0", v1alpha1.HealthDegraded),
	}
	ops := map[string]operations.Snapshot{
		workflows.InstallID("acme", "mongodb"):  {State: operations.StateRunning, Progress: workflows.Progress{Steps: []workflows.ProgressStep{{Name: "release redpanda", State: workflows.StepRunning}}}},
		workflows.InstallID("acme", "vault"):    {State: operations.StateFailed, Error: "vault not Ready by 10:00: CrashLoopBackOff."},
		workflows.UninstallID("acme", "valkey"): {State: operations.StateRunning},
	}
	vm := build(state{platform: p, components: comps, catalog: catalog.Default(), ops: ops, filter: Filter{InstalledOnly: true, Page: 1}})
	cards := map[string]int{}
	all := vm.Sections[0].Cards
	all = append(append(all, vm.Sections[1].Cards...), vm.Sections[2].Cards...)
	for i, c := range all {
		cards[c.Name] = i
	}
	card := func(name string) (c struct {
		ok  bool
		idx int
	}) {
		i, ok := cards[name]
		c.ok, c.idx = ok, i
		return
	}
	require.False(t, card("backstage").ok, "installed only: what is not installed is hidden")
	require.True(t, card("mongodb").ok, "an install that runs is shown")

	g := all[cards["grafana"]]
	require.Equal(t, "Healthy", g.Status)
	require.Equal(t, "v11.4.0", g.Upgrade, "the catalog's upgrade, not the Helm-only chart")
	require.Empty(t, g.UninstallURL, "mandatory components are not uninstalled from the UI")

	m := all[cards["mongodb"]]
	require.Equal(t, "Installing", m.Status)
	require.NotNil(t, m.Live)
	require.Contains(t, m.Live.StreamURL, "id=install%2Facme%2Fmongodb")
	require.Equal(t, "#component-list", m.Live.DoneTarget)
	require.Empty(t, m.InstallURL)

	v := all[cards["vault"]]
	require.Equal(t, "Failed", v.Status)
	require.Contains(t, v.Problem, "The install failed and was undone: vault not Ready")
	require.Contains(t, v.Problem, "Uninstall")
	require.NotEmpty(t, v.UninstallURL)

	require.Equal(t, "Uninstalling", all[cards["valkey"]].Status)
	require.Equal(t, "Degraded", all[cards["cnpg"]].Status, "installed outside the spec (a dependency) is still shown")

	vm = build(state{platform: p, components: comps, catalog: catalog.Default(), ops: ops, filter: Filter{Page: 1}})
	var names []string
	for _, c := range vm.Sections[1].Cards {
		names = append(names, c.Name)
	}
	require.Contains(t, names, "redpanda", "all components when the toggle is off")
	for _, c := range vm.Sections[0].Cards {
		if c.Name == "cilium" {
			require.Equal(t, "Missing", c.Status, "a mandatory component the platform lacks is not shown as an option")
			require.NotEmpty(t, c.InstallURL, "and it can still be installed")
			require.True(t, c.Required, "its install is marked required, not offered as an option")
		}
	}
	for _, c := range vm.Sections[1].Cards {
		if c.Name == "redpanda" {
			require.Empty(t, c.Status, "an optional one not installed is just not installed")
			require.False(t, c.Required, "and its install is an option")
		}
	}

	var b bytes.Buffer
	require.NoError(t, page(vm).Render(context.Background(), &b))
	doc, err := goquery.NewDocumentFromReader(&b)
	require.NoError(t, err)
	require.Equal(t, 3, doc.Find(`[data-testid="section"]`).Length())
	require.Equal(t, 1, doc.Find(`#component-redpanda a[data-testid="install"][data-dialog]`).Length())
	require.Equal(t, "+ Install", doc.Find(`#component-redpanda [data-testid="install"]`).Text())
	require.Equal(t, "Install (required)", doc.Find(`#component-cilium [data-testid="install"]`).Text(), "a missing mandatory component's install says it is required")
	require.Zero(t, doc.Find("[style]").Length())
}

func TestInstallDialog(t *testing.T) {
	cat := catalog.Default()
	cases := []struct {
		name       string
		component  string
		have       catalog.Installed
		optional   []string
		installing map[string]bool
		required   map[string]string
		options    []string
		layers     int
	}{
		{"mongodb brings its CDC pair", "mongodb", catalog.Installed{}, nil, nil,
			map[string]string{"debezium": "will be installed", "redpanda": "will be installed"}, nil, 3},
		{"what is installed is marked so", "mongodb", catalog.Installed{"redpanda": "v24.2.7"}, nil, nil,
			map[string]string{"debezium": "will be installed", "redpanda": "already installed"}, nil, 3},
		{"what is still installing is not called installed", "mongodb", catalog.Installed{"redpanda": "v24.2.7"}, nil, map[string]bool{"redpanda": true},
			map[string]string{"debezium": "will be installed", "redpanda": "installing now"}, nil, 3},
		{"a meta-platform offers its optionals", "ai-hub", catalog.Installed{}, nil, nil,
			map[string]string{"kserve": "will be installed", "cnpg": "will be installed", "external-secrets": "will be installed"}, []string{"neo4j"}, 3},
		{"a chosen optional is checked, not required", "ai-hub", catalog.Installed{}, []string{"neo4j"}, nil,
			map[string]string{"kserve": "will be installed"}, []string{"neo4j"}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			comp, _ := cat.Get(tc.component)
			plan, err := cat.Resolve(tc.have, catalog.Request{Component: tc.component, Optional: tc.optional})
			require.NoError(t, err)
			vm := dialogOf("acme", comp, cat, plan, tc.optional, tc.installing)
			got := map[string]string{}
			for _, r := range vm.Required {
				got[r.Name] = r.State
				require.NotEqual(t, "neo4j", r.Name, "a chosen optional is not listed as required")
			}
			for name, state := range tc.required {
				require.Equal(t, state, got[name], name)
			}
			var opts []string
			for _, o := range vm.Optional {
				opts = append(opts, o.Name)
				require.Equal(t, contains(tc.optional, o.Name), o.Checked)
			}
			require.Equal(t, tc.options, opts)
			require.GreaterOrEqual(t, len(vm.Picture.Layers), tc.layers-1)
			require.Len(t, vm.Picture.Boxes, len(plan.Steps()))
			for _, b := range vm.Picture.Boxes {
				if tc.installing[b.Name] {
					require.Equal(t, "installing", b.Class, "%s is drawn as installing, as the list says", b.Name)
				}
			}
			for _, l := range vm.Picture.Lines {
				require.Less(t, l.X1, l.X2, "lines go from a dependency to what waits for it, left to right")
			}
			var b bytes.Buffer
			require.NoError(t, dialog(vm).Render(context.Background(), &b))
			require.Contains(t, b.String(), `<svg class="plan"`)
			require.False(t, strings.Contains(b.String(), "style="))
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// The dialog lists the images each release the install adds runs, and
// marks a dependency the platform's design asks for (not the chart) as
// suggested by the platform.
func TestInstallDialogShowsImagesAndSuggestedDependencies(t *testing.T) {
	src := func(ref string) string {
		return "source: {repository: https://github.com/example/charts, ref: " + ref + ", path: values.yaml}"
	}
	cat, err := catalog.Parse([]byte(`apiVersion: catalog.openova.io/v1
components:
  - name: mongodb
    title: MongoDB
    category: a-la-carte
    chart: {name: mongodb, repository: https://charts.example.com}
    requires:
      - {name: redpanda, why: change data capture, suggested: true}
      - {name: cnpg}
    versions:
      - {version: v8.0.3, released: 2025-01-01, changelog: c, ` + src("m") + `, images: [{registry: docker.io, repository: library/mongo, tag: 8.0.3, ` + src("m") + `}]}
  - name: redpanda
    title: Redpanda
    category: a-la-carte
    chart: {name: redpanda, repository: https://charts.example.com}
    versions:
      - {version: v24.2.7, released: 2025-01-01, changelog: c, ` + src("r") + `, images: [{registry: docker.redpanda.com, repository: redpandadata/redpanda, tag: v24.2.7, ` + src("r") + `}, {registry: quay.io, repository: jetstack/cert-manager-cainjector, tag: v1.16.1, digest: "sha256:` + strings.Repeat("b", 64) + `", ` + src("r") + `}]}
  - name: cnpg
    title: CloudNativePG
    category: a-la-carte
    chart: {name: cnpg, repository: https://charts.example.com}
    versions:
      - {version: v1.24.1, released: 2025-01-01, changelog: c, ` + src("c") + `}
`))
	require.NoError(t, err)
	comp, _ := cat.Get("mongodb")
	for _, tt := range []struct {
		name       string
		have       catalog.Installed
		wantImages []ImagesVM
	}{
		{"a fresh install", catalog.Installed{}, []ImagesVM{
			{Title: "Redpanda", Version: "v24.2.7", Refs: []string{"docker.redpanda.com/redpandadata/redpanda:v24.2.7",
				"quay.io/jetstack/cert-manager-cainjector:v1.16.1@sha256:" + strings.Repeat("b", 64)}},
			{Title: "MongoDB", Version: "v8.0.3", Refs: []string{"docker.io/library/mongo:8.0.3"}},
		}},
		{"what is installed pulls nothing", catalog.Installed{"redpanda": "v24.2.7"}, []ImagesVM{
			{Title: "MongoDB", Version: "v8.0.3", Refs: []string{"docker.io/library/mongo:8.0.3"}},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := cat.Resolve(tt.have, catalog.Request{Component: "mongodb"})
			require.NoError(t, err)
			vm := dialogOf("acme", comp, cat, plan, nil, nil)
			require.ElementsMatch(t, tt.wantImages, vm.Images)
			suggested := map[string]bool{}
			for _, r := range vm.Required {
				suggested[r.Name] = r.Suggested
			}
			require.Equal(t, map[string]bool{"redpanda": true, "cnpg": false}, suggested)
			var html strings.Builder
			require.NoError(t, dialog(vm).Render(context.Background(), &html))
			require.Contains(t, html.String(), "<code>docker.io/library/mongo:8.0.3</code>")
			require.Contains(t, html.String(), "suggested by the platform")
		})
	}
}
