package deploy_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/dev/testenv"
)

// overlays are the kustomizations a user applies.
var overlays = []string{"overlays/dev", "overlays/prod", "overlays/bootstrap"}

// build runs kustomize (the library kubectl embeds) over deploy/<dir> and
// returns the objects in the order kustomize emits them.
func build(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resMap, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(testenv.RepoRoot(), "deploy", dir))
	require.NoError(t, err, "kustomize build deploy/%s", dir)
	var objs []*unstructured.Unstructured
	for _, r := range resMap.Resources() {
		b, err := r.AsYAML()
		require.NoError(t, err)
		u := &unstructured.Unstructured{}
		require.NoError(t, yaml.Unmarshal(b, &u.Object), "%s", b)
		objs = append(objs, u)
	}
	require.NotEmpty(t, objs, "deploy/%s built nothing", dir)
	return objs
}

// byKind returns the built objects of one kind.
func byKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// one returns the single object of a kind and name, failing otherwise.
func one(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range byKind(objs, kind) {
		if o.GetName() == name {
			return o
		}
	}
	require.Failf(t, "missing object", "%s %s is not in the build", kind, name)
	return nil
}

// TestOverlaysBuild checks that each overlay builds and holds what the
// manager needs to run, and that the overlays differ where they should.
func TestOverlaysBuild(t *testing.T) {
	want := []struct{ kind, name string }{
		{"Namespace", "openova-system"},
		{"CustomResourceDefinition", "platforms.openova.io"},
		{"CustomResourceDefinition", "components.openova.io"},
		{"ServiceAccount", "openova-manager"},
		{"Role", "openova-manager"},
		{"RoleBinding", "openova-manager"},
		{"PersistentVolumeClaim", "openova-data"},
		{"Deployment", "openova-manager"},
		{"Service", "openova-manager"},
	}
	images := map[string]string{
		"overlays/dev":  "ghcr.io/openova-io/openova:dev",
		"overlays/prod": "ghcr.io/openova-io/openova:v0.1.0",
		// The bootstrap renders it with its image by digest.
		"overlays/bootstrap": "ghcr.io/openova-io/openova:v0.1.0",
	}
	storage := map[string]string{"overlays/dev": "5Gi", "overlays/prod": "20Gi", "overlays/bootstrap": "20Gi"}
	for _, dir := range overlays {
		t.Run(dir, func(t *testing.T) {
			objs := build(t, dir)
			for _, w := range want {
				o := one(t, objs, w.kind, w.name)
				if namespaced[w.kind] {
					require.Equal(t, "openova-system", o.GetNamespace(), "%s %s", w.kind, w.name)
				}
			}
			c := managerContainer(t, objs)
			require.Equal(t, images[dir], c["image"])
			pvc := one(t, objs, "PersistentVolumeClaim", "openova-data")
			got, _, _ := unstructured.NestedString(pvc.Object, "spec", "resources", "requests", "storage")
			require.Equal(t, storage[dir], got)
			require.Equal(t, []any{"ReadWriteOnce"}, pvc.Object["spec"].(map[string]any)["accessModes"])
		})
	}
}

// namespaced says which kinds of the build live in a namespace.
var namespaced = map[string]bool{
	"ServiceAccount": true, "Role": true, "RoleBinding": true,
	"PersistentVolumeClaim": true, "Deployment": true, "Service": true,
}
