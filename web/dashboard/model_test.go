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
// in neither.
func TestHealthCountsWhatTheTilesCount(t *testing.T) {
	comp := func(name, health string) v1alpha1.Component {
		return v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: v1alpha1.ComponentStatus{Health: health}}
	}
	off := false
	s := state{catalog: catalog.Default(),
		platform: &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}, Spec: v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{
			{Name: "mongodb"}, {Name: "grafana"}, {Name: "valkey", Enabled: &off}}}},
		components: []v1alpha1.Component{comp("mongodb", v1alpha1.HealthHealthy), comp("redpanda", v1alpha1.HealthHealthy),
			comp("debezium", v1alpha1.HealthProgressing)}}
	vm := build(s)
	require.Equal(t, 3, vm.Installed)
	require.Equal(t, 4, vm.Enabled, "mongodb, redpanda and debezium installed, grafana asked for")
	require.Equal(t, 2, vm.Healthy)
	require.Equal(t, 50, vm.Percent)
}
