package schedules

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/workflows"
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// FuzzScheduledUpgrade turns a maintenance window as the Platform spec
// names it (day names, "HH:MM", an IANA zone) or an instant into the
// one-shot Schedule the reconciler and the UI create. It holds: a request
// Validate accepts builds a calendar Temporal can run (days 0–6, one hour
// 0–23 and minute 0–59 that read back as the start given, in the window's
// zone; or exactly the instant, to the second, in UTC), fires once, and
// its ID reads back as the platform, component and version it was made of.
func FuzzScheduledUpgrade(f *testing.F) {
	f.Add("acme", "grafana", "v11.4.0", "Saturday", "02:00", "Europe/Berlin", int64(3600), true)
	f.Add("acme", "grafana", "v11.4.0", "Sunday,monday", "23:30", "", int64(0), true)
	f.Add("acme", "grafana", "v11.4.0", "", "", "", int64(90), false)
	f.Add("acme", "grafana", "v11.4.0", "Caturday", "25:00", "Mars/Olympus", int64(-60), true)
	f.Add("acme", "cnpg", "v1.25.0-rc.1+build.5", "Friday", "2:05", "Local", int64(1), true)
	f.Add("", "a/b", "v/1", "Monday", "00:00", "UTC", int64(1<<40), false)
	f.Fuzz(func(t *testing.T, platform, component, to, days, start, zone string, after int64, window bool) {
		u := Upgrade{Upgrade: workflows.UpgradeComponentInput{Platform: platform, Namespace: "openova-system", Component: component, To: to}}
		if window {
			u.Window = &Window{Start: start, TimeZone: zone}
			for _, d := range strings.Split(days, ",") {
				if wd, ok := Weekday(d); ok {
					u.Window.Days = append(u.Window.Days, wd)
				}
			}
		} else if after != 0 {
			u.At = now.Add(time.Duration(after%(10*365*24*3600)) * time.Second)
		}
		if u.Validate(now) != nil {
			return
		}
		o := u.options()
		require.Equal(t, 1, o.RemainingActions, "a scheduled upgrade fires once")
		require.Len(t, o.Spec.Calendars, 1)
		cal := o.Spec.Calendars[0]
		if u.Window != nil {
			require.Equal(t, zone, o.Spec.TimeZoneName)
			loc, err := time.LoadLocation(zone)
			require.NoError(t, err, "the zone a schedule runs in loads")
			require.NotNil(t, loc)
			require.Len(t, cal.DayOfWeek, len(u.Window.Days))
			for _, r := range cal.DayOfWeek {
				require.True(t, r.Start >= 0 && r.Start <= 6, "day %d", r.Start)
			}
			require.Len(t, cal.Hour, 1)
			require.Len(t, cal.Minute, 1)
			h, m := cal.Hour[0].Start, cal.Minute[0].Start
			require.True(t, h >= 0 && h < 24 && m >= 0 && m < 60, "%d:%d", h, m)
			typed, err := time.Parse("15:04", start)
			require.NoError(t, err)
			require.Equal(t, typed.Hour()*60+typed.Minute(), h*60+m, "start %q", start)
		} else {
			require.Equal(t, "UTC", o.Spec.TimeZoneName)
			at := time.Date(cal.Year[0].Start, time.Month(cal.Month[0].Start), cal.DayOfMonth[0].Start,
				cal.Hour[0].Start, cal.Minute[0].Start, cal.Second[0].Start, 0, time.UTC)
			require.True(t, at.Equal(u.At.UTC().Truncate(time.Second)), "calendar %s for %s", at, u.At)
			require.True(t, at.After(now) || at.Equal(now.Truncate(time.Second)), "fires at %s, before now", at)
		}
		if dnsLabel.MatchString(platform) && dnsLabel.MatchString(component) && !strings.Contains(to, "/") {
			s := parseID(o.ID)
			require.Equal(t, [3]string{platform, component, to}, [3]string{s.Platform, s.Component, s.To}, "ID %q", o.ID)
			require.Equal(t, o.ID, o.Action.(*client.ScheduleWorkflowAction).ID, "the runs it starts carry its ID")
		}
	})
}
