package main

import (
	"io"
	"maps"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"k8s.io/client-go/rest"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/workflows"
)

// canaryHetznerToken is well-formed, so it passes every check; it must
// reach the fake's Authorization headers and nothing else.
const canaryHetznerToken = "CanaryHetznerToken0000000000000000000000000000000000000000000zz9"

// cloudStandIn is everything outside openova a bootstrap talks to, each
// stood in by something real on loopback: the fake Hetzner Cloud API
// (dev/fakehcloud, on hcloud-go's schema types), a real S3 implementation
// (gofakes3, with conditional writes) for the state, and envtest API
// servers standing in for the k3s clusters the servers would boot, with
// players (dev/testenv/k3s/players) doing what k3s's Helm controller and
// the substrate's charts would do in them: real Giteas at the load
// balancers' addresses, Flux's real controllers, and the link between the
// regions' private networks (linkStandIn).
type cloudStandIn struct {
	api       *fakehcloud.Server
	s3        *s3mem.Backend
	s3URL     string
	port      int
	giteaPort int
	// managerPort is where the load balancers serve the manager (443 in
	// the browser journey, whose wizard sets no other).
	managerPort int
	// apiHeld, giteaHeld and managerHeld keep port, giteaPort and
	// managerPort from other test processes on the load balancers'
	// addresses until what serves there starts (testenv.Reservation).
	apiHeld, giteaHeld, managerHeld *testenv.Reservation
	lbIP                            map[string]string
	link                            *linkStandIn
	// gitea is each booted region's played Gitea.
	gitea map[string]*players.Gitea
	// clusters are each started region's admin config.
	clusters map[string]*rest.Config
	// manager is the played kubelet's run of the primary's manager.
	manager *players.Manager
}

// Load balancer addresses per region: each region's API on its own
// loopback address, the same port.
var standInLBs = map[string]string{"fsn1": "127.0.0.1", "hel1": "127.0.0.2"}

func newCloudStandIn(t testing.TB, opts fakehcloud.Options) *cloudStandIn {
	t.Helper()
	c := &cloudStandIn{s3: s3mem.New(), lbIP: standInLBs,
		link: newLinkStandIn(t), gitea: map[string]*players.Gitea{}, clusters: map[string]*rest.Config{}}
	lbs := slices.Collect(maps.Values(standInLBs))
	c.apiHeld, c.giteaHeld, c.managerHeld = testenv.ReservePort(t, lbs...), testenv.ReservePort(t, lbs...), testenv.ReservePort(t, lbs...)
	c.port, c.giteaPort, c.managerPort = c.apiHeld.Port, c.giteaHeld.Port, c.managerHeld.Port
	opts.Token = canaryHetznerToken
	opts.PublicIPv4 = func(kind, name string) string {
		for region, ip := range c.lbIP {
			if kind == fakehcloud.KindLoadBalancer && name == "acme-"+region+"-api" {
				return ip
			}
		}
		return ""
	}
	c.api = fakehcloud.New(opts)
	t.Cleanup(c.api.Close)
	srv := httptest.NewServer(gofakes3.New(c.s3).Server())
	t.Cleanup(srv.Close)
	c.s3URL = srv.URL
	require.NoError(t, c.s3.CreateBucket("acme-state"))
	return c
}

// start runs `openova bootstrap` with the real OpenTofu, the hcloud
// provider from the mirror dev/dev.sh builds, and the fake API. It runs
// the static build (staticOpenova), as a release is: that executable is
// the manager's image the bootstrap pushes and the kubelet player runs.
func (c *cloudStandIn) start(t testing.TB, dataDir string, extra ...string) *proc {
	t.Helper()
	for k, v := range testenv.TofuEnv(t) {
		t.Setenv(k, v)
	}
	// The S3 server is plain http on loopback: development.
	args := append([]string{"--terraform-bin", testenv.Bin(t, "tofu"), "--hetzner-api-url", c.api.URL(), "--allow-http-fetch"}, extra...)
	if *record {
		args = append(args, "--codec-key-file", filepath.Join(testenv.RepoRoot(), "workflows", "testdata", "codec.key"))
	}
	return startOpenovaEnv(t, []string{"OPENOVA_BIN=" + staticOpenova(t)}, "bootstrap", dataDir, args...)
}

// recordHistory saves the bootstrap's history for the replay tests when
// the tests run with -record (see TestRecordReplayHistories).
func recordHistory(t *testing.T, p *proc, name string) {
	t.Helper()
	recordWorkflow(t, p, workflows.BootstrapID("acme"), name)
}

// recordWorkflow saves the history of workflow id as recordHistory does.
func recordWorkflow(t *testing.T, p *proc, id, name string) {
	t.Helper()
	if !*record {
		return
	}
	out, err := temporalCLI(t, "workflow", "show", "-w", id, "--address", p.temporalAddr, "-o", "json")
	require.NoError(t, err, out)
	require.NoError(t, os.WriteFile(filepath.Join(testenv.RepoRoot(), "workflows", "testdata", name+".json"), []byte(out), 0o644))
}

// input is a bootstrap of organization acme in the given regions (the
// first the primary), with state in the bucket.
func (c *cloudStandIn) input(regions ...string) workflows.BootstrapInput {
	in := workflows.BootstrapInput{
		Organization: "acme", Domain: "acme.example", Provider: terraform.Hetzner,
		Credentials: map[string]string{"token": canaryHetznerToken},
		State: activities.StateBackend{Bucket: "acme-state", Region: "us-east-1", Endpoint: c.s3URL, KeyPrefix: "openova",
			AccessKey: "openova", SecretKey: "canary-s3-secret"},
		APIPort:     c.port,
		GiteaPort:   c.giteaPort,
		ManagerPort: c.managerPort,
		APITimeout:  10 * time.Minute,
	}
	for i, r := range regions {
		role := workflows.RolePrimary
		if i > 0 {
			role = workflows.RoleStandby
		}
		in.Regions = append(in.Regions, workflows.BootstrapRegion{Name: r, Role: role, ControlPlanes: 1, Workers: 1,
			ControlPlaneSize: "cpx31", WorkerSize: "cpx21",
			NodeCIDR: []string{"10.0.0.0/16", "10.1.0.0/16"}[i], PodCIDR: []string{"10.42.0.0/16", "10.44.0.0/16"}[i],
			ServiceCIDR: []string{"10.43.0.0/16", "10.45.0.0/16"}[i]})
	}
	return in
}

// boot stands in for the clusters the regions' servers boot: each region
// starts (startCluster), then its players wait for the substrate's
// HelmCharts; the first region, the primary, also runs the manager.
func (c *cloudStandIn) boot(t *testing.T, regions ...string) {
	t.Helper()
	for i, r := range regions {
		cfg := c.startCluster(t, r)
		c.playGitea(t, r, cfg)
		players.PlayFlux(t, cfg)
		players.PlayCrossplane(t, cfg, players.CrossplaneOptions{})
		if i == 0 {
			c.playManager(t, r, cfg)
		}
	}
}

// playManager plays the region's kubelet for the manager's pod: it pulls
// the image from the played Gitea's registry with the pod's
// imagePullSecret and serves it at the load balancer's manager port.
func (c *cloudStandIn) playManager(t *testing.T, r string, cfg *rest.Config) {
	t.Helper()
	c.managerHeld.Release(c.lbIP[r])
	c.manager = players.PlayManager(t, cfg, players.ManagerOptions{
		LoadBalancer: net.JoinHostPort(c.lbIP[r], strconv.Itoa(c.managerPort)), NodePort: 30443})
}

// startCluster starts a region's stand-in once its first control-plane
// server exists: an API server with the certificates its cloud-init
// carries, at its load balancer's address; once all its servers exist,
// Cilium makes them Ready nodes. It returns the cluster's admin config.
func (c *cloudStandIn) startCluster(t *testing.T, r string) *rest.Config {
	t.Helper()
	var userData string
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		ud, ok := c.api.ServerUserData("acme-" + r + "-cp-0")
		assert.True(ct, ok, "the control plane of %s exists", r)
		userData = ud
	}, 5*time.Minute, 200*time.Millisecond)
	c.apiHeld.Release(c.lbIP[r])
	cfg := k3s.Start(t, userData, c.lbIP[r], c.port)
	var nodes []string
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		nodes = nil
		for _, name := range c.api.Created(fakehcloud.KindServer) {
			if strings.HasPrefix(name, "acme-"+r+"-") {
				nodes = append(nodes, name)
			}
		}
		assert.Len(ct, nodes, 2, "the control plane and the worker of %s exist", r)
	}, 5*time.Minute, 200*time.Millisecond)
	players.PlayCilium(t, cfg, nodes)
	c.clusters[r] = cfg
	return cfg
}

// playGitea plays the region's Gitea chart at its load balancer's address,
// and the link carries the Gitea NodePort at its gateway's private address
// there.
func (c *cloudStandIn) playGitea(t *testing.T, r string, cfg *rest.Config) {
	t.Helper()
	c.giteaHeld.Release(c.lbIP[r])
	c.gitea[r] = players.PlayGitea(t, cfg, players.GiteaOptions{ListenIP: c.lbIP[r], Port: c.giteaPort, AppIni: c.link.appIni()})
	c.link.route(privateGitea(standInGateways[r]), net.JoinHostPort(c.lbIP[r], strconv.Itoa(c.giteaPort)))
}

// standInGateways are the gateways' (cp-0's) private addresses the module
// gives each region's node network (10.0.0.0/16, 10.1.0.0/16).
var standInGateways = map[string]string{"fsn1": "10.0.1.10", "hel1": "10.1.1.10"}

// createdOnce fails unless every resource the fake created was created
// exactly once, and returns how many of each kind there were; the SSH keys
// the credentials checks make and delete (cloudapi.CheckLabel) are not the
// platform's and are left out.
func (c *cloudStandIn) createdOnce(t *testing.T) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, k := range []string{fakehcloud.KindSSHKey, fakehcloud.KindNetwork, fakehcloud.KindNetworkSubnet, fakehcloud.KindFirewall,
		fakehcloud.KindPlacementGroup, fakehcloud.KindServer, fakehcloud.KindLoadBalancer, fakehcloud.KindLoadBalancerNetwork,
		fakehcloud.KindLoadBalancerService, fakehcloud.KindLoadBalancerTarget, fakehcloud.KindPrimaryIP, fakehcloud.KindNetworkRoute,
		fakehcloud.KindZoneRRSet} {
		for _, name := range c.api.Created(k) {
			if k == fakehcloud.KindSSHKey && strings.HasPrefix(name, "openova-credentials-check-") {
				continue // the credentials check's harmless write, deleted at once
			}
			require.Equal(t, 1, c.api.CreateCount(k, name), "%s %s was created once", k, name)
			counts[k]++
		}
	}
	return counts
}

// bucket is every object in the state bucket, by key.
func (c *cloudStandIn) bucket(t *testing.T) map[string]string {
	t.Helper()
	list, err := c.s3.ListBucket("acme-state", &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	out := map[string]string{}
	for _, o := range list.Contents {
		obj, err := c.s3.GetObject("acme-state", o.Key, nil)
		require.NoError(t, err)
		b, err := io.ReadAll(obj.Contents)
		require.NoError(t, err)
		out[o.Key] = string(b)
	}
	return out
}

// bootstrapProgress queries a running bootstrap.
func bootstrapProgress(t *testing.T, c client.Client) (workflows.BootstrapProgress, error) {
	return runProgress(t, c, workflows.BootstrapID("acme"))
}

// runProgress queries a running Bootstrap or ChangeInfrastructure.
func runProgress(t testing.TB, c client.Client, id string) (workflows.BootstrapProgress, error) {
	v, err := c.QueryWorkflow(t.Context(), id, "", workflows.QueryProgress)
	if err != nil {
		return workflows.BootstrapProgress{}, err
	}
	var p workflows.BootstrapProgress
	return p, v.Get(&p)
}

// awaiting waits until the bootstrap waits for that decision.
func awaiting(t testing.TB, c client.Client, decision string, timeout time.Duration) workflows.BootstrapProgress {
	t.Helper()
	return awaitingRun(t, c, workflows.BootstrapID("acme"), decision, timeout)
}

// awaitingRun waits until run id waits for that decision.
func awaitingRun(t testing.TB, c client.Client, id, decision string, timeout time.Duration) workflows.BootstrapProgress {
	t.Helper()
	var p workflows.BootstrapProgress
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		var err error
		p, err = runProgress(t, c, id)
		assert.NoError(ct, err)
		assert.Equal(ct, decision, p.Awaiting, "steps: %+v regions: %+v", p.Steps, p.Regions)
	}, timeout, 250*time.Millisecond)
	return p
}
