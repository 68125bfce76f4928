package controllers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
)

func platform(gen int64, comps ...v1alpha1.ComponentRef) *v1alpha1.Platform {
	return &v1alpha1.Platform{
		ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: "openova-system", Generation: gen},
		Spec:       v1alpha1.PlatformSpec{Components: comps},
	}
}

// retried adds a Retry request for the component, with the annotation's value.
func retried(p *v1alpha1.Platform, component, value string) *v1alpha1.Platform {
	p.Annotations = map[string]string{v1alpha1.AnnotationRetryPrefix + component: value}
	return p
}

func want(name string) v1alpha1.ComponentRef { return v1alpha1.ComponentRef{Name: name} }

func pinned(name, version string) v1alpha1.ComponentRef {
	return v1alpha1.ComponentRef{Name: name, Version: version}
}

func unwanted(name string) v1alpha1.ComponentRef {
	f := false
	return v1alpha1.ComponentRef{Name: name, Enabled: &f}
}

var healthy = Installed{Ready: true, Health: v1alpha1.HealthHealthy, Version: "v1.0.0"}

func TestPlanPlatform(t *testing.T) {
	cases := []struct {
		name       string
		p          *v1alpha1.Platform
		installed  map[string]Installed
		ops        map[string]Op
		wantStarts []Start
		wantPhase  string
		wantReady  metav1.ConditionStatus
		wantStall  bool
		wantMsg    string // in the Ready condition's message
	}{
		{
			name: "new component starts an install", p: platform(1, want("mongodb")),
			wantStarts: []Start{{Component: "mongodb", Kind: KindInstall}}, wantPhase: v1alpha1.PhaseInstalling, wantReady: metav1.ConditionFalse,
			wantMsg: "install mongodb: starting",
		},
		{
			name: "a running install is not started again", p: platform(1, want("mongodb")),
			ops:       map[string]Op{"mongodb": {State: OpRunning, Generation: 1, Message: "release redpanda v25.1.1"}},
			wantPhase: v1alpha1.PhaseInstalling, wantReady: metav1.ConditionFalse, wantMsg: "install mongodb: release redpanda v25.1.1",
		},
		{
			name: "installed and healthy is Ready", p: platform(1, want("mongodb")),
			installed: map[string]Installed{"mongodb": healthy, "redpanda": healthy},
			ops:       map[string]Op{"mongodb": {State: OpSucceeded, Generation: 1}},
			wantPhase: v1alpha1.PhaseRunning, wantReady: metav1.ConditionTrue, wantMsg: "2 components ready",
		},
		{
			name: "a failed install is not retried for the same generation", p: platform(2, want("mongodb")),
			ops:       map[string]Op{"mongodb": {State: OpFailed, Generation: 2, Message: "install mongodb failed: release mongodb: not Ready"}},
			wantPhase: v1alpha1.PhaseFailed, wantReady: metav1.ConditionFalse, wantStall: true,
			wantMsg: "install mongodb failed: release mongodb: not Ready",
		},
		{
			name: "a spec change retries a failed install", p: platform(3, want("mongodb")),
			ops:        map[string]Op{"mongodb": {State: OpFailed, Generation: 2}},
			wantStarts: []Start{{Component: "mongodb", Kind: KindInstall}}, wantPhase: v1alpha1.PhaseInstalling, wantReady: metav1.ConditionFalse,
		},
		{
			name: "disabled and installed starts an uninstall", p: platform(1, unwanted("valkey")),
			installed:  map[string]Installed{"valkey": healthy},
			wantStarts: []Start{{Component: "valkey", Kind: KindUninstall}}, wantPhase: v1alpha1.PhaseInstalling, wantReady: metav1.ConditionFalse,
		},
		{
			name: "a refused uninstall stalls with the reason", p: platform(1, unwanted("redpanda")),
			installed: map[string]Installed{"redpanda": healthy, "mongodb": healthy},
			ops:       map[string]Op{"redpanda": {Kind: KindUninstall, State: OpFailed, Generation: 1, Message: "cannot uninstall redpanda: debezium, mongodb still require it"}},
			wantPhase: v1alpha1.PhaseFailed, wantReady: metav1.ConditionFalse, wantStall: true,
			wantMsg: "cannot uninstall redpanda: debezium, mongodb still require it",
		},
		{
			name: "disabled and absent needs nothing", p: platform(1, unwanted("valkey")),
			wantPhase: v1alpha1.PhaseRunning, wantReady: metav1.ConditionTrue,
		},
		{
			name: "an unhealthy component keeps the platform not Ready", p: platform(1, want("grafana")),
			installed: map[string]Installed{"grafana": {Health: v1alpha1.HealthDegraded}},
			wantPhase: v1alpha1.PhaseRunning, wantReady: metav1.ConditionFalse, wantMsg: "0 of 1 components ready",
		},
		{
			name: "a failed install of an older generation with the component present is fine", p: platform(4, want("grafana")),
			installed: map[string]Installed{"grafana": healthy},
			ops:       map[string]Op{"grafana": {State: OpFailed, Generation: 4}},
			wantPhase: v1alpha1.PhaseRunning, wantReady: metav1.ConditionTrue,
		},
		{
			name: "a version bump starts an upgrade", p: platform(5, pinned("grafana", "v11.4.0")),
			installed:  map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			ops:        map[string]Op{"grafana": {Kind: KindInstall, State: OpSucceeded, Generation: 1}},
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0"}}, wantPhase: v1alpha1.PhaseInstalling,
			wantReady: metav1.ConditionFalse, wantMsg: "upgrade grafana: starting",
		},
		{
			name: "the same version written differently is no upgrade", p: platform(5, pinned("grafana", "11.3.0")),
			installed: map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			wantPhase: v1alpha1.PhaseRunning, wantReady: metav1.ConditionTrue,
		},
		{
			name: "a running upgrade shows its step", p: platform(5, pinned("grafana", "v11.4.0")),
			installed: map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			ops:       map[string]Op{"grafana": {Kind: KindUpgrade, State: OpRunning, Generation: 5, Message: "upgrade grafana to v11.4.0"}},
			wantPhase: v1alpha1.PhaseInstalling, wantReady: metav1.ConditionFalse, wantMsg: "upgrade grafana: upgrade grafana to v11.4.0",
		},
		{
			name: "a rolled-back upgrade stalls with the reason and is not retried", p: platform(5, pinned("grafana", "v11.4.0")),
			installed: map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			ops: map[string]Op{"grafana": {Kind: KindUpgrade, State: OpFailed, Generation: 5,
				Message: "upgrade grafana v11.3.0 → v11.4.0 failed: CrashLoopBackOff; rolled back to v11.3.0"}},
			wantPhase: v1alpha1.PhaseFailed, wantReady: metav1.ConditionFalse, wantStall: true, wantMsg: "rolled back to v11.3.0",
		},
		{
			name:      "a rolled-back upgrade stays rolled back when another component changes the spec",
			p:         platform(6, pinned("grafana", "v11.4.0"), want("keycloak")),
			installed: map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}, "keycloak": healthy},
			ops: map[string]Op{"grafana": {Kind: KindUpgrade, State: OpFailed, Generation: 5, RolledBack: true, Started: testNow.Add(-time.Hour),
				Message: "upgrade grafana v11.3.0 → v11.4.0 failed: CrashLoopBackOff; rolled back to v11.3.0"}},
			wantPhase: v1alpha1.PhaseFailed, wantReady: metav1.ConditionFalse, wantStall: true, wantMsg: "rolled back to v11.3.0",
		},
		{
			name:      "Retry asked after the rollback runs the upgrade again, in the same generation",
			p:         retried(platform(5, pinned("grafana", "v11.4.0")), "grafana", testNow.Format(time.RFC3339)),
			installed: map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			ops: map[string]Op{"grafana": {Kind: KindUpgrade, State: OpFailed, Generation: 5, RolledBack: true, Started: testNow.Add(-time.Hour),
				Message: "upgrade grafana v11.3.0 → v11.4.0 failed: CrashLoopBackOff; rolled back to v11.3.0"}},
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0"}}, wantPhase: v1alpha1.PhaseInstalling,
			wantReady: metav1.ConditionFalse, wantMsg: "upgrade grafana: starting",
		},
		{
			name:      "a Retry asked before the last attempt started is spent",
			p:         retried(platform(7, pinned("grafana", "v11.4.0")), "grafana", testNow.Add(-2*time.Hour).Format(time.RFC3339)),
			installed: map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			ops: map[string]Op{"grafana": {Kind: KindUpgrade, State: OpFailed, Generation: 5, RolledBack: true, Started: testNow.Add(-time.Hour),
				Message: "rolled back to v11.3.0"}},
			wantPhase: v1alpha1.PhaseFailed, wantReady: metav1.ConditionFalse, wantStall: true, wantMsg: "rolled back to v11.3.0",
		},
		{
			name:      "a Retry that is not a time says so and retries nothing",
			p:         retried(platform(7, pinned("grafana", "v11.4.0")), "grafana", "now please"),
			installed: map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			ops: map[string]Op{"grafana": {Kind: KindUpgrade, State: OpFailed, Generation: 5, RolledBack: true, Started: testNow.Add(-time.Hour),
				Message: "rolled back to v11.3.0"}},
			wantPhase: v1alpha1.PhaseFailed, wantReady: metav1.ConditionFalse, wantStall: true,
			wantMsg: `annotation retry.openova.io/grafana="now please" is not a time such as 2026-12-05T08:00:00Z, so no retry`,
		},
		{
			name: "another version after a rollback is a new upgrade", p: platform(6, pinned("grafana", "v11.5.0")),
			installed:  map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.5.0"}}, wantPhase: v1alpha1.PhaseInstalling,
			wantReady: metav1.ConditionFalse,
		},
		{
			name: "an upgrade refused before its rollout runs again once the spec changes", p: platform(6, pinned("grafana", "v11.4.0")),
			installed: map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			ops: map[string]Op{"grafana": {Kind: KindUpgrade, State: OpFailed, Generation: 5, Started: testNow.Add(-time.Hour),
				Message: "grafana: v11.4.0 migrates data and cannot be rolled back: confirm the upgrade"}},
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0"}}, wantPhase: v1alpha1.PhaseInstalling,
			wantReady: metav1.ConditionFalse,
		},
		{
			name: "a completed upgrade waits for the component status", p: platform(5, pinned("grafana", "v11.4.0")),
			installed: map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			ops:       map[string]Op{"grafana": {Kind: KindUpgrade, State: OpSucceeded, Generation: 5}},
			wantPhase: v1alpha1.PhaseInstalling, wantReady: metav1.ConditionFalse, wantMsg: "waiting for its status",
		},
		{
			name: "a lower pinned version goes to the upgrade, which refuses it", p: platform(6, pinned("grafana", "v11.2.0")),
			installed:  map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}},
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.2.0"}}, wantPhase: v1alpha1.PhaseInstalling,
			wantReady: metav1.ConditionFalse,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := planPlatform(tc.p, tc.installed, tc.ops, nil, testNow)
			require.Equal(t, tc.wantStarts, plan.Starts)
			require.Equal(t, tc.wantPhase, plan.Status.Phase)
			ready := meta.FindStatusCondition(plan.Status.Conditions, v1alpha1.ConditionReady)
			require.NotNil(t, ready)
			require.Equal(t, tc.wantReady, ready.Status)
			require.Equal(t, tc.p.Generation, ready.ObservedGeneration)
			require.Contains(t, ready.Message, tc.wantMsg)
			require.Equal(t, tc.wantStall, meta.IsStatusConditionTrue(plan.Status.Conditions, v1alpha1.ConditionStalled))
			require.Equal(t, plan.Busy, meta.IsStatusConditionTrue(plan.Status.Conditions, v1alpha1.ConditionReconciling))
			require.Equal(t, tc.p.Generation, plan.Status.ObservedGeneration)
		})
	}
}

func TestPlanPlatformCountsUpgrades(t *testing.T) {
	installed := map[string]Installed{
		"backstage": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v1.30.0", Upgradable: true},
		"grafana":   {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0", Upgradable: true},
		"cnpg":      healthy,
	}
	plan := planPlatform(platform(1, want("backstage"), want("grafana"), want("cnpg")), installed, nil, nil, testNow)
	require.Equal(t, int32(2), plan.Status.UpgradesAvailable)
}

// A second reconcile of an unchanged world computes the same status, so the
// reconciler patches nothing.
func TestPlanPlatformIsStable(t *testing.T) {
	p := platform(1, want("mongodb"))
	installed := map[string]Installed{"mongodb": healthy}
	first := planPlatform(p, installed, nil, nil, testNow)
	p.Status = first.Status
	second := planPlatform(p, installed, nil, nil, testNow)
	require.Equal(t, first.Status, second.Status)
}

// With a maintenance window a version bump becomes a scheduled upgrade;
// once scheduled the platform waits (not busy) and says until when; a
// schedule the spec no longer asks for is cancelled; a bad time zone
// stalls with the reason.
// testNow is the plans' clock: a Wednesday, before the times the cases hold.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestPlanPlatformMaintenanceWindow(t *testing.T) {
	grafana := map[string]Installed{"grafana": {Ready: true, Health: v1alpha1.HealthHealthy, Version: "v11.3.0"}}
	windowed := func(gen int64, zone string, refs ...v1alpha1.ComponentRef) *v1alpha1.Platform {
		p := platform(gen, refs...)
		p.Spec.MaintenanceWindow = &v1alpha1.MaintenanceWindow{Days: []string{"Saturday"}, Start: "02:00", TimeZone: zone}
		return p
	}
	next := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC) // 02:00 in Berlin
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	pinnedAt := func(name, version string, when time.Time) v1alpha1.ComponentRef {
		r := pinned(name, version)
		r.UpgradeAt = &metav1.Time{Time: when}
		return r
	}
	cases := []struct {
		name       string
		p          *v1alpha1.Platform
		scheduled  map[string]Scheduled
		wantStarts []Start
		wantCancel []string
		wantBusy   bool
		wantStall  string
		wantWait   string // UpgradeScheduled message
	}{
		{name: "a bump is scheduled", p: windowed(2, "Europe/Berlin", pinned("grafana", "v11.4.0")),
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0", InWindow: true}}, wantBusy: true},
		{name: "a scheduled bump waits", p: windowed(2, "Europe/Berlin", pinned("grafana", "v11.4.0")),
			scheduled: map[string]Scheduled{"grafana": {ID: "upgrade-at/acme/grafana/v11.4.0", To: "v11.4.0", Next: next}},
			wantWait:  "grafana → v11.4.0 at Sat 2026-11-28 02:00 CET"},
		{name: "a changed bump cancels the old schedule", p: windowed(3, "Europe/Berlin", pinned("grafana", "v11.5.0")),
			scheduled:  map[string]Scheduled{"grafana": {ID: "upgrade-at/acme/grafana/v11.4.0", To: "v11.4.0", Next: next}},
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.5.0", InWindow: true}},
			wantCancel: []string{"upgrade-at/acme/grafana/v11.4.0"}, wantBusy: true},
		{name: "without a window a left-over schedule is cancelled and the bump starts now", p: platform(4, pinned("grafana", "v11.4.0")),
			scheduled:  map[string]Scheduled{"grafana": {ID: "upgrade-at/acme/grafana/v11.4.0", To: "v11.4.0", Next: next}},
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0"}},
			wantCancel: []string{"upgrade-at/acme/grafana/v11.4.0"}, wantBusy: true},
		{name: "a bump with upgradeAt is scheduled at that time", p: platform(2, pinnedAt("grafana", "v11.4.0", at)),
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0", InWindow: true, At: at}}, wantBusy: true},
		{name: "upgradeAt goes before the maintenance window", p: windowed(2, "Europe/Berlin", pinnedAt("grafana", "v11.4.0", at)),
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0", InWindow: true, At: at}}, wantBusy: true},
		{name: "a bump scheduled at its time waits", p: platform(2, pinnedAt("grafana", "v11.4.0", at)),
			scheduled: map[string]Scheduled{"grafana": {ID: "upgrade-at/acme/grafana/v11.4.0", To: "v11.4.0", Next: at}},
			wantWait:  "grafana → v11.4.0 at Thu 2026-11-26 09:30 UTC"},
		{name: "a moved upgradeAt cancels the old schedule and makes a new one", p: platform(3, pinnedAt("grafana", "v11.4.0", at.Add(time.Hour))),
			scheduled:  map[string]Scheduled{"grafana": {ID: "upgrade-at/acme/grafana/v11.4.0", To: "v11.4.0", Next: at}},
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0", InWindow: true, At: at.Add(time.Hour)}},
			wantCancel: []string{"upgrade-at/acme/grafana/v11.4.0"}, wantBusy: true},
		{name: "an upgradeAt already past is as if unset: the window holds the bump", p: windowed(2, "Europe/Berlin", pinnedAt("grafana", "v11.4.0", testNow.Add(-time.Hour))),
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0", InWindow: true}}, wantBusy: true},
		{name: "an upgradeAt already past upgrades now", p: platform(2, pinnedAt("grafana", "v11.4.0", testNow.Add(-time.Hour))),
			wantStarts: []Start{{Component: "grafana", Kind: KindUpgrade, To: "v11.4.0"}}, wantBusy: true},
		{name: "an unknown time zone stalls", p: windowed(2, "Mars/Olympus", pinned("grafana", "v11.4.0")),
			wantStall: `upgrade grafana to v11.4.0: maintenance window: time zone "Mars/Olympus" is unknown`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := planPlatform(tc.p, grafana, nil, tc.scheduled, testNow)
			require.Equal(t, tc.wantStarts, plan.Starts)
			require.Equal(t, tc.wantCancel, plan.Cancel)
			require.Equal(t, tc.wantBusy, plan.Busy)
			stalled := meta.FindStatusCondition(plan.Status.Conditions, v1alpha1.ConditionStalled)
			if tc.wantStall != "" {
				require.Equal(t, metav1.ConditionTrue, stalled.Status)
				require.Contains(t, stalled.Message, tc.wantStall)
			}
			if tc.wantWait != "" {
				c := meta.FindStatusCondition(plan.Status.Conditions, v1alpha1.ConditionUpgradeScheduled)
				require.NotNil(t, c)
				require.Equal(t, metav1.ConditionTrue, c.Status)
				require.Equal(t, tc.wantWait, c.Message)
				require.True(t, meta.IsStatusConditionTrue(plan.Status.Conditions, v1alpha1.ConditionReady), "waiting for a window is not a failure")
			}
		})
	}
}
