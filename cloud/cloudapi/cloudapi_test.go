package cloudapi

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/dev/fakehcloud"
)

var token = strings.Repeat("a1", 32)

// Locations asks the (fake) Hetzner API: the locations sorted by name, each
// with the server types one can create there; a token the API refuses, or
// one of the wrong form (never sent), is a CredentialError on "token".
func TestLocations(t *testing.T) {
	api := fakehcloud.New(fakehcloud.Options{Token: token})
	t.Cleanup(api.Close)
	ep := cloud.Endpoints{Hetzner: api.URL()}
	ctx := context.Background()

	locs, err := Locations(ctx, cloud.Hetzner, map[string]string{"token": token}, ep)
	require.NoError(t, err)
	names := make([]string, len(locs))
	for i, l := range locs {
		names[i] = l.Name
	}
	require.IsIncreasing(t, names)
	require.Contains(t, names, "fsn1")
	require.Empty(t, cloud.CheckRegion(cloud.Hetzner, locs, "fsn1", cloud.Size{Field: "worker_size", Name: "cx22"}))
	require.NotEmpty(t, cloud.CheckRegion(cloud.Hetzner, locs, "ash", cloud.Size{Field: "worker_size", Name: "cx22"}),
		"cx22 is offered in the EU only")
	fsn1 := locs[slices.Index(names, "fsn1")]
	require.Equal(t, "amd64", fsn1.Architectures["cpx31"], "the API's x86 in Go's name")
	require.Equal(t, "arm64", fsn1.Architectures["cax11"], "the API's arm in Go's name")
	require.Len(t, fsn1.Architectures, len(fsn1.Sizes), "every size offered has its architecture")

	for name, tok := range map[string]string{"refused": strings.Repeat("b2", 32), "malformed": "short"} {
		_, err := Locations(ctx, cloud.Hetzner, map[string]string{"token": tok}, ep)
		var ce *cloud.CredentialError
		require.ErrorAs(t, err, &ce, name)
		require.Equal(t, "token", ce.Field)
		require.NotContains(t, err.Error(), tok)
	}

	_, err = Locations(ctx, cloud.OCI, nil, ep)
	require.True(t, errors.Is(err, cloud.ErrNotSupported))
	_, err = Locations(ctx, "aws", nil, ep)
	require.ErrorContains(t, err, "unknown provider")
}

// The fake stands in for Hetzner's API: a location whose pricing lists no
// Primary IP (fakehcloud.Options.NoPrimaryIPs, where creating one is
// refused too) is marked NoPrimaryIPs, the others are not, and the check
// created nothing to find out.
func TestLocationsSayWherePrimaryIPsAreOffered_FakeStandsInForHetznerAPI(t *testing.T) {
	api := fakehcloud.New(fakehcloud.Options{Token: token, NoPrimaryIPs: []string{"sin"}})
	t.Cleanup(api.Close)
	locs, err := Locations(context.Background(), cloud.Hetzner, map[string]string{"token": token}, cloud.Endpoints{Hetzner: api.URL()})
	require.NoError(t, err)
	without := map[string]bool{}
	for _, l := range locs {
		without[l.Name] = l.NoPrimaryIPs
	}
	require.Equal(t, map[string]bool{"ash": false, "fsn1": false, "hel1": false, "hil": false, "nbg1": false, "sin": true}, without)
	require.Contains(t, cloud.CheckLinkRegion(cloud.Hetzner, locs, "sin")[0].Message, "Hetzner offers no Primary IP in sin")
	require.Empty(t, cloud.CheckLinkRegion(cloud.Hetzner, locs, "hel1"))
	requireOnlyTheWriteCheck(t, api)
}

// requireOnlyTheWriteCheck: the one change a credentials check makes is an
// SSH key labelled for it, made and deleted; nothing is left.
func requireOnlyTheWriteCheck(t *testing.T, api *fakehcloud.Server) {
	t.Helper()
	reqs := api.Requests()
	require.Len(t, reqs, 2, "%v", reqs)
	for i, want := range []fakehcloud.Request{{Method: "POST", Route: "/ssh_keys", Kind: fakehcloud.KindSSHKey, Status: 201},
		{Method: "DELETE", Route: "/ssh_keys/{id}", Kind: fakehcloud.KindSSHKey, Status: 204}} {
		require.True(t, strings.HasPrefix(reqs[i].Name, "openova-credentials-check-"), "%v", reqs[i])
		want.Name = reqs[i].Name
		require.Equal(t, want, reqs[i])
	}
	require.Empty(t, api.Live()[fakehcloud.KindSSHKey], "the check's SSH key is gone")
}

// A Read-only token reads the locations like any other, and is refused
// beside its field by the check's harmless write, before any plan.
func TestLocationsRefuseAReadOnlyToken_FakeStandsInForHetznerAPI(t *testing.T) {
	ro := strings.Repeat("c3", 32)
	api := fakehcloud.New(fakehcloud.Options{Token: token, ReadOnlyToken: ro})
	t.Cleanup(api.Close)
	_, err := Locations(context.Background(), cloud.Hetzner, map[string]string{"token": ro}, cloud.Endpoints{Hetzner: api.URL()})
	var ce *cloud.CredentialError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "token", ce.Field)
	require.Contains(t, ce.Reason, "this token may read but not write (a Read-only token)")
	require.NotContains(t, err.Error(), ro)
	require.Empty(t, api.Live()[fakehcloud.KindSSHKey])
}

// CheckZone asks the (fake) Hetzner API for the DNS zone the manager's
// record is to be created in: one the project has passes; a missing one,
// or one a refused token cannot see, is a CredentialError on "dns_zone"
// saying what to do; another provider's is refused (only Hetzner's DNS).
func TestCheckZone_FakeStandsInForHetznerAPI(t *testing.T) {
	api := fakehcloud.New(fakehcloud.Options{Token: token, Zones: []string{"acme.example"}})
	t.Cleanup(api.Close)
	ep := cloud.Endpoints{Hetzner: api.URL()}
	creds := map[string]string{"token": token}
	require.NoError(t, CheckZone(context.Background(), cloud.Hetzner, creds, "acme.example", ep))
	for name, tc := range map[string]struct {
		provider cloud.Provider
		token    string
		zone     string
		reason   string
	}{
		"missing":          {cloud.Hetzner, token, "globex.example", "this Hetzner project has no DNS zone globex.example"},
		"refused token":    {cloud.Hetzner, strings.Repeat("b2", 32), "acme.example", "give the token of the project that holds it"},
		"another provider": {cloud.OCI, token, "acme.example", "in Hetzner DNS only"},
	} {
		t.Run(name, func(t *testing.T) {
			err := CheckZone(context.Background(), tc.provider, map[string]string{"token": tc.token}, tc.zone, ep)
			var ce *cloud.CredentialError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "dns_zone", ce.Field)
			require.Contains(t, ce.Reason, tc.reason)
		})
	}
}
