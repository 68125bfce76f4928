package players_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/k3s/players"
)

// TestPlayCrossplane: a crossplane HelmChart → Crossplane's CRDs of the
// chart's version served, then deploy/crossplane's provider-helm Installed
// and Healthy (its package's CRDs served: a ClusterProviderConfig can be
// created), a Function Installed and Healthy, the project's XRD
// (deploy/crossplane/xrd.yaml, validated by Crossplane's own CRD)
// Established, and an XRD with claims Established and Offered with both
// CRDs served; every condition at the object's generation, written once.
// A Provider whose package's CRDs the player cannot find is Installed but
// not Healthy, and says why.
func TestPlayCrossplane(t *testing.T) {
	env := standIn(t)
	p := players.PlayCrossplane(t, env.Config, players.CrossplaneOptions{})
	// The catalog's Crossplane: dev/dev.sh assets puts its module (which
	// the player reads its CRDs from) in the module cache.
	applyHelmChart(t, env, "crossplane", "crossplane", catalog.Default().Components["crossplane"].Latest().HelmChartVersion(), "crossplane-system", map[string]any{})
	p.Wait(t, 3*time.Minute)
	require.Equal(t, "helm-install-crossplane", helmChartInstalled(t, env, "crossplane"))

	c, err := client.New(env.Config, client.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	create := func(u *unstructured.Unstructured) {
		t.Helper()
		require.NoError(t, c.Create(ctx, u))
		t.Cleanup(func() { _ = c.Delete(context.Background(), u) })
	}
	create(fromFile(t, filepath.Join(testenv.RepoRoot(), "deploy", "crossplane", "provider-helm.yaml")))
	create(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "pkg.crossplane.io/v1", "kind": "Function",
		"metadata": map[string]any{"name": "function-patch-and-transform"},
		"spec":     map[string]any{"package": "xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform:v0.8.2"}}})
	create(fromFile(t, filepath.Join(testenv.RepoRoot(), "deploy", "crossplane", "xrd.yaml")))
	// Claims are a v1 (LegacyCluster) XRD's: v2 refuses them.
	create(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "apiextensions.crossplane.io/v1", "kind": "CompositeResourceDefinition",
		"metadata": map[string]any{"name": "xwidgets.players.example.org"},
		"spec": map[string]any{"group": "players.example.org",
			"names":      map[string]any{"kind": "XWidget", "plural": "xwidgets"},
			"claimNames": map[string]any{"kind": "Widget", "plural": "widgets"},
			"versions": []any{map[string]any{"name": "v1", "served": true, "referenceable": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object"}}}}}}})

	for _, o := range []struct{ api, kind, name string }{
		{"pkg.crossplane.io/v1", "Provider", "provider-helm"},
		{"pkg.crossplane.io/v1", "Function", "function-patch-and-transform"},
		{"apiextensions.crossplane.io/v2", "CompositeResourceDefinition", "componentreleases.platform.openova.io"},
		{"apiextensions.crossplane.io/v1", "CompositeResourceDefinition", "xwidgets.players.example.org"},
	} {
		want := map[string]string{"Installed": "ActivePackageRevision", "Healthy": "HealthyPackageRevision"}
		if o.kind == "CompositeResourceDefinition" {
			want = map[string]string{"Established": "WatchingCompositeResource"}
			if o.name == "xwidgets.players.example.org" {
				want["Offered"] = "WatchingCompositeResourceClaim"
			}
		}
		var rv string
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			u := &unstructured.Unstructured{}
			u.SetAPIVersion(o.api)
			u.SetKind(o.kind)
			require.NoError(ct, c.Get(ctx, client.ObjectKey{Name: o.name}, u))
			conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			require.Len(ct, conds, len(want))
			for _, raw := range conds {
				m := raw.(map[string]any)
				require.Equal(ct, "True", m["status"], "%s %s: %v", o.kind, o.name, m)
				require.Equal(ct, want[m["type"].(string)], m["reason"])
				require.EqualValues(ct, u.GetGeneration(), m["observedGeneration"])
			}
			rv = u.GetResourceVersion()
		}, time.Minute, 100*time.Millisecond, "%s %s", o.kind, o.name)
		settled := &unstructured.Unstructured{}
		settled.SetAPIVersion(o.api)
		settled.SetKind(o.kind)
		// Several rounds later the player has written nothing more.
		// Observing that nothing happens takes time: this is no wait for a condition.
		time.Sleep(5 * players.Poll)
		require.NoError(t, c.Get(ctx, client.ObjectKey{Name: o.name}, settled))
		require.Equal(t, rv, settled.GetResourceVersion(), "%s %s: conditions are written once", o.kind, o.name)
	}

	// A package whose CRDs the player cannot find is not Healthy, and says why.
	create(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "pkg.crossplane.io/v1", "kind": "Provider",
		"metadata": map[string]any{"name": "provider-unknown"}, "spec": map[string]any{"package": "registry.example.com/acme/provider-unknown:v0.0.1"}}})
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("pkg.crossplane.io/v1")
		u.SetKind("Provider")
		require.NoError(ct, c.Get(ctx, client.ObjectKey{Name: "provider-unknown"}, u))
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		require.Len(ct, conds, 2)
		healthy := conds[1].(map[string]any)
		require.Equal(ct, "False", healthy["status"])
		require.Equal(ct, "UnhealthyPackageRevision", healthy["reason"])
		require.Contains(ct, healthy["message"], "github.com/acme/provider-unknown@v0.0.1 is not in the module cache")
	}, time.Minute, 100*time.Millisecond)

	// What the served kinds let the substrate create.
	create(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "helm.m.crossplane.io/v1beta1", "kind": "ClusterProviderConfig",
		"metadata": map[string]any{"name": "players"}, "spec": map[string]any{"credentials": map[string]any{"source": "InjectedIdentity"}}}})
	create(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "players.example.org/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w", "namespace": env.Namespace}}})
}

func fromFile(t *testing.T, path string) *unstructured.Unstructured {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	u := &unstructured.Unstructured{}
	require.NoError(t, yaml.Unmarshal(b, &u.Object))
	return u
}
