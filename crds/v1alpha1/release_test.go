package v1alpha1

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestReleaseStateOf(t *testing.T) {
	unknown := ConditionSummary{Status: "Unknown"}
	cases := []struct {
		name string
		obj  map[string]any
		want ReleaseState
	}{
		{name: "absent", want: ReleaseState{Synced: unknown, Ready: unknown}},
		{name: "no status yet", obj: map[string]any{"metadata": map[string]any{"generation": int64(1)}},
			want: ReleaseState{Exists: true, Generation: 1, Synced: unknown, Ready: unknown}},
		{name: "ready with the deployed chart and endpoints", obj: map[string]any{
			"metadata": map[string]any{"generation": int64(3)},
			"status": map[string]any{
				"installedVersion": "8.6.0",
				"conditions": []any{
					map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "observedGeneration": int64(3)},
					map[string]any{"type": "Ready", "status": "False", "reason": "Creating", "message": "pods", "observedGeneration": float64(2)},
					map[string]any{"type": "Other", "status": "True"},
					"not a condition",
				},
				"endpoints": []any{map[string]any{"name": "ui", "url": "https://g"}},
			},
		}, want: ReleaseState{Exists: true, Generation: 3, Version: "8.6.0",
			Synced:    ConditionSummary{Status: "True", Reason: "ReconcileSuccess", ObservedGeneration: 3},
			Ready:     ConditionSummary{Status: "False", Reason: "Creating", Message: "pods", ObservedGeneration: 2},
			Endpoints: []Endpoint{{Name: "ui", URL: "https://g"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u *unstructured.Unstructured
			if tc.obj != nil {
				u = &unstructured.Unstructured{Object: tc.obj}
			}
			require.Equal(t, tc.want, ReleaseStateOf(u))
		})
	}
}
