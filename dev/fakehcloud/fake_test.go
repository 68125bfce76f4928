package fakehcloud

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/require"
)

// The cluster of the integration tests can be built, read back as the

// provider reads it, and torn down to nothing, with actions that are

// polled before they succeed.
func TestClusterLifecycle(t *testing.T) {
	e := newEnv(t, Options{ActionRunningReports: 2})
	c, ctx := e.client, e.ctx
	cl := buildCluster(e)

	lb, _, err := c.LoadBalancer.GetByID(ctx, cl.lb.ID)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", lb.PublicNet.IPv4.IP.String(), "the load balancer answers on loopback")
	require.True(t, lb.PublicNet.Enabled)
	require.Len(t, lb.PrivateNet, 1)
	require.True(t, cidr(t, "10.0.1.0/24").Contains(lb.PrivateNet[0].IP), "private IP %s from the subnet", lb.PrivateNet[0].IP)
	require.Len(t, lb.Services, 1)
	require.Equal(t, 6443, lb.Services[0].DestinationPort)
	require.Equal(t, hcloud.LoadBalancerServiceProtocolTCP, lb.Services[0].HealthCheck.Protocol)
	require.Len(t, lb.Targets, 2)
	require.Len(t, lb.Targets[1].Targets, 1, "the label selector target matches the worker")
	require.Equal(t, cl.worker.ID, lb.Targets[1].Targets[0].Server.Server.ID)

	cp, _, err := c.Server.GetByID(ctx, cl.cp.ID)
	require.NoError(t, err)
	require.Equal(t, hcloud.ServerStatusRunning, cp.Status)
	require.Equal(t, "10.0.1.10", cp.PrivateNet[0].IP.String())
	require.False(t, cp.PublicNet.IPv4.IsUnspecified())
	require.True(t, cp.PublicNet.IPv6.IsUnspecified(), "IPv6 was disabled")
	require.Equal(t, []int64{cl.fwCP.ID}, firewallIDs(cp), "the label selector applies fw-cp")
	require.Equal(t, cl.group.ID, cp.PlacementGroup.ID)
	require.Equal(t, []*hcloud.LoadBalancer{{ID: cl.lb.ID}}, cp.LoadBalancers)
	worker, _, err := c.Server.GetByName(ctx, "worker-1")
	require.NoError(t, err)
	require.Equal(t, hcloud.ArchitectureARM, worker.ServerType.Architecture)
	require.Equal(t, hcloud.ArchitectureARM, worker.Image.Architecture)
	require.Equal(t, []int64{cl.fwNodes.ID}, firewallIDs(worker))
	require.Equal(t, "10.0.1.1", worker.PrivateNet[0].IP.String(), "the first free IP of the subnet")

	fw, _, err := c.Firewall.GetByID(ctx, cl.fwCP.ID)
	require.NoError(t, err)
	require.Len(t, fw.AppliedTo, 1)
	require.Equal(t, cl.cp.ID, fw.AppliedTo[0].AppliedToResources[0].Server.ID)
	pg, _, err := c.PlacementGroup.GetByID(ctx, cl.group.ID)
	require.NoError(t, err)
	require.ElementsMatch(t, []int64{cl.cp.ID, cl.worker.ID}, pg.Servers)
	nw, _, err := c.Network.GetByID(ctx, cl.network.ID)
	require.NoError(t, err)
	require.Len(t, nw.Servers, 2)
	require.Equal(t, "10.0.0.1", nw.Subnets[0].Gateway.String())

	userData, ok := e.fake.ServerUserData("cp-1")
	require.True(t, ok)
	require.Equal(t, cloudInit, userData)
	req, ok := e.fake.ServerCreateRequest("worker-1")
	require.True(t, ok)
	require.Equal(t, cl.group.ID, req.PlacementGroup)
	require.Equal(t, []int64{cl.key.ID}, req.SSHKeys)

	live := e.fake.Live()
	require.Equal(t, []string{"cp-1", "worker-1"}, live[KindServer])
	require.Equal(t, []string{"net:10.0.1.0/24"}, live[KindNetworkSubnet])
	require.Equal(t, []string{"cp-1:net", "worker-1:net"}, live[KindServerNetwork])
	require.Equal(t, []string{"lb:net"}, live[KindLoadBalancerNetwork])
	require.Equal(t, []string{"lb:6443"}, live[KindLoadBalancerService])
	require.Equal(t, []string{"lb:label_selector:role=worker", "lb:server:cp-1"}, live[KindLoadBalancerTarget])

	teardown(e, cl)
	require.Empty(t, e.fake.Live(), "nothing is left")
	for kind, names := range map[string][]string{KindSSHKey: {"ops"}, KindNetwork: {"net"}, KindServer: {"cp-1", "worker-1"},
		KindFirewall: {"fw-cp", "fw-nodes"}, KindPlacementGroup: {"spread"}, KindLoadBalancer: {"lb"}} {
		require.Equal(t, names, e.fake.Created(kind), kind)
		for _, n := range names {
			require.Equal(t, 1, e.fake.CreateCount(kind, n), "%s %s", kind, n)
		}
	}
	require.Contains(t, e.fake.Requests(), Request{Method: "POST", Route: "/servers", Kind: KindServer, Name: "cp-1", Status: 201})
	require.Contains(t, e.fake.Requests(), Request{Method: "DELETE", Route: "/load_balancers/{id}", Kind: KindLoadBalancer, Name: "lb", Status: 201})
	require.Empty(t, e.fake.Unhandled())
}

func firewallIDs(s *hcloud.Server) []int64 {
	var ids []int64
	for _, f := range s.PublicNet.Firewalls {
		ids = append(ids, f.Firewall.ID)
	}
	return ids
}

// A wrong or missing token is refused with the API's 401 unauthorized.
func TestUnauthorized(t *testing.T) {
	e := newEnv(t, Options{Token: "0123456789012345678901234567890123456789012345678901234567890123"})
	_, err := clientFor(e.fake, DefaultToken).Location.All(e.ctx)
	requireAPIError(t, err, hcloud.ErrorCodeUnauthorized, http.StatusUnauthorized)
	for _, token := range []string{"", "wrong"} {
		status, body := e.raw("GET", "/servers", "", token)
		require.Equal(t, http.StatusUnauthorized, status)
		require.JSONEq(t, `{"error":{"code":"unauthorized","message":"unable to authenticate","details":null}}`, body)
	}
	_, err = e.client.Location.All(e.ctx)
	require.NoError(t, err, "the right token works")
	require.Len(t, DefaultToken, 64)
}

// A read-only token, as a project's Read-only API token: it reads, and
// anything that would change the project is 403 forbidden.
func TestReadOnlyToken(t *testing.T) {
	ro := "ro34567890123456789012345678901234567890123456789012345678901234"
	e := newEnv(t, Options{ReadOnlyToken: ro})
	_, err := clientFor(e.fake, ro).Location.All(e.ctx)
	require.NoError(t, err, "it may read")
	_, _, err = clientFor(e.fake, ro).SSHKey.Create(e.ctx, hcloud.SSHKeyCreateOpts{Name: "check", PublicKey: publicKey(t)})
	requireAPIError(t, err, hcloud.ErrorCodeForbidden, http.StatusForbidden)
	require.Empty(t, e.fake.Live()[KindSSHKey], "nothing was made")
	_, _, err = e.client.SSHKey.Create(e.ctx, hcloud.SSHKeyCreateOpts{Name: "check", PublicKey: publicKey(t)})
	require.NoError(t, err, "the read and write token may")
}

// FailNext fails one request with the error asked for, then the route

// works again.
func TestFailNext(t *testing.T) {
	e := newEnv(t, Options{})
	c, ctx := e.client, e.ctx
	e.fake.FailNext("POST", "/servers", http.StatusForbidden, "resource_limit_exceeded", "server limit reached")
	e.fake.FailNext("GET", "/locations", http.StatusInternalServerError, "server_error", "boom")
	opts := hcloud.ServerCreateOpts{Name: "s1", ServerType: &hcloud.ServerType{Name: "cpx11"}, Image: &hcloud.Image{Name: "ubuntu-24.04"}}

	_, _, err := c.Server.Create(ctx, opts)
	requireAPIError(t, err, hcloud.ErrorCodeResourceLimitExceeded, http.StatusForbidden)
	_, err = c.Location.All(ctx)
	requireAPIError(t, err, hcloud.ErrorCodeServerError, http.StatusInternalServerError)

	res, _, err := c.Server.Create(ctx, opts)
	require.NoError(t, err)
	e.wait(res.Action)
	locs, err := c.Location.All(ctx)
	require.NoError(t, err)
	require.Len(t, locs, 6)
	require.Equal(t, 1, e.fake.CreateCount(KindServer, "s1"))
	require.Equal(t, []int{403, 201}, statuses(e.fake.Requests(), "/servers"))
	require.Panics(t, func() { e.fake.FailNext("POST", "/server", 500, "server_error", "typo") })
}

func statuses(reqs []Request, route string) []int {
	var out []int
	for _, r := range reqs {
		if r.Route == route {
			out = append(out, r.Status)
		}
	}
	return out
}

// FailNextAction fails an action, which waiting clients report; an

// action ID the fake never gave out is an error, not an endless wait.
func TestActionFailures(t *testing.T) {
	e := newEnv(t, Options{ActionRunningReports: 1})
	c, ctx := e.client, e.ctx
	e.fake.FailNextAction("create_server", "action_failed", "no capacity")
	res, _, err := c.Server.Create(ctx, hcloud.ServerCreateOpts{Name: "s1", ServerType: &hcloud.ServerType{Name: "cpx11"},
		Image: &hcloud.Image{Name: "ubuntu-24.04"}})
	require.NoError(t, err)
	err = c.Action.WaitFor(ctx, res.Action)
	var aerr hcloud.ActionError
	require.ErrorAs(t, err, &aerr)
	require.Equal(t, "action_failed", aerr.Code)
	e.wait(res.NextActions...)

	err = c.Action.WaitFor(ctx, &hcloud.Action{ID: 999999, Status: hcloud.ActionStatusRunning})
	require.ErrorContains(t, err, "actions not found")
	_, _, err = c.Action.GetByID(ctx, 999999)
	require.NoError(t, err, "hcloud-go turns the 404 into a nil action")
	status, _ := e.raw("GET", "/actions/999999", "")
	require.Equal(t, http.StatusNotFound, status)
}

// Terraform runs about ten requests at once; the fake serves them all.
func TestConcurrentCreates(t *testing.T) {
	e := newEnv(t, Options{ActionRunningReports: 1})
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			res, _, err := e.client.Server.Create(e.ctx, hcloud.ServerCreateOpts{Name: fmt.Sprintf("s%d", i),
				ServerType: &hcloud.ServerType{Name: "cpx11"}, Image: &hcloud.Image{Name: "ubuntu-24.04"}})
			if err == nil {
				err = e.client.Action.WaitFor(e.ctx, append(res.NextActions, res.Action)...)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	servers, err := e.client.Server.All(e.ctx)
	require.NoError(t, err)
	require.Len(t, servers, 20)
	ips := map[string]bool{}
	for _, s := range servers {
		ips[s.PublicNet.IPv4.IP.String()] = true
	}
	require.Len(t, ips, 20, "every server has its own public IPv4")
	require.True(t, slices.IsSortedFunc(servers, func(a, b *hcloud.Server) int { return int(a.ID - b.ID) }))
}

// Every route works on the cluster, which then tears down to nothing.
func TestEveryRoute(t *testing.T) {
	e := newEnv(t, Options{ActionRunningReports: 1})
	cl := buildCluster(e)
	exercise(e, cl)
	teardown(e, cl)
	require.Empty(t, e.fake.Live())
	require.Empty(t, e.fake.Unhandled())
}
