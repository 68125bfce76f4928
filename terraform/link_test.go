package terraform

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/fakehcloud"
)

// What the Hetzner module plans for the link (the real OpenTofu and hcloud
// provider against the fake Hetzner API): with one region (link null) no
// gateway address, no route and no WireGuard port; with a link, cp-0's
// Primary IP and a route per peer network, and the WireGuard port open to
// the other gateway's address only, once it is known.
func TestHetznerLinkPlan(t *testing.T) {
	api := fakehcloud.New(fakehcloud.Options{})
	t.Cleanup(api.Close)
	r := hetznerRunner(t, api, t.TempDir(), nil)
	ctx := context.Background()
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, nil))
	for _, tc := range []struct {
		name       string
		link       map[string]any
		primaryIPs []string
		routes     []string
		udp        map[string][]any
	}{
		{name: "one region: no link", udp: map[string][]any{}},
		{name: "before approval: the peer's address is not known yet", link: testLink(""),
			primaryIPs: []string{"hcloud_primary_ip.gateway[0]"},
			routes:     []string{`hcloud_network_route.peer["10.1.0.0/16"]`, `hcloud_network_route.peer["10.44.0.0/16"]`, `hcloud_network_route.peer["10.45.0.0/16"]`},
			udp:        map[string][]any{}},
		{name: "after the Primary IPs: the port opens to the peer only", link: testLink(peerAddress),
			primaryIPs: []string{"hcloud_primary_ip.gateway[0]"},
			routes:     []string{`hcloud_network_route.peer["10.1.0.0/16"]`, `hcloud_network_route.peer["10.44.0.0/16"]`, `hcloud_network_route.peer["10.45.0.0/16"]`},
			udp:        map[string][]any{"51820": {peerAddress + "/32"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.Vars = hetznerRunner(t, api, "", linkVars(tc.link, "")).Vars
			s, err := r.Plan(ctx)
			require.NoError(t, err)
			require.Equal(t, tc.primaryIPs, addresses(s, "hcloud_primary_ip"))
			require.Equal(t, tc.routes, addresses(s, "hcloud_network_route"))
			require.Equal(t, tc.udp, udpRules(t, savedPlan(t, r)))
			require.Equal(t, []string{"hcloud_load_balancer_service.api", "hcloud_load_balancer_service.gitea", "hcloud_load_balancer_service.manager"}, addresses(s, "hcloud_load_balancer_service"))
		})
	}
	require.Empty(t, api.Live(), "plans create nothing")
}

// The module refuses a link it cannot build, at plan, with what to pass.
func TestHetznerModuleRefusesABadLink(t *testing.T) {
	api := fakehcloud.New(fakehcloud.Options{})
	t.Cleanup(api.Close)
	pluginCache := t.TempDir()
	for _, tc := range []struct {
		name   string
		change func(link map[string]any) (conf string)
		want   string
	}{
		{"a host name as the peer", func(l map[string]any) string { l["peer_address"] = "gw.example.com"; return "" }, "link.peer_address must be the other gateway's public IPv4"},
		{"an IPv6 peer", func(l map[string]any) string { l["peer_address"] = "2001:db8::1"; return "" }, "link.peer_address must be"},
		{"no peer networks", func(l map[string]any) string { l["peer_cidrs"] = []string{}; return "" }, "link.peer_cidrs must list the other region's networks"},
		{"a public peer network", func(l map[string]any) string { l["peer_cidrs"] = []string{"8.8.8.0/24"}; return "" }, "link.peer_cidrs must list"},
		{"a host address as a network", func(l map[string]any) string { l["peer_cidrs"] = []string{"10.44.0.1/16"}; return "" }, "link.peer_cidrs must list"},
		{"a network twice", func(l map[string]any) string { l["peer_cidrs"] = []string{"10.44.0.0/16", "10.44.0.0/16"}; return "" }, "link.peer_cidrs must list"},
		{"port 0", func(l map[string]any) string { l["port"] = 0; return "" }, "link.port must be a UDP port"},
		{"a conf that is not one", func(map[string]any) string { return "PrivateKey = x" }, "link_wg_conf must be a wg-quick configuration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			link := testLink(peerAddress)
			conf := tc.change(link)
			r := hetznerRunner(t, api, pluginCache, linkVars(link, conf))
			ctx := context.Background()
			require.NoError(t, r.Prepare(ctx))
			require.NoError(t, r.Init(ctx, nil))
			_, err := r.Plan(ctx)
			var tofuErr *Error
			require.ErrorAs(t, err, &tofuErr)
			require.Contains(t, strings.Join(strings.Fields(tofuErr.Output), " "), tc.want)
		})
	}
}

// The bootstrap's two steps after approval, on the fake Hetzner API:
// apply -target=hcloud_primary_ip.gateway creates the gateway's address
// and nothing else; the full plan, with the peer's address and the
// rendered wg0.conf, wants only creates the approved plan already had;
// its apply routes the peer's networks to cp-0, opens the WireGuard port
// to the peer's /32 only and gives cp-0 the Primary IP and the conf; and
// the destroy leaves nothing, the Primary IP included.
func TestHetznerLinkTwoStepApply(t *testing.T) {
	api := fakehcloud.New(fakehcloud.Options{})
	t.Cleanup(api.Close)
	ctx := context.Background()
	r := hetznerRunner(t, api, t.TempDir(), linkVars(testLink(""), ""))
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, nil))
	approved, err := r.Plan(ctx)
	require.NoError(t, err)

	r.Targets = []string{"hcloud_primary_ip.gateway"}
	s, err := r.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, Summary{Add: 1, Resources: []Change{{Address: "hcloud_primary_ip.gateway[0]", Type: "hcloud_primary_ip", Name: "gateway", Action: "create"}}}, s)
	require.NoError(t, r.Apply(ctx))
	require.Equal(t, map[string][]string{fakehcloud.KindPrimaryIP: {"acme-fsn1-gateway"}}, api.Live(), "the targeted apply creates the gateway's address only")
	gateway := stringOutput(t, r, "gateway_ipv4")
	require.NotEmpty(t, gateway, "the targeted apply tells the gateway's address")

	conf := gatewayConf(t, gateway)
	r.Targets = nil
	r.Vars = hetznerRunner(t, api, "", linkVars(testLink(peerAddress), conf)).Vars
	r.Secrets = append(r.Secrets, conf)
	full, err := r.Plan(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, full.Resources)
	for _, c := range full.Resources {
		require.Equal(t, "create", c.Action, c.Address)
		require.True(t, slices.Contains(approved.Resources, c), "%s is in the approved plan", c.Address)
	}
	require.Len(t, full.Resources, len(approved.Resources)-1, "all the approved plan wanted but the Primary IP")
	require.NoError(t, r.Apply(ctx))
	again, err := r.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, Summary{}, again, "nothing left to do: a retried apply changes nothing")

	c := newHcloudClient(api)
	t.Run("routes to cp-0", func(t *testing.T) {
		nw, _, err := c.Network.GetByName(ctx, "acme-fsn1")
		require.NoError(t, err)
		var routes []string
		for _, rt := range nw.Routes {
			routes = append(routes, rt.Destination.String()+" via "+rt.Gateway.String())
		}
		require.ElementsMatch(t, []string{"10.1.0.0/16 via 10.0.1.10", "10.44.0.0/16 via 10.0.1.10", "10.45.0.0/16 via 10.0.1.10"}, routes)
	})
	t.Run("WireGuard from the peer only", func(t *testing.T) {
		fw, _, err := c.Firewall.GetByName(ctx, "acme-fsn1")
		require.NoError(t, err)
		var udp []string
		for _, rule := range fw.Rules {
			require.NotEqual(t, "tcp", string(rule.Protocol), "no TCP port is open on the nodes")
			if rule.Protocol == "udp" {
				for _, src := range rule.SourceIPs {
					udp = append(udp, *rule.Port+" from "+src.String())
				}
			}
		}
		require.Equal(t, []string{"51820 from " + peerAddress + "/32"}, udp)
	})
	t.Run("cp-0 has the Primary IP and the conf", func(t *testing.T) {
		pip, _, err := c.PrimaryIP.GetByName(ctx, "acme-fsn1-gateway")
		require.NoError(t, err)
		cp0, _, err := c.Server.GetByName(ctx, "acme-fsn1-cp-0")
		require.NoError(t, err)
		require.Equal(t, cp0.ID, pip.AssigneeID)
		require.False(t, pip.AutoDelete)
		require.Equal(t, gateway, cp0.PublicNet.IPv4.IP.String())
		require.Equal(t, gateway, stringOutput(t, r, "gateway_ipv4"))

		ud, ok := api.ServerUserData("acme-fsn1-cp-0")
		require.True(t, ok)
		ci := parseCloudInit(t, ud)
		require.Equal(t, conf, ci.files["/etc/wireguard/wg0.conf"])
		require.Contains(t, ud, "  - path: /etc/wireguard/wg0.conf\n    permissions: \"0600\"\n")
		require.Contains(t, ci.files["/etc/sysctl.d/90-openova-gateway.conf"], "\nnet.ipv4.ip_forward = 1\n")
		require.Equal(t, []string{"wireguard-tools", "iptables"}, ci.packages)
		require.Equal(t, []string{"systemctl", "enable", "--now", "wg-quick@wg0"}, ci.runcmd[1])

		worker, ok := api.ServerUserData("acme-fsn1-worker-0")
		require.True(t, ok)
		require.NotContains(t, parseCloudInit(t, worker).files, "/etc/wireguard/wg0.conf", "only the gateway holds the link's key")
	})
	t.Run("Gitea through the load balancer", func(t *testing.T) {
		lb, _, err := c.LoadBalancer.GetByName(ctx, "acme-fsn1-api")
		require.NoError(t, err)
		var services []string
		for _, svc := range lb.Services {
			services = append(services, string(svc.Protocol)+" "+strconv.Itoa(svc.ListenPort)+"->"+strconv.Itoa(svc.DestinationPort))
		}
		require.ElementsMatch(t, []string{"tcp 6443->6443", "tcp 3000->30300", "tcp 443->30443"}, services)
		require.Equal(t, lb.PublicNet.IPv4.IP.String()+":3000", stringOutput(t, r, "gitea_endpoint"))
	})

	require.NoError(t, r.Destroy(ctx))
	require.Empty(t, api.Live(), "the destroy leaves nothing, the Primary IP included")
	require.Equal(t, 1, api.CreateCount(fakehcloud.KindPrimaryIP, "acme-fsn1-gateway"))
}
