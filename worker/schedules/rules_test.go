package schedules_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/worker"
	"github.com/openova-io/core/worker/ports"
	"github.com/openova-io/core/worker/schedules"
	"github.com/openova-io/core/workflows"
)

// The scheduling rules as the real Temporal server applies them to the
// specs this package writes, over fixed instants, so no case depends on
// the day it runs: the windows a range holds (what a backfill fires), in
// UTC and in a zone, across both daylight-saving changes, on the edges of
// Saturday and Sunday, and a one-shot "at a time". Each case creates its
// schedule and asks the server which times it matches in the range.
func TestSchedulingRulesOnTheServer(t *testing.T) {
	c := startEngine(t)
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	sat, sun := time.Saturday, time.Sunday
	window := func(zone, start string, days ...time.Weekday) *schedules.Window {
		return &schedules.Window{Days: days, Start: start, TimeZone: zone}
	}
	cases := []struct {
		name     string
		window   *schedules.Window
		at       time.Time
		from, to string
		want     []string
	}{
		{name: "Saturdays 02:00 Berlin in winter are 01:00 UTC", window: window("Europe/Berlin", "02:00", sat),
			from: "2026-11-20T00:00:00Z", to: "2026-12-07T00:00:00Z",
			want: []string{"2026-11-21T01:00:00Z", "2026-11-28T01:00:00Z", "2026-12-05T01:00:00Z"}},
		{name: "Saturdays 02:00 Berlin in summer are 00:00 UTC", window: window("Europe/Berlin", "02:00", sat),
			from: "2026-07-01T00:00:00Z", to: "2026-07-12T00:00:00Z",
			want: []string{"2026-07-04T00:00:00Z", "2026-07-11T00:00:00Z"}},
		{name: "eight days before a Saturday after its window hold two windows", window: window("Europe/Berlin", "02:00", sat),
			from: "2026-11-27T07:42:00Z", to: "2026-12-05T07:42:00Z",
			want: []string{"2026-11-28T01:00:00Z", "2026-12-05T01:00:00Z"}},
		{name: "a range around one window holds exactly that one", window: window("Europe/Berlin", "02:00", sat),
			from: "2026-12-05T00:59:00Z", to: "2026-12-05T01:01:00Z", want: []string{"2026-12-05T01:00:00Z"}},
		{name: "the week the clocks go forward: the window of the day before keeps its local time", window: window("Europe/Berlin", "02:00", sat),
			from: "2026-03-27T00:00:00Z", to: "2026-04-05T00:00:00Z",
			want: []string{"2026-03-28T01:00:00Z", "2026-04-04T00:00:00Z"}},
		{name: "Sunday 02:30 Berlin does not exist when the clocks go forward: that window is skipped", window: window("Europe/Berlin", "02:30", sun),
			from: "2026-03-21T00:00:00Z", to: "2026-04-06T00:00:00Z",
			want: []string{"2026-03-22T01:30:00Z", "2026-04-05T00:30:00Z"}},
		{name: "Sunday 02:30 Berlin happens twice when the clocks go back: the window opens once, at the second", window: window("Europe/Berlin", "02:30", sun),
			from: "2026-10-17T00:00:00Z", to: "2026-11-02T00:00:00Z",
			want: []string{"2026-10-18T00:30:00Z", "2026-10-25T01:30:00Z", "2026-11-01T01:30:00Z"}},
		{name: "Saturday 23:30 UTC", window: window("UTC", "23:30", sat),
			from: "2026-12-04T00:00:00Z", to: "2026-12-07T00:00:00Z", want: []string{"2026-12-05T23:30:00Z"}},
		{name: "no zone is UTC", window: window("", "23:30", sat),
			from: "2026-12-04T00:00:00Z", to: "2026-12-07T00:00:00Z", want: []string{"2026-12-05T23:30:00Z"}},
		{name: "Sunday 00:30 in Berlin is still Saturday in UTC", window: window("Europe/Berlin", "00:30", sun),
			from: "2026-12-04T00:00:00Z", to: "2026-12-07T00:00:00Z", want: []string{"2026-12-05T23:30:00Z"}},
		{name: "Saturday 00:30 in Berlin is Friday in UTC", window: window("Europe/Berlin", "00:30", sat),
			from: "2026-12-04T00:00:00Z", to: "2026-12-07T00:00:00Z", want: []string{"2026-12-04T23:30:00Z"}},
		{name: "Saturday and Sunday", window: window("Europe/Berlin", "02:00", sat, sun),
			from: "2026-12-04T00:00:00Z", to: "2026-12-07T00:00:00Z", want: []string{"2026-12-05T01:00:00Z", "2026-12-06T01:00:00Z"}},
		{name: "a time given in Berlin matches that second only, in UTC", at: time.Date(2026, 12, 24, 22, 30, 15, 0, berlin),
			from: "2026-12-01T00:00:00Z", to: "2027-12-31T00:00:00Z", want: []string{"2026-12-24T21:30:15Z"}},
		{name: "a time on the night the clocks go back is one instant", at: utc("2026-10-25T01:30:00Z"),
			from: "2026-10-24T00:00:00Z", to: "2026-10-26T00:00:00Z", want: []string{"2026-10-25T01:30:00Z"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			u := schedules.Upgrade{Upgrade: workflows.UpgradeComponentInput{Platform: "acme", Namespace: "ns",
				Component: fmt.Sprintf("c%d", i), To: "v1.0.0"}, Window: tc.window, At: tc.at}
			// A fixed "now" before every case: the past is what a backfill fires.
			s, err := schedules.Create(ctx, c.ScheduleClient(), u, utc("2026-01-01T00:00:00Z"))
			require.NoError(t, err)
			t.Cleanup(func() { _ = schedules.Cancel(ctx, c.ScheduleClient(), s.ID) })
			got, err := schedules.MatchingTimes(ctx, c.WorkflowService(), "default", s.ID, utc(tc.from), utc(tc.to))
			require.NoError(t, err)
			var want []time.Time
			for _, w := range tc.want {
				want = append(want, utc(w))
			}
			require.Equal(t, want, utcAll(got))
		})
	}
}

func utcAll(ts []time.Time) []time.Time {
	var out []time.Time
	for _, t := range ts {
		out = append(out, t.UTC())
	}
	return out
}

// startEngine runs the embedded Temporal server (the product's own, on
// SQLite) for the test and returns its client.
func startEngine(t *testing.T) client.Client {
	t.Helper()
	port, err := ports.Pick()
	require.NoError(t, err)
	dir := t.TempDir()
	cfg := worker.Config{Mode: worker.ModeBootstrap, DataDir: dir, Listen: fmt.Sprintf("127.0.0.1:%d", port),
		Namespace: "default", DBConns: 1, DBSync: "normal",
		CodecKeyFile: filepath.Join(dir, "codec.key"), CodecTokenFile: filepath.Join(dir, "codec.token")}
	e, err := worker.Start(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), worker.NewMetrics())
	require.NoError(t, err)
	t.Cleanup(e.Stop)
	return e.Client()
}
