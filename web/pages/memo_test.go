package pages

import (
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// A model is built again exactly when one of its inputs is not the same:
// another resourceVersion, another list (even with equal contents),
// another length, another catalog, another extra input; never for an
// unversioned Platform.
func TestMemoBuildsAgainWhenAnInputChanged(t *testing.T) {
	p := &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme", UID: "u1", ResourceVersion: "7"}}
	comps := []v1alpha1.Component{{ObjectMeta: metav1.ObjectMeta{Name: "grafana"}}}
	cat := catalog.Default()
	newer := p.DeepCopy()
	newer.ResourceVersion = "8"
	unversioned := p.DeepCopy()
	unversioned.ResourceVersion = ""
	cases := []struct {
		name  string
		next  []any
		built bool
	}{
		{"the same inputs", PlatformInputs(p, comps, cat, ""), false},
		{"a shallow copy of the same Platform", PlatformInputs(p.DeepCopy(), comps, cat, ""), false},
		{"a newer Platform", PlatformInputs(newer, comps, cat, ""), true},
		{"an equal list read anew", PlatformInputs(p, append([]v1alpha1.Component(nil), comps...), cat, ""), true},
		{"a shorter list", PlatformInputs(p, comps[:0], cat, ""), true},
		{"another catalog", PlatformInputs(p, comps, &catalog.Catalog{}, ""), true},
		{"another index problem", PlatformInputs(p, comps, cat, "index unreachable"), true},
		{"an unversioned Platform", PlatformInputs(unversioned, comps, cat, ""), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m Memo[int]
			builds := 0
			build := func() int { builds++; return builds }
			require.Equal(t, 1, m.Get("acme", PlatformInputs(p, comps, cat, ""), build))
			got := m.Get("acme", tc.next, build)
			if tc.built {
				require.Equal(t, 2, got)
			} else {
				require.Equal(t, 1, got)
			}
			before := builds
			require.Equal(t, before+1, m.Get("other", PlatformInputs(p, comps, cat, ""), build), "another key is built on its own")
		})
	}
	require.Nil(t, PlatformInputs(unversioned, comps, cat))
}
