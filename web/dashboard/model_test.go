package dashboard

import (
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// The health line and the Components tile count the same components:
// every installed one (dependencies the spec does not name included) and
// every enabled one not installed yet. A disabled one that is gone counts
// in neither. A mandatory component the platform does not run counts as
// not healthy, and the page names it.
func TestHealthCountsWhatTheTilesCount(t *testing.T) {
	comp := func(name, health string) v1alpha1.Component {
		return v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: v1alpha1.ComponentStatus{Health: health}}
	}
	cat := catalog.Default()
	var core []v1alpha1.Component
	for _, c := range cat.InCategory(catalog.Mandatory) {
		core = append(core, comp(c.Name, v1alpha1.HealthHealthy))
	}
	require.Len(t, core, 8)
	off := false
	spec := v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{{Name: "mongodb"}, {Name: "grafana"}, {Name: "valkey", Enabled: &off}}}
	// grafana is mandatory and asked for: counted once, as asked, never
	// as missing.
	apps := []v1alpha1.Component{comp("mongodb", v1alpha1.HealthHealthy), comp("redpanda", v1alpha1.HealthHealthy),
		comp("debezium", v1alpha1.HealthProgressing)}
	for _, tc := range []struct {
		name                                 string
		components                           []v1alpha1.Component
		installed, enabled, healthy, percent int
		missing                              []string
	}{
		{"part of the core runs: Backstage, cert-manager and Cilium", append(apps, core[:3]...), 6, 11, 5, 45,
			[]string{"Crossplane", "External Secrets", "Flux", "Gitea"}},
		{"no core: seven mandatory ones missing, grafana asked for", apps, 3, 11, 2, 18,
			[]string{"Backstage", "Cert Manager", "Cilium", "Crossplane", "External Secrets", "Flux", "Gitea"}},
		{"the whole core runs", append(apps, core...), 11, 11, 10, 90, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := state{catalog: cat, components: tc.components,
				platform: &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}, Spec: spec}}
			vm := build(s)
			require.Equal(t, tc.installed, vm.Installed)
			require.Equal(t, tc.enabled, vm.Enabled)
			require.Equal(t, tc.healthy, vm.Healthy)
			require.Equal(t, tc.percent, vm.Percent)
			require.Equal(t, tc.missing, vm.Missing)
			if tc.missing != nil {
				require.Equal(t, "/platforms/acme/components?category=mandatory&installed=0", vm.MissingURL)
			}
		})
	}
}
