package activities

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/terraform"
)

// canaryToken is a well-formed Hetzner token that must show up nowhere but
// in the fake's Authorization headers.
const canaryToken = "CanaryTokenHcloud0000000000000000000000000000000000000000000000x"

// The Hetzner module end to end at the activity level, with every cloud
// stood in by something real: the real OpenTofu and the real hcloud
// provider (both built from source) against the stateful fake Hetzner
// Cloud API on loopback; state in a real S3 implementation on loopback
// (gofakes3); the cluster the servers would boot stood in by envtest's
// kube-apiserver started with the CAs the servers' cloud-init received, as
// k3s would use them; OpenTofu's state encryption with this test binary as
// its key command, as openova runs it. Plan creates nothing; apply creates
// exactly what the plan listed, each resource once; Connect reaches the API
// server with the kubeconfig built from the outputs. Then a change, as a
// bootstrap started again makes it (issue 19): Recover reads the CAs and
// tokens back from the state, and a plan with one worker more adds exactly
// that server, which joins with the same agent token and trusts the same
// CA, and replaces nothing. Destroy leaves nothing; the token is in no
// state object and no file of the working directory, and the state holds
// none of the cluster's secrets in clear.
func TestHetznerCluster_FakeHetznerAPI_S3OnLoopback_EnvtestAsK3s(t *testing.T) {
	api := fakehcloud.New(fakehcloud.Options{Token: canaryToken, Zones: []string{"acme.example"}})
	t.Cleanup(api.Close)
	be := s3mem.New()
	s3 := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(s3.Close)
	require.NoError(t, be.CreateBucket("acme-state"))

	dir := t.TempDir()
	env := testenv.TofuEnv(t)
	env["HCLOUD_ENDPOINT"] = api.URL()
	tf := &Terraform{Bin: testenv.Bin(t, "tofu"), Dir: dir, Env: env, StateKeyFile: testKeyFile(t),
		Vars: map[string]any{"hcloud_poll_function": "constant", "hcloud_poll_interval": "100ms"}}
	var ts testsuite.WorkflowTestSuite
	aenv := ts.NewTestActivityEnvironment()
	aenv.RegisterActivity(tf)
	aenv.RegisterActivity(&Clusters{})

	v, err := aenv.ExecuteActivity((&Clusters{}).GenerateClusterSecrets, ClusterSecretsInput{Cluster: "acme-fsn1"})
	require.NoError(t, err)
	var secrets ClusterSecrets
	require.NoError(t, v.Get(&secrets))
	apiPort := testenv.FreePort(t)
	in := TerraformInput{
		Organization: "acme", Provider: terraform.Hetzner, Region: "fsn1",
		Credentials: map[string]string{"HCLOUD_TOKEN": canaryToken},
		Vars: bootstrap.ModuleVars{
			Organization: "acme", Domain: "acme.example", DNSZone: "acme.example", Region: "fsn1", Role: "primary",
			ControlPlaneCount: 1, WorkerCount: 2, ControlPlaneSize: "cpx31", WorkerSize: "cpx21",
			ClusterCA: bootstrap.ClusterCA{ServerCACert: secrets.PKI.ServerCA, ServerCAKey: secrets.PKI.ServerCAKey,
				ClientCACert: secrets.PKI.ClientCA, ClientCAKey: secrets.PKI.ClientCAKey},
			JoinToken: secrets.JoinToken, AgentToken: secrets.AgentToken, APIPort: apiPort,
			NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16",
		},
		State: StateBackend{Bucket: "acme-state", Region: "us-east-1", Endpoint: s3.URL, KeyPrefix: "openova",
			AccessKey: "openova", SecretKey: "s3-secret-canary"},
	}

	v, err = aenv.ExecuteActivity(tf.Plan, in)
	require.NoError(t, err)
	var plan PlanResult
	require.NoError(t, v.Get(&plan))
	require.Empty(t, created(api), "a plan creates nothing")
	planned := map[string]int{}
	for _, c := range plan.Summary.Resources {
		require.Equal(t, "create", c.Action, c.Address)
		planned[c.Type]++
	}
	// Two placement groups: the control planes' and the first 10 workers';
	// three load balancer services: the API, Gitea and the manager.
	require.Equal(t, map[string]int{"hcloud_network": 1, "hcloud_network_subnet": 1, "hcloud_firewall": 1, "hcloud_placement_group": 2,
		"hcloud_load_balancer": 1, "hcloud_load_balancer_network": 1, "hcloud_load_balancer_service": 3, "hcloud_load_balancer_target": 1,
		"hcloud_server": 3, "hcloud_zone_rrset": 1}, planned)

	in.Approved = &plan.Summary
	_, err = aenv.ExecuteActivity(tf.Apply, in)
	require.NoError(t, err)
	made := created(api)
	for _, c := range plan.Summary.Resources {
		kind := strings.TrimPrefix(c.Type, "hcloud_")
		require.NotEmpty(t, made[kind], "%s was planned and created", c.Address)
	}
	for kind, names := range made {
		for _, n := range names {
			require.Equal(t, 1, api.CreateCount(kind, n), "%s %s created once", kind, n)
		}
	}
	require.Equal(t, []string{"acme-fsn1-cp-0", "acme-fsn1-worker-0", "acme-fsn1-worker-1"}, api.Live()["server"])

	v, err = aenv.ExecuteActivity(tf.Outputs, in)
	require.NoError(t, err)
	var out ClusterOutputs
	require.NoError(t, v.Get(&out))
	require.Equal(t, "https://127.0.0.1:"+strconv.Itoa(apiPort), out.APIEndpoint)
	require.Len(t, out.Nodes, 3)
	record, ok := api.RRSet("acme.example", "manager", "A")
	require.True(t, ok, "the manager's record is in the zone")
	require.Equal(t, []string{out.LoadBalancerIPv4}, record)

	userData, ok := api.ServerUserData("acme-fsn1-cp-0")
	require.True(t, ok)
	node := k3s.ParseCloudInit(t, userData)
	require.Equal(t, secrets.PKI.ServerCA, node.Files["/var/lib/rancher/k3s/server/tls/server-ca.crt"], "the node got the generated CA")
	require.Contains(t, node.TLSSAN, "127.0.0.1", "the API certificate names the load balancer")
	k3s.Start(t, userData, "127.0.0.1", apiPort)
	v, err = aenv.ExecuteActivity((&Clusters{}).Connect, ConnectInput{Cluster: "acme-fsn1", Endpoint: out.APIEndpoint,
		PKI: secrets.PKI, Deadline: time.Now().Add(time.Minute)})
	require.NoError(t, err)
	var conn ConnectResult
	require.NoError(t, v.Get(&conn))
	require.NotEmpty(t, conn.Version)

	changeAddsAWorker(t, aenv, tf, api, in, secrets)

	in.Vars.WorkerCount = 3
	_, err = aenv.ExecuteActivity(tf.Destroy, in)
	require.NoError(t, err)
	require.Equal(t, map[string][]string{"zone": {"acme.example"}}, api.Live(), "destroy leaves nothing but the user's zone")

	list, err := be.ListBucket("acme-state", &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1, "the state, and no lock left: %+v %+v", list.Contents, list.CommonPrefixes)
	require.Equal(t, "openova/acme/fsn1/terraform.tfstate", list.Contents[0].Key)
	obj, err := be.GetObject("acme-state", list.Contents[0].Key, nil)
	require.NoError(t, err)
	state := make([]byte, obj.Size)
	_, _ = obj.Contents.Read(state)
	require.NotContains(t, string(state), canaryToken)
	require.NotContains(t, string(state), secrets.PKI.ServerCAKey.Reveal())
	require.NotContains(t, string(state), secrets.AgentToken.Reveal())
	testenv.NoSecretInFiles(t, dir, canaryToken, "s3-secret-canary", secrets.JoinToken.Reveal(), secrets.AgentToken.Reveal())
}

// fakeKinds are the fake API's names of what the Hetzner module creates.
var fakeKinds = []string{"ssh_key", "network", "network_subnet", "firewall", "placement_group", "server",
	"load_balancer", "load_balancer_network", "load_balancer_service", "load_balancer_target", "zone_rrset"}

// created is what the fake API created so far, by kind.
func created(api *fakehcloud.Server) map[string][]string {
	out := map[string][]string{}
	for _, k := range fakeKinds {
		if names := api.Created(k); len(names) > 0 {
			out[k] = names
		}
	}
	return out
}
