package controllers

import (
	"encoding/json"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
)

// actorOf names who asked for the latest change of a component's entry in
// the Platform spec: the field manager that last wrote it (kubectl, a
// GitOps controller, ...), or, when that is the web UI, the signed-in user
// the UI recorded beside its change. Empty when neither is known.
func actorOf(p *v1alpha1.Platform, component string) string {
	manager := lastManagerOf(p.ManagedFields, component)
	if v1alpha1.IsUIFieldManager(manager) {
		if user := p.Annotations[v1alpha1.AnnotationActorPrefix+component]; user != "" {
			return user
		}
	}
	return manager
}

// lastManagerOf is the field manager whose managed fields include the
// component's entry of spec.components and that wrote most recently.
func lastManagerOf(fields []metav1.ManagedFieldsEntry, component string) string {
	key := `k:{"name":` + strconv.Quote(component) + `}`
	var manager string
	var at metav1.Time
	for _, f := range fields {
		if f.FieldsV1 == nil || f.Subresource != "" {
			continue
		}
		var tree map[string]map[string]map[string]json.RawMessage
		if json.Unmarshal(f.FieldsV1.Raw, &tree) != nil {
			continue
		}
		if _, ok := tree["f:spec"]["f:components"][key]; !ok {
			continue
		}
		if manager == "" || f.Time != nil && at.Before(f.Time) {
			manager = f.Manager
			if f.Time != nil {
				at = *f.Time
			}
		}
	}
	return manager
}
