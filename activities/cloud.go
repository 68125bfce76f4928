package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/cloud/cloudapi"
	"github.com/openova-io/core/terraform"
)

// Cloud asks the providers' own APIs (package cloud/cloudapi): the Bootstrap
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
	// DNSZone is the zone the manager's record is to be created in ("":
	// none); it must exist in the credentials' project.
	DNSZone string `json:",omitempty"`
}

// CheckCredentialsResult lists the provider's regions.
type CheckCredentialsResult struct {
	Locations []cloud.Location
}

// CheckCredentials refuses bad credentials and unknown regions for good
// (non-retryable, naming the provider and the field); an unreachable API
// is retried.
func (c *Cloud) CheckCredentials(ctx context.Context, in CheckCredentialsInput) (CheckCredentialsResult, error) {
	locs, err := cloudapi.Locations(ctx, in.Provider, in.Credentials, c.Endpoints)
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
		sizes := make([]cloud.Size, len(in.Sizes[r]))
		for i, s := range in.Sizes[r] {
			sizes[i] = cloud.Size{Field: "size", Name: s}
		}
		problems := cloud.CheckRegion(in.Provider, locs, r, sizes...)
		if len(in.Regions) == 2 {
			// The link between two regions needs each gateway's address
			// fixed before boot: a Primary IP there.
			problems = append(problems, cloud.CheckLinkRegion(in.Provider, locs, r)...)
		}
		if len(problems) > 0 {
			p := problems[0]
			return CheckCredentialsResult{}, temporal.NewNonRetryableApplicationError("region "+r+": "+p.Message, ErrInvalidBootstrap, nil, p.Field)
		}
	}
	if in.DNSZone != "" {
		err := cloudapi.CheckZone(ctx, in.Provider, in.Credentials, in.DNSZone, c.Endpoints)
		if errors.As(err, &ce) {
			return CheckCredentialsResult{}, temporal.NewNonRetryableApplicationError(ce.Error(), ErrInvalidBootstrap, nil, ce.Field)
		}
		if err != nil {
			return CheckCredentialsResult{}, err
		}
	}
	return CheckCredentialsResult{Locations: locs}, nil
}
