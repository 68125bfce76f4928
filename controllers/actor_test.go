package controllers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
)

func TestActorOf(t *testing.T) {
	entry := func(manager string, at int, names ...string) metav1.ManagedFieldsEntry {
		comps := ""
		for i, n := range names {
			if i > 0 {
				comps += ","
			}
			comps += `"k:{\"name\":\"` + n + `\"}":{".":{},"f:name":{}}`
		}
		ts := metav1.NewTime(time.Date(2026, 12, 1, 10, at, 0, 0, time.UTC))
		return metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationApply, Time: &ts,
			FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{"f:components":{` + comps + `}}}`)}}
	}
	status := metav1.ManagedFieldsEntry{Manager: "openova-manager", Subresource: "status",
		FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{"f:components":{"k:{\"name\":\"mongodb\"}":{}}}}`)}}
	cases := []struct {
		name   string
		fields []metav1.ManagedFieldsEntry
		notes  map[string]string
		want   string
	}{
		{"kubectl created it", []metav1.ManagedFieldsEntry{entry("kubectl-client-side-apply", 1, "mongodb", "grafana")}, nil, "kubectl-client-side-apply"},
		{"the UI changed it last: its user", []metav1.ManagedFieldsEntry{entry("kubectl", 1, "mongodb"), entry(v1alpha1.UIFieldManager("mongodb"), 2, "mongodb")},
			map[string]string{v1alpha1.AnnotationActorPrefix + "mongodb": "alice"}, "alice"},
		{"kubectl changed it after the UI: kubectl", []metav1.ManagedFieldsEntry{entry(v1alpha1.UIFieldManager("mongodb"), 1, "mongodb"), entry("kubectl", 3, "mongodb")},
			map[string]string{v1alpha1.AnnotationActorPrefix + "mongodb": "alice"}, "kubectl"},
		{"another component's manager does not count", []metav1.ManagedFieldsEntry{entry("flux", 1, "mongodb"), entry(v1alpha1.UIFieldManager("grafana"), 5, "grafana")},
			map[string]string{v1alpha1.AnnotationActorPrefix + "grafana": "bob"}, "flux"},
		{"status writes do not count", []metav1.ManagedFieldsEntry{entry("kubectl", 1, "mongodb"), status}, nil, "kubectl"},
		{"nobody known", nil, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{ManagedFields: tc.fields, Annotations: tc.notes}}
			require.Equal(t, tc.want, actorOf(p, "mongodb"))
		})
	}
}
