package upgrades

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/catalog"
)

// Actions of the upgrade form.
const (
	actionNow    = "now"
	actionAt     = "at"
	actionWindow = "window"
)

// Form is what the operator typed in one component's upgrade form, and
// what was wrong with it, field by field.
type Form struct {
	To      string
	Confirm bool
	// ConfirmUpstream accepts the risk of an upstream release the catalog
	// does not list (catalog.UpstreamRisk).
	ConfirmUpstream bool
	Action          string
	At              string
	Zone            string
	Errors          map[string]string
}

// atLayout is the value of an <input type="datetime-local">.
const atLayout = "2006-01-02T15:04"

func readForm(c echo.Context) Form {
	return Form{To: strings.TrimSpace(c.FormValue("to")), Confirm: c.FormValue("confirm") == "yes",
		ConfirmUpstream: c.FormValue("confirm-upstream") == "yes",
		Action:          c.FormValue("action"), At: strings.TrimSpace(c.FormValue("at")), Zone: strings.TrimSpace(c.FormValue("zone"))}
}

// check validates the form against the catalog (the same check the
// upgrade workflow makes first) and the clock; it returns the time an
// "at" upgrade is held until. upstream is the chosen version as the update
// check found it upstream, when the catalog does not list it (nil else).
func (f *Form) check(cat *catalog.Catalog, installed catalog.Installed, component string, upstream *catalog.Version, hasWindow bool, now time.Time) time.Time {
	f.Errors = map[string]string{}
	_, err := cat.CheckUpgrade(installed, catalog.UpgradeRequest{Component: component, To: f.To, ConfirmForwardOnly: f.Confirm,
		Upstream: upstream, ConfirmUpstream: f.ConfirmUpstream})
	var re *catalog.ResolveError
	switch {
	case f.To == "":
		f.Errors["to"] = "Choose the version to upgrade to."
	case errors.As(err, &re) && re.Kind == catalog.ErrForwardOnlyNotConfirmed:
		f.Errors["confirm"] = re.Detail + "."
	case errors.As(err, &re) && re.Kind == catalog.ErrUpstreamNotConfirmed:
		// The checkbox above names the risk: say what to do.
		f.Errors["confirm-upstream"] = f.To + " is not in the catalog: tick the box to accept its risk, or choose a catalog release."
	case err != nil:
		f.Errors["to"] = err.Error()
	}
	var at time.Time
	switch f.Action {
	case actionNow:
		if hasWindow {
			f.Errors["action"] = "This platform holds version changes for its maintenance window: choose the window, or a time."
		}
	case actionWindow:
		if !hasWindow {
			f.Errors["action"] = "This platform has no maintenance window: set one in Settings, or choose a time."
		}
	case actionAt:
		at = f.time(now)
	default:
		f.Errors["action"] = "Choose Upgrade now, a time, or the maintenance window."
	}
	return at
}

// time parses the "at" fields: a local date and time in a zone.
func (f *Form) time(now time.Time) time.Time {
	zone := f.Zone
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		f.Errors["zone"] = fmt.Sprintf("%q is not a time zone: use an IANA name such as Europe/Berlin or UTC.", zone)
		return time.Time{}
	}
	if f.At == "" {
		f.Errors["at"] = "Give the date and time of the upgrade."
		return time.Time{}
	}
	at, err := time.ParseInLocation(atLayout, f.At, loc)
	if err != nil {
		f.Errors["at"] = "Give a date and time such as 2026-12-05T02:00."
		return time.Time{}
	}
	if !at.After(now) {
		f.Errors["at"] = "That time has passed: choose a later one."
		return time.Time{}
	}
	return at
}
