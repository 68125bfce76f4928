package platforms

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
)

func TestComponentListsAreKeptUntilAComponentChanges(t *testing.T) {
	one := []v1alpha1.Component{{ObjectMeta: metav1.ObjectMeta{Name: "grafana"}}}
	for _, tt := range []struct {
		name string
		// between runs after the first get and before the second.
		between   func(l *componentLists)
		duringOne bool // a change arrives while the first list is read
		failOne   bool // the first list fails
		wantReads int
	}{
		{name: "no change: one read", between: func(*componentLists) {}, wantReads: 1},
		{name: "a change: read again", between: (*componentLists).changed, wantReads: 2},
		{name: "each watch event is a change", between: func(l *componentLists) { l.handler().OnUpdate(nil, nil) }, wantReads: 2},
		{name: "a change during the read is not outlived", between: func(*componentLists) {}, duringOne: true, wantReads: 2},
		{name: "a failed read is not kept", between: func(*componentLists) {}, failOne: true, wantReads: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := &componentLists{}
			reads := 0
			list := func() ([]v1alpha1.Component, error) {
				reads++
				if reads == 1 && tt.duringOne {
					l.changed()
				}
				if reads == 1 && tt.failOne {
					return nil, errors.New("watch cache not synced")
				}
				return one, nil
			}
			got, err := l.get("acme", list)
			if tt.failOne {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				require.Equal(t, one, got)
			}
			tt.between(l)
			got, err = l.get("acme", list)
			require.NoError(t, err)
			require.Equal(t, one, got)
			require.Equal(t, tt.wantReads, reads)
		})
	}
}

func TestComponentListsArePerPlatform(t *testing.T) {
	l := &componentLists{}
	for _, p := range []string{"acme", "globex"} {
		got, err := l.get(p, func() ([]v1alpha1.Component, error) {
			return []v1alpha1.Component{{ObjectMeta: metav1.ObjectMeta{Name: p + "-grafana"}}}, nil
		})
		require.NoError(t, err)
		require.Equal(t, p+"-grafana", got[0].Name)
	}
	got, err := l.get("acme", func() ([]v1alpha1.Component, error) { panic("acme's list is kept") })
	require.NoError(t, err)
	require.Equal(t, "acme-grafana", got[0].Name)
}
