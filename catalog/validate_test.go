package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// goodYAML is a minimal valid catalog the bad cases below break one way each.
const goodYAML = `apiVersion: catalog.openova.io/v1
components:
  - name: alpha
    title: Alpha
    category: mandatory
    chart: {name: alpha, repository: https://charts.example.com}
    endpoints:
      - {name: web, url: "https://alpha.{{domain}}"}
    versions:
      - {version: v1.0.0, released: 2024-01-02, changelog: first, source: {repository: https://github.com/example/charts, ref: alpha-1.0.0, path: charts/alpha/Chart.yaml}}
      - {version: 1.1.0, released: 2024-02-03, changelog: second, source: {repository: https://github.com/example/charts, ref: alpha-1.1.0, path: charts/alpha/Chart.yaml}}
  - name: beta
    title: Beta
    category: a-la-carte
    chart: {name: beta, repository: oci://ghcr.io/example/charts}
    requires:
      - {name: alpha, range: ">= 1.0.0", why: needs alpha}
    versions:
      - {version: v0.1.0, released: 2024-03-04T10:00:00Z, source: {repository: https://github.com/example/beta, ref: 4b825dc642cb6eb9a060e54bf8d69288fbee4904, path: index.yaml}}
`

// alphaImage is an image list for alpha's first release.
const alphaImage = "images: [{registry: quay.io, repository: example/alpha, tag: v1.0.0, source: {repository: https://github.com/example/charts, ref: alpha-1.0.0, path: charts/alpha/values.yaml}}], "

func TestParseGood(t *testing.T) {
	c, err := Parse([]byte(goodYAML))
	require.NoError(t, err)
	img := Image{Registry: "ghcr.io", Repository: "example/beta", Tag: "v0.1.0"}
	require.Equal(t, "ghcr.io/example/beta:v0.1.0", img.Ref())
	img.Digest = "sha256:" + strings.Repeat("a", 64)
	require.Equal(t, "ghcr.io/example/beta:v0.1.0@sha256:"+strings.Repeat("a", 64), img.Ref(), "pinned by digest where upstream publishes one")
	withImages := strings.Replace(goodYAML, "changelog: first,", "changelog: first, "+alphaImage, 1)
	wc, err := Parse([]byte(withImages))
	require.NoError(t, err)
	require.Equal(t, "quay.io/example/alpha:v1.0.0", wc.Components["alpha"].Versions[1].Images[0].Ref())
	sc, err := Parse([]byte(strings.Replace(goodYAML, "why: needs alpha}", "why: needs alpha, suggested: true}", 1)))
	require.NoError(t, err)
	require.True(t, sc.Components["beta"].Requires[0].Suggested, "a platform design choice, not a chart need")
	require.Equal(t, []string{"v1.1.0", "v1.0.0"}, c.Components["alpha"].VersionList(), "normalised and sorted newest first")

	// A release's values and its chart after a chart move: parsed, the
	// release's chart is the one that ships it, and both round-trip.
	moved := strings.Replace(goodYAML, "changelog: second,", "changelog: second, chart: {name: alpha-ng, repository: https://alpha.example.com/charts}, "+
		"values: {postgresql: {enabled: false}, externalDatabase: {existingSecret: alpha-db}, replicas: 2},", 1)
	mc, err := Parse([]byte(moved))
	require.NoError(t, err)
	alpha := mc.Components["alpha"]
	v11, _ := alpha.Find("v1.1.0")
	v10, _ := alpha.Find("v1.0.0")
	require.Equal(t, Chart{Name: "alpha-ng", Repository: "https://alpha.example.com/charts"}, alpha.ChartOf(v11))
	require.Equal(t, alpha.Chart, alpha.ChartOf(v10), "a release without a chart of its own ships in the component's")
	require.Equal(t, map[string]any{"enabled": false}, v11.Values["postgresql"])
	out, err := mc.Marshal()
	require.NoError(t, err)
	back, err := Parse(out)
	require.NoError(t, err)
	b11, _ := back.Components["alpha"].Find("v1.1.0")
	require.Equal(t, v11.Chart, b11.Chart)
	require.Equal(t, v11.Values, b11.Values)
	require.Equal(t, 2024, c.Components["beta"].Versions[0].Released.Year())
}

func TestParseBad(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string // replaces goodYAML when edit is empty
		old     string // edit: replace old with new in goodYAML
		new     string
		wantMsg []string
	}{
		{name: "empty", yaml: " ", wantMsg: []string{"empty input"}},
		{name: "not yaml", yaml: "{{{", wantMsg: []string{"not a valid catalog document"}},
		{name: "wrong apiVersion", old: "catalog.openova.io/v1", new: "catalog.openova.io/v2", wantMsg: []string{`apiVersion: "catalog.openova.io/v2" is not supported; want catalog.openova.io/v1`}},
		{name: "missing apiVersion", old: "apiVersion: catalog.openova.io/v1\n", new: "", wantMsg: []string{"apiVersion: missing"}},
		{name: "no components", yaml: "apiVersion: catalog.openova.io/v1\ncomponents: []\n", wantMsg: []string{"components: empty"}},
		{name: "unknown field", old: "    title: Beta\n", new: "    title: Beta\n    colour: blue\n", wantMsg: []string{"field colour not found"}},
		{name: "two documents", yaml: goodYAML + "---\n" + goodYAML, wantMsg: []string{"more than one YAML document"}},
		{name: "bad name", old: "name: beta\n", new: "name: Beta_1\n", wantMsg: []string{`components[1] (Beta_1).name: "Beta_1" is not a DNS label`}},
		{name: "missing name", old: "  - name: beta\n", new: "  - name: \"\"\n", wantMsg: []string{"components[1].name: missing"}},
		{name: "duplicate name", old: "name: beta\n", new: "name: alpha\n", wantMsg: []string{`components[1] (alpha).name: "alpha" is used twice (also components[0] (alpha))`}},
		{name: "missing title", old: "    title: Beta\n", new: "", wantMsg: []string{"components[1] (beta).title: missing"}},
		{name: "bad category", old: "category: a-la-carte", new: "category: optional", wantMsg: []string{`components[1] (beta).category: "optional" is not a category`}},
		{name: "missing chart name", old: "{name: beta, repository", new: "{repository", wantMsg: []string{"components[1] (beta).chart.name: missing"}},
		{name: "release without a source", old: ", source: {repository: https://github.com/example/beta, ref: 4b825dc642cb6eb9a060e54bf8d69288fbee4904, path: index.yaml}", new: "",
			wantMsg: []string{"components[1] (beta).versions[0].source: missing; say where the release was checked upstream"}},
		{name: "source not https", old: "https://github.com/example/beta", new: "git@github.com:example/beta",
			wantMsg: []string{`components[1] (beta).versions[0].source.repository: "git@github.com:example/beta" is not an https URL`}},
		{name: "source without ref", old: "ref: 4b825dc642cb6eb9a060e54bf8d69288fbee4904", new: `ref: ""`,
			wantMsg: []string{"components[1] (beta).versions[0].source.ref: missing"}},
		{name: "source path outside the repository", old: "path: index.yaml", new: "path: ../index.yaml",
			wantMsg: []string{`components[1] (beta).versions[0].source.path: "../index.yaml" is not a path inside the repository`}},
		{name: "upgrade path: bad range, no why, no source", old: "changelog: second, ", new: "changelog: second, upgradesFrom: {range: \"from 1.0\"}, ",
			wantMsg: []string{`components[0] (alpha).versions[1].upgradesFrom.range: "from 1.0" is not a version range`,
				"components[0] (alpha).versions[1].upgradesFrom.why: missing", "components[0] (alpha).versions[1].upgradesFrom.source: missing"}},
		{name: "upgrade path: source without ref", old: "changelog: second, ",
			new:     "changelog: second, upgradesFrom: {range: \">= 1.0.0\", why: one minor at a time, source: {repository: https://github.com/example/charts, ref: \"\", path: UPGRADING.md}}, ",
			wantMsg: []string{"components[0] (alpha).versions[1].upgradesFrom.source.ref: missing"}},
		{name: "bad chart repository scheme", old: "oci://ghcr.io", new: "ftp://ghcr.io", wantMsg: []string{`components[1] (beta).chart.repository: "ftp://ghcr.io/example/charts" has scheme "ftp"`}},
		{name: "chart repository with credentials", old: "https://charts.example.com", new: "https://user:pw@charts.example.com", wantMsg: []string{"components[0] (alpha).chart.repository: contains credentials"}},
		{name: "no versions", old: "      - {version: v0.1.0, released: 2024-03-04T10:00:00Z, source: {repository: https://github.com/example/beta, ref: 4b825dc642cb6eb9a060e54bf8d69288fbee4904, path: index.yaml}}\n", new: "", wantMsg: []string{"components[1] (beta).versions: empty"}},
		{name: "not semver", old: "version: 1.1.0", new: "version: \"1.2\"", wantMsg: []string{`components[0] (alpha).versions[1].version: "1.2" is not a semantic version (want vX.Y.Z)`}},
		{name: "duplicate version", old: "version: 1.1.0", new: "version: 1.0.0", wantMsg: []string{"components[0] (alpha).versions[1].version: v1.0.0 is listed twice (also versions[0])"}},
		{name: "missing release date", old: ", released: 2024-02-03", new: "", wantMsg: []string{"components[0] (alpha).versions[1].released: missing"}},
		{name: "bad release date", old: "2024-02-03", new: "yesterday", wantMsg: []string{`components[0] (alpha).versions[1].released: "yesterday" is not a date`}},
		{name: "forward-only without backup", old: "changelog: first,", new: "changelog: first, forwardOnly: true,",
			wantMsg: []string{"components[0] (alpha).versions[0].backup: missing; a forward-only release must declare the backup"}},
		{name: "backup without kind, path, value or a sane timeout", old: "changelog: first,",
			new: "changelog: first, forwardOnly: true, backup: {apiVersion: batch/v1, done: {path: 'status..x'}, failed: {path: status.failed}, timeout: soon},",
			wantMsg: []string{"versions[0].backup.kind: missing", `versions[0].backup.done.path: "status..x" is not a dotted field path`,
				"versions[0].backup.done.equals: missing", "versions[0].backup.failed.equals: missing", `versions[0].backup.timeout: "soon" is not a positive duration`}},
		{name: "backup volume on a kind that mounts none", old: "changelog: first,",
			new: "changelog: first, forwardOnly: true, backup: {apiVersion: postgresql.cnpg.io/v1, kind: Backup, done: {path: status.phase, equals: completed}, volume: {name: Backup, size: 8G}},",
			wantMsg: []string{"versions[0].backup.volume: only a batch/v1 Job writes to a volume", `versions[0].backup.volume.name: "Backup" is not a volume name`,
				`versions[0].backup.volume.size: "8G" is not a size such as 8Gi`}},
		{name: "withdrawn Bitnami image", old: "changelog: first,", new: "changelog: first, " + strings.Replace(strings.Replace(alphaImage, "quay.io", "docker.io", 1), "example/alpha", "bitnami/mongodb", 1),
			wantMsg: []string{"versions[0].images[0].repository: docker.io/bitnami/mongodb is withdrawn", "bitnami/containers#83267"}},
		{name: "latest image tag", old: "changelog: first,", new: "changelog: first, " + strings.Replace(alphaImage, "v1.0.0", "latest", 1),
			wantMsg: []string{"versions[0].images[0].tag: latest names a different image tomorrow"}},
		{name: "image without source or a sane name", old: "changelog: first,", new: "changelog: first, images: [{registry: Quay, repository: /x, tag: '-', digest: md5:00}],",
			wantMsg: []string{`versions[0].images[0].registry: "Quay" is not a registry host`, `versions[0].images[0].repository: "/x" is not a repository path`,
				`versions[0].images[0].tag: "-" is not an image tag`, `versions[0].images[0].digest: "md5:00" is not a digest`, "versions[0].images[0].source: missing"}},
		{name: "a password in the values", old: "changelog: first,", new: "changelog: first, values: {postgresql: {enabled: false}, gitea: {admin: {password: hunter2, existingSecret: gitea-admin}}},",
			wantMsg: []string{"versions[0].values.gitea.admin.password: a password in the catalog is a secret in plain text"}},
		{name: "a values key that is not a string", old: "changelog: first,", new: "changelog: first, values: {replicas: {1: one}},",
			wantMsg: []string{"versions[0].values.replicas: has a key that is not a string"}},
		{name: "a chart move without its repository", old: "changelog: first,", new: "changelog: first, chart: {name: alpha-operator},",
			wantMsg: []string{"components[0] (alpha).versions[0].chart.repository: missing"}},
		{name: "bad chart version", old: "changelog: first,", new: "changelog: first, chartVersion: one,", wantMsg: []string{`components[0] (alpha).versions[0].chartVersion: "one" is not a semantic version`}},
		{name: "unknown dependency", old: "{name: alpha, range", new: "{name: gamma, range", wantMsg: []string{`components[1] (beta).requires[0].name: "gamma" is not in the catalog`}},
		{name: "self dependency", old: "{name: alpha, range", new: "{name: beta, range", wantMsg: []string{`components[1] (beta).requires[0].name: "beta" depends on itself`}},
		{name: "bad range", old: `">= 1.0.0"`, new: `"about one"`, wantMsg: []string{`components[1] (beta).requires[0].range: "about one" is not a semver constraint`}},
		{name: "required and optional", old: "    versions:\n      - {version: v0.1.0", new: "    optional:\n      - {name: alpha}\n    versions:\n      - {version: v0.1.0", wantMsg: []string{`components[1] (beta).optional[0].name: "alpha" is also required`}},
		{name: "cycle", old: "    endpoints:\n", new: "    requires: [{name: beta}]\n    endpoints:\n", wantMsg: []string{"components[0] (alpha).requires: dependency cycle alpha → beta → alpha"}},
		{name: "bad endpoint name", old: "{name: web,", new: "{name: Web UI,", wantMsg: []string{`components[0] (alpha).endpoints[0].name: "Web UI" is not a DNS label`}},
		{name: "unknown placeholder", old: "{{domain}}", new: "{{cluster}}", wantMsg: []string{`components[0] (alpha).endpoints[0].url: "https://alpha.{{cluster}}" uses an unknown placeholder`}},
		{name: "relative endpoint", old: `"https://alpha.{{domain}}"`, new: "/alpha", wantMsg: []string{`components[0] (alpha).endpoints[0].url: "/alpha" is not an absolute URL`}},
		{name: "too big", yaml: goodYAML + "#" + strings.Repeat("x", MaxSize), wantMsg: []string{"more than the 4194304 byte limit"}},
		{name: "unknown field next to a bad value", old: "title: Alpha", new: "title: \"\"\n    colourless: true", wantMsg: []string{"field colourless not found"}},
		{name: "collects all errors", old: "category: mandatory", new: "category: core", wantMsg: []string{
			`components[0] (alpha).category: "core" is not a category`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.yaml
			if in == "" {
				require.Contains(t, goodYAML, tt.old, "test edit must apply")
				in = strings.Replace(goodYAML, tt.old, tt.new, 1)
			}
			c, err := Parse([]byte(in))
			require.Error(t, err)
			require.Nil(t, c)
			require.Equal(t, ErrInvalidCatalog, KindOf(err))
			require.NotEmpty(t, validationErrors(err))
			for _, m := range tt.wantMsg {
				require.Contains(t, err.Error(), m)
			}
		})
	}
}

func TestParseCollectsEveryError(t *testing.T) {
	in := strings.Replace(goodYAML, "category: mandatory", "category: core", 1)
	in = strings.Replace(in, "version: 1.1.0", `version: "1.2"`, 1)
	in = strings.Replace(in, "{name: alpha, range", "{name: gamma, range", 1)
	in = strings.Replace(in, ", source: {repository: https://github.com/example/beta, ref: 4b825dc642cb6eb9a060e54bf8d69288fbee4904, path: index.yaml}", "", 1)
	_, err := Parse([]byte(in))
	require.Error(t, err)
	ves := validationErrors(err)
	require.Len(t, ves, 4)
	fields := []string{ves[0].Field, ves[1].Field, ves[2].Field, ves[3].Field}
	require.ElementsMatch(t, []string{
		"components[0] (alpha).category",
		"components[0] (alpha).versions[1].version",
		"components[1] (beta).requires[0].name",
		"components[1] (beta).versions[0].source",
	}, fields)
}

// validationErrors lists every ValidationError inside err (which may be a
// join of many), to check that Parse reports all of them.
func validationErrors(err error) []*ValidationError {
	var out []*ValidationError
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if ve, ok := err.(*ValidationError); ok {
			out = append(out, ve)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// A plan's step carries the chart and values of the release it installs.
func TestPlanStepCarriesTheReleaseChartAndValues(t *testing.T) {
	moved := strings.Replace(goodYAML, "changelog: second,", "changelog: second, chart: {name: alpha-ng, repository: https://alpha.example.com/charts}, "+
		"values: {crds: {enabled: true}},", 1)
	c, err := Parse([]byte(moved))
	require.NoError(t, err)
	for _, tt := range []struct {
		prefer    string
		wantChart string
		wantVals  map[string]any
	}{
		{"", "alpha-ng", map[string]any{"crds": map[string]any{"enabled": true}}},
		{"v1.0.0", "alpha", nil},
	} {
		req := Request{Component: "beta"}
		if tt.prefer != "" {
			req.Prefer = map[string]string{"alpha": tt.prefer}
		}
		plan, err := c.Resolve(Installed{}, req)
		require.NoError(t, err)
		st := plan.Layers[0][0]
		require.Equal(t, "alpha", st.Name)
		require.Equal(t, tt.wantChart, st.Chart.Name, "alpha %s", st.Version)
		require.Equal(t, tt.wantVals, st.Values, "alpha %s", st.Version)
	}
}
