package platforms

import (
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
)

func TestByName(t *testing.T) {
	named := func(names ...string) []v1alpha1.Component {
		out := []v1alpha1.Component{}
		for _, n := range names {
			out = append(out, v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: n}, Spec: v1alpha1.ComponentSpec{Version: "v-" + n}})
		}
		return out
	}
	for _, tt := range []struct{ in, want []string }{
		{nil, nil},
		{[]string{"vault"}, []string{"vault"}},
		{[]string{"vault", "cnpg", "grafana", "backstage"}, []string{"backstage", "cnpg", "grafana", "vault"}},
	} {
		got := byName(named(tt.in...))
		require.Len(t, got, len(tt.want))
		for i, c := range got {
			require.Equal(t, tt.want[i], c.Name)
			require.Equal(t, "v-"+tt.want[i], c.Spec.Version, "each item moves whole")
		}
	}
}
