package terraform

import (
	"context"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/terraform-config-inspect/tfconfig"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// providerPrefix is how a module's own variables must start, so a reader
// tells them from the contract's at a glance.
var providerPrefix = map[Provider]string{Hetzner: "hcloud_", Huawei: "huaweicloud_", OCI: "oci_"}

// writeModule writes p's module with the contract, as Prepare does.
func writeModule(t *testing.T, p Provider) string {
	t.Helper()
	fsys, err := Module(p)
	require.NoError(t, err)
	r := &Runner{Dir: t.TempDir(), Module: fsys}
	require.NoError(t, r.Prepare(context.Background()))
	return r.Dir
}

// Every module, read offline (no provider needed): it parses and is
// formatted, declares exactly the contract's variables plus its own
// prefixed ones (those with defaults, or filled by the workflow), the
// contract's outputs, one provider pinned to an exact version and no
// null/local/random/remote ones, and the locals the contract's outputs
// read. Huawei's and OCI's providers cannot be built here, so this is all
// that can be checked of them.
func TestModulesShareTheContract(t *testing.T) {
	tofu := testenv.Bin(t, "tofu")
	contract, diags := tfconfig.LoadModule(filepath.Join("modules", "contract"))
	require.False(t, diags.HasErrors(), diags.Error())
	for _, p := range Providers {
		t.Run(string(p), func(t *testing.T) {
			dir := writeModule(t, p)
			out, err := exec.Command(tofu, "fmt", "-check", "-recursive", dir).CombinedOutput()
			require.NoError(t, err, "tofu fmt -check: %s", out)

			mod, diags := tfconfig.LoadModule(dir)
			require.False(t, diags.HasErrors(), diags.Error())
			for name, v := range mod.Variables {
				if _, shared := contract.Variables[name]; shared {
					require.Equal(t, filepath.Join(dir, "variables.tf"), v.Pos.Filename, "%s is declared by the contract only", name)
					continue
				}
				require.True(t, strings.HasPrefix(name, providerPrefix[p]), "variable %s: a module's own variables start with %s", name, providerPrefix[p])
			}
			for name := range contract.Variables {
				require.Contains(t, mod.Variables, name)
			}
			require.Equal(t, sortedKeys(contract.Outputs), sortedKeys(mod.Outputs), "outputs are the contract's")
			for _, o := range mod.Outputs {
				require.Equal(t, "outputs.tf", filepath.Base(o.Pos.Filename), "output %s comes from the contract", o.Name)
			}

			require.Len(t, mod.RequiredProviders, 1, "one provider, and no null/local/random/remote")
			for name, req := range mod.RequiredProviders {
				require.Len(t, req.VersionConstraints, 1, name)
				require.Regexp(t, `^= \d+\.\d+\.\d+$`, req.VersionConstraints[0], "%s is pinned to an exact version", name)
			}
			for _, r := range mod.ManagedResources {
				require.True(t, r.Type == "terraform_data" || strings.HasPrefix(r.Type, strings.TrimSuffix(providerPrefix[p], "_")),
					"resource %s is the module's provider's", r.Type)
			}
			require.Subset(t, moduleLocals(t, dir), []string{"load_balancer_ip", "gateway_ipv4", "nodes"}, "the contract's outputs read these")
		})
	}
}

// moduleLocals lists the names every locals block in dir defines.
func moduleLocals(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	require.NoError(t, err)
	parser := hclparse.NewParser()
	var names []string
	for _, f := range files {
		file, diags := parser.ParseHCLFile(f)
		require.False(t, diags.HasErrors(), diags.Error())
		content, _, diags := file.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "locals"}}})
		require.False(t, diags.HasErrors(), diags.Error())
		for _, b := range content.Blocks {
			attrs, diags := b.Body.JustAttributes()
			require.False(t, diags.HasErrors(), diags.Error())
			for name := range attrs {
				names = append(names, name)
			}
		}
	}
	return names
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// The Hetzner module initialises with the real hcloud provider built from
// source and validates: every resource argument is one the provider has.
func TestHetznerModuleValidatesWithTheRealProvider(t *testing.T) {
	ctx := context.Background()
	fsys, err := Module(Hetzner)
	require.NoError(t, err)
	r := &Runner{Bin: testenv.Bin(t, "tofu"), Dir: t.TempDir(), Module: fsys, PluginCache: t.TempDir(), Env: testenv.TofuEnv(t)}
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, nil))
	tf, _, err := r.tf()
	require.NoError(t, err)
	v, err := tf.Validate(ctx)
	require.NoError(t, err)
	require.True(t, v.Valid, "diagnostics: %+v", v.Diagnostics)
}

func TestModuleRefusesAnUnknownProvider(t *testing.T) {
	_, err := Module("aws")
	require.ErrorContains(t, err, `unknown provider "aws": choose one of [hetzner huawei oci]`)
}
