package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.temporal.io/sdk/temporal"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	catalogremote "github.com/openova-io/core/catalogindex"
	"github.com/openova-io/core/crds/v1alpha1"
)

// Catalog answers questions that need the catalog and what is installed:
// the install plan and who still needs a component. The catalog is the
// embedded one plus the platform's remote index, fetched on each call so a
// plan always reflects the index of the moment it was made (the plan, not
// the index, is what the history records).
type Catalog struct {
	Client client.Reader
	// HTTP fetches the catalog index and the Helm repositories' indexes: a
	// netguard client (nil: https only), since a platform's index, and the
	// chart repositories it names, are URLs its editors choose.
	HTTP *http.Client
	// Base is the embedded catalog (catalog.Default when nil).
	Base *catalog.Catalog
}

// ResolvePlanInput asks for the plan of one install request.
type ResolvePlanInput struct {
	Namespace string
	Platform  string
	IndexURL  string `json:",omitempty"`
	Request   catalog.Request
}

// ResolvePlanResult is the plan, with the version of each entry pinned.
type ResolvePlanResult struct {
	Plan catalog.Plan
}

// ResolvePlan reads the installed components and resolves the request.
// Catalog errors (unknown component, cycle, unsatisfiable range, bad index)
// are permanent: retrying cannot fix them.
func (a *Catalog) ResolvePlan(ctx context.Context, in ResolvePlanInput) (ResolvePlanResult, error) {
	cat, installed, err := a.state(ctx, in.IndexURL, in.Namespace, in.Platform)
	if err != nil {
		return ResolvePlanResult{}, err
	}
	plan, err := cat.Resolve(installed, in.Request)
	if err != nil {
		return ResolvePlanResult{}, permanent(err)
	}
	return ResolvePlanResult{Plan: plan}, nil
}

// DependentsInput names an installed component.
type DependentsInput struct {
	Namespace string
	Platform  string
	IndexURL  string `json:",omitempty"`
	Component string
}

// DependentsResult lists the installed components that require it.
type DependentsResult struct {
	Dependents []string
}

// Dependents lists the installed components that require in.Component.
func (a *Catalog) Dependents(ctx context.Context, in DependentsInput) (DependentsResult, error) {
	cat, installed, err := a.state(ctx, in.IndexURL, in.Namespace, in.Platform)
	if err != nil {
		return DependentsResult{}, err
	}
	return DependentsResult{Dependents: cat.Dependents(installed, in.Component)}, nil
}

// InstalledComponents maps each Component of the platform to its version
// (v1alpha1.InstalledVersions).
func InstalledComponents(ctx context.Context, c client.Reader, namespace, platform string) (catalog.Installed, error) {
	var list v1alpha1.ComponentList
	if err := c.List(ctx, &list, client.InNamespace(namespace), client.MatchingLabels{v1alpha1.LabelPlatform: platform}); err != nil {
		return nil, fmt.Errorf("list components of platform %s/%s: %w", namespace, platform, err)
	}
	return catalog.Installed(v1alpha1.InstalledVersions(list.Items)), nil
}

// state is what every catalog question needs: the catalog of the moment
// and the platform's installed components.
func (a *Catalog) state(ctx context.Context, indexURL, namespace, platform string) (*catalog.Catalog, catalog.Installed, error) {
	cat, err := a.load(ctx, indexURL)
	if err != nil {
		return nil, nil, err
	}
	installed, err := InstalledComponents(ctx, a.Client, namespace, platform)
	if err != nil {
		return nil, nil, err
	}
	return cat, installed, nil
}

func (a *Catalog) load(ctx context.Context, indexURL string) (*catalog.Catalog, error) {
	base := a.Base
	if base == nil {
		base = catalog.Default()
	}
	cat, err := catalogremote.Load(ctx, a.HTTP, base, indexURL)
	var re *catalogremote.Error
	switch {
	case errors.As(err, &re) && re.Permanent:
		return nil, temporal.NewNonRetryableApplicationError(re.Msg, catalog.ErrInvalidCatalog, nil)
	case err != nil:
		return nil, temporal.NewApplicationError(err.Error(), ErrIndexUnreachable)
	}
	return cat, nil
}

// permanent turns a catalog error into a non-retryable error of its kind
// (catalog.KindOf); one without a kind is an invalid catalog.
func permanent(err error) error {
	kind := catalog.KindOf(err)
	if kind == "" {
		kind = catalog.ErrInvalidCatalog
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), kind, nil)
}
