package terraform

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/mesh"
	"github.com/openova-io/core/secret"
)

// The other region of the tests' link (nbg1, the wizard's standby
// networks) and its gateway's address.
var (
	peerCIDRs   = []string{"10.1.0.0/16", "10.44.0.0/16", "10.45.0.0/16"}
	peerAddress = "198.51.100.20"
)

// testLink is the link variable as the bootstrap passes it: peer "" before
// the other region's Primary IP exists.
func testLink(peer string) map[string]any {
	return map[string]any{"peer_address": peer, "peer_cidrs": peerCIDRs, "port": mesh.Port}
}

// linkVars are the variables of a one-control-plane, one-worker fsn1 with
// that link (nil: none) and gateway configuration.
func linkVars(link map[string]any, conf string) map[string]any {
	vars := map[string]any{
		"control_plane_count": 1, "worker_count": 1,
		"cluster_ca":  map[string]any{"server_ca_cert": pemSized("CERTIFICATE"), "server_ca_key": pemSized("EC PRIVATE KEY"), "client_ca_cert": pemSized("CERTIFICATE"), "client_ca_key": pemSized("EC PRIVATE KEY")},
		"join_token":  "join-token-0123456789abcdef0123456789abcdef",
		"agent_token": "agent-token-fedcba9876543210fedcba9876543210",
		"link":        link,
	}
	if conf != "" {
		vars["link_wg_conf"] = conf
	}
	return vars
}

// gatewayConf is fsn1's wg0.conf, rendered by the production code
// (mesh.Link.Render) for a gateway at address and the nbg1 peer.
func gatewayConf(t *testing.T, address string) string {
	t.Helper()
	key := func() secret.Text {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return secret.Text(base64.StdEncoding.EncodeToString(b))
	}
	nets := func(node, pod, svc string) mesh.Networks {
		return mesh.Networks{Node: netip.MustParsePrefix(node), Pod: netip.MustParsePrefix(pod), Service: netip.MustParsePrefix(svc)}
	}
	a, _, err := mesh.Link{
		A: mesh.Site{Region: "fsn1", PublicAddress: netip.MustParseAddr(address), Tunnel: mesh.TunnelA, PrivateKey: key(),
			Networks: nets("10.0.0.0/16", "10.42.0.0/16", "10.43.0.0/16")},
		B: mesh.Site{Region: "nbg1", PublicAddress: netip.MustParseAddr(peerAddress), Tunnel: mesh.TunnelB, PrivateKey: key(),
			Networks: nets(peerCIDRs[0], peerCIDRs[1], peerCIDRs[2])},
		PresharedKey: key(),
	}.Render()
	require.NoError(t, err)
	return a.Reveal()
}

// addresses are the plan's resource addresses of one type.
func addresses(s Summary, typ string) []string {
	var out []string
	for _, c := range s.Resources {
		if c.Type == typ {
			out = append(out, c.Address)
		}
	}
	return out
}

// savedPlan is the saved plan as tofu shows it (planned values included).
func savedPlan(t *testing.T, r *Runner) *tfjson.Plan {
	t.Helper()
	tf, _, err := r.tf()
	require.NoError(t, err)
	p, err := tf.ShowPlanFile(context.Background(), PlanFile)
	require.NoError(t, err)
	return p
}

// udpRules are the sources of the firewall's UDP rules in a plan, by port.
func udpRules(t *testing.T, p *tfjson.Plan) map[string][]any {
	t.Helper()
	for _, res := range p.PlannedValues.RootModule.Resources {
		if res.Address != "hcloud_firewall.nodes" {
			continue
		}
		out := map[string][]any{}
		for _, r := range res.AttributeValues["rule"].([]any) {
			rule := r.(map[string]any)
			if rule["protocol"] == "udp" {
				out[rule["port"].(string)] = rule["source_ips"].([]any)
			}
		}
		return out
	}
	require.Fail(t, "the plan has no firewall")
	return nil
}

// stringOutput is one of the module's string outputs, from the state.
func stringOutput(t *testing.T, r *Runner, name string) string {
	t.Helper()
	out, err := r.Outputs(context.Background())
	require.NoError(t, err)
	require.Contains(t, out, name)
	var v string
	require.NoError(t, json.Unmarshal(out[name], &v))
	return v
}

// newHcloudClient reads back what the module made, through the API.
func newHcloudClient(api *fakehcloud.Server) *hcloud.Client {
	return hcloud.NewClient(hcloud.WithEndpoint(api.URL()), hcloud.WithToken(api.Token()))
}
