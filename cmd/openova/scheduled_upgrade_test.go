package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/worker/schedules"
	"github.com/openova-io/core/workflows"
)

// kitIndex is a remote catalog index with one component released three times.
var kitIndex = []byte(`apiVersion: catalog.openova.io/v1
components:
  - name: kit
    title: Kit
    description: a component of the test's index
    category: a-la-carte
    chart: {name: kit, repository: "oci://charts.example.com/kit"}
    versions:
      - {version: v1.0.0, released: 2025-01-01, changelog: first}
      - {version: v1.1.0, released: 2025-02-01, changelog: second}
      - {version: v1.2.0, released: 2025-03-01, changelog: third}
      - {version: v1.3.0, released: 2025-04-01, changelog: fourth}
      - {version: v1.4.0, released: 2025-05-01, changelog: fifth}
      - {version: v1.5.0, released: 2025-06-01, changelog: sixth}
`)

// Scheduled upgrades against the real manager and the real Temporal
// server's Schedules, on any day of the week:
//   - a maintenance window (Saturdays 02:00, Europe/Berlin) is due when
//     the server computes it; it is listed, paused with a note, resumed;
//     replayed over a range of the past that holds exactly one window (a
//     backfill: time travel without waiting) it fires once, at the last
//     Saturday 02:00 Berlin time, upgrades, and its schedule is gone;
//   - a late firing of the same upgrade is a successful no-op: no second
//     upgrade, no alert, no failed operation;
//   - an "upgrade at" a few seconds ahead fires on the real clock while
//     another upgrade of the same component is still rolling out: it waits
//     for that rollout, then upgrades, and its run is recorded for replay.
func TestScheduledUpgrades_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	indexURL := serveIndex(t, kitIndex)
	e := startManagerEnv(t, 200*time.Millisecond)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{CatalogIndexURL: indexURL,
		Components: []v1alpha1.ComponentRef{{Name: "kit", Version: "v1.0.0"}}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	// From here on upgrades are asked for imperatively, not by the spec.
	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[0].Version = "" })
	ctx, sc := context.Background(), e.tc.ScheduleClient()
	upgrade := func(to string) workflows.UpgradeComponentInput {
		return workflows.UpgradeComponentInput{Platform: "acme", Namespace: e.ns, Component: "kit", To: to,
			IndexURL: indexURL, ReadyTimeout: time.Minute}
	}

	// The maintenance window: when the server says it opens. The server
	// computes it a moment after the test's clock read, so either instant's
	// next window is right.
	window := &schedules.Window{Days: []time.Weekday{time.Saturday}, Start: "02:00", TimeZone: "Europe/Berlin"}
	before := time.Now()
	win, err := schedules.Create(ctx, sc, schedules.Upgrade{Upgrade: upgrade("v1.1.0"), Window: window}, before)
	require.NoError(t, err)
	require.Contains(t, []time.Time{nextSaturday2AMBerlin(before), nextSaturday2AMBerlin(time.Now())}, win.Next.UTC(),
		"the window opens at the next Saturday 02:00 in Berlin")
	again, err := schedules.Create(ctx, sc, schedules.Upgrade{Upgrade: upgrade("v1.1.0"), Window: window}, time.Now())
	require.NoError(t, err)
	require.Equal(t, win, again, "asking twice schedules once")
	_, err = schedules.Create(ctx, sc, schedules.Upgrade{Upgrade: upgrade("v1.1.0"),
		Window: &schedules.Window{Days: []time.Weekday{time.Saturday}, Start: "02:00", TimeZone: "Atlantis/Capital"}}, time.Now())
	require.ErrorContains(t, err, `time zone "Atlantis/Capital" is unknown`)
	// Operators pause a window with `temporal schedule toggle --pause`, the same call.
	require.NoError(t, sc.GetHandle(ctx, win.ID).Pause(ctx, client.SchedulePauseOptions{Note: "change freeze until January"}))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		list, err := schedules.List(ctx, sc, "acme")
		require.NoError(ct, err)
		require.Len(ct, list, 1)
		assert.True(ct, list[0].Paused, "paused")
		assert.Equal(ct, "change freeze until January", list[0].Note)
		assert.Equal(ct, "kit", list[0].Component)
		assert.Equal(ct, "v1.1.0", list[0].To)
	}, 30*time.Second, 200*time.Millisecond, "the paused window is not listed")
	require.NoError(t, sc.GetHandle(ctx, win.ID).Unpause(ctx, client.ScheduleUnpauseOptions{Note: "freeze over"}))

	// Time travel without waiting: the server replays a range of the past
	// that holds exactly one window (a backfill). The windows of the last
	// eight days are the server's own answer (one or two, by the day the
	// test runs), checked against Go's zone data; the last one fires,
	// upgrades, and the schedule is gone after it.
	now := time.Now()
	windows, err := schedules.MatchingTimes(ctx, e.tc.WorkflowService(), "default", win.ID, now.AddDate(0, 0, -8), now)
	require.NoError(t, err)
	require.NotEmpty(t, windows, "eight days hold a Saturday")
	lastWindow := windows[len(windows)-1].UTC()
	require.Equal(t, nextSaturday2AMBerlin(now.AddDate(0, 0, -7)), lastWindow, "the server's last window is not last Saturday 02:00 in Berlin")
	require.NoError(t, sc.GetHandle(ctx, win.ID).Backfill(ctx, client.ScheduleBackfillOptions{Backfill: []client.ScheduleBackfill{{
		Start: lastWindow.Add(-time.Minute), End: lastWindow.Add(time.Minute), Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL}}}))
	fired := e.waitScheduledRun(t)
	require.Equal(t, win.ID+"-"+lastWindow.Format(time.RFC3339), fired, "fired at another time than the window")
	var byWindow workflows.ScheduledUpgradeResult
	require.NoError(t, e.tc.GetWorkflow(ctx, fired, "").Get(ctx, &byWindow))
	require.Equal(t, "v1.0.0", byWindow.From)
	require.Equal(t, "v1.1.0", byWindow.To)
	require.Empty(t, byWindow.AlreadyAt)
	e.waitScheduleGone(t, win.ID)

	// A late firing (a server that was down at the window catches up, or
	// a schedule made again): it finds v1.1.0 running and ends as a
	// successful no-op that says so. Nothing is upgraded again, nothing
	// alerts, no operation failed, and the schedule is gone again.
	late, err := schedules.Create(ctx, sc, schedules.Upgrade{Upgrade: upgrade("v1.1.0"), Window: window}, time.Now())
	require.NoError(t, err)
	require.NoError(t, sc.GetHandle(ctx, late.ID).Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL}))
	second := e.waitScheduledRunOf(t, late.ID, fired)
	var noop workflows.ScheduledUpgradeResult
	require.NoError(t, e.tc.GetWorkflow(ctx, second, "").Get(ctx, &noop))
	require.Equal(t, "v1.1.0", noop.AlreadyAt)
	var skipped []string
	for _, st := range e.progress(t, second).Steps {
		if st.State == workflows.StepSkipped {
			skipped = append(skipped, st.Name+": "+st.Message)
		}
	}
	require.Equal(t, []string{"upgrade kit to v1.1.0: already at v1.1.0"}, skipped)
	require.Equal(t, 1, e.executions(t, workflows.UpgradeID("acme", "kit", "v1.1.0")), "upgraded once")
	require.NotContains(t, e.activities(t, second), "RaiseAlert")
	require.Zero(t, e.failedOperations(t, "acme"), "a failed operation in the audit view")
	e.waitScheduleGone(t, late.ID)
	e.recordHistory(t, second, "scheduledupgrade-v2-alreadyat")
	require.NoError(t, schedules.Cancel(ctx, sc, win.ID), "cancelling a schedule that is gone is no error")

	// A rollout to v1.2.0 hangs while "upgrade at" v1.3.0 comes due.
	e.xp.HoldChart("kit", "1.2.0")
	first, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.UpgradeID("acme", "kit", "v1.2.0"), TaskQueue: workflows.TaskQueueManager,
		TypedSearchAttributes: upgradeAttrs("acme", "kit"),
	}, workflows.UpgradeComponentWorkflow, upgrade("v1.2.0"))
	require.NoError(t, err)
	e.waitReleaseChart(t, "kit", "1.2.0")
	// A few seconds ahead: enough for the create to reach the server first
	// on a busy machine; what follows waits on conditions, not on time.
	asked := time.Now()
	at := asked.Add(5 * time.Second).Truncate(time.Second)
	s, err := schedules.Create(ctx, sc, schedules.Upgrade{Upgrade: upgrade("v1.3.0"), At: at}, asked)
	require.NoError(t, err)
	require.Equal(t, at.UTC(), s.Next.UTC())
	run := e.waitScheduledRunOf(t, s.ID)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		v, err := e.tc.QueryWorkflow(ctx, run, "", workflows.QueryProgress)
		require.NoError(ct, err)
		var p workflows.Progress
		require.NoError(ct, v.Get(&p))
		require.NotEmpty(ct, p.Steps)
		assert.Equal(ct, workflows.StepRunning, p.Steps[0].State, "first step")
	}, 30*time.Second, 100*time.Millisecond, "the scheduled run is not waiting for the rollout")
	require.Equal(t, "1.2.0", e.releaseChart("kit"), "the scheduled upgrade did not wait for the running rollout")
	e.xp.LetGo("kit", "1.2.0")
	require.NoError(t, first.Get(ctx, nil))
	var res workflows.ScheduledUpgradeResult
	require.NoError(t, e.tc.GetWorkflow(ctx, run, "").Get(ctx, &res))
	require.Equal(t, "v1.2.0", res.From)
	require.Equal(t, "v1.3.0", res.To)
	require.Contains(t, res.WaitedFor, workflows.UpgradeID("acme", "kit", "v1.2.0"))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assertHealthyAt(ct, e.components(ct), "kit", "v1.3.0")
	}, time.Minute, 100*time.Millisecond, "kit is not Healthy at v1.3.0")
	e.recordHistory(t, run, "scheduledupgrade-v2-waited")

	// Two upgrades of kit due at the same second go one after the other:
	// neither rolls back, kit ends at v1.5.0 (whichever ran first).
	asked = time.Now()
	at = asked.Add(5 * time.Second).Truncate(time.Second)
	var ids []string
	for _, to := range []string{"v1.4.0", "v1.5.0"} {
		s, err := schedules.Create(ctx, sc, schedules.Upgrade{Upgrade: upgrade(to), At: at}, asked)
		require.NoError(t, err)
		ids = append(ids, s.ID)
	}
	for _, id := range ids {
		run := e.waitScheduledRunOf(t, id)
		err := e.tc.GetWorkflow(ctx, run, "").Get(ctx, nil)
		var app *temporal.ApplicationError
		if err != nil {
			require.True(t, errors.As(err, &app), "%v", err)
			require.Equal(t, catalog.ErrDowngrade, app.Type(), "%s: %v", run, err) // v1.4.0 after v1.5.0
		}
	}
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		comps := e.components(ct)
		assertHealthyAt(ct, comps, "kit", "v1.5.0")
		assertRolledBack(ct, comps, "kit", false)
	}, time.Minute, 100*time.Millisecond, "kit is not Healthy at v1.5.0 without a rollback")
}

// nextSaturday2AMBerlin computes, with Go's own zone data, the first
// Saturday 02:00 in Berlin after now.
func nextSaturday2AMBerlin(now time.Time) time.Time {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	d := now.In(berlin)
	for i := 0; ; i++ {
		day := d.AddDate(0, 0, i)
		c := time.Date(day.Year(), day.Month(), day.Day(), 2, 0, 0, 0, berlin)
		if c.Weekday() == time.Saturday && c.After(now) {
			return c.UTC()
		}
	}
}

func upgradeAttrs(platform, component string) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(workflows.SearchAttrPlatform.ValueSet(platform),
		workflows.SearchAttrComponent.ValueSet(component), workflows.SearchAttrOperation.ValueSet(workflows.OperationUpgrade))
}

// waitScheduledRun waits for the first run a Schedule started and returns its ID.
func (e *managerEnv) waitScheduledRun(t *testing.T) string { return e.waitScheduledRunOf(t, "") }

// waitScheduledRunOf waits for a run started by the schedule with this ID
// (any schedule when ""), other than the runs named in seen.
func (e *managerEnv) waitScheduledRunOf(t *testing.T, scheduleID string, seen ...string) string {
	var id string
	query := "WorkflowType = '" + workflows.ScheduledUpgradeWorkflow + "'"
	if scheduleID != "" {
		query += " AND TemporalScheduledById = '" + scheduleID + "'"
	}
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		resp, err := e.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		require.NoError(ct, err)
		for _, ex := range resp.Executions {
			if run := ex.GetExecution().GetWorkflowId(); !slices.Contains(seen, run) {
				id = run
				return
			}
		}
		assert.Fail(ct, "no new run", "of %s", query)
	}, time.Minute, 100*time.Millisecond, "the schedule never fired")
	return id
}

// waitScheduleGone waits until the schedule was deleted.
func (e *managerEnv) waitScheduleGone(t *testing.T, id string) {
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		_, err := schedules.Get(context.Background(), e.tc.ScheduleClient(), id)
		var nf *serviceerror.NotFound
		assert.True(ct, errors.As(err, &nf), "schedule %s is still there (%v)", id, err)
	}, time.Minute, 100*time.Millisecond, "the schedule outlived its run")
}

// failedOperations counts the platform's workflows that ended other than
// completed (what the audit view lists as failed).
func (e *managerEnv) failedOperations(t *testing.T, platform string) int {
	resp, err := e.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: fmt.Sprintf(
		"%s = '%s' AND ExecutionStatus != 'Running' AND ExecutionStatus != 'Completed'", workflows.SearchAttrPlatform.GetName(), platform)})
	require.NoError(t, err)
	return len(resp.Executions)
}

// A Platform with a maintenance window (Saturdays 02:00, Europe/Berlin):
// a version bump becomes a scheduled upgrade, shown on the Platform with
// the time it will run, while the platform stays Ready. Removing the window
// cancels the schedule and upgrades at once.
func TestMaintenanceWindowHoldsVersionBumps_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e := startManagerEnv(t, 200*time.Millisecond)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{
		MaintenanceWindow: &v1alpha1.MaintenanceWindow{Days: []string{"Saturday"}, Start: "02:00", TimeZone: "Europe/Berlin"},
		Components:        []v1alpha1.ComponentRef{{Name: "grafana", Version: "v13.1.3"}},
	})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)

	before := time.Now()
	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[0].Version = "v13.2.0" })
	c := e.waitCondition(t, "acme", v1alpha1.ConditionUpgradeScheduled, metav1.ConditionTrue, time.Minute)
	// The schedule was made between the two clock reads: either one's next
	// window is right (they differ only across a window's opening).
	berlin, _ := time.LoadLocation("Europe/Berlin")
	var msgs []string
	for _, at := range []time.Time{before, time.Now()} {
		msgs = append(msgs, "grafana → v13.2.0 at "+nextSaturday2AMBerlin(at).In(berlin).Format("Mon 2006-01-02 15:04 MST"))
	}
	require.Contains(t, msgs, c.Message)
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, time.Minute)
	list, err := schedules.List(context.Background(), e.tc.ScheduleClient(), "acme")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "v13.2.0", list[0].To)
	require.Equal(t, "v13.1.3", e.components(t)["grafana"].Status.InstalledVersion)
	require.Zero(t, e.executions(t, workflows.UpgradeID("acme", "grafana", "v13.2.0")), "the upgrade ran before its window")

	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.MaintenanceWindow = nil })
	e.waitCondition(t, "acme", v1alpha1.ConditionUpgradeScheduled, metav1.ConditionFalse, time.Minute)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.Equal(ct, "v13.2.0", e.components(ct)["grafana"].Status.InstalledVersion)
	}, time.Minute, 100*time.Millisecond, "without the window the bump did not run")
	_, err = schedules.Get(context.Background(), e.tc.ScheduleClient(), workflows.ScheduledUpgradeID("acme", "grafana", "v13.2.0"))
	require.Error(t, err, "the schedule outlived the window")
}
