package main

import (
	"encoding/json"
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
// Crossplane is awaited. Each time it restarts on the same data directory
// and the part it waited for then comes up. The bootstrap finishes, and
// nothing was made twice: every cloud resource once, one Flux token per
// Gitea, one push mirror.
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
		cfgs[r] = cloud.startCluster(t, r)
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
		cloud.playGitea(t, r, cfgs[r])
	}
	running(t, c, func(r string) string { return "install Flux in " + r })
	restart("install Flux")
	for _, r := range regions {
		players.PlayFlux(t, cfgs[r])
	}
	running(t, c, func(r string) string { return "wait for Crossplane in " + r })
	restart("wait for Crossplane")
	for _, r := range regions {
		players.PlayCrossplane(t, cfgs[r], players.CrossplaneOptions{})
	}
	cloud.playManager(t, "fsn1", cfgs["fsn1"])

	require.NoError(t, c.GetWorkflow(t.Context(), workflows.BootstrapID("acme"), "").Get(t.Context(), nil))
	require.Equal(t, want, cloud.createdOnce(t), "every cloud resource created once")
	substrateLaid(t, cloud, c)
	for _, r := range regions {
		g := cloud.gitea[r].Instance()
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
	require.Len(t, pushMirrors(t, cloud.gitea["fsn1"].Instance()), 1, "one push mirror")
	for _, r := range regions {
		noLockNoTofu(t, cloud, dataDir, r)
	}
}
