// Package cloudapi asks a provider's own API whether credentials work and
// which regions and sizes it has: the bootstrap wizard calls it on submit
// (so a bad token is refused beside its field, before any plan) and the
// Bootstrap workflow's credential check calls it again through an
// activity. It holds no state and imports no Temporal; the facts and
// checks it answers with are package cloud's.
package cloudapi

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"golang.org/x/crypto/ssh"

	"github.com/openova-io/core/cloud"
)

// hetznerToken is the form of a Hetzner Cloud API token (the provider
// refuses any other length).
var hetznerToken = regexp.MustCompile(`^[A-Za-z0-9]{64}$`)

// Locations checks the credentials with a real API call and returns the
// provider's regions, sorted by name. Bad credentials are a
// *cloud.CredentialError; a provider that cannot be asked from this build
// wraps cloud.ErrNotSupported.
func Locations(ctx context.Context, p cloud.Provider, creds map[string]string, ep cloud.Endpoints) ([]cloud.Location, error) {
	switch p {
	case cloud.Hetzner:
		return hetznerLocations(ctx, creds["token"], ep.Hetzner)
	case cloud.Huawei, cloud.OCI:
		return nil, fmt.Errorf("checking %s credentials: %w yet (its SDK is not part of this build); choose Hetzner", p, cloud.ErrNotSupported)
	default:
		return nil, fmt.Errorf("unknown provider %q: choose one of %v", p, cloud.Providers)
	}
}

func hetznerLocations(ctx context.Context, token, endpoint string) ([]cloud.Location, error) {
	if !hetznerToken.MatchString(token) {
		return nil, &cloud.CredentialError{Provider: cloud.Hetzner, Field: "token",
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
		return nil, &cloud.CredentialError{Provider: cloud.Hetzner, Field: "token",
			Reason: "the Hetzner Cloud API refused this token: check that it is the project's token and has Read & Write permission"}
	case err != nil:
		return nil, fmt.Errorf("ask the Hetzner Cloud API for its locations: %w", err)
	}
	types, err := client.ServerType.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("ask the Hetzner Cloud API for its server types: %w", err)
	}
	offered, err := primaryIPLocations(ctx, client)
	if err != nil {
		return nil, err
	}
	out := make([]cloud.Location, 0, len(locs))
	for _, l := range locs {
		loc := cloud.Location{Name: l.Name, Description: l.Description, City: l.City, Country: l.Country, NetworkZone: string(l.NetworkZone),
			NoPrimaryIPs: offered != nil && !offered[l.Name]}
		for _, st := range types {
			for _, sl := range st.Locations {
				if sl.Location != nil && sl.Location.Name == l.Name && sl.Available && !sl.IsDeprecated() {
					loc.Sizes = append(loc.Sizes, st.Name)
					if a := goArch(st.Architecture); a != "" {
						if loc.Architectures == nil {
							loc.Architectures = map[string]string{}
						}
						loc.Architectures[st.Name] = a
					}
				}
			}
		}
		sort.Strings(loc.Sizes)
		out = append(out, loc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if err := hetznerCanWrite(ctx, client); err != nil {
		return nil, err
	}
	return out, nil
}

// CheckLabel marks what a credentials check makes, so an operator who
// finds one (a check cut off before its delete) knows what it was.
const CheckLabel = "openova.io/check"

// hetznerCanWrite makes and deletes an SSH key labelled CheckLabel: a
// Read-only token passes every read and would fail only at apply, with
// the cluster half made; this harmless write tells them apart first.
func hetznerCanWrite(ctx context.Context, client *hcloud.Client) error {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return err
	}
	id := make([]byte, 4)
	_, _ = rand.Read(id)
	name := "openova-credentials-check-" + hex.EncodeToString(id)
	key, _, err := client.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: name, PublicKey: string(ssh.MarshalAuthorizedKey(sshPub)),
		Labels: map[string]string{CheckLabel: "credentials"}})
	switch {
	case hcloud.IsError(err, hcloud.ErrorCodeForbidden, hcloud.ErrorCodeUnauthorized):
		return &cloud.CredentialError{Provider: cloud.Hetzner, Field: "token",
			Reason: "this token may read but not write (a Read-only token): create one with Read & Write permission under Security → API tokens"}
	case err != nil:
		return fmt.Errorf("create an SSH key to check that the token may write: %w", err)
	}
	if _, err := client.SSHKey.Delete(ctx, key); err != nil {
		return fmt.Errorf("delete the SSH key %s that checked the token (it is labelled %s; delete it by hand): %w", name, CheckLabel, err)
	}
	return nil
}

// primaryIPLocations are the locations where a Primary IPv4 can be had,
// nil if the API does not say. Hetzner's API has no "available" flag for
// Primary IPs and no way to ask short of creating one (which costs money
// and leaves something to delete), but GET /pricing lists the price of a
// Primary IP per type and location, and only for the locations that offer
// one: a location without an IPv4 price is one where creating one is
// refused. That is one read, with the token the check already holds. A
// pricing that lists no Primary IPv4 price anywhere says nothing (nil),
// so a change of the API's pricing never refuses every region.
func primaryIPLocations(ctx context.Context, client *hcloud.Client) (map[string]bool, error) {
	pricing, _, err := client.Pricing.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("ask the Hetzner Cloud API where Primary IPs are offered (its pricing): %w", err)
	}
	var offered map[string]bool
	for _, t := range pricing.PrimaryIPs {
		if t.Type != string(hcloud.PrimaryIPTypeIPv4) {
			continue
		}
		for _, p := range t.Pricings {
			if offered == nil {
				offered = map[string]bool{}
			}
			offered[p.Location] = true
		}
	}
	return offered, nil
}

// goArch is a Hetzner architecture in Go's name ("" for one openova does
// not know, which the image check then refuses by name).
func goArch(a hcloud.Architecture) string {
	switch a {
	case hcloud.ArchitectureX86:
		return "amd64"
	case hcloud.ArchitectureARM:
		return "arm64"
	}
	return ""
}
