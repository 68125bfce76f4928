package importrules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// moduleGraph is what go list -deps says of every package of the module
// (tests excluded: test files may import what they test against).
func moduleGraph(t *testing.T) Graph {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = testenv.RepoRoot()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())
	g := Graph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		g[p.ImportPath] = p
	}
	require.Contains(t, g, Module+"/controllers", "the graph holds the module")
	return g
}

// The module as it is keeps every rule of DESIGN.md.
func TestModuleKeepsTheImportRules(t *testing.T) {
	require.Empty(t, Check(moduleGraph(t)))
}

// Each rule catches what it forbids: the module's own graph with one
// import added that breaks it.
func TestRulesCatchViolations(t *testing.T) {
	base := moduleGraph(t)
	m := func(p string) string { return Module + "/" + p }
	cases := []struct {
		name     string
		pkg, imp string
		want     string
	}{
		{"a controller imports activities", m("controllers"), m("activities"), "controllers and web never import activities"},
		{"a controller reaches activities through kube", m("kube"), m("activities"), "reach activities only through workflows"},
		{"catalog imports crds", m("catalog"), m("crds/v1alpha1"), "catalog and crds import no other package"},
		{"netguard imports the SDK", m("netguard"), "go.temporal.io/sdk/client", "netguard imports nothing but the standard library"},
		{"secret imports the SDK", m("secret"), "go.temporal.io/sdk/converter", "secret imports nothing but the standard library"},
		{"mesh imports wgtypes", m("mesh"), "golang.zx2c4.com/wireguard/wgctrl/wgtypes", "mesh imports only the standard library and secret"},
		{"mesh imports netguard", m("mesh"), m("netguard"), "mesh imports only the standard library and secret"},
		{"bootstrap imports activities", m("bootstrap"), m("activities"), "bootstrap imports only the standard library"},
		{"bootstrap imports the SDK", m("bootstrap"), "go.temporal.io/sdk/temporal", "bootstrap imports only the standard library"},
		{"cloud imports the Hetzner SDK", m("cloud"), "github.com/hetznercloud/hcloud-go/v2/hcloud", "cloud (its API client cloud/cloudapi aside)"},
		{"the wizard imports workflows", m("web/wizard"), m("workflows"), "the wizard's pages"},
		{"the wizard imports cloudapi", m("web/wizard"), m("cloud/cloudapi"), "the wizard's pages"},
		{"the wizard imports the Temporal client", m("web/wizard"), "go.temporal.io/sdk/client", "the wizard's pages"},
		{"the wizard imports go-git", m("web/wizard"), "github.com/go-git/go-git/v5", "the wizard's pages"},
		{"crds imports the SDK", m("crds/v1alpha1"), "go.temporal.io/sdk/client", "import no Temporal and no Kubernetes client"},
		{"controllers import the server", m("controllers"), "go.temporal.io/server/common", "only worker/embedded imports go.temporal.io/server"},
		{"workflows import controller-runtime", m("workflows"), "sigs.k8s.io/controller-runtime/pkg/client", "workflows import no Kubernetes client"},
		{"activities import workflows", m("activities"), m("workflows"), "activities never import workflows"},
		{"activities import a test harness", m("activities"), m("dev/testenv/gitea"), "only dev's own packages import dev"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := Graph{}
			for k, v := range base {
				g[k] = v
			}
			p := g[tc.pkg]
			p.Imports = append(append([]string{}, p.Imports...), tc.imp)
			p.Deps = append(append([]string{}, p.Deps...), tc.imp)
			g[tc.pkg] = p
			// Whoever imports pkg now depends on imp too.
			for k, v := range g {
				for _, d := range v.Deps {
					if d == tc.pkg {
						v.Deps = append(append([]string{}, v.Deps...), tc.imp)
						g[k] = v
						break
					}
				}
			}
			found := false
			for _, v := range Check(g) {
				found = found || strings.Contains(v, tc.want)
			}
			require.True(t, found, "no violation of %q", tc.want)
		})
	}
}
