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
}

// CheckUpgrade checks the upgrade against the catalog and what is
// installed; a refusal (downgrade, unconfirmed forward-only release,
// incompatible ranges) is permanent.
func (a *Catalog) CheckUpgrade(ctx context.Context, in CheckUpgradeInput) (CheckUpgradeResult, error) {
	cat, err := a.load(ctx, in.IndexURL)
	if err != nil {
		return CheckUpgradeResult{}, err
	}
	installed, err := InstalledComponents(ctx, a.Client, in.Namespace, in.Platform)
	if err != nil {
		return CheckUpgradeResult{}, err
	}
	plan, err := cat.CheckUpgrade(installed, in.Request)
	if err != nil {
		return CheckUpgradeResult{}, permanent(err)
	}
	return CheckUpgradeResult{Plan: plan, ChartVersion: plan.To.HelmChartVersion(), FromChartVersion: plan.From.HelmChartVersion()}, nil
}

// ReadComponentInput names a Component resource.
type ReadComponentInput struct {
	Namespace string
	Name      string
}

// ReadComponentResult is the Component's spec: what a rollback restores.
type ReadComponentResult struct {
	Version      string
	Chart        string
	Repository   string
	Category     string
	Dependencies []string        `json:",omitempty"`
	Values       json.RawMessage `json:",omitempty"`
}

// ErrComponentMissing is the error type of an upgrade of a component that
// has no Component resource.
const ErrComponentMissing = "ComponentMissing"

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
	out := ReadComponentResult{Version: c.Spec.Version, Chart: c.Spec.Chart, Repository: c.Spec.Repository,
		Category: c.Spec.Category, Dependencies: c.Spec.Dependencies}
	if c.Spec.Values != nil {
		out.Values = json.RawMessage(c.Spec.Values.Raw)
	}
	return out, nil
}
