package controllers

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
)

// planAdoptions lists the Components to create for the substrate the
// bootstrap handed over (the Platform's AnnotationSubstrate): each listed
// component the spec asks for that has no Component yet, at the version
// the bootstrap installed. One the spec does not ask for, or that exists
// already (adopted before, or released by the manager), is left alone, so
// adopting twice creates nothing. problem is what is wrong with the
// annotation ("" when nothing), shown in the Platform's status.
func planAdoptions(p *v1alpha1.Platform, existing map[string]Installed) (adopt []v1alpha1.Component, problem string) {
	raw, ok := p.Annotations[v1alpha1.AnnotationSubstrate]
	if !ok {
		return nil, ""
	}
	list, err := v1alpha1.ParseSubstrate(raw)
	if err != nil {
		return nil, err.Error() + "; nothing was adopted: fix the annotation in the platform repository"
	}
	for _, a := range list {
		ref := componentRef(p, a.Name)
		if ref.Name == "" || !ref.IsEnabled() {
			continue
		}
		if _, ok := existing[a.Name]; ok {
			continue
		}
		adopt = append(adopt, adoptedComponent(p, a))
	}
	return adopt, ""
}

// adoptedComponent is the Component of one adopted substrate component.
func adoptedComponent(p *v1alpha1.Platform, a v1alpha1.Adopted) v1alpha1.Component {
	return v1alpha1.Component{
		ObjectMeta: metav1.ObjectMeta{
			Name: a.Name, Namespace: p.Namespace,
			Labels:      map[string]string{v1alpha1.LabelPlatform: p.Name, v1alpha1.LabelComponent: a.Name},
			Annotations: map[string]string{v1alpha1.AnnotationAdopted: a.JSON()},
		},
		Spec: v1alpha1.ComponentSpec{Platform: p.Name, Chart: a.Chart, Repository: a.Repository,
			Version: a.Version, ChartVersion: a.ChartVersion, Category: a.Category},
	}
}

// adopt creates the planned Components; one that appeared meanwhile (a
// second reconcile, or a release) is left as it is.
func (r *PlatformReconciler) adopt(ctx context.Context, comps []v1alpha1.Component) error {
	for i := range comps {
		c := &comps[i]
		if err := r.Client.Create(ctx, c); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("adopt %s: %w", c.Name, err)
		}
	}
	return nil
}

// adoptedProblem refuses what the manager cannot do to an adopted
// component: uninstall it (the substrate the platform runs on), or
// upgrade one whose HelmChart a change by the manager would not last on
// (Installed.NotUpgradable). Its upgrades go through
// workflows.UpgradeComponent, which changes the HelmChart instead of
// releasing it through Crossplane. "" when the operation is fine.
func adoptedProblem(name string, inst Installed, kind OpKind) string {
	switch {
	case inst.AdoptedBy == "" || kind == "" || kind == KindInstall:
		return ""
	case kind == KindUpgrade && inst.NotUpgradable == "":
		return ""
	case kind == KindUpgrade:
		return fmt.Sprintf("upgrade %s: %s; set the platform back to version %s", name, inst.NotUpgradable, inst.Version)
	}
	return fmt.Sprintf("%s %s: it runs as the bootstrap installed it (%s), and the platform runs on it; set the platform back to version %s and enabled",
		kind, name, inst.AdoptedBy, inst.Version)
}

// substrateCondition shows, on a Platform that hands over a substrate,
// whether its annotation could be read.
func substrateCondition(p *v1alpha1.Platform, st *v1alpha1.PlatformStatus, problem string) {
	if _, ok := p.Annotations[v1alpha1.AnnotationSubstrate]; !ok {
		return
	}
	set := conditionSetter(&st.Conditions, p.Generation)
	if problem != "" {
		set(v1alpha1.ConditionSubstrateAdopted, false, "InvalidAnnotation", problem)
		return
	}
	set(v1alpha1.ConditionSubstrateAdopted, true, "Adopted", "the components the bootstrap installed are the platform's, at their versions")
}
