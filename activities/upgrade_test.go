package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

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
