package cloudapi

import (
	"context"
	"fmt"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/openova-io/core/cloud"
)

// CheckZone asks the provider's DNS whether the zone exists in the
// project the credentials are of, so a bootstrap that is to create the
// manager's record there is refused beside its field, before any plan,
// instead of failing in OpenTofu's plan. A missing zone, or one the token
// may not see, is a *cloud.CredentialError of field dns_zone.
func CheckZone(ctx context.Context, p cloud.Provider, creds map[string]string, zone string, ep cloud.Endpoints) error {
	if p != cloud.Hetzner {
		return &cloud.CredentialError{Provider: p, Field: "dns_zone", Reason: "openova creates DNS records in Hetzner DNS only: leave the zone empty and create the record yourself"}
	}
	opts := []hcloud.ClientOption{hcloud.WithToken(creds["token"]), hcloud.WithApplication("openova", "")}
	if ep.Hetzner != "" {
		opts = append(opts, hcloud.WithEndpoint(ep.Hetzner))
	}
	z, _, err := hcloud.NewClient(opts...).Zone.GetByName(ctx, zone)
	switch {
	case hcloud.IsError(err, hcloud.ErrorCodeUnauthorized, hcloud.ErrorCodeForbidden):
		return &cloud.CredentialError{Provider: p, Field: "dns_zone", Reason: "the Hetzner Cloud API refused to show the zone " + zone + ": give the token of the project that holds it"}
	case err != nil:
		return fmt.Errorf("ask the Hetzner Cloud API for the zone %s: %w", zone, err)
	case z == nil:
		return &cloud.CredentialError{Provider: p, Field: "dns_zone", Reason: "this Hetzner project has no DNS zone " + zone +
			": create it under DNS in the Hetzner Console (and delegate the domain to it), or leave the field empty and create the record yourself"}
	}
	return nil
}
