// Package cloud asks a provider's own API whether credentials work and
// which regions it has: the bootstrap wizard calls it on submit (so a bad
// token is refused beside its field, before any plan) and the Bootstrap
// workflow's credential check calls it again through an activity. It holds
// no state and imports no Temporal.
package cloud

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/openova-io/core/terraform"
)

// Location is one region a provider offers.
type Location struct {
	Name        string
	Description string
	City        string
	Country     string
	NetworkZone string
	// Sizes are the machine sizes (server types) one can create there.
	Sizes []string
}

// Endpoints override a provider's API URL (a test's fake API, an API
// proxy); empty means the provider's public API.
type Endpoints struct {
	Hetzner string
}

// CredentialError says which credential field is wrong and why; its
// message names the provider and the field and never quotes the value.
type CredentialError struct {
	Provider terraform.Provider
	Field    string
	Reason   string
}

func (e *CredentialError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Provider, e.Field, e.Reason)
}

// ErrNotSupported: the provider's API cannot be asked from this build.
var ErrNotSupported = errors.New("not supported")

// hetznerToken is the form of a Hetzner Cloud API token (the provider
// refuses any other length).
var hetznerToken = regexp.MustCompile(`^[A-Za-z0-9]{64}$`)

// Locations checks the credentials with a real API call and returns the
// provider's regions, sorted by name. Bad credentials are a
// *CredentialError; a provider that cannot be asked from this build wraps
// ErrNotSupported.
func Locations(ctx context.Context, p terraform.Provider, creds map[string]string, ep Endpoints) ([]Location, error) {
	switch p {
	case terraform.Hetzner:
		return hetznerLocations(ctx, creds["token"], ep.Hetzner)
	case terraform.Huawei, terraform.OCI:
		return nil, fmt.Errorf("checking %s credentials: %w yet (its SDK is not part of this build); choose Hetzner", p, ErrNotSupported)
	default:
		return nil, fmt.Errorf("unknown provider %q: choose one of %v", p, terraform.Providers)
	}
}

func hetznerLocations(ctx context.Context, token, endpoint string) ([]Location, error) {
	if !hetznerToken.MatchString(token) {
		return nil, &CredentialError{Provider: terraform.Hetzner, Field: "token",
			Reason: "a Hetzner Cloud API token is 64 letters and digits: create one under Security → API tokens of your project"}
	}
	opts := []hcloud.ClientOption{hcloud.WithToken(token), hcloud.WithApplication("openova", "")}
	if endpoint != "" {
		opts = append(opts, hcloud.WithEndpoint(endpoint))
	}
	client := hcloud.NewClient(opts...)
	locs, err := client.Location.All(ctx)
	switch {
	case hcloud.IsError(err, hcloud.ErrorCodeUnauthorized, hcloud.ErrorCodeForbidden):
		return nil, &CredentialError{Provider: terraform.Hetzner, Field: "token",
			Reason: "the Hetzner Cloud API refused this token: check that it is the project's token and has Read & Write permission"}
	case err != nil:
		return nil, fmt.Errorf("ask the Hetzner Cloud API for its locations: %w", err)
	}
	types, err := client.ServerType.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("ask the Hetzner Cloud API for its server types: %w", err)
	}
	out := make([]Location, 0, len(locs))
	for _, l := range locs {
		loc := Location{Name: l.Name, Description: l.Description, City: l.City, Country: l.Country, NetworkZone: string(l.NetworkZone)}
		for _, st := range types {
			for _, sl := range st.Locations {
				if sl.Location != nil && sl.Location.Name == l.Name && sl.Available && !sl.IsDeprecated() {
					loc.Sizes = append(loc.Sizes, st.Name)
				}
			}
		}
		sort.Strings(loc.Sizes)
		out = append(out, loc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// SizeProblem says which of the sizes cannot be created in loc, "" if all
// can (or the provider lists no sizes).
func SizeProblem(loc Location, sizes []string) string {
	if len(loc.Sizes) == 0 {
		return ""
	}
	for _, s := range sizes {
		if !slices.Contains(loc.Sizes, s) {
			return fmt.Sprintf("size %q cannot be created in %s: choose one of %s", s, loc.Name, strings.Join(loc.Sizes, ", "))
		}
	}
	return ""
}
