package terraform

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
)

// hetznerUserDataLimit is what Hetzner accepts as a server's user data
// (docs.hetzner.cloud, "Create a Server": user_data, "max 32 KiB").
const hetznerUserDataLimit = 32768

// The largest region the contract allows (3 control planes, 50 workers,
// Cilium, and a link to another region, so cp-0 is its gateway with a
// wg0.conf the production code rendered), built by the real OpenTofu and
// hcloud provider against the fake Hetzner API: every server's user data is
// valid cloud-config by Debian's own cloud-init (`cloud-init schema`), the
// schema a node's first boot applies, and stays under Hetzner's user data
// limit. A node whose cloud-config does not validate boots without k3s; one
// over the limit is refused by the API only at apply, after the plan was
// approved.
func TestHetznerUserData_LargestRegion_ValidCloudConfigUnderTheLimit(t *testing.T) {
	cloudInit := testenv.Bin(t, "cloud-init")
	rel := newFakeRelease(t)
	const cps, workers = 3, 50
	conf := gatewayConf(t, "203.0.113.200")
	userData := applyHetznerNodes(t, rel, cps, workers, "join-token-0123456789abcdef0123456789abcdef", "agent-token-fedcba9876543210fedcba9876543210",
		map[string]any{"cilium": testCilium, "link": testLink(peerAddress), "link_wg_conf": conf})
	require.Len(t, userData, cps+workers, "one user data per server")
	for name, ud := range userData {
		_, gateway := parseCloudInit(t, ud).files["/etc/wireguard/wg0.conf"]
		require.Equal(t, name == "acme-fsn1-cp-0", gateway, "%s: cp-0 is the link's gateway, and only cp-0", name)
	}

	// Nodes of one role differ in their addresses only: check the schema
	// of each distinct shape once, and the size of every document.
	dir := t.TempDir()
	checked := map[string]bool{}
	largest := map[string]int{}
	for name, ud := range userData {
		role := "worker"
		switch {
		case name == "acme-fsn1-cp-0":
			role = "gateway"
		case strings.Contains(name, "-cp-"):
			role = "control plane"
		}
		largest[role] = max(largest[role], len(ud))
		require.LessOrEqual(t, len(ud), hetznerUserDataLimit, "%s: user data of %d bytes is over Hetzner's limit", name, len(ud))
		shape := perNode.ReplaceAllString(ud, "$1")
		if checked[shape] {
			continue
		}
		checked[shape] = true
		path := filepath.Join(dir, name+".yaml")
		require.NoError(t, os.WriteFile(path, []byte(ud), 0o600))
		out, err := exec.Command(cloudInit, "schema", "--config-file", path).CombinedOutput()
		require.NoError(t, err, "%s: cloud-init schema: %s", name, out)
		require.Contains(t, string(out), "Valid cloud-config", name)
	}
	t.Logf("largest user data: gateway %d bytes, control plane %d bytes, worker %d bytes (limit %d); %d distinct documents checked",
		largest["gateway"], largest["control plane"], largest["worker"], hetznerUserDataLimit, len(checked))
	require.Len(t, checked, 3, "the gateway, the other control planes and the workers each have a shape of their own")

	t.Run("the schema check catches a broken document", func(t *testing.T) {
		path := filepath.Join(dir, "broken.yaml")
		for _, ud := range userData {
			broken := strings.Replace(ud, "runcmd:\n", "runcmd: 5\nx:\n", 1)
			require.NotEqual(t, ud, broken)
			require.NoError(t, os.WriteFile(path, []byte(broken), 0o600))
			break
		}
		out, err := exec.Command(cloudInit, "schema", "--config-file", path).CombinedOutput()
		require.Error(t, err, "cloud-init schema accepted a runcmd that is not a list: %s", out)
		require.Contains(t, string(out), "runcmd")
	})
}

// perNode matches what differs between nodes of one role and not their
// document's shape: the header comment and the files' (base64) contents,
// whose addresses cloud-init's schema does not read.
var perNode = regexp.MustCompile(`(?m)^(# k3s |\s+content: ).*$`)

// applyHetznerNodes applies the Hetzner module with cps control planes and
// workers workers against the fake Hetzner API with the release URL on rel,
// and extra variables, and returns each server's user data by name.
func applyHetznerNodes(t *testing.T, rel *fakeRelease, cps, workers int, joinToken, agentToken string, extra map[string]any) map[string]string {
	t.Helper()
	api := fakehcloud.New(fakehcloud.Options{})
	t.Cleanup(api.Close)
	vars := map[string]any{
		"control_plane_count": cps, "worker_count": workers, "k3s_release_url": rel.URL,
		"cluster_ca":  map[string]any{"server_ca_cert": pemSized("CERTIFICATE"), "server_ca_key": pemSized("EC PRIVATE KEY"), "client_ca_cert": pemSized("CERTIFICATE"), "client_ca_key": pemSized("EC PRIVATE KEY")},
		"join_token":  joinToken,
		"agent_token": agentToken,
	}
	maps.Copy(vars, extra)
	r := hetznerRunner(t, api, t.TempDir(), vars, joinToken, agentToken)
	ctx := context.Background()
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, nil))
	_, err := r.Plan(ctx)
	require.NoError(t, err)
	require.NoError(t, r.Apply(ctx))
	out := map[string]string{}
	for i := range cps {
		name := fmt.Sprintf("acme-fsn1-cp-%d", i)
		ud, ok := api.ServerUserData(name)
		require.True(t, ok, name)
		out[name] = ud
	}
	for i := range workers {
		name := fmt.Sprintf("acme-fsn1-worker-%d", i)
		ud, ok := api.ServerUserData(name)
		require.True(t, ok, name)
		out[name] = ud
	}
	return out
}

// pemSized is a PEM block of 1 KiB of body: larger than the P-256 CA
// certificates and keys the bootstrap generates (about 560 and 230 bytes),
// so the size check holds for the real ones.
func pemSized(kind string) string {
	body := strings.Repeat(strings.Repeat("A", 64)+"\n", 16)
	return "-----BEGIN " + kind + "-----\n" + body + "-----END " + kind + "-----\n"
}

// hetznerRunner runs the Hetzner module against api: a location, sizes and
// the fake's fast polling, then vars (the test's own), with the given
// values redacted from its output.
func hetznerRunner(t *testing.T, api *fakehcloud.Server, pluginCache string, vars map[string]any, secrets ...string) *Runner {
	t.Helper()
	fsys, err := Module(Hetzner)
	require.NoError(t, err)
	env := testenv.TofuEnv(t)
	env["HCLOUD_ENDPOINT"], env["HCLOUD_TOKEN"] = api.URL(), api.Token()
	all := map[string]any{
		"organization": "acme", "domain": "acme.example", "region": "fsn1", "role": "primary",
		"control_plane_size": "cpx31", "worker_size": "cax21",
		"hcloud_poll_function": "constant", "hcloud_poll_interval": "100ms",
	}
	maps.Copy(all, vars)
	return &Runner{Bin: testenv.Bin(t, "tofu"), Dir: t.TempDir(), Module: fsys, PluginCache: pluginCache, Env: env,
		Secrets: append(secrets, api.Token()), Vars: all}
}
