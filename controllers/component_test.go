package controllers

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/crds/v1alpha1"
)

func TestComponentStatusMirrorsTheRelease(t *testing.T) {
	cond := func(status, reason, msg string) activities.ConditionSummary {
		return activities.ConditionSummary{Status: status, Reason: reason, Message: msg}
	}
	cases := []struct {
		name        string
		installed   string // status.installedVersion before
		rel         activities.ReadReleaseResult
		wantPhase   string
		wantHealth  string
		wantVersion string
		wantReady   bool
		wantStalled bool
		wantReason  string
	}{
		{name: "no release yet", wantPhase: v1alpha1.PhasePending, wantHealth: v1alpha1.HealthUnknown, wantReason: "ReleaseMissing"},
		{
			name: "creating", rel: activities.ReadReleaseResult{Exists: true, Synced: cond("True", "ReconcileSuccess", ""), Ready: cond("False", "Creating", "")},
			wantPhase: v1alpha1.PhaseInstalling, wantHealth: v1alpha1.HealthProgressing, wantReason: "Creating",
		},
		{
			name: "ready: the released version runs", rel: activities.ReadReleaseResult{Exists: true, Synced: cond("True", "ReconcileSuccess", ""), Ready: cond("True", "Available", ""),
				Endpoints: []activities.Endpoint{{Name: "ui", URL: "https://backstage.acme.io"}}},
			wantPhase: v1alpha1.PhaseRunning, wantHealth: v1alpha1.HealthHealthy, wantVersion: "v1.30.0", wantReady: true, wantReason: "Available",
		},
		{
			name: "ready for an older generation is still progressing", rel: activities.ReadReleaseResult{Exists: true, Generation: 2,
				Synced: cond("True", "", ""), Ready: activities.ConditionSummary{Status: "True", Reason: "Available", ObservedGeneration: 1}},
			wantPhase: v1alpha1.PhaseInstalling, wantHealth: v1alpha1.HealthProgressing, wantReason: "Available",
		},
		{
			name: "not synced is stalled", rel: activities.ReadReleaseResult{Exists: true, Synced: cond("False", "ReconcileError", "chart not found"), Ready: cond("False", "Creating", "")},
			wantPhase: v1alpha1.PhaseFailed, wantHealth: v1alpha1.HealthDegraded, wantStalled: true, wantReason: "ReconcileError",
		},
		{
			name: "an installed component that stops being Ready is degraded", installed: "v1.30.0",
			rel:       activities.ReadReleaseResult{Exists: true, Synced: cond("True", "", ""), Ready: cond("False", "Unavailable", "pods crash")},
			wantPhase: v1alpha1.PhaseInstalling, wantHealth: v1alpha1.HealthDegraded, wantVersion: "v1.30.0", wantReason: "Unavailable",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &v1alpha1.Component{
				ObjectMeta: metav1.ObjectMeta{Name: "backstage", Generation: 3},
				Spec:       v1alpha1.ComponentSpec{Version: "v1.30.0"},
				Status:     v1alpha1.ComponentStatus{InstalledVersion: tc.installed},
			}
			st := componentStatus(c, tc.rel)
			require.Equal(t, tc.wantPhase, st.Phase)
			require.Equal(t, tc.wantHealth, st.Health)
			require.Equal(t, tc.wantVersion, st.InstalledVersion)
			ready := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
			require.NotNil(t, ready)
			require.Equal(t, tc.wantReady, ready.Status == metav1.ConditionTrue)
			require.Equal(t, tc.wantReason, ready.Reason)
			require.Equal(t, int64(3), ready.ObservedGeneration)
			require.Equal(t, tc.wantStalled, meta.IsStatusConditionTrue(st.Conditions, v1alpha1.ConditionStalled))
			c.Status = st
			require.Equal(t, st, componentStatus(c, tc.rel), "a second look changes nothing")
		})
	}
}

func TestComponentStatusShowsARollback(t *testing.T) {
	ready := activities.ReadReleaseResult{Exists: true,
		Synced: activities.ConditionSummary{Status: "True"}, Ready: activities.ConditionSummary{Status: "True"}}
	c := &v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "grafana", Generation: 2, Annotations: map[string]string{
		activities.AnnotationRolledBack: `{"from":"v11.3.0","to":"v11.4.0","reason":"grafana not Ready: CrashLoopBackOff","at":"2026-11-26T10:00:00Z"}`,
	}}, Spec: v1alpha1.ComponentSpec{Version: "v11.3.0"}}
	st := componentStatus(c, ready)
	rb := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionRolledBack)
	require.NotNil(t, rb)
	require.Equal(t, metav1.ConditionTrue, rb.Status)
	require.Equal(t, "upgrade v11.3.0 → v11.4.0 failed at 2026-11-26T10:00:00Z: grafana not Ready: CrashLoopBackOff; rolled back to v11.3.0", rb.Message)
	require.Equal(t, v1alpha1.HealthHealthy, st.Health)

	c.Status = st
	delete(c.Annotations, activities.AnnotationRolledBack)
	require.Nil(t, meta.FindStatusCondition(componentStatus(c, ready).Conditions, v1alpha1.ConditionRolledBack), "cleared after a successful upgrade")
}
