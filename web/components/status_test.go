package components

import (
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
)

// The badge says what the manager knows: a component with no release yet
// is Pending (its health is not Unknown, it has none yet).
func TestStatusOf(t *testing.T) {
	for _, tt := range []struct {
		phase, health, want string
	}{
		{v1alpha1.PhasePending, v1alpha1.HealthUnknown, v1alpha1.PhasePending},
		{"", "", v1alpha1.PhasePending},
		{v1alpha1.PhaseRunning, v1alpha1.HealthHealthy, v1alpha1.HealthHealthy},
		{v1alpha1.PhaseInstalling, v1alpha1.HealthProgressing, v1alpha1.HealthProgressing},
		{v1alpha1.PhaseFailed, "", v1alpha1.PhaseFailed},
	} {
		cr := &v1alpha1.Component{Status: v1alpha1.ComponentStatus{Phase: tt.phase, Health: tt.health}}
		require.Equal(t, tt.want, statusOf(cr), "phase %q health %q", tt.phase, tt.health)
	}
}

// A page with a card that waits with no run to follow reads its list
// again; a page of settled cards does not.
func TestRefreshWhileACardWaitsWithNoRun(t *testing.T) {
	for _, tt := range []struct {
		phase, health string
		refresh       bool
	}{
		{v1alpha1.PhasePending, v1alpha1.HealthUnknown, true},
		{v1alpha1.PhaseInstalling, v1alpha1.HealthProgressing, true},
		{v1alpha1.PhaseRunning, v1alpha1.HealthHealthy, false},
		{v1alpha1.PhaseFailed, "", false},
	} {
		p := &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}}
		cr := v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "grafana"},
			Status: v1alpha1.ComponentStatus{Phase: tt.phase, Health: tt.health}}
		vm := build(state{platform: p, catalog: catalog.Default(), components: []v1alpha1.Component{cr},
			ops: map[string]operations.Snapshot{}, filter: Filter{InstalledOnly: true, Page: 1}})
		if tt.refresh {
			require.Equal(t, "/platforms/acme/components", vm.RefreshURL, "phase %q health %q", tt.phase, tt.health)
		} else {
			require.Empty(t, vm.RefreshURL, "phase %q health %q", tt.phase, tt.health)
		}
	}
}
