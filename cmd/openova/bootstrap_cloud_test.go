package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/standin"
	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/workflows"
)

// canaryHetznerToken is well-formed, so it passes every check; it must
// reach the fake's Authorization headers and nothing else.
const canaryHetznerToken = "CanaryHetznerToken0000000000000000000000000000000000000000000zz9"

// cloudStandIn is the bootstrap's outside world on loopback
// (standin.Cloud) for organization acme in fsn1 and hel1, with the test's
// way to run openova against it.
type cloudStandIn struct{ *standin.Cloud }

// Load balancer addresses per region: each region's API on its own
// loopback address, the same port.
var standInLBs = map[string]string{"fsn1": "127.0.0.1", "hel1": "127.0.0.2"}

func newCloudStandIn(t testing.TB, opts fakehcloud.Options) *cloudStandIn {
	t.Helper()
	opts.Token = canaryHetznerToken
	return &cloudStandIn{standin.New(t, standin.Options{Cloud: opts, LoadBalancers: standInLBs, Bucket: "acme-state"})}
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
	args := append([]string{"--terraform-bin", testenv.Bin(t, "tofu"), "--hetzner-api-url", c.API.URL(), "--allow-http-fetch"}, extra...)
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
		State: activities.StateBackend{Bucket: "acme-state", Region: "us-east-1", Endpoint: c.S3URL, KeyPrefix: "openova",
			AccessKey: "openova", SecretKey: "canary-s3-secret"},
		APIPort:     c.Port,
		GiteaPort:   c.GiteaPort,
		ManagerPort: c.ManagerPort,
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

// standInGateways are the gateways' (cp-0's) private addresses the module
// gives each region's node network (10.0.0.0/16, 10.1.0.0/16).
var standInGateways = map[string]string{"fsn1": "10.0.1.10", "hel1": "10.1.1.10"}

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
