package upgrades

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/catalog"
)

// releases are the seed catalog's newest and previous release of a
// component (the catalog keeps both for every component).
func releases(tb testing.TB, name string) (newest, previous catalog.Version) {
	tb.Helper()
	comp, ok := catalog.Default().Get(name)
	require.True(tb, ok, name)
	require.GreaterOrEqual(tb, len(comp.Versions), 2, name)
	return comp.Latest(), comp.Versions[1]
}

func TestUpgradeFormChecks(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	// Grafana's newest release is an ordinary one, Vault's is forward-only;
	// Cilium runs its newest, so its previous is a downgrade.
	grafanaNew, grafanaOld := releases(t, "grafana")
	vaultNew, vaultOld := releases(t, "vault")
	ciliumNew, ciliumOld := releases(t, "cilium")
	require.False(t, grafanaNew.ForwardOnly)
	require.True(t, vaultNew.ForwardOnly)
	installed := catalog.Installed{"vault": vaultOld.Version, "grafana": grafanaOld.Version, "cilium": ciliumNew.Version}
	to := grafanaNew.Version
	up := &catalog.Version{Version: "v99.1.0", ChartVersion: "99.1.0"} // as the update check found it upstream
	cases := []struct {
		name      string
		component string
		form      Form
		window    bool
		field     string
		msg       string
		at        time.Time
		upstream  *catalog.Version
	}{
		{"a forward-only release needs the confirmation", "vault", Form{To: vaultNew.Version, Action: actionNow}, false, "confirm", "cannot be rolled back", time.Time{}, nil},
		{"confirmed, it passes", "vault", Form{To: vaultNew.Version, Confirm: true, Action: actionNow}, false, "", "", time.Time{}, nil},
		{"an upstream release needs its own confirmation, which names the risk", "grafana", Form{To: "v99.1.0", Action: actionNow}, false,
			"confirm-upstream", "v99.1.0 is not in the catalog: tick the box to accept its risk", time.Time{}, up},
		{"an upstream release, confirmed, passes", "grafana", Form{To: "v99.1.0", ConfirmUpstream: true, Action: actionNow}, false, "", "", time.Time{}, up},
		{"an unknown version", "grafana", Form{To: "v99.0.0", Action: actionNow}, false, "to", "not in the catalog", time.Time{}, nil},
		{"a downgrade", "cilium", Form{To: ciliumOld.Version, Action: actionNow}, false, "to", "downgrades are refused", time.Time{}, nil},
		{"the version that runs: refused, and not called a downgrade", "grafana", Form{To: grafanaOld.Version, Action: actionNow}, false, "to",
			"grafana: " + grafanaOld.Version + " is already installed: nothing to upgrade", time.Time{}, nil},
		{"no version chosen", "grafana", Form{Action: actionNow}, false, "to", "Choose the version", time.Time{}, nil},
		{"now, with a window", "grafana", Form{To: to, Action: actionNow}, true, "action", "maintenance window", time.Time{}, nil},
		{"the window, without one", "grafana", Form{To: to, Action: actionWindow}, false, "action", "no maintenance window", time.Time{}, nil},
		{"no action", "grafana", Form{To: to}, false, "action", "Choose Upgrade now", time.Time{}, nil},
		{"a time in a zone", "grafana", Form{To: to, Action: actionAt, At: "2026-12-05T02:00", Zone: "Europe/Berlin"}, false, "", "",
			time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC), nil},
		{"a time already past", "grafana", Form{To: to, Action: actionAt, At: "2026-12-01T11:00", Zone: "UTC"}, false, "at", "has passed", time.Time{}, nil},
		{"a time that is not one", "grafana", Form{To: to, Action: actionAt, At: "soon", Zone: "UTC"}, false, "at", "such as", time.Time{}, nil},
		{"an unknown zone", "grafana", Form{To: to, Action: actionAt, At: "2026-12-05T02:00", Zone: "Mars/Olympus"}, false, "zone", "not a time zone", time.Time{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.form
			at := f.check(catalog.Default(), installed, tc.component, tc.upstream, tc.window, now)
			if tc.field == "" {
				require.Empty(t, f.Errors)
				require.True(t, tc.at.Equal(at), "at %s", at)
				return
			}
			require.Contains(t, f.Errors[tc.field], tc.msg)
			require.Len(t, f.Errors, 1, "%v", f.Errors)
			if tc.form.To == installed[tc.component] {
				require.NotContains(t, f.Errors[tc.field], "downgrade")
			}
		})
	}
}
