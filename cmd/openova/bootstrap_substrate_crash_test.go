package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"k8s.io/client-go/rest"

	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	"github.com/openova-io/core/workflows"
)

// running waits until the named step of every region runs.
func running(t *testing.T, c client.Client, step func(region string) string) {
	t.Helper()
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		p, err := bootstrapProgress(t, c)
		if !assert.NoError(ct, err) {
			return
		}
		for _, r := range p.Regions {
			state := ""
			for _, s := range r.Steps {
				if s.Name == step(r.Name) {
					state = s.State
				}
			}
			assert.Equal(ct, workflows.StepRunning, state, "%s in %s (parked: %s)", step(r.Name), r.Name, r.Parked)
		}
	}, 10*time.Minute, 250*time.Millisecond)
}

// openova is killed with SIGKILL once in each of the substrate's long
// waits, with two regions: while Gitea is awaited (its chart installed, no
// pod answering yet), while Flux's controllers are awaited, and while
// Crossplane is awaited; then in the manager's phase: while the image is
// pushed, while the deploy waits for Flux (held) to apply the manager's
// commit, and while the manager starts for the first time. Each time it
// restarts on the same data directory and the part it waited for then
// comes up. The bootstrap finishes, and nothing was made twice: every
// cloud resource once, one Flux token per Gitea, one push mirror, one
// commit of the manager's manifests, one image per registry, one first
// admin password, and that password signs in to the manager.
func TestBootstrapSurvivesKill9DuringTheSubstrate_FakeHetznerAPI_S3OnLoopback_EnvtestAsK3s(t *testing.T) {
	cloud := newCloudStandIn(t, fakehcloud.Options{})
	dataDir := t.TempDir()
	p := cloud.start(t, dataDir)
	c := p.client(t, "")
	startBootstrap(t, c, cloud.input("fsn1", "hel1"))
	want := planned(t, awaiting(t, c, workflows.SignalApprove, time.Minute))
	signalBootstrap(t, c, workflows.SignalApprove)
	regions := []string{"fsn1", "hel1"}
	cfgs := map[string]*rest.Config{}
	for _, r := range regions {
		cfgs[r] = cloud.StartCluster(t, r, 2)
	}
	restart := func(step string) {
		t.Helper()
		p.kill9()
		t.Logf("kill -9 while %q runs", step)
		p = cloud.start(t, dataDir)
		c = p.client(t, "")
	}

	running(t, c, func(r string) string { return "install Gitea in " + r })
	restart("install Gitea")
	for _, r := range regions {
		cloud.PlayGitea(t, r, cfgs[r])
	}
	running(t, c, func(r string) string { return "install Flux in " + r })
	restart("install Flux")
	fluxes := map[string]*players.Flux{}
	for _, r := range regions {
		fluxes[r] = players.PlayFlux(t, cfgs[r])
	}
	running(t, c, func(r string) string { return "wait for Crossplane in " + r })
	restart("wait for Crossplane")
	for _, r := range regions {
		players.PlayCrossplane(t, cfgs[r], players.CrossplaneOptions{})
	}

	// The manager's phase: killed while the image is pushed, while the
	// deploy waits for Flux (held) to apply the manager's commit, and
	// while the manager starts for the first time.
	running(t, c, func(r string) string { return "push the manager's image to " + r })
	restart("push the manager's image")
	primaryFlux := fluxes["fsn1"].Flux()
	require.NoError(t, primaryFlux.Pause())
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		code, _, err := cloud.Gitea["fsn1"].Instance().Get("/api/v1/repos/acme/platform/contents/clusters/fsn1/manager.yaml?ref=main")
		assert.NoError(ct, err)
		assert.Equal(ct, 200, code, "the manager's manifests are committed")
	}, 10*time.Minute, 250*time.Millisecond)
	restart("wait for Flux to apply the manager")
	require.NoError(t, primaryFlux.Resume())
	cloud.PlayManager(t, "fsn1", cfgs["fsn1"])
	cloud.Manager.Wait(t, 10*time.Minute)
	restart("the manager's first start")

	var res workflows.BootstrapResult
	require.NoError(t, c.GetWorkflow(t.Context(), workflows.BootstrapID("acme"), "").Get(t.Context(), &res))
	require.Equal(t, want, cloud.CreatedOnce(t), "every cloud resource created once")
	substrateLaid(t, cloud, c)
	managerDeployed(t, cloud, res) // the password the result holds is the one that works
	code, body, err := cloud.Gitea["fsn1"].Instance().Get("/api/v1/repos/acme/platform/commits?path=clusters/fsn1/manager.yaml")
	require.NoError(t, err)
	require.Equal(t, 200, code, body)
	var commits []struct{ SHA string }
	require.NoError(t, json.Unmarshal([]byte(body), &commits))
	require.Len(t, commits, 1, "the manager's manifests were committed once")
	for _, r := range regions {
		code, body, err := cloud.Gitea[r].Instance().Get("/api/v1/packages/acme?type=container&q=openova")
		require.NoError(t, err)
		require.Equal(t, 200, code, body)
		var versions []struct{ Name, Version string }
		require.NoError(t, json.Unmarshal([]byte(body), &versions))
		require.Len(t, versions, 1, "one image in %s's registry, by its digest: %s", r, body)
		require.Equal(t, res.Manager.Image[strings.Index(res.Manager.Image, "@")+1:], versions[0].Version)
	}
	history, err := temporalCLI(t, "workflow", "show", "-w", workflows.BootstrapID("acme"), "--address", p.temporalAddr, "-o", "json")
	require.NoError(t, err, history)
	require.Equal(t, 1, strings.Count(history, `"GenerateManagerAdmin"`), "the first admin's password was generated once")
	for _, r := range regions {
		g := cloud.Gitea[r].Instance()
		code, body, err := g.Get("/api/v1/users/openova-admin/tokens")
		require.NoError(t, err)
		require.Equal(t, 200, code, body)
		var tokens []struct{ Name string }
		require.NoError(t, json.Unmarshal([]byte(body), &tokens))
		flux := 0
		for _, tok := range tokens {
			if tok.Name == workflows.FluxTokenName {
				flux++
			}
		}
		require.Equal(t, 1, flux, "one Flux token in %s's Gitea", r)
	}
	require.Len(t, pushMirrors(t, cloud.Gitea["fsn1"].Instance()), 1, "one push mirror")
	for _, r := range regions {
		noLockNoTofu(t, cloud, dataDir, r)
	}
}
