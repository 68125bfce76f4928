package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/gitea"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/dev/testenv/standin"
	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/workflows"
)

// startBootstrap starts the Bootstrap of acme.
func startBootstrap(t testing.TB, c client.Client, in workflows.BootstrapInput) client.WorkflowRun {
	t.Helper()
	run, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID: workflows.BootstrapID("acme"), TaskQueue: workflows.TaskQueueBootstrap,
	}, workflows.BootstrapWorkflow, in)
	require.NoError(t, err)
	return run
}

func signalBootstrap(t *testing.T, c client.Client, name string) {
	t.Helper()
	require.NoError(t, c.SignalWorkflow(t.Context(), workflows.BootstrapID("acme"), "", name, nil))
}

// planned counts the resources of the Review's plans by the fake's kinds.
func planned(t *testing.T, p workflows.BootstrapProgress) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range p.Regions {
		require.NotNil(t, r.Plan, "the plan of %s is in Review", r.Name)
		for _, c := range r.Plan.Resources {
			require.Equal(t, "create", c.Action, c.Address)
			out[strings.TrimPrefix(c.Type, "hcloud_")]++
		}
	}
	return out
}

// Journey 1 up to reachable clusters, against the real binary with its
// embedded Temporal, the real OpenTofu and hcloud provider: two regions
// are planned and nothing is created until approve; Review's plans list
// exactly what apply creates, each resource once; both clusters (envtest
// standing in for k3s) answer the kubeconfigs openova built; the state is
// in the bucket with no lock left, no tofu runs on, and the canary token
// is in no log line, file of the data directory (SQLite included),
// undecoded history or state object. The audit view shows no key. The
// substrate is laid (substrateLaid): the link, Cilium, Gitea, Flux and
// Crossplane; its secrets (the Giteas' generated admin passwords, the
// WireGuard keys, the Flux tokens) are canaries too. Then Promote turns
// the mirror (promoteStandby), held to the same rule.
func TestBootstrapTwoRegions_FakeHetznerAPI_S3OnLoopback_EnvtestAsK3s(t *testing.T) {
	cloud := newCloudStandIn(t, fakehcloud.Options{})
	dataDir := t.TempDir()
	p := cloud.start(t, dataDir)
	c := p.client(t, "")
	run := startBootstrap(t, c, cloud.input("fsn1", "hel1"))

	review := awaiting(t, c, workflows.SignalApprove, time.Minute)
	require.Empty(t, cloud.CreatedOnce(t), "nothing is created before approve")
	want := planned(t, review)
	require.Equal(t, 4, want[fakehcloud.KindServer], "a control plane and a worker per region")
	signalBootstrap(t, c, workflows.SignalApprove)
	cloud.Boot(t, "fsn1", "hel1")

	var res workflows.BootstrapResult
	require.NoError(t, run.Get(t.Context(), &res))
	require.Equal(t, want, cloud.CreatedOnce(t), "apply created exactly what Review listed, each once")
	require.Len(t, res.Regions, 2)
	for _, r := range res.Regions {
		require.Equal(t, fmt.Sprintf("https://%s:%d", standInLBs[r.Region], cloud.Port), r.APIEndpoint)
		require.NotEmpty(t, r.Version)
		rc, err := clientcmd.RESTConfigFromKubeConfig(r.Kubeconfig)
		require.NoError(t, err)
		cs, err := kubernetes.NewForConfig(rc)
		require.NoError(t, err)
		_, err = cs.CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{})
		require.NoError(t, err, "the kubeconfig of %s is cluster-admin", r.Region)
	}
	require.NotEmpty(t, res.Components, "the mandatory components were resolved")
	substrateSecrets := substrateLaid(t, cloud, c)
	substrateSecrets = append(substrateSecrets, managerDeployed(t, cloud, res)...)
	substrateSecrets = append(substrateSecrets, platformHandedOver(t, cloud, res)...)
	uiEditSurvivesFlux(t, cloud, res)
	substrateSecrets = append(substrateSecrets, recoveryDownloaded(t, p, res)...)
	promoteID := promoteStandby(t, cloud, c)

	objects := cloud.Objects(t)
	keys := make([]string, 0, len(objects))
	for k := range objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	require.Equal(t, []string{"openova/acme/fsn1/terraform.tfstate", "openova/acme/hel1/terraform.tfstate"}, keys, "no lock left")
	for k, o := range objects {
		var state map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(o), &state), k)
		require.Contains(t, state, "encrypted_data", "%s is encrypted by OpenTofu with the key openova derives", k)
		require.NotContains(t, state, "resources", "%s holds no resource in clear", k)
	}
	for _, r := range []string{"fsn1", "hel1"} {
		left, err := terraform.Leftovers(filepath.Join(dataDir, "terraform", "acme", r))
		require.NoError(t, err)
		require.Empty(t, left, "no tofu runs on in %s", r)
	}

	secrets := append([]string{canaryHetznerToken, "canary-s3-secret"}, substrateSecrets...)
	for _, s := range secrets {
		require.NotContains(t, p.log(), s)
		for k, o := range objects {
			require.NotContains(t, o, s, k)
		}
	}
	testenv.NoSecretInFiles(t, dataDir, secrets...)
	for _, id := range []string{workflows.BootstrapID("acme"), promoteID} {
		history, err := temporalCLI(t, "workflow", "show", "-w", id, "--address", p.temporalAddr, "-o", "json")
		require.NoError(t, err, history)
		for _, s := range secrets {
			require.NotContains(t, history, s, "the undecoded history of %s", id)
		}
	}
	require.Contains(t, p.log(), "tofu", "tofu's output is in the log")
	// The audit view of the bootstrap shows none of its keys (the clusters'
	// CA keys, the admin key, the join tokens, the kubeconfigs) or canaries.
	auditShowsNoSecret(t, p, c, workflows.BootstrapID("acme"), secrets...)
	auditShowsNoSecret(t, p, c, promoteID, secrets...)
	recordHistory(t, p, "bootstrap-v4-tworegions")
	recordWorkflow(t, p, promoteID, "promote-v1-turned")
}

// substrateLaid checks what the substrate phases did and returns the
// substrate's secrets (canaries): the Giteas' admin passwords, the
// gateways' WireGuard private keys and the link's preshared key, and each
// region's Flux token. Every step of both regions succeeded; each
// gateway boots with a wg0.conf that routes the other region's networks to
// the other gateway; the primary's platform repository holds both regions'
// substrate and its push mirror carried it, over the link's stand-in, to
// the standby's Gitea, whose Flux (like the primary's) applied it until
// Crossplane was ready.
func substrateLaid(t *testing.T, cloud *cloudStandIn, c client.Client) []string {
	t.Helper()
	p, err := bootstrapProgress(t, c)
	require.NoError(t, err)
	logPhases(t, p)
	last := p.Steps[len(p.Steps)-1]
	require.Equal(t, "manager ready", last.Name)
	require.Equal(t, workflows.StepSucceeded, last.State)
	for _, s := range p.Steps {
		require.Equal(t, workflows.StepSucceeded, s.State, "%s: %s", s.Name, s.Message)
	}
	for _, r := range p.Regions {
		require.Contains(t, names(r.Steps), "wait for Crossplane in "+r.Name)
		for _, s := range r.Steps {
			require.Equal(t, workflows.StepSucceeded, s.State, "%s: %s", s.Name, s.Message)
		}
	}
	confs := map[string]string{}
	for _, r := range []string{"fsn1", "hel1"} {
		ud, ok := cloud.API.ServerUserData("acme-" + r + "-cp-0")
		require.True(t, ok)
		confs[r] = k3s.ParseCloudInit(t, ud).Files["/etc/wireguard/wg0.conf"]
		require.Contains(t, confs[r], "[Peer]", "the gateway of %s boots with the link", r)
	}
	var secrets []string
	for r, conf := range confs {
		for _, line := range strings.Split(conf, "\n") {
			if k, v, ok := strings.Cut(line, "="); ok && (strings.TrimSpace(k) == "PrivateKey" || strings.TrimSpace(k) == "PresharedKey") {
				secrets = append(secrets, strings.TrimSpace(v))
			}
		}
		cs, err := kubernetes.NewForConfig(cloud.Clusters[r])
		require.NoError(t, err)
		sec, err := cs.CoreV1().Secrets(activities.FluxNamespace).Get(t.Context(), activities.FluxSyncName, metav1.GetOptions{})
		require.NoError(t, err, "%s's Flux reads the repository with a token", r)
		secrets = append(secrets, string(sec.Data["password"]))
	}
	require.Len(t, secrets, 3+3, "per region a private key, the preshared key and a Flux token")
	require.Contains(t, confs["fsn1"], "10.1.0.0/16", "fsn1 routes hel1's nodes through the link")
	require.Contains(t, confs["hel1"], "10.0.0.0/16", "hel1 routes fsn1's nodes through the link")
	require.Len(t, cloud.API.Created(fakehcloud.KindPrimaryIP), 2, "a reserved address per gateway")

	primary, standby := cloud.Gitea["fsn1"].Instance(), cloud.Gitea["hel1"].Instance()
	require.NotNil(t, primary)
	require.NotNil(t, standby)
	for name, g := range map[string]*gitea.Instance{"fsn1": primary, "hel1": standby} {
		for _, r := range []string{"fsn1", "hel1"} {
			code, body, err := g.Get("/api/v1/repos/acme/platform/contents/clusters/" + r + "/substrate.yaml?ref=main")
			require.NoError(t, err)
			require.Equal(t, 200, code, "%s's platform repository holds %s's substrate: %s", name, r, body)
		}
	}
	// The manager goes on committing its releases to the primary, and the
	// push mirror follows each commit a moment later: the standby's main
	// reaches the primary's.
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		heads := map[string]string{}
		for name, g := range map[string]*gitea.Instance{"fsn1": primary, "hel1": standby} {
			code, body, err := g.Get("/api/v1/repos/acme/platform/branches/main")
			if !assert.NoError(ct, err) || !assert.Equal(ct, 200, code, body) {
				return
			}
			var branch struct{ Commit struct{ ID string } }
			if assert.NoError(ct, json.Unmarshal([]byte(body), &branch)) {
				heads[name] = branch.Commit.ID
			}
		}
		assert.Equal(ct, heads["fsn1"], heads["hel1"], "the mirror carried the primary's main to the standby")
	}, 2*time.Minute, 500*time.Millisecond)
	require.Positive(t, cloud.Link.Connections(standin.PrivateGitea(standInGateways["hel1"])), "the mirror pushed over the link")
	return append(secrets, primary.Password.Reveal(), standby.Password.Reveal())
}

// names are the steps' names.
func names(steps []workflows.ProgressStep) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.Name
	}
	return out
}

// logPhases logs how long each step took, approve → substrate ready and
// approve → manager ready (BENCHMARKS.md's per-phase table comes from
// this log).
func logPhases(t *testing.T, p workflows.BootstrapProgress) {
	t.Helper()
	var approved time.Time
	for _, s := range p.Steps {
		if s.Name == "wait for approval of the plans" {
			approved = s.Finished
		}
		if !s.Finished.IsZero() && !s.Started.IsZero() {
			t.Logf("phase %-52s %-5s %8.1f s", s.Name, s.Region, s.Finished.Sub(s.Started).Seconds())
		}
	}
	for _, s := range p.Steps {
		if (s.Name == "substrate ready" || s.Name == "manager ready") && !approved.IsZero() && !s.Finished.IsZero() {
			t.Logf("phase approve → %s: %.1f s", s.Name, s.Finished.Sub(approved).Seconds())
		}
	}
}
