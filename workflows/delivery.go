package workflows

import (
	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/crds/v1alpha1"
)

// Delivery is how a release reaches the cluster: Direct (server-side apply
// by the manager) or GitOps (a commit to the platform repository that Flux
// applies). It comes from the Platform's spec.
type Delivery struct {
	Mode string // v1alpha1.DeliveryDirect (default) or v1alpha1.DeliveryGitOps
	Git  activities.GitTarget
}

// GitOps reports whether releases go through the platform repository.
func (d Delivery) GitOps() bool { return d.Mode == v1alpha1.DeliveryGitOps }

// DeliveryOf is the delivery a Platform spec asks for (spec.delivery and
// spec.git), so the controllers need not know the activities' types.
func DeliveryOf(mode string, git *v1alpha1.GitRepository) Delivery {
	d := Delivery{Mode: mode}
	if git != nil {
		d.Git = activities.GitTarget{URL: git.URL, Branch: git.Branch, Path: git.Path, SecretRef: git.SecretRef}
	}
	return d
}
