package upgrades

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/catalog"
)

func TestUpgradeFormChecks(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	installed := catalog.Installed{"mongodb": "v7.0.14", "redpanda": "v24.2.7", "debezium": "v3.0.4", "grafana": "v11.3.0"}
	cases := []struct {
		name      string
		component string
		form      Form
		window    bool
		field     string
		msg       string
		at        time.Time
	}{
		{"a forward-only release needs the confirmation", "mongodb", Form{To: "v8.0.3", Action: actionNow}, false, "confirm", "cannot be rolled back", time.Time{}},
		{"confirmed, it passes", "mongodb", Form{To: "v8.0.3", Confirm: true, Action: actionNow}, false, "", "", time.Time{}},
		{"an unknown version", "grafana", Form{To: "v99.0.0", Action: actionNow}, false, "to", "not in the catalog", time.Time{}},
		{"a downgrade", "grafana", Form{To: "v11.2.0", Action: actionNow}, false, "to", "downgrades are refused", time.Time{}},
		{"the version that runs: refused, and not called a downgrade", "grafana", Form{To: "v11.3.0", Action: actionNow}, false, "to",
			"grafana: v11.3.0 is already installed: nothing to upgrade", time.Time{}},
		{"no version chosen", "grafana", Form{Action: actionNow}, false, "to", "Choose the version", time.Time{}},
		{"now, with a window", "grafana", Form{To: "v11.4.0", Action: actionNow}, true, "action", "maintenance window", time.Time{}},
		{"the window, without one", "grafana", Form{To: "v11.4.0", Action: actionWindow}, false, "action", "no maintenance window", time.Time{}},
		{"no action", "grafana", Form{To: "v11.4.0"}, false, "action", "Choose Upgrade now", time.Time{}},
		{"a time in a zone", "grafana", Form{To: "v11.4.0", Action: actionAt, At: "2026-12-05T02:00", Zone: "Europe/Berlin"}, false, "", "",
			time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)},
		{"a time already past", "grafana", Form{To: "v11.4.0", Action: actionAt, At: "2026-12-01T11:00", Zone: "UTC"}, false, "at", "has passed", time.Time{}},
		{"a time that is not one", "grafana", Form{To: "v11.4.0", Action: actionAt, At: "soon", Zone: "UTC"}, false, "at", "such as", time.Time{}},
		{"an unknown zone", "grafana", Form{To: "v11.4.0", Action: actionAt, At: "2026-12-05T02:00", Zone: "Mars/Olympus"}, false, "zone", "not a time zone", time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.form
			at := f.check(catalog.Default(), installed, tc.component, tc.window, now)
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
