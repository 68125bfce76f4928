package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/workflows"
)

// startBootstrap starts the Bootstrap of acme.
func startBootstrap(t *testing.T, c client.Client, in workflows.BootstrapInput) client.WorkflowRun {
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
// undecoded history or state object. The audit view shows no key.
func TestBootstrapTwoRegions_FakeHetznerAPI_S3OnLoopback_EnvtestAsK3s(t *testing.T) {
	cloud := newCloudStandIn(t, fakehcloud.Options{})
	dataDir := t.TempDir()
	p := cloud.start(t, dataDir)
	c := p.client(t, "")
	run := startBootstrap(t, c, cloud.input("fsn1", "hel1"))

	review := awaiting(t, c, workflows.SignalApprove, time.Minute)
	require.Empty(t, cloud.createdOnce(t), "nothing is created before approve")
	want := planned(t, review)
	require.Equal(t, 4, want[fakehcloud.KindServer], "a control plane and a worker per region")
	signalBootstrap(t, c, workflows.SignalApprove)
	cloud.boot(t, "fsn1", "hel1")

	var res workflows.BootstrapResult
	require.NoError(t, run.Get(t.Context(), &res))
	require.Equal(t, want, cloud.createdOnce(t), "apply created exactly what Review listed, each once")
	require.Len(t, res.Regions, 2)
	for _, r := range res.Regions {
		require.Equal(t, fmt.Sprintf("https://%s:%d", standInLBs[r.Region], cloud.port), r.APIEndpoint)
		require.NotEmpty(t, r.Version)
		rc, err := clientcmd.RESTConfigFromKubeConfig(r.Kubeconfig)
		require.NoError(t, err)
		cs, err := kubernetes.NewForConfig(rc)
		require.NoError(t, err)
		_, err = cs.CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{})
		require.NoError(t, err, "the kubeconfig of %s is cluster-admin", r.Region)
	}
	require.NotEmpty(t, res.Components, "the mandatory components were resolved")

	objects := cloud.bucket(t)
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

	secrets := []string{canaryHetznerToken, "canary-s3-secret"}
	for _, s := range secrets {
		require.NotContains(t, p.log(), s)
		for k, o := range objects {
			require.NotContains(t, o, s, k)
		}
	}
	testenv.NoSecretInFiles(t, dataDir, secrets...)
	history, err := temporalCLI(t, "workflow", "show", "-w", workflows.BootstrapID("acme"), "--address", p.temporalAddr, "-o", "json")
	require.NoError(t, err, history)
	require.NotContains(t, history, canaryHetznerToken, "the undecoded history")
	require.Contains(t, p.log(), "tofu", "tofu's output is in the log")
	// The audit view of the bootstrap shows none of its keys (the clusters'
	// CA keys, the admin key, the join tokens, the kubeconfigs) or canaries.
	auditShowsNoSecret(t, p, c, workflows.BootstrapID("acme"), secrets...)
	recordHistory(t, p, "bootstrap-v1-tworegions")
}
