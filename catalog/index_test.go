package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const indexHead = "apiVersion: catalog.openova.io/v1\ncomponents:\n"

func TestMergeAddsVersionsAndComponents(t *testing.T) {
	base := Default()
	before := len(base.Components["grafana"].Versions)
	idx, err := ParseIndex([]byte(indexHead + `
  - name: grafana
    versions:
      - {version: 13.3.0, chartVersion: 12.12.0, released: 2026-09-01, changelog: "## Grafana 13.3.0"}
  - name: cnpg
    title: CloudNativePG
    chart: {name: cloudnative-pg, repository: https://cloudnative-pg.github.io/charts}
    versions:
      - {version: v1.31.0, chartVersion: 0.30.0, released: 2026-09-01, changelog: "## CNPG 1.31.0"}
  - name: ollama
    title: Ollama
    category: a-la-carte
    chart: {name: ollama, repository: https://otwld.github.io/ollama-helm/}
    requires: [{name: cnpg, range: ">= 1.24.0"}]
    versions:
      - {version: v0.5.4, released: 2024-12-17}
`))
	require.NoError(t, err)
	merged, err := base.Merge(idx)
	require.NoError(t, err)

	require.Equal(t, "v13.3.0", merged.Components["grafana"].Latest().Version)
	require.Equal(t, []string{"v13.3.0", "v13.2.0", "v13.1.3"}, merged.Components["grafana"].VersionList())
	require.Equal(t, "v1.31.0", merged.Components["cnpg"].Latest().Version)
	require.Contains(t, merged.Components, "ollama")
	require.Len(t, merged.Components, len(base.Components)+1)

	// The inputs are untouched: Default is shared.
	require.Len(t, base.Components["grafana"].Versions, before)
	require.Equal(t, "v13.2.0", base.Components["grafana"].Latest().Version)
	require.NotContains(t, base.Components, "ollama")
	require.Len(t, idx.Components["grafana"].Versions, 1)

	// A merged catalog resolves like any other.
	plan, err := merged.Resolve(Installed{"external-secrets": "v2.9.0"}, Request{Component: "ollama"})
	require.NoError(t, err)
	s, _ := plan.Step("cnpg")
	require.Equal(t, "v1.31.0", s.Version)
}

func TestMergeSameVersionIsFine(t *testing.T) {
	merged, err := Default().Merge(Default())
	require.NoError(t, err)
	require.Equal(t, Default().Names(), merged.Names())
	merged, err = Default().Merge(nil)
	require.NoError(t, err)
	require.Len(t, merged.Components, len(Default().Components))
}

func TestIndexBad(t *testing.T) {
	tests := []struct {
		name     string
		index    string
		parseErr string // error from ParseIndex; else from Merge
		mergeErr string
	}{
		{name: "wrong apiVersion", index: "apiVersion: v1\ncomponents: []\n", parseErr: `apiVersion: "v1" is not supported`},
		{name: "not yaml", index: "\x00\x01 : : [", parseErr: "not a valid catalog document"},
		{name: "json array", index: "[1, 2, 3]", parseErr: "not a valid catalog document"},
		{name: "oversized", index: indexHead + strings.Repeat("#", MaxSize), parseErr: "byte limit"},
		{name: "unknown field", index: indexHead + "  - name: grafana\n    version: v11.5.0\n", parseErr: "field version not found"},
		{name: "bad version", index: indexHead + "  - name: grafana\n    versions: [{version: latest, released: 2025-01-01}]\n", parseErr: `components[0] (grafana).versions[0].version: "latest" is not a semantic version`},
		{name: "partial without versions", index: indexHead + "  - name: grafana\n", parseErr: "components[0] (grafana).versions: empty"},
		{name: "conflicting version", index: indexHead + "  - name: grafana\n    versions: [{version: v13.2.0, released: 2026-08-01, changelog: changed}]\n",
			mergeErr: "index (grafana).versions[v13.2.0]: differs from the same version in the base catalog"},
		{name: "partial unknown component", index: indexHead + "  - name: nosuch\n    versions: [{version: v1.0.0, released: 2025-01-01}]\n",
			mergeErr: "index (nosuch): not in the base catalog; a new component needs title, category and chart"},
		{name: "dependency on unknown component", index: indexHead + `  - name: newthing
    title: New
    category: a-la-carte
    chart: {name: newthing, repository: https://charts.example.com}
    requires: [{name: nosuch}]
    versions: [{version: v1.0.0, released: 2025-01-01}]
`, mergeErr: `index (newthing).requires[0].name: "nosuch" is not in the catalog`},
		{name: "moves a chart", index: indexHead + `  - name: grafana
    title: Grafana
    chart: {name: grafana, repository: https://evil.example.com}
    versions: [{version: v11.5.0, released: 2025-01-28}]
`, mergeErr: "index (grafana).chart: differs from the base catalog"},
		{name: "changes dependencies", index: indexHead + `  - name: cnpg
    title: CloudNativePG
    requires: [{name: vault}]
    versions: [{version: v1.25.0, released: 2024-12-23}]
`, mergeErr: "index (cnpg).requires: differs from the base catalog"},
		{name: "introduces a cycle", index: indexHead + `  - name: a1
    title: A
    category: a-la-carte
    chart: {name: a1, repository: https://charts.example.com}
    requires: [{name: b1}]
    versions: [{version: v1.0.0, released: 2025-01-01}]
  - name: b1
    title: B
    category: a-la-carte
    chart: {name: b1, repository: https://charts.example.com}
    requires: [{name: a1}]
    versions: [{version: v1.0.0, released: 2025-01-01}]
`, mergeErr: "index (a1).requires: dependency cycle a1 → b1 → a1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, err := ParseIndex([]byte(tt.index))
			if tt.parseErr != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tt.parseErr)
				require.Equal(t, ErrInvalidCatalog, KindOf(err))
				return
			}
			require.NoError(t, err)
			merged, err := Default().Merge(idx)
			require.Error(t, err)
			require.Nil(t, merged)
			require.Contains(t, err.Error(), tt.mergeErr)
			require.Equal(t, ErrInvalidCatalog, KindOf(err))
		})
	}
}
