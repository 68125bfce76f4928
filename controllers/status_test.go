package controllers

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	kubeclient "github.com/openova-io/core/kube"
)

// Against a real API server: a changed status is patched and stamped, the
// same status again writes nothing, and the spec is never touched.
func TestPatchStatusOnlyWhenChanged(t *testing.T) {
	env := kubeenv.Shared(t)
	cl, err := kubeclient.NewClient(env.Config)
	require.NoError(t, err)
	ctx := context.Background()
	ns := env.Namespace
	c := &v1alpha1.Component{
		ObjectMeta: metav1.ObjectMeta{Name: "grafana", Namespace: ns},
		Spec:       v1alpha1.ComponentSpec{Platform: "acme", Chart: "grafana", Version: "v11.3.0"},
	}
	require.NoError(t, cl.Create(ctx, c))
	stamp := func(s *v1alpha1.ComponentStatus, at *metav1.Time) { s.LastReconciled = at }
	read := func() *v1alpha1.Component {
		var got v1alpha1.Component
		require.NoError(t, cl.Get(ctx, crclient.ObjectKeyFromObject(c), &got))
		return &got
	}

	for _, step := range []struct {
		name   string
		next   v1alpha1.ComponentStatus
		writes bool
	}{
		{name: "changed", next: v1alpha1.ComponentStatus{Phase: v1alpha1.PhaseRunning, InstalledVersion: "v11.3.0"}, writes: true},
		{name: "unchanged", next: v1alpha1.ComponentStatus{Phase: v1alpha1.PhaseRunning, InstalledVersion: "v11.3.0"}},
		{name: "changed again", next: v1alpha1.ComponentStatus{Phase: v1alpha1.PhaseFailed, InstalledVersion: "v11.3.0"}, writes: true},
	} {
		t.Run(step.name, func(t *testing.T) {
			obj := read()
			rv := obj.ResourceVersion
			// The reconcilers compare without the stamp: carry it over.
			step.next.LastReconciled = obj.Status.LastReconciled
			require.NoError(t, patchStatus(ctx, cl, obj, &obj.Status, step.next, stamp))
			after := read()
			require.Equal(t, step.next.Phase, after.Status.Phase)
			require.Equal(t, c.Spec, after.Spec)
			if !step.writes {
				require.Equal(t, rv, after.ResourceVersion, "an unchanged status was written")
				return
			}
			require.NotEqual(t, rv, after.ResourceVersion)
			require.NotNil(t, after.Status.LastReconciled)
		})
	}
}
