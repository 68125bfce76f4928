package fakehcloud

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/require"
)

// exercise calls, on a built cluster, every route buildCluster and
// teardown do not, so the spec test sees a response of each. It leaves the
// cluster as teardown expects it.
func exercise(e *env, cl cluster) {
	t, c, ctx := e.t, e.client, e.ctx
	check := func(_ any, _ *hcloud.Response, err error) { t.Helper(); require.NoError(t, err) }
	checkAll := func(_ any, err error) { t.Helper(); require.NoError(t, err) }
	labels := map[string]string{"cluster": "test", "touched": "yes"}

	checkAll(c.Location.All(ctx))
	check(c.Location.GetByID(ctx, 1))
	for _, p := range []string{"/datacenters", "/datacenters/4"} {
		status, body := e.raw("GET", p, "")
		require.Equal(t, http.StatusOK, status, body)
	}
	check(c.ServerType.List(ctx, hcloud.ServerTypeListOpts{}))
	check(c.ServerType.GetByID(ctx, 22))
	checkAll(c.Image.All(ctx))
	check(c.Image.GetByID(ctx, cl.cp.Image.ID))
	checkAll(c.LoadBalancerType.All(ctx))
	check(c.LoadBalancerType.GetByID(ctx, 1))
	check(c.Pricing.Get(ctx))

	checkAll(c.SSHKey.All(ctx))
	check(c.SSHKey.GetByID(ctx, cl.key.ID))
	check(c.SSHKey.GetByFingerprint(ctx, cl.key.Fingerprint))
	check(c.SSHKey.Update(ctx, cl.key, hcloud.SSHKeyUpdateOpts{Labels: labels}))
	checkAll(c.PlacementGroup.All(ctx))
	check(c.PlacementGroup.GetByID(ctx, cl.group.ID))
	check(c.PlacementGroup.Update(ctx, cl.group, hcloud.PlacementGroupUpdateOpts{Labels: labels}))

	checkAll(c.Network.All(ctx))
	check(c.Network.Update(ctx, cl.network, hcloud.NetworkUpdateOpts{Labels: labels}))
	route := hcloud.NetworkRoute{Destination: cidr(t, "10.100.0.0/24"), Gateway: net.ParseIP("10.0.1.1")}
	e.do(c.Network.AddRoute(ctx, cl.network, hcloud.NetworkAddRouteOpts{Route: route}))
	e.do(c.Network.DeleteRoute(ctx, cl.network, hcloud.NetworkDeleteRouteOpts{Route: route}))
	e.do(c.Network.ChangeIPRange(ctx, cl.network, hcloud.NetworkChangeIPRangeOpts{IPRange: cidr(t, "10.0.0.0/15")}))
	for _, on := range []bool{true, false} {
		e.do(c.Network.ChangeProtection(ctx, cl.network, hcloud.NetworkChangeProtectionOpts{Delete: &on}))
		e.do(c.Server.ChangeProtection(ctx, cl.cp, hcloud.ServerChangeProtectionOpts{Delete: &on, Rebuild: &on}))
		e.do(c.LoadBalancer.ChangeProtection(ctx, cl.lb, hcloud.LoadBalancerChangeProtectionOpts{Delete: &on}))
	}

	checkAll(c.Firewall.All(ctx))
	check(c.Firewall.Update(ctx, cl.fwNodes, hcloud.FirewallUpdateOpts{Labels: labels}))
	actions, _, err := c.Firewall.SetRules(ctx, cl.fwNodes, hcloud.FirewallSetRulesOpts{Rules: []hcloud.FirewallRule{{
		Direction: hcloud.FirewallRuleDirectionOut, Protocol: hcloud.FirewallRuleProtocolICMP,
		DestinationIPs: []net.IPNet{*cidr(t, "0.0.0.0/0")}}}})
	require.NoError(t, err)
	e.wait(actions...)
	cpRes := []hcloud.FirewallResource{{Type: hcloud.FirewallResourceTypeServer, Server: &hcloud.FirewallResourceServer{ID: cl.cp.ID}}}
	actions, _, err = c.Firewall.ApplyResources(ctx, cl.fwNodes, cpRes)
	require.NoError(t, err)
	e.wait(actions...)
	actions, _, err = c.Firewall.RemoveResources(ctx, cl.fwNodes, cpRes)
	require.NoError(t, err)
	e.wait(actions...)

	checkAll(c.Server.All(ctx))
	check(c.Server.GetByID(ctx, cl.cp.ID))
	check(c.Server.Update(ctx, cl.worker, hcloud.ServerUpdateOpts{Labels: map[string]string{"role": "worker", "cluster": "test"}}))
	e.do(c.Server.Poweroff(ctx, cl.worker))
	e.do(c.Server.ChangeType(ctx, cl.worker, hcloud.ServerChangeTypeOpts{ServerType: &hcloud.ServerType{Name: "cax21"}}))
	e.do(c.Server.Poweron(ctx, cl.worker))
	e.do(c.Server.Reboot(ctx, cl.worker))
	e.do(c.Server.Reset(ctx, cl.worker))
	e.do(c.Server.Shutdown(ctx, cl.worker))
	e.do(c.Server.Poweron(ctx, cl.worker))
	e.do(c.Server.EnableBackup(ctx, cl.worker, ""))
	e.do(c.Server.DisableBackup(ctx, cl.worker))
	rebuilt, _, err := c.Server.RebuildWithResult(ctx, cl.worker, hcloud.ServerRebuildOpts{Image: &hcloud.Image{Name: "ubuntu-24.04"}})
	require.NoError(t, err)
	e.wait(rebuilt.Action)
	e.do(c.Server.ChangeAliasIPs(ctx, cl.worker, hcloud.ServerChangeAliasIPsOpts{Network: cl.network,
		AliasIPs: []net.IP{net.ParseIP("10.0.1.50")}}))
	e.do(c.Server.RemoveFromPlacementGroup(ctx, cl.worker))
	e.do(c.Server.AddToPlacementGroup(ctx, cl.worker, cl.group))
	e.do(c.Server.DetachFromNetwork(ctx, cl.worker, hcloud.ServerDetachFromNetworkOpts{Network: cl.network}))
	e.do(c.Server.AttachToNetwork(ctx, cl.worker, hcloud.ServerAttachToNetworkOpts{Network: cl.network}))

	checkAll(c.LoadBalancer.All(ctx))
	check(c.LoadBalancer.GetByID(ctx, cl.lb.ID))
	check(c.LoadBalancer.Update(ctx, cl.lb, hcloud.LoadBalancerUpdateOpts{Labels: labels}))
	e.do(c.LoadBalancer.ChangeAlgorithm(ctx, cl.lb, hcloud.LoadBalancerChangeAlgorithmOpts{Type: hcloud.LoadBalancerAlgorithmTypeLeastConnections}))
	e.do(c.LoadBalancer.ChangeType(ctx, cl.lb, hcloud.LoadBalancerChangeTypeOpts{LoadBalancerType: &hcloud.LoadBalancerType{Name: "lb21"}}))
	retries := 5
	e.do(c.LoadBalancer.UpdateService(ctx, cl.lb, 6443, hcloud.LoadBalancerUpdateServiceOpts{
		HealthCheck: &hcloud.LoadBalancerUpdateServiceOptsHealthCheck{Retries: &retries}}))
	e.do(c.LoadBalancer.AddIPTarget(ctx, cl.lb, hcloud.LoadBalancerAddIPTargetOpts{IP: net.ParseIP("192.0.2.10")}))
	e.do(c.LoadBalancer.RemoveIPTarget(ctx, cl.lb, net.ParseIP("192.0.2.10")))
	e.do(c.LoadBalancer.DisablePublicInterface(ctx, cl.lb))
	e.do(c.LoadBalancer.EnablePublicInterface(ctx, cl.lb))

	exercisePrimaryIPs(e)

	acts, _, err := c.Server.Action.List(ctx, hcloud.ActionListOpts{})
	require.NoError(t, err)
	require.NotEmpty(t, acts)
	check(c.Server.Action.GetByID(ctx, acts[0].ID))
	forCP, err := c.Server.Action.AllFor(ctx, cl.cp, hcloud.ActionListOpts{})
	require.NoError(t, err)
	check(c.Action.GetByID(ctx, forCP[0].ID))
	for typ, id := range map[string]int64{"servers": cl.cp.ID, "networks": cl.network.ID, "firewalls": cl.fwNodes.ID,
		"load_balancers": cl.lb.ID} {
		status, body := e.raw("GET", fmt.Sprintf("/%s/%d/actions?sort=id", typ, id), "")
		require.Equal(t, http.StatusOK, status, body)
		var list struct{ Actions []struct{ ID int64 } }
		require.NoError(t, json.Unmarshal([]byte(body), &list))
		require.NotEmpty(t, list.Actions, typ)
		aid := list.Actions[0].ID
		for _, path := range []string{fmt.Sprintf("/%s/actions", typ), fmt.Sprintf("/%s/actions/%d", typ, aid),
			fmt.Sprintf("/%s/%d/actions/%d", typ, id, aid)} {
			status, body := e.raw("GET", path, "")
			require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
		}
	}
}
