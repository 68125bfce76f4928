package activities

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/terraform"
)

// The test binary is also OpenTofu's key command in this package's tests
// (openova's `tofu-key`): started as `<test binary> tofu-key`, it serves
// one request from the codec key file in its environment and exits before
// any test runs. An init, not a TestMain, as in package terraform.
func init() {
	if len(os.Args) == 2 && os.Args[1] == terraform.KeyCommand {
		os.Exit(serveTestKey())
	}
}

func serveTestKey() int {
	data, err := os.ReadFile(os.Getenv(terraform.EnvKeyFile))
	var keys []secret.Bytes
	for _, line := range strings.Fields(string(data)) {
		k, derr := base64.StdEncoding.DecodeString(line)
		if derr != nil {
			err = derr
		}
		keys = append(keys, k)
	}
	if err == nil {
		err = terraform.ServeKey(os.Stdin, os.Stdout, keys, os.Getenv(terraform.EnvOrg), nil)
	}
	if err != nil {
		_, _ = os.Stderr.WriteString("openova: " + err.Error() + "\n")
		return 1
	}
	return 0
}

// testKeyFile is a codec key file (one base64 AES-256 key) for the state
// encryption of a test.
func testKeyFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "codec.key")
	require.NoError(t, os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))+"\n"), 0o600))
	return path
}

// changeAddsAWorker is the change of a built region (in, with two
// workers): Recover gives back what its nodes joined with; a plan with a
// third worker adds exactly that server, within the approved plan; the new
// worker joins with the same agent token and trusts the same CA as the
// first; no server is created twice. The recovered secrets' new admin
// certificate reaches the cluster.
func changeAddsAWorker(t *testing.T, aenv *testsuite.TestActivityEnvironment, tf *Terraform, api *fakehcloud.Server, in TerraformInput, secrets ClusterSecrets) {
	t.Helper()
	// Nothing but the state and what the user types: no generated secret.
	change := in
	change.Vars.ClusterCA, change.Vars.JoinToken, change.Vars.AgentToken = bootstrap.ClusterCA{}, "", ""
	v, err := aenv.ExecuteActivity(tf.Recover, change)
	require.NoError(t, err)
	var rec bootstrap.Recovered
	require.NoError(t, v.Get(&rec))
	require.Equal(t, in.Vars.ClusterCA, rec.Join.ClusterCA, "the CAs the nodes booted with")
	require.Equal(t, secrets.JoinToken, rec.Join.JoinToken)
	require.Equal(t, secrets.AgentToken, rec.Join.AgentToken)
	require.Len(t, rec.Outputs.Nodes, 3)

	v, err = aenv.ExecuteActivity((&Clusters{}).RecoverClusterSecrets, RecoverSecretsInput{Cluster: "acme-fsn1", Join: rec.Join})
	require.NoError(t, err)
	var again ClusterSecrets
	require.NoError(t, v.Get(&again))
	require.Equal(t, secrets.PKI.ClientCA, again.PKI.ClientCA)
	require.NotEqual(t, secrets.PKI.Admin, again.PKI.Admin, "a new admin certificate")

	ca := again.PKI
	change.Vars.ClusterCA = bootstrap.ClusterCA{ServerCACert: ca.ServerCA, ServerCAKey: ca.ServerCAKey, ClientCACert: ca.ClientCA, ClientCAKey: ca.ClientCAKey}
	change.Vars.JoinToken, change.Vars.AgentToken = again.JoinToken, again.AgentToken
	change.Vars.WorkerCount = 3
	v, err = aenv.ExecuteActivity(tf.Plan, change)
	require.NoError(t, err)
	var plan PlanResult
	require.NoError(t, v.Get(&plan))
	require.Equal(t, []bootstrap.PlanChange{{Address: "hcloud_server.worker[2]", Type: "hcloud_server", Name: "worker", Action: "create"}},
		plan.Summary.Resources, "one server more, nothing replaced")

	change.Approved = &plan.Summary
	_, err = aenv.ExecuteActivity(tf.Apply, change)
	require.NoError(t, err)
	require.Equal(t, []string{"acme-fsn1-cp-0", "acme-fsn1-worker-0", "acme-fsn1-worker-1", "acme-fsn1-worker-2"}, api.Live()["server"])
	for _, s := range api.Live()["server"] {
		require.Equal(t, 1, api.CreateCount("server", s), "%s created once", s)
	}
	first, ok := api.ServerUserData("acme-fsn1-worker-0")
	require.True(t, ok)
	added, ok := api.ServerUserData("acme-fsn1-worker-2")
	require.True(t, ok)
	a, b := k3s.ParseCloudInit(t, first), k3s.ParseCloudInit(t, added)
	require.Contains(t, b.Files["/etc/rancher/k3s/config.yaml"], secrets.AgentToken.Reveal(), "the new worker joins with the cluster's agent token")
	require.Equal(t, a.Files["/etc/rancher/k3s/registry-ca.crt"], b.Files["/etc/rancher/k3s/registry-ca.crt"], "and trusts its CA")

	v, err = aenv.ExecuteActivity(tf.Outputs, change)
	require.NoError(t, err)
	var out ClusterOutputs
	require.NoError(t, v.Get(&out))
	require.Len(t, out.Nodes, 4)
	_, err = aenv.ExecuteActivity((&Clusters{}).Connect, ConnectInput{Cluster: "acme-fsn1", Endpoint: out.APIEndpoint,
		PKI: again.PKI, Deadline: time.Now().Add(time.Minute)})
	require.NoError(t, err, "the recovered admin certificate is the cluster's")

	other := change
	other.Organization = "globex"
	_, err = aenv.ExecuteActivity(tf.Recover, other)
	var ae *temporal.ApplicationError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, ErrNotBuilt, ae.Type())
	require.Contains(t, ae.Error(), "holds no cluster of globex")
}
