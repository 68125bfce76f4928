package terraform

import (
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-config-inspect/tfconfig"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// cloudInit is what a server's user data gives cloud-init: the files it
// writes (decoded), the packages it installs and the commands it runs.
type cloudInit struct {
	raw      string
	files    map[string]string
	packages []string
	runcmd   [][]string
}

func parseCloudInit(t *testing.T, userData string) cloudInit {
	t.Helper()
	var doc struct {
		WriteFiles []struct{ Path, Encoding, Content string } `yaml:"write_files"`
		Packages   []string                                   `yaml:"packages"`
		Runcmd     [][]string                                 `yaml:"runcmd"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(userData), &doc))
	ci := cloudInit{raw: userData, files: map[string]string{}, packages: doc.Packages, runcmd: doc.Runcmd}
	for _, f := range doc.WriteFiles {
		require.Equal(t, "b64", f.Encoding, f.Path)
		b, err := base64.StdEncoding.DecodeString(f.Content)
		require.NoError(t, err, f.Path)
		ci.files[f.Path] = string(b)
	}
	return ci
}

// k3sConfig is /etc/rancher/k3s/config.yaml of a node.
func (ci cloudInit) k3sConfig(t *testing.T) map[string]any {
	t.Helper()
	cfg := map[string]any{}
	require.NoError(t, yaml.Unmarshal([]byte(ci.files["/etc/rancher/k3s/config.yaml"]), &cfg))
	return cfg
}

// applyHetzner applies the Hetzner module (one server, one worker) against
// the fake Hetzner API with the release URL on rel, and returns the user
// data each server was created with.
func applyHetzner(t *testing.T, rel *fakeRelease, joinToken, agentToken string) (server, worker cloudInit) {
	t.Helper()
	ud := applyHetznerNodes(t, rel, 1, 1, joinToken, agentToken, nil)
	return parseCloudInit(t, ud["acme-fsn1-cp-0"]), parseCloudInit(t, ud["acme-fsn1-worker-0"])
}

// The cloud-init every node of the Hetzner module is created with (the
// real OpenTofu and hcloud provider against the fake Hetzner API): k3s
// comes from the pinned release, checked against its published SHA-256 by
// the contract's install-k3s.sh (no install script is fetched and piped to
// a shell), and runs under the unit cloud-init writes; servers accept the
// agent token, and workers join with it, not with the server token.
func TestHetznerUserData_PinnedCheckedK3s_WorkersJoinWithTheAgentToken(t *testing.T) {
	const join, agent = "join-token-0123456789abcdef0123456789abcdef", "agent-token-fedcba9876543210fedcba9876543210"
	rel := newFakeRelease(t)
	server, worker := applyHetzner(t, rel, join, agent)
	for _, n := range []struct {
		name, role, unit string
		ci               cloudInit
	}{{"server", "server", "k3s.service", server}, {"worker", "agent", "k3s-agent.service", worker}} {
		t.Run(n.name+" installs the pinned release, checked", func(t *testing.T) {
			require.Less(t, len(n.ci.raw), 32768, "Hetzner caps user data at 32 KiB")
			for path, content := range n.ci.files {
				require.NotContains(t, content, "get.k3s.io", path)
				require.NotRegexp(t, `\|\s*(ba)?sh\b`, content, path)
			}
			require.NotContains(t, n.ci.raw, "get.k3s.io")
			require.NotRegexp(t, `\|\s*(ba)?sh\b`, n.ci.raw, "nothing is piped into a shell")
			fsys, err := Module(Hetzner)
			require.NoError(t, err)
			script, err := fs.ReadFile(fsys, "install-k3s.sh")
			require.NoError(t, err)
			require.Equal(t, string(script), n.ci.files["/usr/local/lib/openova/install-k3s.sh"])
			require.Contains(t, n.ci.files["/usr/local/lib/openova/install-k3s.sh"], "sha256sum --check")
			require.Contains(t, n.ci.files["/etc/systemd/system/"+n.unit], "\nExecStart=/usr/local/bin/k3s "+n.role+"\n")
			require.Equal(t, [][]string{{"bash", "/usr/local/lib/openova/install-k3s.sh", n.role, k3sVersion, rel.URL}}, n.ci.runcmd,
				"cloud-init runs only the install script, with the pinned version")

			// Run exactly that command on a stand-in node against the
			// release on loopback: it fetches the pinned version's URL.
			path := filepath.Join(t.TempDir(), "install-k3s.sh")
			require.NoError(t, os.WriteFile(path, []byte(n.ci.files[n.ci.runcmd[0][1]]), 0o755))
			node := newNode(t, "x86_64")
			before := len(rel.seen())
			exit, stderr := node.run(t, path, n.ci.runcmd[0][2:]...)
			require.Zero(t, exit, stderr)
			require.Equal(t, []string{k3sVersionPath + "sha256sum-amd64.txt", k3sVersionPath + "k3s"}, rel.seen()[before:])
			require.Equal(t, []string{"daemon-reload", "enable --now --no-block " + n.unit}, node.systemctl(t))
		})
	}

	t.Run("workers join with the agent token", func(t *testing.T) {
		s, w := server.k3sConfig(t), worker.k3sConfig(t)
		require.Equal(t, join, s["token"])
		require.Equal(t, agent, s["agent-token"], "servers accept the agent token")
		require.Equal(t, agent, w["token"], "workers join with the agent token")
		require.NotContains(t, w, "agent-token")
		for path, content := range worker.files {
			require.NotContains(t, content, join, "a worker's %s holds no server token", path)
		}
	})

	t.Run("every node trusts the cluster CA for Gitea's registry", func(t *testing.T) {
		ca := server.files["/var/lib/rancher/k3s/server/tls/server-ca.crt"]
		require.Contains(t, ca, "BEGIN CERTIFICATE")
		for name, n := range map[string]cloudInit{"server": server, "worker": worker} {
			var reg struct {
				Configs map[string]map[string]any `yaml:"configs"`
			}
			require.NoError(t, yaml.Unmarshal([]byte(n.files["/etc/rancher/k3s/registries.yaml"]), &reg), name)
			require.Len(t, reg.Configs, 1, name)
			for host, cfg := range reg.Configs {
				require.Regexp(t, `^\d+\.\d+\.\d+\.\d+:3000$`, host, "the load balancer's Gitea port, where the image is pushed")
				require.Equal(t, map[string]any{"tls": map[string]any{"ca_file": "/etc/rancher/k3s/registry-ca.crt"}}, cfg,
					"TLS trust only: no credentials in user data (the Deployment's imagePullSecret holds them)")
			}
			require.Equal(t, ca, n.files["/etc/rancher/k3s/registry-ca.crt"], "%s trusts the cluster's server CA", name)
		}
	})

	t.Run("the release comes from GitHub unless told otherwise", func(t *testing.T) {
		contract, diags := tfconfig.LoadModule(filepath.Join("modules", "contract"))
		require.False(t, diags.HasErrors(), diags.Error())
		require.Contains(t, contract.Variables, "k3s_release_url")
		require.Equal(t, "https://github.com/k3s-io/k3s/releases/download", contract.Variables["k3s_release_url"].Default)
		require.Equal(t, k3sVersion, contract.Variables["k3s_version"].Default)
	})
}
