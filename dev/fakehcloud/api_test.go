package fakehcloud

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/require"
)

// Lists filter by the label selector forms the provider and the API use.
func TestLabelSelectors(t *testing.T) {
	e := newEnv(t, Options{})
	cl := buildCluster(e)
	for _, tc := range []struct {
		selector string
		want     []string
	}{
		{"role=worker", []string{"worker-1"}},
		{"role==control-plane", []string{"cp-1"}},
		{"role", []string{"cp-1", "worker-1"}},
		{"role!=worker", []string{"cp-1"}},
		{"!role", nil},
		{"cluster=test,role=worker", []string{"worker-1"}},
		{"role in (worker,control-plane)", []string{"cp-1", "worker-1"}},
		{"role notin (worker)", []string{"cp-1"}},
		{"missing=x", nil},
	} {
		t.Run(tc.selector, func(t *testing.T) {
			servers, err := e.client.Server.AllWithOpts(e.ctx, hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{LabelSelector: tc.selector}})
			require.NoError(t, err)
			var names []string
			for _, s := range servers {
				names = append(names, s.Name)
			}
			require.Equal(t, tc.want, names)
		})
	}
	nets, err := e.client.Network.AllWithOpts(e.ctx, hcloud.NetworkListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "cluster=test"}})
	require.NoError(t, err)
	require.Len(t, nets, 1)
	_, err = e.client.Server.AllWithOpts(e.ctx, hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "a b=c"}})
	requireAPIError(t, err, hcloud.ErrorCodeInvalidInput, http.StatusBadRequest)
	_ = cl
}

// Names (and SSH key fingerprints) are unique where the API says so.
func TestUniqueness(t *testing.T) {
	e := newEnv(t, Options{})
	c, ctx := e.client, e.ctx
	cl := buildCluster(e)
	for _, tc := range []struct {
		name string
		try  func() error
	}{
		{"ssh key name", func() error {
			_, _, err := c.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "ops", PublicKey: publicKey(t)})
			return err
		}},
		{"ssh key fingerprint", func() error {
			_, _, err := c.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "other", PublicKey: cl.key.PublicKey})
			return err
		}},
		{"server", func() error {
			_, _, err := c.Server.Create(ctx, hcloud.ServerCreateOpts{Name: "cp-1", ServerType: &hcloud.ServerType{Name: "cx22"},
				Image: &hcloud.Image{Name: "ubuntu-24.04"}})
			return err
		}},
		{"network", func() error {
			_, _, err := c.Network.Create(ctx, hcloud.NetworkCreateOpts{Name: "net", IPRange: cidr(t, "10.1.0.0/16")})
			return err
		}},
		{"firewall", func() error {
			_, _, err := c.Firewall.Create(ctx, hcloud.FirewallCreateOpts{Name: "fw-cp"})
			return err
		}},
		{"placement group", func() error {
			_, _, err := c.PlacementGroup.Create(ctx, hcloud.PlacementGroupCreateOpts{Name: "spread", Type: hcloud.PlacementGroupTypeSpread})
			return err
		}},
		{"load balancer", func() error {
			_, _, err := c.LoadBalancer.Create(ctx, hcloud.LoadBalancerCreateOpts{Name: "lb",
				LoadBalancerType: &hcloud.LoadBalancerType{Name: "lb11"}, NetworkZone: hcloud.NetworkZoneEUCentral})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireAPIError(t, tc.try(), hcloud.ErrorCodeUniquenessError, http.StatusConflict)
		})
	}
	require.Equal(t, 1, e.fake.CreateCount(KindServer, "cp-1"))
}

// invalid_input carries details.fields: the provider type-asserts them.
func TestInvalidInput(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tc := range []struct {
		opts  hcloud.ServerCreateOpts
		field string
	}{
		{hcloud.ServerCreateOpts{Name: "bad_name", ServerType: &hcloud.ServerType{Name: "cx22"}, Image: &hcloud.Image{Name: "ubuntu-24.04"}}, "name"},
		{hcloud.ServerCreateOpts{Name: "s", ServerType: &hcloud.ServerType{Name: "cx99"}, Image: &hcloud.Image{Name: "ubuntu-24.04"}}, "server_type"},
		{hcloud.ServerCreateOpts{Name: "s", ServerType: &hcloud.ServerType{Name: "cx22"}, Image: &hcloud.Image{Name: "windows"}}, "image"},
		{hcloud.ServerCreateOpts{Name: "s", ServerType: &hcloud.ServerType{Name: "cx22"}, Image: &hcloud.Image{Name: "ubuntu-24.04"},
			Location: &hcloud.Location{Name: "ash"}}, "server_type"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, _, err := e.client.Server.Create(e.ctx, tc.opts)
			herr := requireAPIError(t, err, hcloud.ErrorCodeInvalidInput, http.StatusBadRequest)
			require.Equal(t, tc.field, herr.Details.(hcloud.ErrorDetailsInvalidInput).Fields[0].Name)
		})
	}
	require.Empty(t, e.fake.Live())
}

// Lists page like the API: 25 by default, with meta.pagination.
func TestPagination(t *testing.T) {
	e := newEnv(t, Options{})
	for i := range 30 {
		_, _, err := e.client.SSHKey.Create(e.ctx, hcloud.SSHKeyCreateOpts{Name: fmt.Sprintf("k%02d", i), PublicKey: publicKey(t)})
		require.NoError(t, err)
	}
	page, resp, err := e.client.SSHKey.List(e.ctx, hcloud.SSHKeyListOpts{})
	require.NoError(t, err)
	require.Len(t, page, 25)
	require.Equal(t, hcloud.Pagination{Page: 1, PerPage: 25, NextPage: 2, LastPage: 2, TotalEntries: 30}, *resp.Meta.Pagination)
	all, err := e.client.SSHKey.All(e.ctx)
	require.NoError(t, err)
	require.Len(t, all, 30)
	require.Equal(t, "k29", all[29].Name)
}

// The catalog has the real locations and types a region picker needs.
func TestCatalog(t *testing.T) {
	e := newEnv(t, Options{})
	c, ctx := e.client, e.ctx
	locs, err := c.Location.All(ctx)
	require.NoError(t, err)
	zones := map[string]hcloud.NetworkZone{}
	for _, l := range locs {
		zones[l.Name] = l.NetworkZone
	}
	require.Equal(t, map[string]hcloud.NetworkZone{"fsn1": "eu-central", "nbg1": "eu-central", "hel1": "eu-central",
		"ash": "us-east", "hil": "us-west", "sin": "ap-southeast"}, zones)
	hil, _, err := c.Location.GetByName(ctx, "hil")
	require.NoError(t, err)
	require.Equal(t, "US", hil.Country)
	require.InDelta(t, 45.54222, hil.Latitude, 1e-6)

	x86, _, err := c.Image.GetForArchitecture(ctx, "ubuntu-24.04", hcloud.ArchitectureX86)
	require.NoError(t, err)
	arm, _, err := c.Image.GetForArchitecture(ctx, "ubuntu-24.04", hcloud.ArchitectureARM)
	require.NoError(t, err)
	require.NotEqual(t, x86.ID, arm.ID)
	for name, arch := range map[string]hcloud.Architecture{"cx22": "x86", "cx32": "x86", "cpx31": "x86", "cax11": "arm"} {
		st, _, err := c.ServerType.GetByName(ctx, name)
		require.NoError(t, err)
		require.Equal(t, arch, st.Architecture, name)
	}
	lbt, _, err := c.LoadBalancerType.GetByName(ctx, "lb11")
	require.NoError(t, err)
	require.Equal(t, 25, lbt.MaxTargets)
	status, body := e.raw("GET", "/datacenters?name=fsn1-dc14", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"name":"fsn1-dc14"`)
}
