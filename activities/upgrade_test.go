package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// MarkRolledBack against a real API server: it sets the annotation and
// leaves the spec alone, twice is the same as once, clearing removes only
// the annotation, and a Component that is gone is nothing to mark.
func TestMarkRolledBack(t *testing.T) {
	cl, ns := kubeClient(t)
	ctx := context.Background()
	require.NoError(t, cl.Create(ctx, &v1alpha1.Component{
		ObjectMeta: metav1.ObjectMeta{Name: "grafana", Namespace: ns},
		Spec:       v1alpha1.ComponentSpec{Platform: "acme", Chart: "grafana", Version: "v11.3.0"},
	}))
	k := &Kubernetes{Client: cl}
	read := func() v1alpha1.Component {
		var c v1alpha1.Component
		require.NoError(t, cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: "grafana"}, &c))
		return c
	}
	mark := MarkRolledBackInput{Namespace: ns, Name: "grafana", RolledBack: v1alpha1.RolledBack{
		From: "v11.3.0", To: "v11.4.0", Reason: "CrashLoopBackOff", At: time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)}}

	_, err := run[MarkRolledBackResult](t, k, k.MarkRolledBack, mark)
	require.NoError(t, err)
	first := read()
	require.JSONEq(t, `{"from":"v11.3.0","to":"v11.4.0","reason":"CrashLoopBackOff","at":"2026-11-26T04:00:00Z"}`,
		first.Annotations[v1alpha1.AnnotationRolledBack])
	require.Equal(t, "v11.3.0", first.Spec.Version)

	_, err = run[MarkRolledBackResult](t, k, k.MarkRolledBack, mark)
	require.NoError(t, err)
	require.Equal(t, first.ResourceVersion, read().ResourceVersion, "a second mark changed the Component")

	_, err = run[MarkRolledBackResult](t, k, k.MarkRolledBack, MarkRolledBackInput{Namespace: ns, Name: "grafana", Clear: true})
	require.NoError(t, err)
	cleared := read()
	require.NotContains(t, cleared.Annotations, v1alpha1.AnnotationRolledBack)
	require.Equal(t, "v11.3.0", cleared.Spec.Version)

	_, err = run[MarkRolledBackResult](t, k, k.MarkRolledBack, MarkRolledBackInput{Namespace: ns, Name: "gone", RolledBack: mark.RolledBack})
	require.NoError(t, err)
	var gone v1alpha1.Component
	require.Error(t, cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: "gone"}, &gone), "marking created a Component")
}

// The check names the chart that ships the target: after a chart move,
// another than the installed one's; otherwise the component's.
func TestCheckUpgradeNamesTheTargetsChart(t *testing.T) {
	cat, err := catalog.Parse([]byte(`apiVersion: catalog.openova.io/v1
components:
  - name: valkey
    title: Valkey
    description: d
    category: a-la-carte
    chart: {name: valkey, repository: "oci://registry.example/bitnamicharts"}
    versions:
      - {version: v9.1.1, chartVersion: 0.9.4, released: 2026-08-01, changelog: "moves to valkey-io's chart", chart: {name: valkey, repository: "https://valkey.io/valkey-helm/"}, values: {auth: {enabled: true}}, source: {repository: https://github.com/valkey-io/valkey-helm, ref: valkey-0.9.4, path: valkey/Chart.yaml}}
      - {version: v8.1.0, chartVersion: 2.4.0, released: 2025-05-01, changelog: "bitnami", source: {repository: https://github.com/bitnami/charts, ref: valkey-2.4.0, path: bitnami/valkey/Chart.yaml}}
      - {version: v8.0.0, chartVersion: 2.0.0, released: 2024-10-01, changelog: "bitnami", source: {repository: https://github.com/bitnami/charts, ref: valkey-2.0.0, path: bitnami/valkey/Chart.yaml}}
`))
	require.NoError(t, err)
	cl, ns := kubeClient(t)
	require.NoError(t, cl.Create(context.Background(), &v1alpha1.Component{
		ObjectMeta: metav1.ObjectMeta{Name: "valkey", Namespace: ns, Labels: map[string]string{v1alpha1.LabelPlatform: "acme"}},
		Spec:       v1alpha1.ComponentSpec{Platform: "acme", Chart: "valkey", Version: "v8.0.0"},
	}))
	a := &Catalog{Client: cl, Base: cat, HTTP: devHTTP}
	for _, tt := range []struct {
		to        string
		wantRepo  string
		wantValue any
	}{
		{"v9.1.1", "https://valkey.io/valkey-helm/", map[string]any{"enabled": true}},
		{"v8.1.0", "oci://registry.example/bitnamicharts", nil},
	} {
		res, err := run[CheckUpgradeResult](t, a, a.CheckUpgrade, CheckUpgradeInput{Namespace: ns, Platform: "acme",
			Request: catalog.UpgradeRequest{Component: "valkey", To: tt.to}})
		require.NoError(t, err)
		require.Equal(t, tt.wantRepo, res.Chart.Repository, "to %s", tt.to)
		require.Equal(t, tt.wantValue, res.Plan.To.Values["auth"], "to %s", tt.to)
	}
}

// An upgrade to an upstream release takes its chart version from what the
// update check wrote in the Component's status, never from the request:
// one the status does not list, or lists chart-only, is not in the catalog;
// one it lists is refused until its risk is accepted, then runs on the
// newest release's chart and values at the upstream chart version.
func TestCheckUpgradeToAnUpstreamReleaseTheUpdateCheckFound(t *testing.T) {
	cat, err := catalog.Parse([]byte(`apiVersion: catalog.openova.io/v1
components:
  - name: valkey
    title: Valkey
    description: d
    category: a-la-carte
    chart: {name: valkey, repository: "https://valkey.io/valkey-helm/"}
    versions:
      - {version: v9.1.1, chartVersion: 0.9.4, released: 2026-08-01, changelog: "c", values: {auth: {enabled: true}}, source: {repository: https://github.com/valkey-io/valkey-helm, ref: valkey-0.9.4, path: valkey/Chart.yaml}}
      - {version: v9.0.2, chartVersion: 0.9.1, released: 2026-05-01, changelog: "c", source: {repository: https://github.com/valkey-io/valkey-helm, ref: valkey-0.9.1, path: valkey/Chart.yaml}}
`))
	require.NoError(t, err)
	cl, ns := kubeClient(t)
	ctx := context.Background()
	comp := &v1alpha1.Component{
		ObjectMeta: metav1.ObjectMeta{Name: "valkey", Namespace: ns, Labels: map[string]string{v1alpha1.LabelPlatform: "acme"}},
		Spec:       v1alpha1.ComponentSpec{Platform: "acme", Chart: "valkey", Version: "v9.1.1", ChartVersion: "0.9.4"},
	}
	require.NoError(t, cl.Create(ctx, comp))
	comp.Status.AvailableVersions = []v1alpha1.AvailableVersion{
		{Version: "v9.2.0", ChartVersion: "0.10.0", Source: v1alpha1.SourceHelmRepository, Changelog: "[Release notes](https://github.com/valkey-io/valkey-helm/releases)"},
		{Version: "0.10.1", ChartVersion: "0.10.1", Source: v1alpha1.SourceHelmRepository},
	}
	require.NoError(t, cl.Status().Update(ctx, comp))
	a := &Catalog{Client: cl, Base: cat, HTTP: devHTTP}
	check := func(to string, confirm bool) (CheckUpgradeResult, error) {
		return run[CheckUpgradeResult](t, a, a.CheckUpgrade, CheckUpgradeInput{Namespace: ns, Platform: "acme",
			Request: catalog.UpgradeRequest{Component: "valkey", To: to, ConfirmUpstream: confirm}})
	}
	for _, tc := range []struct {
		to      string
		confirm bool
		kind    string
		msg     string
	}{
		{"v9.2.0", false, catalog.ErrUpstreamNotConfirmed, "openova has not checked its images"},
		{"v9.3.0", true, catalog.ErrInvalidRequest, "version v9.3.0 is not in the catalog"},
		{"0.10.1", true, catalog.ErrInvalidRequest, "version 0.10.1 is not in the catalog"},
	} {
		_, err := check(tc.to, tc.confirm)
		ae := requireAppError(t, err, tc.kind, true)
		require.Contains(t, ae.Error(), tc.msg)
	}

	res, err := check("v9.2.0", true)
	require.NoError(t, err)
	require.Equal(t, "v9.2.0", res.Plan.To.Version)
	require.Equal(t, "0.10.0", res.ChartVersion, "the chart version the update check read")
	require.Equal(t, "0.9.4", res.FromChartVersion, "what a rollback goes back to")
	require.Equal(t, "https://valkey.io/valkey-helm/", res.Chart.Repository)
	require.Equal(t, map[string]any{"enabled": true}, res.Plan.To.Values["auth"], "the newest catalog release's values")
}
