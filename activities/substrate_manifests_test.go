package activities

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/dev/testenv"
)

// TestSubstrateFiles: the layout Flux needs. clusters/<region>/ holds no
// object of a kind Crossplane or its provider defines (Flux applies that
// folder, subfolders included, as one set); each later stage has its own
// Kustomization depending on the one before; the XRD and Composition are
// deploy/crossplane's, field for field; rendering twice gives the same
// bytes (the commit's idempotence rests on it).
func TestSubstrateFiles(t *testing.T) {
	xp := catalog.HelmChartRef{Name: "crossplane", Repository: "https://charts.crossplane.io/stable", Version: "2.1.0"}
	files, err := SubstrateFiles("fsn1", xp, false)
	require.NoError(t, err)
	again, err := SubstrateFiles("fsn1", xp, false)
	require.NoError(t, err)
	require.Equal(t, files, again)

	byPath := map[string][]map[string]any{}
	for _, f := range files {
		for _, doc := range bytes.Split(f.Content, []byte("\n---\n")) {
			var obj map[string]any
			require.NoError(t, yaml.Unmarshal(doc, &obj), f.Path)
			if obj != nil {
				byPath[f.Path] = append(byPath[f.Path], obj)
			}
		}
	}
	kinds := func(path string) []string {
		var out []string
		for _, o := range byPath[path] {
			out = append(out, o["kind"].(string)+"/"+(&unstructured.Unstructured{Object: o}).GetName())
		}
		return out
	}
	require.Equal(t, []string{"HelmChart/crossplane", "Kustomization/crossplane-config", "Kustomization/crossplane-providers"}, kinds("clusters/fsn1/substrate.yaml"))
	require.ElementsMatch(t, []string{
		"CompositeResourceDefinition/componentreleases.platform.openova.io", "Composition/componentreleases.platform.openova.io",
		"Provider/provider-helm", "Function/function-patch-and-transform",
		"DeploymentRuntimeConfig/provider-helm", "ClusterRoleBinding/provider-helm-cluster-admin",
	}, kinds("substrate/fsn1/crossplane/crossplane.yaml"))
	require.Equal(t, []string{"ClusterProviderConfig/default"}, kinds("substrate/fsn1/crossplane-providers/provider-config.yaml"))

	stage1 := byPath["clusters/fsn1/substrate.yaml"]
	for i, want := range []struct{ path, after string }{
		{"./substrate/fsn1/crossplane", FluxSyncName},
		{"./substrate/fsn1/crossplane-providers", crossplaneConfigKS},
	} {
		ks := &unstructured.Unstructured{Object: stage1[i+1]}
		p, _, _ := unstructured.NestedString(ks.Object, "spec", "path")
		deps, _, _ := unstructured.NestedSlice(ks.Object, "spec", "dependsOn")
		require.Equal(t, want.path, p)
		require.Equal(t, []any{map[string]any{"name": want.after}}, deps)
	}
	spec := stage1[0]["spec"].(map[string]any)
	require.Equal(t, []any{"https://charts.crossplane.io/stable", "crossplane", "2.1.0", "crossplane-system"},
		[]any{spec["repo"], spec["chart"], spec["version"], spec["targetNamespace"]})

	for name, kind := range map[string]string{"xrd.yaml": "CompositeResourceDefinition", "composition.yaml": "Composition"} {
		b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "deploy", "crossplane", name))
		require.NoError(t, err)
		var want map[string]any
		require.NoError(t, yaml.Unmarshal(b, &want))
		for _, o := range byPath["substrate/fsn1/crossplane/crossplane.yaml"] {
			if o["kind"] == kind {
				require.Equal(t, want, o, "%s is deploy/crossplane/%s", kind, name)
			}
		}
	}
}
