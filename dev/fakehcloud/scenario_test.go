package fakehcloud

import (
	"net"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/require"
)

// cluster is what the Terraform module of the integration tests creates,
// built here with hcloud-go: a key, a network with a subnet, a placement
// group, firewalls, a control plane and a worker, and a load balancer in
// front of the control plane's API.
type cluster struct {
	key           *hcloud.SSHKey
	network       *hcloud.Network
	group         *hcloud.PlacementGroup
	fwCP, fwNodes *hcloud.Firewall
	cp, worker    *hcloud.Server
	lb            *hcloud.LoadBalancer
}

const cloudInit = "#cloud-config\nwrite_files:\n- path: /etc/ca.pem\n  content: |\n    -----BEGIN CERTIFICATE-----\n    MIIB\n    -----END CERTIFICATE-----\n"

// buildCluster creates the cluster, waiting for every action like the
// provider does.
func buildCluster(e *env) cluster {
	t, c, ctx := e.t, e.client, e.ctx
	var cl cluster
	var err error

	cl.key, _, err = c.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "ops", PublicKey: publicKey(t),
		Labels: map[string]string{"cluster": "test"}})
	require.NoError(t, err)

	cl.network, _, err = c.Network.Create(ctx, hcloud.NetworkCreateOpts{Name: "net", IPRange: cidr(t, "10.0.0.0/16"),
		Labels: map[string]string{"cluster": "test"}})
	require.NoError(t, err)
	e.do(c.Network.AddSubnet(ctx, cl.network, hcloud.NetworkAddSubnetOpts{Subnet: hcloud.NetworkSubnet{
		Type: hcloud.NetworkSubnetTypeCloud, IPRange: cidr(t, "10.0.1.0/24"), NetworkZone: hcloud.NetworkZoneEUCentral}}))

	pg, _, err := c.PlacementGroup.Create(ctx, hcloud.PlacementGroupCreateOpts{Name: "spread", Type: hcloud.PlacementGroupTypeSpread})
	require.NoError(t, err)
	e.wait(pg.Action)
	cl.group = pg.PlacementGroup

	port := "6443"
	rules := []hcloud.FirewallRule{{Direction: hcloud.FirewallRuleDirectionIn, Protocol: hcloud.FirewallRuleProtocolTCP,
		Port: &port, SourceIPs: []net.IPNet{*cidr(t, "0.0.0.0/0"), *cidr(t, "::/0")}}}
	fw, _, err := c.Firewall.Create(ctx, hcloud.FirewallCreateOpts{Name: "fw-cp", Rules: rules,
		ApplyTo: []hcloud.FirewallResource{{Type: hcloud.FirewallResourceTypeLabelSelector,
			LabelSelector: &hcloud.FirewallResourceLabelSelector{Selector: "role=control-plane"}}}})
	require.NoError(t, err)
	e.wait(fw.Actions...)
	cl.fwCP = fw.Firewall
	fw, _, err = c.Firewall.Create(ctx, hcloud.FirewallCreateOpts{Name: "fw-nodes", Rules: rules})
	require.NoError(t, err)
	cl.fwNodes = fw.Firewall

	cl.cp = createServer(e, hcloud.ServerCreateOpts{Name: "cp-1", ServerType: &hcloud.ServerType{Name: "cx22"},
		Location: &hcloud.Location{Name: "fsn1"}, SSHKeys: []*hcloud.SSHKey{cl.key}, UserData: cloudInit,
		Labels: map[string]string{"role": "control-plane", "cluster": "test"}, PlacementGroup: cl.group,
		PublicNet: &hcloud.ServerCreatePublicNet{EnableIPv4: true, EnableIPv6: false}})
	e.do(c.Server.AttachToNetwork(ctx, cl.cp, hcloud.ServerAttachToNetworkOpts{Network: cl.network,
		IP: net.ParseIP("10.0.1.10")}))
	cl.worker = createServer(e, hcloud.ServerCreateOpts{Name: "worker-1", ServerType: &hcloud.ServerType{Name: "cax11"},
		Location: &hcloud.Location{Name: "nbg1"}, SSHKeys: []*hcloud.SSHKey{cl.key}, UserData: "#cloud-config\n",
		Labels: map[string]string{"role": "worker", "cluster": "test"}, PlacementGroup: cl.group,
		Firewalls: []*hcloud.ServerCreateFirewall{{Firewall: *cl.fwNodes}}})
	e.do(c.Server.AttachToNetwork(ctx, cl.worker, hcloud.ServerAttachToNetworkOpts{Network: cl.network,
		IPRange: cidr(t, "10.0.1.0/24")}))

	lb, _, err := c.LoadBalancer.Create(ctx, hcloud.LoadBalancerCreateOpts{Name: "lb",
		LoadBalancerType: &hcloud.LoadBalancerType{Name: "lb11"}, Location: &hcloud.Location{Name: "fsn1"},
		Labels: map[string]string{"cluster": "test"}})
	require.NoError(t, err)
	e.wait(lb.Action)
	cl.lb = lb.LoadBalancer
	e.do(c.LoadBalancer.AttachToNetwork(ctx, cl.lb, hcloud.LoadBalancerAttachToNetworkOpts{Network: cl.network,
		IPRange: cidr(t, "10.0.1.0/24")}))
	listen, hcPort := 6443, 6443
	e.do(c.LoadBalancer.AddService(ctx, cl.lb, hcloud.LoadBalancerAddServiceOpts{Protocol: hcloud.LoadBalancerServiceProtocolTCP,
		ListenPort: &listen, DestinationPort: &listen, HealthCheck: &hcloud.LoadBalancerAddServiceOptsHealthCheck{
			Protocol: hcloud.LoadBalancerServiceProtocolTCP, Port: &hcPort}}))
	private := true
	e.do(c.LoadBalancer.AddServerTarget(ctx, cl.lb, hcloud.LoadBalancerAddServerTargetOpts{Server: cl.cp, UsePrivateIP: &private}))
	e.do(c.LoadBalancer.AddLabelSelectorTarget(ctx, cl.lb, hcloud.LoadBalancerAddLabelSelectorTargetOpts{
		Selector: "role=worker", UsePrivateIP: &private}))
	return cl
}

// createServer creates a server and waits for its action and next actions.
func createServer(e *env, opts hcloud.ServerCreateOpts) *hcloud.Server {
	e.t.Helper()
	st, _, err := e.client.ServerType.GetByName(e.ctx, opts.ServerType.Name)
	require.NoError(e.t, err)
	opts.ServerType = st
	opts.Image, _, err = e.client.Image.GetForArchitecture(e.ctx, "ubuntu-24.04", st.Architecture)
	require.NoError(e.t, err)
	require.NotNil(e.t, opts.Image)
	res, _, err := e.client.Server.Create(e.ctx, opts)
	require.NoError(e.t, err)
	require.NotEmpty(e.t, res.NextActions)
	e.wait(res.Action)
	e.wait(res.NextActions...)
	return res.Server
}

// teardown deletes the cluster in the order Terraform destroys it.
func teardown(e *env, cl cluster) {
	t, c, ctx := e.t, e.client, e.ctx
	e.do(c.LoadBalancer.RemoveServerTarget(ctx, cl.lb, cl.cp))
	e.do(c.LoadBalancer.RemoveLabelSelectorTarget(ctx, cl.lb, "role=worker"))
	e.do(c.LoadBalancer.DeleteService(ctx, cl.lb, 6443))
	e.do(c.LoadBalancer.DetachFromNetwork(ctx, cl.lb, hcloud.LoadBalancerDetachFromNetworkOpts{Network: cl.network}))
	res, _, err := c.LoadBalancer.DeleteWithResult(ctx, cl.lb)
	require.NoError(t, err)
	e.wait(res.Action)

	for _, fw := range []*hcloud.Firewall{cl.fwCP, cl.fwNodes} {
		fw, _, err := c.Firewall.GetByID(ctx, fw.ID)
		require.NoError(t, err)
		actions, _, err := c.Firewall.RemoveResources(ctx, fw, fw.AppliedTo)
		require.NoError(t, err)
		e.wait(actions...)
		_, err = c.Firewall.Delete(ctx, fw)
		require.NoError(t, err)
	}
	for _, srv := range []*hcloud.Server{cl.cp, cl.worker} {
		res, _, err := c.Server.DeleteWithResult(ctx, srv)
		require.NoError(t, err)
		e.wait(res.Action)
	}
	_, err = c.PlacementGroup.Delete(ctx, cl.group)
	require.NoError(t, err)
	nw, _, err := c.Network.GetByID(ctx, cl.network.ID)
	require.NoError(t, err)
	require.Len(t, nw.Subnets, 1)
	e.do(c.Network.DeleteSubnet(ctx, nw, hcloud.NetworkDeleteSubnetOpts{Subnet: nw.Subnets[0]}))
	_, err = c.Network.Delete(ctx, nw)
	require.NoError(t, err)
	_, err = c.SSHKey.Delete(ctx, cl.key)
	require.NoError(t, err)
}
