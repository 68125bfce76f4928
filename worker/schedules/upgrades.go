// Package schedules keeps scheduled upgrades as Temporal Schedules: "upgrade
// at" a moment, or in the next maintenance window (a calendar spec in a
// time zone). A Schedule, not a sleeping workflow, so operators see, pause
// and cancel them with the stock `temporal schedule` commands too. It uses
// only the SDK client: the controllers and the web UI import it without the
// embedded server.
package schedules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones must resolve in a distroless image too

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/openova-io/core/workflows"
)

// Upgrade asks for one component upgrade at At, or in the next opening of
// Window: exactly one of them.
type Upgrade struct {
	Upgrade workflows.UpgradeComponentInput
	// Generation is the platform generation that asked (0: an operator).
	Generation int64
	At         time.Time
	Window     *Window
}

// Window is a recurring maintenance window: on Days at Start ("HH:MM") in
// TimeZone (an IANA name, e.g. Europe/Berlin; UTC when empty).
type Window struct {
	Days     []time.Weekday
	Start    string
	TimeZone string
}

// Scheduled is one scheduled upgrade as the UI and the reconciler show it.
type Scheduled struct {
	ID        string
	Platform  string
	Component string
	To        string
	// Next is when it fires; zero once it has fired.
	Next   time.Time
	Paused bool
	Note   string
}

// ErrInvalid is the error of a request that cannot be scheduled.
var ErrInvalid = errors.New("invalid scheduled upgrade")

// Validate says what is wrong with the request, field by field.
func (u Upgrade) Validate(now time.Time) error {
	var errs []string
	in := u.Upgrade
	if in.Platform == "" || in.Namespace == "" || in.Component == "" || in.To == "" {
		errs = append(errs, "platform, namespace, component and target version are required")
	}
	switch {
	case u.At.IsZero() == (u.Window == nil):
		errs = append(errs, "give either a time (at) or a maintenance window, not both or neither")
	case u.Window != nil:
		if _, err := u.Window.calendar(); err != nil {
			errs = append(errs, err.Error())
		}
	case !u.At.After(now):
		errs = append(errs, fmt.Sprintf("at %s is in the past: pick a later time", u.At.UTC().Format(time.RFC3339)))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return nil
}

// Validate says what is wrong with the window.
func (w Window) Validate() error {
	_, err := w.calendar()
	return err
}

// Weekday parses an English day name (Monday … Sunday).
func Weekday(name string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), name) {
			return d, true
		}
	}
	return 0, false
}

// calendar turns the window into a calendar spec and its time zone.
func (w Window) calendar() (client.ScheduleCalendarSpec, error) {
	var spec client.ScheduleCalendarSpec
	if len(w.Days) == 0 {
		return spec, fmt.Errorf("maintenance window: name at least one day")
	}
	for _, d := range w.Days {
		if d < time.Sunday || d > time.Saturday {
			return spec, fmt.Errorf("maintenance window: day %d is not a weekday", d)
		}
		spec.DayOfWeek = append(spec.DayOfWeek, client.ScheduleRange{Start: int(d)})
	}
	t, err := time.Parse("15:04", w.Start)
	if err != nil {
		return spec, fmt.Errorf("maintenance window: start %q is not a time of day, e.g. 02:00", w.Start)
	}
	if _, err := time.LoadLocation(w.TimeZone); err != nil {
		return spec, fmt.Errorf("maintenance window: time zone %q is unknown: use an IANA name, e.g. Europe/Berlin", w.TimeZone)
	}
	spec.Hour = []client.ScheduleRange{{Start: t.Hour()}}
	spec.Minute = []client.ScheduleRange{{Start: t.Minute()}}
	spec.Second = []client.ScheduleRange{{Start: 0}}
	return spec, nil
}

// options builds the one-shot Schedule: a calendar spec matching only At
// (to the second, in UTC), or the window's calendar in its time zone; it
// fires once and then stays, closed, as the record of what ran.
func (u Upgrade) options() client.ScheduleOptions {
	in := u.Upgrade
	spec := client.ScheduleSpec{}
	if u.Window != nil {
		cal, _ := u.Window.calendar()
		cal.Comment = "maintenance window"
		spec.Calendars, spec.TimeZoneName = []client.ScheduleCalendarSpec{cal}, u.Window.TimeZone
	} else {
		at := u.At.UTC()
		one := func(v int) []client.ScheduleRange { return []client.ScheduleRange{{Start: v}} }
		spec.Calendars = []client.ScheduleCalendarSpec{{
			Year: one(at.Year()), Month: one(int(at.Month())), DayOfMonth: one(at.Day()),
			Hour: one(at.Hour()), Minute: one(at.Minute()), Second: one(at.Second()),
			DayOfWeek: []client.ScheduleRange{{Start: 0, End: 6}}, Comment: "upgrade at",
		}}
		spec.TimeZoneName = "UTC"
	}
	id := workflows.ScheduledUpgradeID(in.Platform, in.Component, in.To)
	return client.ScheduleOptions{
		ID:               id,
		Spec:             spec,
		RemainingActions: 1,
		// A window missed while the manager was down still upgrades when it
		// is back, within a day; later than that it waits for the next one.
		CatchupWindow: 24 * time.Hour,
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Note:          fmt.Sprintf("upgrade %s on platform %s to %s", in.Component, in.Platform, in.To),
		Action: &client.ScheduleWorkflowAction{
			ID:                    id,
			Workflow:              workflows.ScheduledUpgradeWorkflow,
			TaskQueue:             workflows.TaskQueueManager,
			Args:                  []any{workflows.ScheduledUpgradeInput{Upgrade: in, Generation: u.Generation}},
			TypedSearchAttributes: workflows.OperationAttributes(in.Platform, in.Component, workflows.OperationScheduledUpgrade),
		},
		TypedSearchAttributes: workflows.OperationAttributes(in.Platform, in.Component, workflows.OperationScheduledUpgrade),
	}
}

// Create schedules the upgrade. Asking again for the same component and
// version changes nothing and returns what is scheduled.
func Create(ctx context.Context, c client.ScheduleClient, u Upgrade, now time.Time) (Scheduled, error) {
	if err := u.Validate(now); err != nil {
		return Scheduled{}, err
	}
	o := u.options()
	h, err := c.Create(ctx, o)
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		h, err = c.GetHandle(ctx, o.ID), nil
	}
	if err != nil {
		return Scheduled{}, fmt.Errorf("schedule %s: %w", o.ID, err)
	}
	return Get(ctx, c, h.GetID())
}

// Get describes one scheduled upgrade.
func Get(ctx context.Context, c client.ScheduleClient, id string) (Scheduled, error) {
	d, err := c.GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		return Scheduled{}, fmt.Errorf("describe schedule %s: %w", id, err)
	}
	s := parseID(id)
	s.Paused, s.Note = d.Schedule.State.Paused, d.Schedule.State.Note
	if len(d.Info.NextActionTimes) > 0 && d.Schedule.State.RemainingActions > 0 {
		s.Next = d.Info.NextActionTimes[0]
	}
	return s, nil
}

// List returns the platform's scheduled upgrades, fired ones included.
func List(ctx context.Context, c client.ScheduleClient, platform string) ([]Scheduled, error) {
	it, err := c.List(ctx, client.ScheduleListOptions{Query: fmt.Sprintf("%s = '%s' AND %s = '%s'",
		workflows.SearchAttrPlatform.GetName(), platform, workflows.SearchAttrOperation.GetName(), workflows.OperationScheduledUpgrade)})
	if err != nil {
		return nil, fmt.Errorf("list scheduled upgrades of %s: %w", platform, err)
	}
	var out []Scheduled
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("list scheduled upgrades of %s: %w", platform, err)
		}
		s := parseID(e.ID)
		s.Paused, s.Note = e.Paused, e.Note
		if len(e.NextActionTimes) > 0 {
			s.Next = e.NextActionTimes[0]
		}
		out = append(out, s)
	}
	return out, nil
}

// Cancel deletes the schedule; an upgrade it already started goes on (its
// own cancel signal stops it and rolls it back). A schedule already gone
// is no error: the UI and the reconciler may both cancel one.
func Cancel(ctx context.Context, c client.ScheduleClient, id string) error {
	err := c.GetHandle(ctx, id).Delete(ctx)
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("cancel %s: %w", id, err)
	}
	return nil
}

// MatchingTimes lists the times the schedule's spec matches in [from,
// to), as the server computes them (calendar, time zone, daylight saving):
// what a backfill of that range would fire.
func MatchingTimes(ctx context.Context, svc workflowservice.WorkflowServiceClient, namespace, id string, from, to time.Time) ([]time.Time, error) {
	resp, err := svc.ListScheduleMatchingTimes(ctx, &workflowservice.ListScheduleMatchingTimesRequest{
		Namespace: namespace, ScheduleId: id, StartTime: timestamppb.New(from), EndTime: timestamppb.New(to)})
	if err != nil {
		return nil, fmt.Errorf("times of schedule %s: %w", id, err)
	}
	out := make([]time.Time, 0, len(resp.GetStartTime()))
	for _, ts := range resp.GetStartTime() {
		out = append(out, ts.AsTime())
	}
	return out, nil
}

// parseID reads platform, component and version back from an ID made by
// workflows.ScheduledUpgradeID (names are DNS labels, versions have no '/').
func parseID(id string) Scheduled {
	s := Scheduled{ID: id}
	parts := strings.Split(strings.TrimPrefix(id, "upgrade-at/"), "/")
	if len(parts) == 3 {
		s.Platform, s.Component, s.To = parts[0], parts[1], parts[2]
	}
	return s
}
