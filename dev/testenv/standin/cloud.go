package standin

import (
	"io"
	"maps"
	"net"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"

	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/dev/testenv/k3s/players"
)

// Cloud is everything outside openova a bootstrap talks to, each stood in
// by something real on loopback: the fake Hetzner Cloud API
// (dev/fakehcloud, on hcloud-go's schema types), a real S3 implementation
// (gofakes3, with conditional writes) for the state, and envtest API
// servers standing in for the k3s clusters the servers would boot, with
// players (dev/testenv/k3s/players) doing what k3s's Helm controller and
// the substrate's charts would do in them: real Giteas at the load
// balancers' addresses, Flux's real controllers, and the link between the
// regions' private networks (Link).
//
// Servers are found by region, whatever the organization is called
// (<organization>-<region>-cp-0), so the demo can stand in for whatever
// the user types in the wizard.
type Cloud struct {
	API *fakehcloud.Server
	S3  *s3mem.Backend
	// S3URL is the S3 endpoint; Bucket the bucket made for the state.
	S3URL, Bucket string
	// Port is the load balancers' API port, GiteaPort Gitea's and
	// ManagerPort the manager's.
	Port, GiteaPort, ManagerPort int
	// apiHeld, giteaHeld and managerHeld keep the ports New picked from
	// other test processes on the load balancers' addresses until what
	// serves there starts (testenv.Reservation); nil for a given port.
	apiHeld, giteaHeld, managerHeld *testenv.Reservation
	// LBIP is each region's load balancer address.
	LBIP map[string]string
	Link *Link

	mu sync.Mutex
	// Gitea is each booted region's played Gitea.
	Gitea map[string]*players.Gitea
	// Clusters are each started region's admin config.
	Clusters map[string]*rest.Config
	// Manager is the played kubelet's run of the primary's manager.
	Manager *players.Manager
}

// Options configures New.
type Options struct {
	// Cloud configures the fake API; Cloud.Token is the token it accepts.
	Cloud fakehcloud.Options
	// LoadBalancers maps each region to its load balancer's loopback
	// address: each region's API on its own address, the same port.
	LoadBalancers map[string]string
	// Bucket is the state bucket New creates.
	Bucket string
	// APIPort, GiteaPort and ManagerPort are the load balancers' ports;
	// zero picks a free one, held from other processes until it serves.
	APIPort, GiteaPort, ManagerPort int
}

// New starts the fake API and the S3 server; they stop with t.
func New(t testing.TB, opts Options) *Cloud {
	t.Helper()
	c := &Cloud{S3: s3mem.New(), LBIP: opts.LoadBalancers, Bucket: opts.Bucket, Link: NewLink(t),
		Gitea: map[string]*players.Gitea{}, Clusters: map[string]*rest.Config{}}
	lbs := slices.Collect(maps.Values(opts.LoadBalancers))
	pick := func(port int) (int, *testenv.Reservation) {
		if port != 0 {
			return port, nil
		}
		r := testenv.ReservePort(t, lbs...)
		return r.Port, r
	}
	c.Port, c.apiHeld = pick(opts.APIPort)
	c.GiteaPort, c.giteaHeld = pick(opts.GiteaPort)
	c.ManagerPort, c.managerHeld = pick(opts.ManagerPort)
	api := opts.Cloud
	api.PublicIPv4 = func(kind, name string) string {
		for region, ip := range c.LBIP {
			if kind == fakehcloud.KindLoadBalancer && strings.HasSuffix(name, "-"+region+"-api") {
				return ip
			}
		}
		return ""
	}
	c.API = fakehcloud.New(api)
	t.Cleanup(c.API.Close)
	srv := httptest.NewServer(gofakes3.New(c.S3).Server())
	t.Cleanup(srv.Close)
	c.S3URL = srv.URL
	require.NoError(t, c.S3.CreateBucket(c.Bucket))
	return c
}

// release lets the port of r go on ip, where its server is about to bind.
func release(r *testenv.Reservation, ip string) {
	if r != nil {
		r.Release(ip)
	}
}

// Boot stands in for the clusters the regions' servers boot, with one
// worker each: each region starts (StartCluster), then its players wait
// for the substrate's HelmCharts; the first region, the primary, also
// runs the manager.
func (c *Cloud) Boot(t testing.TB, regions ...string) {
	t.Helper()
	for i, r := range regions {
		cfg := c.StartCluster(t, r, 2)
		c.PlaySubstrate(t, r, cfg)
		if i == 0 {
			c.PlayManager(t, r, cfg)
		}
	}
}

// PlaySubstrate plays what the region's substrate charts do: Gitea, Flux's
// controllers and Crossplane.
func (c *Cloud) PlaySubstrate(t testing.TB, r string, cfg *rest.Config) {
	t.Helper()
	c.PlayGitea(t, r, cfg)
	players.PlayFlux(t, cfg)
	players.PlayCrossplane(t, cfg, players.CrossplaneOptions{})
}

// PlayManager plays the region's kubelet for the manager's pod: it pulls
// the image from the played Gitea's registry with the pod's
// imagePullSecret and serves it at the load balancer's manager port.
func (c *Cloud) PlayManager(t testing.TB, r string, cfg *rest.Config) {
	t.Helper()
	release(c.managerHeld, c.LBIP[r])
	m := players.PlayManager(t, cfg, players.ManagerOptions{
		LoadBalancer: net.JoinHostPort(c.LBIP[r], strconv.Itoa(c.ManagerPort)), NodePort: 30443})
	c.mu.Lock()
	c.Manager = m
	c.mu.Unlock()
}

// ControlPlane is the name of the region's first control-plane server,
// "" until it exists.
func (c *Cloud) ControlPlane(r string) string {
	for _, name := range c.API.Created(fakehcloud.KindServer) {
		if strings.HasSuffix(name, "-"+r+"-cp-0") {
			return name
		}
	}
	return ""
}

// Nodes are the servers of the region whose control plane is cp0.
func (c *Cloud) Nodes(cp0 string) []string {
	prefix := strings.TrimSuffix(cp0, "cp-0")
	var nodes []string
	for _, name := range c.API.Created(fakehcloud.KindServer) {
		if strings.HasPrefix(name, prefix) {
			nodes = append(nodes, name)
		}
	}
	return nodes
}

// StartCluster starts a region's stand-in once its first control-plane
// server exists: an API server with the certificates its cloud-init
// carries, at its load balancer's address; once the region's nodes
// servers exist, Cilium makes them Ready nodes. It returns the cluster's
// admin config.
func (c *Cloud) StartCluster(t testing.TB, r string, nodes int) *rest.Config {
	t.Helper()
	var cp0 string
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		cp0 = c.ControlPlane(r)
		assert.NotEmpty(ct, cp0, "the control plane of %s exists", r)
	}, 5*time.Minute, 200*time.Millisecond)
	cfg := c.StartAPI(t, r, cp0)
	var names []string
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		names = c.Nodes(cp0)
		assert.Len(ct, names, nodes, "the servers of %s exist", r)
	}, 5*time.Minute, 200*time.Millisecond)
	players.PlayCilium(t, cfg, names)
	return cfg
}

// StartAPI starts the API server the control plane cp0 of region r runs,
// at its load balancer's address, and records its admin config.
func (c *Cloud) StartAPI(t testing.TB, r, cp0 string) *rest.Config {
	t.Helper()
	userData, ok := c.API.ServerUserData(cp0)
	require.True(t, ok, "%s was created with user data", cp0)
	release(c.apiHeld, c.LBIP[r])
	cfg := k3s.Start(t, userData, c.LBIP[r], c.Port)
	c.mu.Lock()
	c.Clusters[r] = cfg
	c.mu.Unlock()
	return cfg
}

// PlayGitea plays the region's Gitea chart at its load balancer's address,
// and the link carries the Gitea NodePort at its gateway's (cp-0's)
// private address there.
func (c *Cloud) PlayGitea(t testing.TB, r string, cfg *rest.Config) {
	t.Helper()
	release(c.giteaHeld, c.LBIP[r])
	g := players.PlayGitea(t, cfg, players.GiteaOptions{ListenIP: c.LBIP[r], Port: c.GiteaPort, AppIni: c.Link.AppIni()})
	c.mu.Lock()
	c.Gitea[r] = g
	c.mu.Unlock()
	var private []string
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		private = c.API.ServerPrivateIPs(c.ControlPlane(r))
		assert.NotEmpty(ct, private, "the gateway of %s is on its network", r)
	}, 5*time.Minute, 200*time.Millisecond)
	c.Link.Route(PrivateGitea(private[0]), net.JoinHostPort(c.LBIP[r], strconv.Itoa(c.GiteaPort)))
}

// CreatedOnce fails unless every resource the fake created was created
// exactly once, and returns how many of each kind there were; the SSH keys
// the credentials checks make and delete (cloudapi.CheckLabel) are not the
// platform's and are left out.
func (c *Cloud) CreatedOnce(t testing.TB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, k := range []string{fakehcloud.KindSSHKey, fakehcloud.KindNetwork, fakehcloud.KindNetworkSubnet, fakehcloud.KindFirewall,
		fakehcloud.KindPlacementGroup, fakehcloud.KindServer, fakehcloud.KindLoadBalancer, fakehcloud.KindLoadBalancerNetwork,
		fakehcloud.KindLoadBalancerService, fakehcloud.KindLoadBalancerTarget, fakehcloud.KindPrimaryIP, fakehcloud.KindNetworkRoute,
		fakehcloud.KindZoneRRSet} {
		for _, name := range c.API.Created(k) {
			if k == fakehcloud.KindSSHKey && strings.HasPrefix(name, "openova-credentials-check-") {
				continue // the credentials check's harmless write, deleted at once
			}
			require.Equal(t, 1, c.API.CreateCount(k, name), "%s %s was created once", k, name)
			counts[k]++
		}
	}
	return counts
}

// Objects is every object in the state bucket, by key.
func (c *Cloud) Objects(t testing.TB) map[string]string {
	t.Helper()
	list, err := c.S3.ListBucket(c.Bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	out := map[string]string{}
	for _, o := range list.Contents {
		obj, err := c.S3.GetObject(c.Bucket, o.Key, nil)
		require.NoError(t, err)
		b, err := io.ReadAll(obj.Contents)
		require.NoError(t, err)
		out[o.Key] = string(b)
	}
	return out
}
