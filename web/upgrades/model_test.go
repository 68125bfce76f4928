package upgrades

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/worker/schedules"
)

// A component the bootstrap installed is offered like any other where the
// manager upgrades it through its HelmChart; where a change would not last
// (Cilium's HelmChart, which k3s applies again at every start) the offer
// says why, with no form to submit.
func TestOfferOfAnAdoptedComponent(t *testing.T) {
	adopted := func(upgrade string) string {
		a := v1alpha1.Adopted{Name: "cilium", Version: "1.16.5", Chart: "cilium", HelmChart: "kube-system/cilium", Upgrade: upgrade,
			InstalledBy: "k3s HelmChart kube-system/cilium in each server's manifests folder, which k3s applies again at every start",
			Workloads:   []v1alpha1.Workload{{Kind: v1alpha1.KindDaemonSet, Namespace: "kube-system", Name: "cilium"}}}
		return a.JSON()
	}
	cases := []struct {
		name        string
		annotations map[string]string
		want        string // in the offer
		form        bool
	}{
		{name: "released by the manager", form: true},
		{name: "adopted, upgraded through its HelmChart", annotations: map[string]string{v1alpha1.AnnotationAdopted: adopted(v1alpha1.UpgradeHelmChart)}, form: true},
		{name: "adopted, where an upgrade would not last", annotations: map[string]string{v1alpha1.AnnotationAdopted: adopted("")},
			want: "The manager does not upgrade Cilium: it runs as the bootstrap installed it (k3s HelmChart kube-system/cilium in each server&#39;s manifests folder, which k3s applies again at every start), so an upgrade by the manager would not last."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cr := v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "cilium", Annotations: tc.annotations},
				Status: v1alpha1.ComponentStatus{InstalledVersion: "1.16.5", AvailableVersions: []v1alpha1.AvailableVersion{{Version: "1.16.6", Changelog: "fixes"}}}}
			s := state{platform: &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}}, forms: map[string]Form{}}
			a, ok := available(s, &cr, "Cilium", "/platforms/acme/upgrades")
			require.True(t, ok, "a newer version is shown")
			var b strings.Builder
			require.NoError(t, offer(a).Render(context.Background(), &b))
			require.Equal(t, tc.form, strings.Contains(b.String(), "<form"), b.String())
			require.Contains(t, b.String(), tc.want)
		})
	}
}

// An upgrade that is scheduled is listed as scheduled, and no longer also
// offered as one to start.
func TestScheduledUpgradeIsNotAlsoOffered(t *testing.T) {
	cr := v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "grafana"},
		Status: v1alpha1.ComponentStatus{InstalledVersion: "v11.3.0", AvailableVersions: []v1alpha1.AvailableVersion{{Version: "v11.4.0"}}}}
	for _, scheduled := range []bool{false, true} {
		s := state{platform: &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}}, components: []v1alpha1.Component{cr},
			catalog: catalog.Default(), forms: map[string]Form{}, ops: map[string]operations.Snapshot{}}
		if scheduled {
			s.scheduled = []schedules.Scheduled{{ID: "acme-grafana", Component: "grafana", To: "v11.4.0", Next: time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)}}
		}
		vm := build(s)
		require.Len(t, vm.Scheduled, len(s.scheduled))
		require.Equal(t, !scheduled, len(vm.Available) == 1, "offered: %v", vm.Available)
	}
}

// Right after "Upgrade now" the run may not exist yet: the page shows the
// upgrade as starting (and follows it live) rather than "No upgrade is
// running", and no longer offers it; an upgrade held for a time does not.
func TestUpgradeAskedForShowsAsStarting(t *testing.T) {
	cr := v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "grafana"},
		Status: v1alpha1.ComponentStatus{InstalledVersion: "v11.3.0", AvailableVersions: []v1alpha1.AvailableVersion{{Version: "v11.4.0"}}}}
	at := metav1.NewTime(time.Date(2026, 12, 10, 3, 0, 0, 0, time.UTC))
	for _, held := range []bool{false, true} {
		ref := v1alpha1.ComponentRef{Name: "grafana", Version: "v11.4.0"}
		if held {
			ref.UpgradeAt = &at
		}
		s := state{platform: &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}, Spec: v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{ref}}},
			components: []v1alpha1.Component{cr}, catalog: catalog.Default(), forms: map[string]Form{}, ops: map[string]operations.Snapshot{}}
		vm := build(s)
		if held {
			require.Empty(t, vm.Running)
			continue
		}
		require.Len(t, vm.Running, 1)
		require.Equal(t, "starting", vm.Running[0].Timeline.State)
		require.Equal(t, "Starting", vm.Running[0].Timeline.StateLabel())
		require.Contains(t, vm.Running[0].StreamURL, "upgrade%2Facme%2Fgrafana%2Fv11.4.0", "followed live until its run exists")
		require.Empty(t, vm.Available)
	}
}

// Upstream chart releases the catalog does not list yet are offered as
// such, with their notes and a confirmation that names their risk, never
// preselected: beside a catalog offer, and on their own when the catalog
// offers nothing.
func TestUpstreamReleasesAreOfferedBehindTheirRisk(t *testing.T) {
	upstream := v1alpha1.AvailableVersion{Version: "v11.5.0", ChartVersion: "8.9.1", Source: v1alpha1.SourceHelmRepository,
		Changelog: "## Chart 8.9.1\n- Bump Grafana to 11.5.0\n\n[Release notes](https://github.com/grafana/helm-charts/releases/tag/grafana-8.9.1)"}
	catalogVersion := v1alpha1.AvailableVersion{Version: "v11.4.0", Changelog: "## Grafana 11.4.0", Source: v1alpha1.SourceCatalog}
	for _, tt := range []struct {
		name     string
		versions []v1alpha1.AvailableVersion
		form     bool
		header   string
	}{
		{"beside a catalog offer", []v1alpha1.AvailableVersion{catalogVersion, upstream}, true, "v11.3.0 → v11.4.0"},
		{"on their own", []v1alpha1.AvailableVersion{upstream}, true, "v11.3.0: upstream releases only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cr := v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "grafana"},
				Status: v1alpha1.ComponentStatus{InstalledVersion: "v11.3.0", AvailableVersions: tt.versions}}
			s := state{platform: &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}}, forms: map[string]Form{}}
			a, ok := available(s, &cr, "Grafana", "/platforms/acme/upgrades")
			require.True(t, ok)
			for _, target := range a.Targets {
				require.NotEqual(t, "v11.5.0", target.Version, "an upstream release is never a target")
			}
			var b strings.Builder
			require.NoError(t, offer(a).Render(context.Background(), &b))
			html := b.String()
			require.Equal(t, tt.form, strings.Contains(html, "<form"), html)
			require.Contains(t, html, tt.header)
			require.Contains(t, html, "upstream, not yet in the catalog")
			require.Contains(t, html, `href="https://github.com/grafana/helm-charts/releases/tag/grafana-8.9.1"`, "upstream's release notes, linked")
			require.Contains(t, html, `<input type="radio" name="to" value="v11.5.0">`, "a choice, not preselected")
			require.Contains(t, html, `name="confirm-upstream"`)
			require.Contains(t, html, "openova has not checked its images, its requirements or whether it migrates data", "the risk, named")
		})
	}
	none := v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "grafana"}, Status: v1alpha1.ComponentStatus{InstalledVersion: "v11.3.0"}}
	_, ok := available(state{platform: &v1alpha1.Platform{}}, &none, "Grafana", "")
	require.False(t, ok, "nothing newer: nothing shown")
}

// Components whose update check could not read their index are named
// with why, and the page does not call the platform up to date.
func TestUncheckedComponentsAreNamed(t *testing.T) {
	unchecked := v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "grafana"},
		Status: v1alpha1.ComponentStatus{InstalledVersion: "v11.3.0", Conditions: []metav1.Condition{{
			Type: v1alpha1.ConditionUpdatesChecked, Status: metav1.ConditionFalse, Reason: "IndexUnreachable",
			Message: "helm index https://grafana.github.io/helm-charts/index.yaml: dial tcp: no route to host"}}}}
	checked := v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "valkey"}, Status: v1alpha1.ComponentStatus{InstalledVersion: "v8.0.0",
		Conditions: []metav1.Condition{{Type: v1alpha1.ConditionUpdatesChecked, Status: metav1.ConditionTrue, Reason: "Checked"}}}}
	for _, tt := range []struct {
		name       string
		components []v1alpha1.Component
		want, not  string
	}{
		{"one could not be checked", []v1alpha1.Component{unchecked, checked},
			"1 could not be checked", "Everything is up to date."},
		{"all checked", []v1alpha1.Component{checked}, "Everything is up to date.", "could not be checked"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := state{platform: &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}}, components: tt.components,
				catalog: catalog.Default(), ops: map[string]operations.Snapshot{}, forms: map[string]Form{}}
			vm := build(s)
			var b strings.Builder
			require.NoError(t, page(vm).Render(context.Background(), &b))
			require.Contains(t, b.String(), tt.want)
			require.NotContains(t, b.String(), tt.not)
			if tt.want == "1 could not be checked" {
				require.Equal(t, []string{"Grafana: helm index https://grafana.github.io/helm-charts/index.yaml: dial tcp: no route to host"}, vm.Unchecked)
			}
		})
	}
}
