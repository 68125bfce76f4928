package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/workflows"
)

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// noLockNoTofu checks that the state bucket holds no lock and that no tofu
// runs on in the region's working directory.
func noLockNoTofu(t *testing.T, cloud *cloudStandIn, dataDir, region string) {
	t.Helper()
	for k := range cloud.Objects(t) {
		require.False(t, strings.HasSuffix(k, ".tflock"), "lock %s left", k)
	}
	left, err := terraform.Leftovers(filepath.Join(dataDir, "terraform", "acme", region))
	require.NoError(t, err)
	require.Empty(t, left, "no tofu runs on")
}

// openova is killed with SIGKILL three times while the apply runs (the
// fake's actions take a few polls each, so the apply lasts half a
// minute): every time it restarts on the same data directory the
// bootstrap resumes; the resumed apply waits for the tofu its dead
// predecessor left running (it runs detached, so it records everything it
// creates), plans again and finishes; no resource is created twice, the S3
// lock is released and no tofu is left.
func TestBootstrapSurvivesKill9DuringApply_FakeHetznerAPI_S3OnLoopback_EnvtestAsK3s(t *testing.T) {
	cloud := newCloudStandIn(t, fakehcloud.Options{ActionRunningReports: 3})
	dataDir := t.TempDir()
	p := cloud.start(t, dataDir)
	c := p.client(t, "")
	startBootstrap(t, c, cloud.input("fsn1"))
	want := planned(t, awaiting(t, c, workflows.SignalApprove, time.Minute))
	signalBootstrap(t, c, workflows.SignalApprove)

	work := filepath.Join(dataDir, "terraform", "acme", "fsn1")
	require.Eventually(t, func() bool { return total(cloud.CreatedOnce(t)) > 0 }, 3*time.Minute, 50*time.Millisecond, "the apply starts")
	for kill := 1; kill <= 3; kill++ {
		left, err := terraform.Leftovers(work)
		require.NoError(t, err)
		require.NotEmpty(t, left, "kill %d comes while tofu applies", kill)
		n := total(cloud.CreatedOnce(t))
		require.Less(t, n, total(want), "kill %d comes before the apply is done", kill)
		p.kill9()
		t.Logf("kill -9 #%d after %d of %d resources", kill, n, total(want))
		p = cloud.start(t, dataDir)
		c = p.client(t, "")
	}
	cloud.Boot(t, "fsn1")
	var res workflows.BootstrapResult
	require.NoError(t, c.GetWorkflow(t.Context(), workflows.BootstrapID("acme"), "").Get(t.Context(), &res))
	require.Len(t, res.Regions, 1)
	require.Equal(t, want, cloud.CreatedOnce(t), "everything created once, nothing twice")
	noLockNoTofu(t, cloud, dataDir, "fsn1")
	recordHistory(t, p, "bootstrap-v4-killed")
}

// A failed apply (the API refuses a server: quota) parks the region with
// the cloud's message (the domain's zone is in the project's Hetzner DNS,
// where the manager's record is created); after a restart of openova the wizard's / finds
// the parked run, and its Retry finishes the bootstrap without creating
// anything twice. openova started again on the same data directory then
// adds a worker to the built platform (addsAWorker), and another openova
// adds one more with its recovery bundle (restoresAndAddsAWorker).
func TestBootstrapFailedApplyParksUntilRetry_FakeHetznerAPI_S3OnLoopback_EnvtestAsK3s(t *testing.T) {
	cloud := newCloudStandIn(t, fakehcloud.Options{Zones: []string{"acme.example"}})
	cloud.API.FailNext(http.MethodPost, "/servers", http.StatusForbidden, "resource_limit_exceeded", "server limit reached")
	dataDir := t.TempDir()
	p := cloud.start(t, dataDir)
	c := p.client(t, "")
	require.Contains(t, p.log(), "the bootstrap runs OpenTofu", "the start log names the OpenTofu it runs")
	in := cloud.input("fsn1")
	in.DNSZone = "acme.example"
	startBootstrap(t, c, in)
	want := planned(t, awaiting(t, c, workflows.SignalApprove, time.Minute))
	signalBootstrap(t, c, workflows.SignalApprove)

	parked := awaiting(t, c, workflows.SignalRetry, 3*time.Minute)
	require.Contains(t, parked.Regions[0].Parked, "server limit reached")
	require.Contains(t, parked.Regions[0].Parked, terraform.ErrQuota)

	// A restarted openova finds the parked bootstrap from / (the session
	// signed in before survives the restart), and its Retry resumes it.
	ui := signInHTTP(t, p)
	require.NoError(t, p.stop())
	p = cloud.start(t, dataDir)
	c = p.client(t, "")
	ui.base = p.url("")
	resp, body := ui.get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, `data-testid="parked"`)
	require.Contains(t, body, "server limit reached")
	resp, body = ui.post("/wizard/run/acme/retry", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	cloud.Boot(t, "fsn1")
	require.NoError(t, c.GetWorkflow(t.Context(), workflows.BootstrapID("acme"), "").Get(t.Context(), nil))
	require.Equal(t, want, cloud.CreatedOnce(t))
	noLockNoTofu(t, cloud, dataDir, "fsn1")
	recordHistory(t, p, "bootstrap-v4-retried")
	record, ok := cloud.API.RRSet("acme.example", "manager", "A")
	require.True(t, ok, "the manager's record is in the zone")
	require.Equal(t, []string{cloud.LBIP["fsn1"]}, record)
	_, body = ui.get("/wizard/run/acme")
	require.Contains(t, body, `created in the Hetzner DNS zone <code data-testid="dns-zone">acme.example</code>`)

	p = addsAWorker(t, cloud, dataDir, p, ui)
	noLockNoTofu(t, cloud, dataDir, "fsn1")
	restoresAndAddsAWorker(t, cloud, p, ui)
}

// Abort of a parked bootstrap of two regions from its page (confirmed)
// destroys what it created, the gateways' reserved addresses and the
// link's routes included: the fake API shows nothing left, and the run
// ends as Aborted.
func TestBootstrapAbortDestroysEverything_FakeHetznerAPI_S3OnLoopback(t *testing.T) {
	cloud := newCloudStandIn(t, fakehcloud.Options{})
	cloud.API.FailNext(http.MethodPost, "/servers", http.StatusForbidden, "resource_limit_exceeded", "server limit reached")
	dataDir := t.TempDir()
	p := cloud.start(t, dataDir)
	c := p.client(t, "")
	run := startBootstrap(t, c, cloud.input("fsn1", "hel1"))
	awaiting(t, c, workflows.SignalApprove, time.Minute)
	signalBootstrap(t, c, workflows.SignalApprove)
	awaiting(t, c, workflows.SignalRetry, 3*time.Minute)
	require.NotEmpty(t, cloud.API.Live(), "the failed apply created part of the cluster")
	require.Len(t, cloud.API.Live()[fakehcloud.KindPrimaryIP], 2, "both gateways' addresses were reserved")

	// The page's Abort needs its confirmation; then it destroys.
	ui := signInHTTP(t, p)
	_, body := ui.post("/wizard/run/acme/abort", nil)
	require.Contains(t, body, "to abort", "no abort without the confirmation")
	require.NotEmpty(t, cloud.API.Live())
	// The page shows the run as parked, with what failed in words (not
	// Temporal's "(type: …, retryable: …)") and what to do.
	require.Contains(t, body, "Parked")
	require.Contains(t, body, "server limit reached")
	require.NotContains(t, body, "retryable:")
	require.Contains(t, body, "limits are reached. Delete servers you do not need, or ask Hetzner for higher limits", "what fixes a quota")
	_, _ = ui.post("/wizard/run/acme/abort", url.Values{"confirm": {"yes"}})
	err := run.Get(t.Context(), nil)
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app)
	require.Equal(t, workflows.ErrAborted, app.Type())
	require.Contains(t, app.Error(), "what it created in fsn1 and hel1 was destroyed")
	require.Empty(t, cloud.API.Live(), "nothing is left in the cloud")
	_, page := ui.get("/wizard/run/acme")
	require.Contains(t, page, "Aborted", "an abort ends as Aborted, not Failed")
	require.NotContains(t, page, ">Failed<")
	noLockNoTofu(t, cloud, dataDir, "fsn1")
	noLockNoTofu(t, cloud, dataDir, "hel1")
	recordHistory(t, p, "bootstrap-v4-aborted")
}
