package schedules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/workflows"
)

var now = time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)

func grafana() workflows.UpgradeComponentInput {
	return workflows.UpgradeComponentInput{Platform: "acme", Namespace: "openova-system", Component: "grafana", To: "v11.4.0"}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		u    Upgrade
		want string // "" for valid
	}{
		{"at a later time", Upgrade{Upgrade: grafana(), At: now.Add(time.Hour)}, ""},
		{"in a window", Upgrade{Upgrade: grafana(), Window: &Window{Days: []time.Weekday{time.Saturday}, Start: "02:00", TimeZone: "Europe/Berlin"}}, ""},
		{"window in UTC by default", Upgrade{Upgrade: grafana(), Window: &Window{Days: []time.Weekday{time.Sunday}, Start: "23:30"}}, ""},
		{"at in the past", Upgrade{Upgrade: grafana(), At: now.Add(-time.Minute)}, "at 2026-11-26T03:59:00Z is in the past: pick a later time"},
		{"neither", Upgrade{Upgrade: grafana()}, "give either a time (at) or a maintenance window, not both or neither"},
		{"both", Upgrade{Upgrade: grafana(), At: now.Add(time.Hour), Window: &Window{Days: []time.Weekday{1}, Start: "02:00"}}, "not both or neither"},
		{"no days", Upgrade{Upgrade: grafana(), Window: &Window{Start: "02:00"}}, "maintenance window: name at least one day"},
		{"bad day", Upgrade{Upgrade: grafana(), Window: &Window{Days: []time.Weekday{7}, Start: "02:00"}}, "day 7 is not a weekday"},
		{"bad start", Upgrade{Upgrade: grafana(), Window: &Window{Days: []time.Weekday{1}, Start: "2am"}}, `start "2am" is not a time of day, e.g. 02:00`},
		{"bad start hour", Upgrade{Upgrade: grafana(), Window: &Window{Days: []time.Weekday{1}, Start: "25:00"}}, "is not a time of day"},
		{"unknown zone", Upgrade{Upgrade: grafana(), Window: &Window{Days: []time.Weekday{1}, Start: "02:00", TimeZone: "Mars/Olympus"}},
			`time zone "Mars/Olympus" is unknown: use an IANA name, e.g. Europe/Berlin`},
		{"no component", Upgrade{Upgrade: workflows.UpgradeComponentInput{Platform: "acme", Namespace: "n", To: "v1.0.0"}, At: now.Add(time.Hour)},
			"platform, namespace, component and target version are required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.u.Validate(now)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

// The one-shot spec matches only the asked second, in UTC, whatever zone
// the time was given in; the window's spec keeps its own zone.
func TestOptions(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	at := time.Date(2026, 12, 24, 22, 30, 15, 0, berlin)
	o := Upgrade{Upgrade: grafana(), At: at, Generation: 7}.options()
	require.Equal(t, "upgrade-at/acme/grafana/v11.4.0", o.ID)
	require.Equal(t, 1, o.RemainingActions)
	require.Equal(t, "UTC", o.Spec.TimeZoneName)
	one := func(v int) []client.ScheduleRange { return []client.ScheduleRange{{Start: v}} }
	cal := o.Spec.Calendars[0]
	require.Equal(t, [][]client.ScheduleRange{one(2026), one(12), one(24), one(21), one(30), one(15)},
		[][]client.ScheduleRange{cal.Year, cal.Month, cal.DayOfMonth, cal.Hour, cal.Minute, cal.Second})
	act := o.Action.(*client.ScheduleWorkflowAction)
	require.Equal(t, workflows.ScheduledUpgradeWorkflow, act.Workflow)
	require.Equal(t, []any{workflows.ScheduledUpgradeInput{Upgrade: grafana(), Generation: 7}}, act.Args)

	w := Upgrade{Upgrade: grafana(), Window: &Window{Days: []time.Weekday{time.Saturday, time.Sunday}, Start: "02:15", TimeZone: "Europe/Berlin"}}.options()
	require.Equal(t, "Europe/Berlin", w.Spec.TimeZoneName)
	require.Equal(t, []client.ScheduleRange{{Start: 6}, {Start: 0}}, w.Spec.Calendars[0].DayOfWeek)
	require.Equal(t, one(2), w.Spec.Calendars[0].Hour)
	require.Equal(t, one(15), w.Spec.Calendars[0].Minute)
}

func TestParseID(t *testing.T) {
	require.Equal(t, Scheduled{ID: workflows.ScheduledUpgradeID("acme", "grafana", "v11.4.0"), Platform: "acme", Component: "grafana", To: "v11.4.0"},
		parseID(workflows.ScheduledUpgradeID("acme", "grafana", "v11.4.0")))
	require.Equal(t, Scheduled{ID: "other"}, parseID("other"))
}
