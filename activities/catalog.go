package activities

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"go.temporal.io/sdk/temporal"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// Catalog answers questions that need the catalog and what is installed:
// the install plan and who still needs a component. The catalog is the
// embedded one plus the platform's remote index, fetched on each call so a
// plan always reflects the index of the moment it was made (the plan, not
// the index, is what the history records).
type Catalog struct {
	Client client.Reader
	HTTP   *http.Client
	// Base is the embedded catalog (catalog.Default when nil).
	Base *catalog.Catalog
}

// Limits on the remote index.
const (
	maxIndexBytes = 4 << 20
	indexTimeout  = 30 * time.Second
)

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

// InstalledComponents maps each Component of the platform to its version:
// the one Crossplane reported installed, else the one being released. A
// component mid-release counts as installed, so a second plan never releases
// it twice.
func InstalledComponents(ctx context.Context, c client.Reader, namespace, platform string) (catalog.Installed, error) {
	var list v1alpha1.ComponentList
	if err := c.List(ctx, &list, client.InNamespace(namespace), client.MatchingLabels{v1alpha1.LabelPlatform: platform}); err != nil {
		return nil, fmt.Errorf("list components of platform %s/%s: %w", namespace, platform, err)
	}
	out := catalog.Installed{}
	for _, comp := range list.Items {
		v := comp.Status.InstalledVersion
		if v == "" {
			v = comp.Spec.Version
		}
		out[comp.Name] = v
	}
	return out, nil
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
	if indexURL == "" {
		return base, nil
	}
	data, err := a.fetch(ctx, indexURL)
	if err != nil {
		return nil, err
	}
	idx, err := catalog.ParseIndex(data)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("catalog index %s: %v", redactURL(indexURL), err), catalog.ErrInvalidCatalog, nil)
	}
	merged, err := base.Merge(idx)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("catalog index %s: %v", redactURL(indexURL), err), catalog.ErrInvalidCatalog, nil)
	}
	return merged, nil
}

// fetch gets the index with a size cap; transport failures stay retryable.
func (a *Catalog) fetch(ctx context.Context, indexURL string) ([]byte, error) {
	hc := a.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: indexTimeout}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, indexURL, nil)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("catalog index URL %s is not valid: %v", redactURL(indexURL), err), catalog.ErrInvalidCatalog, nil)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, temporal.NewApplicationError(fmt.Sprintf("fetch catalog index %s: %v", redactURL(indexURL), unwrapURLError(err)), ErrIndexUnreachable)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, temporal.NewApplicationError(fmt.Sprintf("fetch catalog index %s: HTTP %d", redactURL(indexURL), resp.StatusCode), ErrIndexUnreachable)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxIndexBytes+1))
	if err != nil {
		return nil, temporal.NewApplicationError(fmt.Sprintf("read catalog index %s: %v", redactURL(indexURL), err), ErrIndexUnreachable)
	}
	if len(data) > maxIndexBytes {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("catalog index %s is larger than %d MiB", redactURL(indexURL), maxIndexBytes>>20), catalog.ErrInvalidCatalog, nil)
	}
	return data, nil
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
