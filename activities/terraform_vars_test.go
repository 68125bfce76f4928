package activities

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/secret"
)

// The variables file the runner writes from the typed ModuleVars is byte
// for byte the one it wrote from the string-keyed map the workflow built
// before (that map's construction is kept here as it was), with the
// runner's own extra variables on top: a bootstrap started before the
// change plans the same after it.
func TestTypedVarsWriteTheSameVariablesFile(t *testing.T) {
	pki := bootstrap.ClusterPKI{ServerCA: "-----BEGIN CERTIFICATE-----\nserver\n-----END CERTIFICATE-----\n", ServerCAKey: "server-key",
		ClientCA: "client-ca", ClientCAKey: "client-key\nline two"}
	const join, agent secret.Text = "join-token", "agent-token"
	for _, apiPort := range []int{0, 7443} {
		typed := bootstrap.ModuleVars{
			Organization: "acme", Domain: "acme.example", Region: "fsn1", Role: "primary",
			ControlPlaneCount: 3, WorkerCount: 12, ControlPlaneSize: "cpx31", WorkerSize: "cax21", SSHPublicKey: "",
			ClusterCA: bootstrap.ClusterCA{ServerCACert: pki.ServerCA, ServerCAKey: pki.ServerCAKey, ClientCACert: pki.ClientCA, ClientCAKey: pki.ClientCAKey},
			JoinToken: join, AgentToken: agent, NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16", APIPort: apiPort,
		}
		// The map workflows/bootstrap_region.go built until the variables were typed.
		old := map[string]any{
			"organization": "acme", "domain": "acme.example", "region": "fsn1", "role": "primary",
			"control_plane_count": 3, "worker_count": 12,
			"control_plane_size": "cpx31", "worker_size": "cax21",
			"ssh_public_key": "",
			"cluster_ca": map[string]any{
				"server_ca_cert": pki.ServerCA, "server_ca_key": pki.ServerCAKey.Reveal(),
				"client_ca_cert": pki.ClientCA, "client_ca_key": pki.ClientCAKey.Reveal(),
			},
			"join_token": join.Reveal(), "agent_token": agent.Reveal(),
			"node_cidr": "10.0.0.0/16", "pod_cidr": "10.42.0.0/16", "service_cidr": "10.43.0.0/16",
		}
		if apiPort != 0 {
			old["api_port"] = apiPort
		}
		extra := map[string]any{"hcloud_poll_interval": "100ms", "k3s_release_url": "http://127.0.0.1:1/k3s"}
		for k, v := range extra {
			old[k] = v
		}
		tf := &Terraform{Dir: t.TempDir(), Vars: extra}
		r, _, err := tf.runner(context.Background(), TerraformInput{Organization: "acme", Provider: "hetzner", Region: "fsn1", Vars: typed})
		require.NoError(t, err)
		want, err := json.Marshal(old)
		require.NoError(t, err)
		got, err := json.Marshal(r.Vars) // what Runner.writeVars writes
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "api_port %d", apiPort)
	}
}
