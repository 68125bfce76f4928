package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/terraform"
)

// Cloud asks the providers' own APIs (package cloud): the Bootstrap
// workflow checks the credentials with a real call before it plans.
type Cloud struct {
	Endpoints cloud.Endpoints
}

// CheckCredentialsInput names the provider, its credentials by field name
// (cloud.Fields) and the regions the bootstrap will use.
type CheckCredentialsInput struct {
	Provider    terraform.Provider
	Credentials map[string]string
	Regions     []string
	// Sizes are the machine sizes each region will use.
	Sizes map[string][]string `json:",omitempty"`
}

// CheckCredentialsResult lists the provider's regions.
type CheckCredentialsResult struct {
	Locations []cloud.Location
}

// CheckCredentials refuses bad credentials and unknown regions for good
// (non-retryable, naming the provider and the field); an unreachable API
// is retried.
func (c *Cloud) CheckCredentials(ctx context.Context, in CheckCredentialsInput) (CheckCredentialsResult, error) {
	locs, err := cloud.Locations(ctx, in.Provider, in.Credentials, c.Endpoints)
	var ce *cloud.CredentialError
	switch {
	case errors.As(err, &ce):
		return CheckCredentialsResult{}, temporal.NewNonRetryableApplicationError(ce.Error(), ErrInvalidCredentials, nil, ce.Field)
	case errors.Is(err, cloud.ErrNotSupported):
		return CheckCredentialsResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidBootstrap, nil)
	case err != nil:
		return CheckCredentialsResult{}, err
	}
	for _, r := range in.Regions {
		i := slices.IndexFunc(locs, func(l cloud.Location) bool { return l.Name == r })
		if i < 0 {
			names := make([]string, 0, len(locs))
			for _, l := range locs {
				names = append(names, l.Name)
			}
			return CheckCredentialsResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"region %q is not a %s location: choose one of %v", r, in.Provider, names), ErrInvalidBootstrap, nil, "region")
		}
		if msg := cloud.SizeProblem(locs[i], in.Sizes[r]); msg != "" {
			return CheckCredentialsResult{}, temporal.NewNonRetryableApplicationError(msg, ErrInvalidBootstrap, nil, "size")
		}
	}
	return CheckCredentialsResult{Locations: locs}, nil
}
