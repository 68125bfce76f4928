package controllers

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
)

func TestComponentStatusMirrorsTheRelease(t *testing.T) {
	cond := func(status, reason, msg string) v1alpha1.ConditionSummary {
		return v1alpha1.ConditionSummary{Status: status, Reason: reason, Message: msg}
	}
	cases := []struct {
		name        string
		installed   string // status.installedVersion before
		specChart   string // spec.chartVersion; "-" for a Component written before specs named it
		rel         v1alpha1.ReleaseState
		wantPhase   string
		wantHealth  string
		wantVersion string
		wantReady   bool
		wantStalled bool
		wantReason  string
	}{
		{name: "no release yet", wantPhase: v1alpha1.PhasePending, wantHealth: v1alpha1.HealthUnknown, wantReason: "ReleaseMissing"},
		{
			name: "creating", rel: v1alpha1.ReleaseState{Exists: true, Synced: cond("True", "ReconcileSuccess", ""), Ready: cond("False", "Creating", "")},
			wantPhase: v1alpha1.PhaseInstalling, wantHealth: v1alpha1.HealthProgressing, wantReason: "Creating",
		},
		{
			name: "ready with the spec's chart deployed: the released version runs", rel: v1alpha1.ReleaseState{Exists: true, Version: "2.2.0",
				Synced: cond("True", "ReconcileSuccess", ""), Ready: cond("True", "Available", ""),
				Endpoints: []v1alpha1.Endpoint{{Name: "ui", URL: "https://backstage.acme.io"}}},
			wantPhase: v1alpha1.PhaseRunning, wantHealth: v1alpha1.HealthHealthy, wantVersion: "v1.30.0", wantReady: true, wantReason: "Available",
		},
		{
			name: "ready with the previous chart still deployed is not at the version", installed: "v1.29.0",
			rel:       v1alpha1.ReleaseState{Exists: true, Version: "2.1.0", Synced: cond("True", "", ""), Ready: cond("True", "Available", "")},
			wantPhase: v1alpha1.PhaseInstalling, wantHealth: v1alpha1.HealthDegraded, wantVersion: "v1.29.0", wantReason: "ChartNotDeployed",
		},
		{
			name:      "ready without a reported chart is not at the version",
			rel:       v1alpha1.ReleaseState{Exists: true, Synced: cond("True", "", ""), Ready: cond("True", "Available", "")},
			wantPhase: v1alpha1.PhaseInstalling, wantHealth: v1alpha1.HealthProgressing, wantReason: "ChartNotDeployed",
		},
		{
			name: "a Component that names no chart version is taken at its word", specChart: "-",
			rel:       v1alpha1.ReleaseState{Exists: true, Synced: cond("True", "", ""), Ready: cond("True", "Available", "")},
			wantPhase: v1alpha1.PhaseRunning, wantHealth: v1alpha1.HealthHealthy, wantVersion: "v1.30.0", wantReady: true, wantReason: "Available",
		},
		{
			name: "ready for an older generation is still progressing", rel: v1alpha1.ReleaseState{Exists: true, Generation: 2,
				Synced: cond("True", "", ""), Ready: v1alpha1.ConditionSummary{Status: "True", Reason: "Available", ObservedGeneration: 1}},
			wantPhase: v1alpha1.PhaseInstalling, wantHealth: v1alpha1.HealthProgressing, wantReason: "Available",
		},
		{
			name: "not synced is stalled", rel: v1alpha1.ReleaseState{Exists: true, Synced: cond("False", "ReconcileError", "chart not found"), Ready: cond("False", "Creating", "")},
			wantPhase: v1alpha1.PhaseFailed, wantHealth: v1alpha1.HealthDegraded, wantStalled: true, wantReason: "ReconcileError",
		},
		{
			name: "an installed component that stops being Ready is degraded", installed: "v1.30.0",
			rel:       v1alpha1.ReleaseState{Exists: true, Synced: cond("True", "", ""), Ready: cond("False", "Unavailable", "pods crash")},
			wantPhase: v1alpha1.PhaseInstalling, wantHealth: v1alpha1.HealthDegraded, wantVersion: "v1.30.0", wantReason: "Unavailable",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chart := "2.2.0"
			switch tc.specChart {
			case "-":
				chart = ""
			case "":
			default:
				chart = tc.specChart
			}
			c := &v1alpha1.Component{
				ObjectMeta: metav1.ObjectMeta{Name: "backstage", Generation: 3},
				Spec:       v1alpha1.ComponentSpec{Version: "v1.30.0", ChartVersion: chart},
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
	ready := v1alpha1.ReleaseState{Exists: true,
		Synced: v1alpha1.ConditionSummary{Status: "True"}, Ready: v1alpha1.ConditionSummary{Status: "True"}}
	c := &v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "grafana", Generation: 2, Annotations: map[string]string{
		v1alpha1.AnnotationRolledBack: `{"from":"v11.3.0","to":"v11.4.0","reason":"grafana not Ready: CrashLoopBackOff","at":"2026-11-26T10:00:00Z"}`,
	}}, Spec: v1alpha1.ComponentSpec{Version: "v11.3.0"}}
	st := componentStatus(c, ready)
	rb := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionRolledBack)
	require.NotNil(t, rb)
	require.Equal(t, metav1.ConditionTrue, rb.Status)
	require.Equal(t, "upgrade v11.3.0 → v11.4.0 failed at 2026-11-26T10:00:00Z: grafana not Ready: CrashLoopBackOff; rolled back to v11.3.0", rb.Message)
	require.Equal(t, v1alpha1.HealthHealthy, st.Health)

	c.Status = st
	delete(c.Annotations, v1alpha1.AnnotationRolledBack)
	require.Nil(t, meta.FindStatusCondition(componentStatus(c, ready).Conditions, v1alpha1.ConditionRolledBack), "cleared after a successful upgrade")
}

func TestComponentStatusShowsAvailableVersions(t *testing.T) {
	ready := v1alpha1.ReleaseState{Exists: true,
		Synced: v1alpha1.ConditionSummary{Status: "True"}, Ready: v1alpha1.ConditionSummary{Status: "True"}}
	v114 := v1alpha1.AvailableVersion{Version: "v11.4.0", ChartVersion: "8.8.2", Changelog: "## Grafana 11.4.0", Source: v1alpha1.SourceCatalog}
	v115 := v1alpha1.AvailableVersion{Version: "v11.5.0", ChartVersion: "8.9.1", Changelog: "chart 8.9.1 ...", Source: v1alpha1.SourceHelmRepository}
	cases := []struct {
		name       string
		spec       string // the version released (and, Ready, installed)
		annotation string
		want       []v1alpha1.AvailableVersion
		wantStatus metav1.ConditionStatus // empty: no condition
		wantReason string
		wantMsg    string
	}{
		{name: "never checked"},
		{
			name: "checked", spec: "v11.3.0",
			annotation: `{"versions":[{"version":"v11.4.0","chartVersion":"8.8.2","changelog":"## Grafana 11.4.0","source":"catalog"},` +
				`{"version":"v11.5.0","chartVersion":"8.9.1","changelog":"chart 8.9.1 ...","source":"helm-repository"}],"checkedAt":"2025-01-02T03:04:05Z"}`,
			want: []v1alpha1.AvailableVersion{v114, v115}, wantStatus: metav1.ConditionTrue, wantReason: "Checked",
			wantMsg: "2 newer versions (checked 2025-01-02T03:04:05Z)",
		},
		{
			name: "upgraded since the check: only what is still newer", spec: "v11.4.0",
			annotation: `{"versions":[{"version":"v11.4.0","chartVersion":"8.8.2","changelog":"## Grafana 11.4.0","source":"catalog"},` +
				`{"version":"v11.5.0","chartVersion":"8.9.1","changelog":"chart 8.9.1 ...","source":"helm-repository"}],"checkedAt":"2025-01-02T03:04:05Z"}`,
			want: []v1alpha1.AvailableVersion{v115}, wantStatus: metav1.ConditionTrue, wantReason: "Checked",
			wantMsg: "1 newer version (checked 2025-01-02T03:04:05Z)",
		},
		{
			name: "repository down: last known versions and why", spec: "v11.3.0",
			annotation: `{"versions":[{"version":"v11.5.0","chartVersion":"8.9.1","changelog":"chart 8.9.1 ...","source":"helm-repository"}],` +
				`"checkedAt":"2025-01-03T03:04:05Z","indexError":"helm index https://grafana.github.io/helm-charts/index.yaml: HTTP 503"}`,
			want: []v1alpha1.AvailableVersion{v115}, wantStatus: metav1.ConditionFalse, wantReason: "IndexUnreachable",
			wantMsg: "helm index https://grafana.github.io/helm-charts/index.yaml: HTTP 503; last known: 1 newer version (checked 2025-01-03T03:04:05Z)",
		},
		{name: "unreadable annotation is ignored", spec: "v11.3.0", annotation: "{"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "grafana", Generation: 2}, Spec: v1alpha1.ComponentSpec{Version: tc.spec}}
			if tc.annotation != "" {
				c.Annotations = map[string]string{v1alpha1.AnnotationAvailableVersions: tc.annotation}
			}
			st := componentStatus(c, ready)
			require.Equal(t, tc.want, st.AvailableVersions)
			cond := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionUpdatesChecked)
			if tc.wantStatus == "" {
				require.Nil(t, cond)
				return
			}
			require.NotNil(t, cond)
			require.Equal(t, tc.wantStatus, cond.Status)
			require.Equal(t, tc.wantReason, cond.Reason)
			require.Equal(t, tc.wantMsg, cond.Message)
			c.Status = st
			require.Equal(t, st, componentStatus(c, ready), "a second look changes nothing")

			delete(c.Annotations, v1alpha1.AnnotationAvailableVersions)
			st = componentStatus(c, ready)
			require.Nil(t, st.AvailableVersions)
			require.Nil(t, meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionUpdatesChecked), "removed with the annotation")
		})
	}
}
