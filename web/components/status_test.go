package components

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/crds/v1alpha1"
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
