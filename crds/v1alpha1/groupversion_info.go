// Package v1alpha1 holds the openova.io/v1alpha1 API: Platform (what the
// operator wants) and Component (one installed component, mirrored from its
// Crossplane composite resource).
//
// +kubebuilder:object:generate=true
// +groupName=openova.io
package v1alpha1

// Deepcopy (zz_generated.deepcopy.go), the CRDs (deploy/base/crds) and the
// manager's RBAC (deploy/base/rbac, from controllers/rbac.go) come from
// controller-gen; `task generate` builds it and runs this line.
//go:generate ../../dev/gen.sh

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the API group and version of these types.
	GroupVersion = schema.GroupVersion{Group: "openova.io", Version: "v1alpha1"}

	// SchemeBuilder registers the types with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types of this group-version to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
