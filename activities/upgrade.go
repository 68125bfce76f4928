package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/temporal"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// CheckUpgradeInput asks whether one installed component may move to a version.
type CheckUpgradeInput struct {
	Namespace string
	Platform  string
	IndexURL  string `json:",omitempty"`
	Request   catalog.UpgradeRequest
}

// CheckUpgradeResult is the checked upgrade, with the changelogs it crosses.
type CheckUpgradeResult struct {
	Plan catalog.UpgradePlan
	// ChartVersion and FromChartVersion are the Helm chart versions of the
	// target and of what runs now (what a rollback goes back to).
	ChartVersion     string
	FromChartVersion string
	// Chart is the chart that ships the target (catalog.Component.ChartOf):
	// another than what runs now after a chart move. Empty in histories
	// recorded before releases could move.
	Chart catalog.Chart `json:",omitzero"`
}

// CheckUpgrade checks the upgrade against the catalog and what is
// installed; a refusal (downgrade, unconfirmed forward-only release,
// incompatible ranges) is permanent.
func (a *Catalog) CheckUpgrade(ctx context.Context, in CheckUpgradeInput) (CheckUpgradeResult, error) {
	cat, installed, err := a.state(ctx, in.IndexURL, in.Namespace, in.Platform)
	if err != nil {
		return CheckUpgradeResult{}, err
	}
	req := in.Request
	if comp, ok := cat.Get(req.Component); ok {
		if _, known := comp.Find(req.To); !known {
			if req.Upstream, err = a.upstreamRelease(ctx, in.Namespace, req.Component, req.To); err != nil {
				return CheckUpgradeResult{}, err
			}
		}
	}
	plan, err := cat.CheckUpgrade(installed, req)
	if err != nil {
		return CheckUpgradeResult{}, permanent(err)
	}
	res := CheckUpgradeResult{Plan: plan, ChartVersion: plan.To.HelmChartVersion(), FromChartVersion: plan.From.HelmChartVersion()}
	if comp, ok := cat.Get(in.Request.Component); ok {
		res.Chart = comp.ChartOf(plan.To)
	}
	return res, nil
}

// upstreamRelease is version as the update check found it in the
// component's Helm repository (its status lists it as not yet in the
// catalog), nil when it did not: only what the check read is trusted,
// never a chart version from the request. A chart-only release (no
// software version) is never a target.
func (a *Catalog) upstreamRelease(ctx context.Context, namespace, name, version string) (*catalog.Version, error) {
	var c v1alpha1.Component
	err := a.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &c)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read component %s/%s: %w", namespace, name, err)
	}
	if v, ok := c.Status.UpstreamRelease(version); ok {
		return &catalog.Version{Version: v.Version, ChartVersion: v.ChartVersion, Changelog: v.Changelog}, nil
	}
	return nil, nil
}

// ReadComponentInput names a Component resource.
type ReadComponentInput struct {
	Namespace string
	Name      string
}

// ReadComponentResult is the Component's spec: what a rollback restores.
type ReadComponentResult struct {
	ComponentSpec
	// Adopted is set for a component the bootstrap installed: an upgrade
	// changes its HelmChart instead of releasing it through Crossplane.
	Adopted *v1alpha1.Adopted `json:",omitempty"`
}

// ReadComponent reads the Component's spec, so an upgrade can record what
// it replaces before it touches anything.
func (k *Kubernetes) ReadComponent(ctx context.Context, in ReadComponentInput) (ReadComponentResult, error) {
	var c v1alpha1.Component
	err := k.Client.Get(ctx, client.ObjectKey{Namespace: in.Namespace, Name: in.Name}, &c)
	if apierrors.IsNotFound(err) {
		return ReadComponentResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("component %s/%s does not exist: install it first", in.Namespace, in.Name), ErrComponentMissing, nil)
	}
	if err != nil {
		return ReadComponentResult{}, fmt.Errorf("read component %s/%s: %w", in.Namespace, in.Name, err)
	}
	out := ReadComponentResult{ComponentSpec: componentSpecOf(c.Spec)}
	if raw, ok := c.Annotations[v1alpha1.AnnotationAdopted]; ok {
		a, err := v1alpha1.ParseAdopted(raw)
		if err != nil {
			return ReadComponentResult{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("component %s/%s: %v", in.Namespace, in.Name, err), ErrInvalidComponent, nil)
		}
		out.Adopted = &a
	}
	return out, nil
}

// rollbackFieldOwner owns only that annotation: applying under the
// manager's own field owner with a partial object would drop its spec.
const rollbackFieldOwner = "openova-manager-rollback"

// MarkRolledBackInput sets (or, with Clear, removes) the annotation.
type MarkRolledBackInput struct {
	Namespace string
	Name      string
	v1alpha1.RolledBack
	Clear bool
}

// MarkRolledBackResult is empty: the annotation is the result.
type MarkRolledBackResult struct{}

// MarkRolledBack applies the annotation under its own field owner, so
// running it twice changes nothing and clearing it touches nothing else.
func (k *Kubernetes) MarkRolledBack(ctx context.Context, in MarkRolledBackInput) (MarkRolledBackResult, error) {
	// An apply would create a missing Component (and fail on its spec):
	// there is nothing to mark then.
	var c v1alpha1.Component
	if err := k.Client.Get(ctx, client.ObjectKey{Namespace: in.Namespace, Name: in.Name}, &c); apierrors.IsNotFound(err) {
		return MarkRolledBackResult{}, nil
	} else if err != nil {
		return MarkRolledBackResult{}, fmt.Errorf("read component %s/%s: %w", in.Namespace, in.Name, err)
	}
	mark := componentApply{Namespace: in.Namespace, Name: in.Name}
	if !in.Clear {
		doc, err := json.Marshal(in.RolledBack)
		if err != nil {
			return MarkRolledBackResult{}, temporal.NewNonRetryableApplicationError("encode rollback: "+err.Error(), ErrInvalidComponent, nil)
		}
		mark.Annotations = map[string]string{v1alpha1.AnnotationRolledBack: string(doc)}
	}
	if err := k.applyComponent(ctx, rollbackFieldOwner, mark); err != nil {
		return MarkRolledBackResult{}, fmt.Errorf("mark component %s/%s rolled back: %w", in.Namespace, in.Name, err)
	}
	return MarkRolledBackResult{}, nil
}

// OrderUpgradesInput names the components of one multi-component upgrade.
type OrderUpgradesInput struct {
	Namespace  string
	Platform   string
	IndexURL   string `json:",omitempty"`
	Components []string
}

// OrderUpgradesResult is the order to upgrade them in.
type OrderUpgradesResult struct {
	Order []string
}

// OrderUpgrades orders the components dependencies first, by the catalog
// (embedded and remote index) of the moment.
func (a *Catalog) OrderUpgrades(ctx context.Context, in OrderUpgradesInput) (OrderUpgradesResult, error) {
	cat, _, err := a.state(ctx, in.IndexURL, in.Namespace, in.Platform)
	if err != nil {
		return OrderUpgradesResult{}, err
	}
	order, err := cat.UpgradeOrder(in.Components)
	if err != nil {
		return OrderUpgradesResult{}, permanent(err)
	}
	return OrderUpgradesResult{Order: order}, nil
}
