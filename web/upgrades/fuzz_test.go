package upgrades

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/catalog"
)

// FuzzUpgradeForm posts the upgrade form (version, confirmation, now / at
// a time / in the window, date and zone) and checks it as the handler does.
// It holds: only the form's own fields are marked; an accepted version is
// one the catalog upgrades to; an accepted "at" is a later instant that
// reads back, in the chosen zone, as the date and time typed.
func FuzzUpgradeForm(f *testing.F) {
	grafanaNew, grafanaOld := releases(f, "grafana")
	vaultNew, vaultOld := releases(f, "vault")
	ciliumNew, ciliumOld := releases(f, "cilium")
	next := grafanaNew.Version
	f.Add("grafana", next, "", "now", "", "", false)
	f.Add("grafana", next, "", "at", "2026-12-05T02:00", "Europe/Berlin", false)
	f.Add("vault", vaultNew.Version, "yes", "window", "", "", true)
	f.Add("cilium", ciliumOld.Version, "", "at", "2026-12-01T11:00", "UTC", false)
	f.Add("grafana", next, "", "at", "soon", "Mars/Olympus", false)
	f.Add("grafana", " "+next+" ", "", "at", "2027-03-28T02:30", "Europe/Berlin", false) // a local time that does not exist
	f.Add("nope", "", "no", "", "", "", false)
	// Grafana has an upstream release the catalog lacks, v99.1.0.
	upstream := &catalog.Version{Version: "v99.1.0", ChartVersion: "99.1.0"}
	f.Add("grafana", upstream.Version, "", "now", "", "", false)
	f.Add("grafana", upstream.Version, "yes", "now", "", "", false)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	installed := catalog.Installed{"vault": vaultOld.Version, "grafana": grafanaOld.Version, "cilium": ciliumNew.Version}
	fieldsOf := map[string]bool{"to": true, "confirm": true, "confirm-upstream": true, "action": true, "at": true, "zone": true}
	f.Fuzz(func(t *testing.T, component, to, confirm, action, at, zone string, window bool) {
		form := url.Values{"to": {to}, "confirm": {confirm}, "confirm-upstream": {confirm}, "action": {action}, "at": {at}, "zone": {zone}}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		fm := readForm(echo.New().NewContext(req, httptest.NewRecorder()))

		var up *catalog.Version
		if component == "grafana" && catalog.SameVersion(strings.TrimSpace(to), upstream.Version) {
			up = upstream
		}
		when := fm.check(catalog.Default(), installed, component, up, window, now)
		for field := range fm.Errors {
			require.True(t, fieldsOf[field], "unknown field %q marked: %v", field, fm.Errors)
		}
		if fm.Action != actionAt || fm.Errors["zone"] != "" || fm.Errors["at"] != "" {
			require.True(t, when.IsZero(), "a time without an accepted date and zone: %s", when)
		}
		if len(fm.Errors) > 0 {
			return
		}
		require.Equal(t, strings.TrimSpace(to), fm.To)
		_, err := catalog.Default().CheckUpgrade(installed, catalog.UpgradeRequest{Component: component, To: fm.To, ConfirmForwardOnly: fm.Confirm,
			Upstream: up, ConfirmUpstream: fm.ConfirmUpstream})
		require.NoError(t, err, "an accepted version is one the upgrade workflow accepts")
		switch fm.Action {
		case actionAt:
			require.True(t, when.After(now), "an accepted time is later than now: %s", when)
			zoneName := fm.Zone
			if zoneName == "" {
				zoneName = "UTC"
			}
			loc, err := time.LoadLocation(zoneName)
			require.NoError(t, err)
			// A local time that the zone skips (a spring-forward gap) moves
			// by the gap; any other reads back as typed.
			back, err := time.ParseInLocation(atLayout, when.In(loc).Format(atLayout), loc)
			require.NoError(t, err)
			require.True(t, back.Equal(when), "%s in %s reads back as %s", when, zoneName, back)
			typed, err := time.ParseInLocation(atLayout, fm.At, loc)
			require.NoError(t, err)
			require.True(t, typed.Equal(when))
		case actionNow:
			require.False(t, window)
		case actionWindow:
			require.True(t, window)
		default:
			t.Fatalf("action %q accepted", fm.Action)
		}
	})
}
