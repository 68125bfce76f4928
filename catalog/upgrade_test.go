package catalog

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

const upgradeCatalog = `apiVersion: catalog.openova.io/v1
components:
  - name: lib
    title: Lib
    description: a library
    category: a-la-carte
    chart: {name: lib, repository: https://charts.example.com/}
    versions:
      - {version: v1.0.0, released: 2025-01-01, changelog: "first", source: {repository: https://github.com/example/charts, ref: r1, path: Chart.yaml}}
      - {version: v0.9.0, released: 2024-06-01, changelog: "beta", source: {repository: https://github.com/example/charts, ref: r2, path: Chart.yaml}}
  - name: db
    title: DB
    description: a database
    category: a-la-carte
    chart: {name: db, repository: https://charts.example.com/}
    requires: [{name: lib, range: ">= 1.0.0"}]
    versions:
      - {version: v2.1.0, released: 2025-03-01, changelog: "## 2.1.0 faster", source: {repository: https://github.com/example/charts, ref: r3, path: Chart.yaml}}
      - {version: v2.0.0, released: 2025-02-01, changelog: "## 2.0.0 new on-disk format", source: {repository: https://github.com/example/charts, ref: r4, path: Chart.yaml}, forwardOnly: true,
         backup: {apiVersion: batch/v1, kind: Job, spec: {backoffLimit: 0}, done: {path: status.succeeded, equals: "1"}}}
      - {version: v1.1.0, released: 2025-01-15, changelog: "## 1.1.0 fixes", source: {repository: https://github.com/example/charts, ref: r5, path: Chart.yaml}}
      - {version: v1.0.0, released: 2025-01-01, changelog: "## 1.0.0", source: {repository: https://github.com/example/charts, ref: r6, path: Chart.yaml}}
  - name: app
    title: App
    description: an app on db 1.x
    category: a-la-carte
    chart: {name: app, repository: https://charts.example.com/}
    requires: [{name: db, range: ">= 1.0.0, < 2.0.0"}]
    versions:
      - {version: v1.0.0, released: 2025-01-01, changelog: "first", source: {repository: https://github.com/example/charts, ref: r7, path: Chart.yaml}}
`

func TestCheckUpgrade(t *testing.T) {
	small, err := Parse([]byte(upgradeCatalog))
	require.NoError(t, err)
	cases := []struct {
		name        string
		cat         *Catalog
		installed   Installed
		req         UpgradeRequest
		wantKind    string
		wantMsg     string
		wantCrosses []string
		wantFwd     []string
	}{
		{
			name: "Backstage v1.30 to v1.31 (journey 3)", cat: Default(), installed: Installed{"backstage": "v1.30.0"},
			req: UpgradeRequest{Component: "backstage", To: "v1.31.0"}, wantCrosses: []string{"v1.31.0"},
		},
		{
			name: "a patch upgrade", cat: small, installed: Installed{"lib": "v1.0.0", "db": "v1.0.0"},
			req: UpgradeRequest{Component: "db", To: "1.1.0"}, wantCrosses: []string{"v1.1.0"},
		},
		{
			name: "downgrade refused", cat: small, installed: Installed{"lib": "v1.0.0", "db": "v1.1.0"},
			req: UpgradeRequest{Component: "db", To: "v1.0.0"}, wantKind: ErrDowngrade,
			wantMsg: "db: v1.0.0 is older than the installed v1.1.0: downgrades are refused",
		},
		{
			name: "same version refused, not called a downgrade", cat: small, installed: Installed{"lib": "v1.0.0", "db": "v1.1.0"},
			req: UpgradeRequest{Component: "db", To: "v1.1.0"}, wantKind: ErrAlreadyInstalled,
			wantMsg: "db: v1.1.0 is already installed: nothing to upgrade",
		},
		{
			name: "same version written without the v", cat: small, installed: Installed{"lib": "v1.0.0", "db": "1.1.0"},
			req: UpgradeRequest{Component: "db", To: "v1.1.0"}, wantKind: ErrAlreadyInstalled,
		},
		{
			name: "forward-only needs confirmation", cat: small, installed: Installed{"lib": "v1.0.0", "db": "v1.1.0"},
			req: UpgradeRequest{Component: "db", To: "v2.1.0"}, wantKind: ErrForwardOnlyNotConfirmed,
			wantMsg: "db: v2.0.0 migrates data and cannot be rolled back: confirm the upgrade",
		},
		{
			name: "forward-only confirmed", cat: small, installed: Installed{"lib": "v1.0.0", "db": "v1.1.0"},
			req:         UpgradeRequest{Component: "db", To: "v2.1.0", ConfirmForwardOnly: true},
			wantCrosses: []string{"v2.1.0", "v2.0.0"}, wantFwd: []string{"v2.0.0"},
		},
		{
			name: "a dependent's range excludes the target", cat: small, installed: Installed{"lib": "v1.0.0", "db": "v1.1.0", "app": "v1.0.0"},
			req: UpgradeRequest{Component: "db", To: "v2.1.0", ConfirmForwardOnly: true}, wantKind: ErrIncompatibleUpgrade,
			wantMsg: `db: v2.1.0 is incompatible: app requires db ">= 1.0.0, < 2.0.0"`,
		},
		{
			name: "an installed dependency is too old", cat: small, installed: Installed{"lib": "v0.9.0", "db": "v1.0.0"},
			req: UpgradeRequest{Component: "db", To: "v1.1.0"}, wantKind: ErrIncompatibleUpgrade,
			wantMsg: `db needs lib ">= 1.0.0" but v0.9.0 is installed: upgrade lib first`,
		},
		{
			name: "unknown version", cat: small, installed: Installed{"lib": "v1.0.0", "db": "v1.0.0"},
			req: UpgradeRequest{Component: "db", To: "v9.0.0"}, wantKind: ErrInvalidRequest,
			wantMsg: "version v9.0.0 is not in the catalog (have v2.1.0, v2.0.0, v1.1.0, v1.0.0)",
		},
		{
			name: "not installed", cat: small, installed: Installed{},
			req: UpgradeRequest{Component: "db", To: "v1.1.0"}, wantKind: ErrInvalidRequest, wantMsg: "db: is not installed",
		},
		{
			name: "unknown component", cat: small, installed: Installed{},
			req: UpgradeRequest{Component: "nope", To: "v1.0.0"}, wantKind: ErrUnknownComponent,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := tc.cat.CheckUpgrade(tc.installed, tc.req)
			if tc.wantKind != "" {
				var re *ResolveError
				require.True(t, errors.As(err, &re), "%v", err)
				require.Equal(t, tc.wantKind, re.Kind)
				require.Contains(t, err.Error(), tc.wantMsg)
				return
			}
			require.NoError(t, err)
			var crosses []string
			for _, v := range plan.Crosses {
				crosses = append(crosses, v.Version)
				require.NotEmpty(t, v.Changelog, "changelog of %s", v.Version)
			}
			require.Equal(t, tc.wantCrosses, crosses)
			require.Equal(t, tc.wantFwd, plan.ForwardOnly)
			require.Equal(t, tc.installed[tc.req.Component], plan.From.Version)
		})
	}
}

// An upstream release the catalog does not list: refused until its risk is
// accepted (the refusal names it), refused when it is not newer than the
// catalog's newest or not the version asked for; accepted, it crosses the
// catalog's releases (their forward-only confirmation still applies) and
// runs on the newest release's chart and values at the upstream chart
// version.
func TestCheckUpgradeToAnUpstreamRelease(t *testing.T) {
	small, err := Parse([]byte(upgradeCatalog))
	require.NoError(t, err)
	up := &Version{Version: "v2.2.0", ChartVersion: "2.2.0", Changelog: "[Release notes](https://github.com/example/charts/releases/tag/db-2.2.0)"}
	at := Installed{"lib": "v1.0.0", "db": "v2.1.0"}
	for _, tc := range []struct {
		name      string
		installed Installed
		req       UpgradeRequest
		wantKind  string
		wantMsg   string
		crosses   []string
	}{
		{"not confirmed", at, UpgradeRequest{Component: "db", To: "v2.2.0", Upstream: up}, ErrUpstreamNotConfirmed,
			"v2.2.0: it is upstream's release, not in the catalog: openova has not checked its images", nil},
		{"confirmed", at, UpgradeRequest{Component: "db", To: "v2.2.0", Upstream: up, ConfirmUpstream: true}, "", "", []string{"v2.2.0"}},
		{"across a forward-only catalog release, not confirmed", Installed{"lib": "v1.0.0", "db": "v1.1.0"},
			UpgradeRequest{Component: "db", To: "v2.2.0", Upstream: up, ConfirmUpstream: true}, ErrForwardOnlyNotConfirmed, "v2.0.0 migrates data", nil},
		{"across a forward-only catalog release, both confirmed", Installed{"lib": "v1.0.0", "db": "v1.1.0"},
			UpgradeRequest{Component: "db", To: "v2.2.0", Upstream: up, ConfirmUpstream: true, ConfirmForwardOnly: true}, "", "",
			[]string{"v2.2.0", "v2.1.0", "v2.0.0"}},
		{"not newer than the catalog's newest", Installed{"lib": "v1.0.0", "db": "v1.0.0"},
			UpgradeRequest{Component: "db", To: "v2.0.5", Upstream: &Version{Version: "v2.0.5"}, ConfirmUpstream: true}, ErrInvalidRequest,
			"upstream release v2.0.5 is not newer than the catalog's newest, v2.1.0", nil},
		{"another version than asked", at, UpgradeRequest{Component: "db", To: "v2.3.0", Upstream: up, ConfirmUpstream: true}, ErrInvalidRequest,
			"upstream release v2.2.0 is not the version asked for (v2.3.0)", nil},
		{"a dependent's range still holds", Installed{"lib": "v1.0.0", "db": "v2.1.0", "app": "v1.0.0"},
			UpgradeRequest{Component: "db", To: "v2.2.0", Upstream: up, ConfirmUpstream: true}, ErrIncompatibleUpgrade, `app requires db ">= 1.0.0, < 2.0.0"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := small.CheckUpgrade(tc.installed, tc.req)
			if tc.wantKind != "" {
				var re *ResolveError
				require.ErrorAs(t, err, &re)
				require.Equal(t, tc.wantKind, re.Kind, "%v", err)
				require.Contains(t, err.Error(), tc.wantMsg)
				return
			}
			require.NoError(t, err)
			var crosses []string
			for _, v := range plan.Crosses {
				crosses = append(crosses, v.Version)
			}
			require.Equal(t, tc.crosses, crosses)
			require.Equal(t, "v2.2.0", plan.To.Version)
			require.Equal(t, "2.2.0", plan.To.HelmChartVersion())
			require.Contains(t, plan.To.Changelog, "Release notes")
			require.Nil(t, plan.To.Backup, "openova knows no backup for a release it has not read")
			require.Equal(t, tc.installed["db"], plan.From.Version)
		})
	}
	// Without Upstream, a version the catalog lacks is still refused as unknown.
	_, err = small.CheckUpgrade(at, UpgradeRequest{Component: "db", To: "v2.2.0", ConfirmUpstream: true})
	require.ErrorContains(t, err, "version v2.2.0 is not in the catalog")
}

// An upgrade path upstream limits (Cilium: one minor release at a time):
// from outside the range, the upgrade is refused and names the catalog
// release to upgrade to first, or says there is none; from inside, it
// passes.
func TestCheckUpgradeFollowsTheUpgradePath(t *testing.T) {
	cat, err := Parse([]byte(`apiVersion: catalog.openova.io/v1
components:
  - name: net
    title: Net
    description: a network
    category: a-la-carte
    chart: {name: net, repository: https://charts.example.com/}
    versions:
      - {version: v1.20.0, released: 2026-11-01, changelog: c, source: {repository: https://github.com/example/net, ref: v1.20.0, path: Chart.yaml},
         upgradesFrom: {range: ">= 1.19.0", why: "upgrade one minor release at a time", source: {repository: https://github.com/example/net, ref: v1.20.0, path: UPGRADING.md}}}
      - {version: v1.19.6, released: 2026-10-01, changelog: c, source: {repository: https://github.com/example/net, ref: v1.19.6, path: Chart.yaml},
         upgradesFrom: {range: ">= 1.18.0", why: "upgrade one minor release at a time", source: {repository: https://github.com/example/net, ref: v1.19.6, path: UPGRADING.md}}}
      - {version: v1.18.3, released: 2026-06-01, changelog: c, source: {repository: https://github.com/example/net, ref: v1.18.3, path: Chart.yaml},
         upgradesFrom: {range: ">= 1.17.0", why: "upgrade one minor release at a time", source: {repository: https://github.com/example/net, ref: v1.18.3, path: UPGRADING.md}}}
`))
	require.NoError(t, err)
	for _, tc := range []struct {
		from, to string
		wantMsg  string
	}{
		{"v1.19.2", "v1.20.0", ""},
		{"v1.18.3", "v1.19.6", ""},
		{"v1.18.3", "v1.20.0", "net: v1.20.0 upgrades only from >= 1.19.0, not from v1.18.3 (upgrade one minor release at a time): upgrade to v1.19.6 first"},
		{"v1.17.0", "v1.20.0", "not from v1.17.0 (upgrade one minor release at a time): upgrade to v1.18.3 first"},
		{"v1.17.0", "v1.18.3", ""},
		{"v1.16.4", "v1.20.0", "not from v1.16.4 (upgrade one minor release at a time): the catalog has no release in between to upgrade to first"},
	} {
		_, err := cat.CheckUpgrade(Installed{"net": tc.from}, UpgradeRequest{Component: "net", To: tc.to})
		if tc.wantMsg == "" {
			require.NoError(t, err, "%s → %s", tc.from, tc.to)
			continue
		}
		var re *ResolveError
		require.ErrorAs(t, err, &re, "%s → %s", tc.from, tc.to)
		require.Equal(t, ErrUpgradePathUnsupported, re.Kind)
		require.Contains(t, err.Error(), tc.wantMsg)
	}
}
