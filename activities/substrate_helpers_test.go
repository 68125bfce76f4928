package activities

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/openova-io/core/dev/testenv"
)

// The Go modules whose CRDs the tests install to play what a chart or a
// package would create in a real cluster: Crossplane's chart (its
// cluster/crds) and provider-helm's package (package/crds), at the
// versions the substrate installs.
const (
	crossplaneModule   = "github.com/crossplane/crossplane/v2"
	providerHelmModule = "github.com/crossplane-contrib/provider-helm"
)

// installHelmChartCRD installs k3s's HelmChart CRD (dev/testenv/k3s/crds),
// which k3s's Helm controller registers in a real cluster.
func installHelmChartCRD(t *testing.T, cfg *rest.Config) {
	t.Helper()
	installCRDs(t, cfg, filepath.Join(testenv.RepoRoot(), "dev", "testenv", "k3s", "crds"))
}

func installCRDs(t *testing.T, cfg *rest.Config, dir string) {
	t.Helper()
	_, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{Paths: []string{dir}, ErrorIfPathMissing: true})
	require.NoError(t, err, "install the CRDs of %s", dir)
}

// moduleCRDs is a folder of CRDs in a Go module at a version, from the
// module cache (go mod download fetches it through the module proxy once).
func moduleCRDs(t *testing.T, module, version, sub string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version)
	cmd.Dir = t.TempDir() // outside the repository: the module is not a dependency
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if err == nil {
		err = json.Unmarshal(out, &info)
	}
	if err != nil || info.Dir == "" {
		testenv.Missing(t, "module %s@%s is not in the module cache (%v %s): go mod download %s@%s", module, version, err, info.Error, module, version)
	}
	dir := filepath.Join(info.Dir, sub)
	_, err = os.Stat(dir)
	require.NoError(t, err, "%s@%s has no %s", module, version, sub)
	return dir
}

// waitUntil polls cond until it holds; bound only keeps a broken test from
// hanging (it takes seconds).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			require.FailNow(t, "gave up waiting for "+what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// get reads an object as unstructured (nil when it is not there, or its
// kind is not served).
func get(c client.Client, apiVersion, kind, namespace, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: name}, u); err != nil {
		return nil
	}
	return u
}

// reconcileNow asks kustomize-controller to look at a Kustomization now,
// as `flux reconcile` does, instead of at its retry interval.
func reconcileNow(t *testing.T, c client.Client, name string) {
	t.Helper()
	u := get(c, fluxKustomizeAPI, "Kustomization", FluxNamespace, name)
	require.NotNil(t, u, "Kustomization %s", name)
	patch := `{"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"` + time.Now().Format(time.RFC3339Nano) + `"}}}`
	require.NoError(t, c.Patch(context.Background(), u, client.RawPatch(types.MergePatchType, []byte(patch))))
}

// playConditions sets True conditions on an object's status, as
// Crossplane's controllers would.
func playConditions(t *testing.T, c client.Client, apiVersion, kind, name string, types ...string) {
	t.Helper()
	u := get(c, apiVersion, kind, "", name)
	require.NotNil(t, u, "%s %s", kind, name)
	var conds []any
	for _, typ := range types {
		conds = append(conds, map[string]any{"type": typ, "status": "True", "reason": "PlayedByTest",
			"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)})
	}
	require.NoError(t, unstructured.SetNestedSlice(u.Object, conds, "status", "conditions"))
	require.NoError(t, c.Status().Update(context.Background(), u), "status of %s %s", kind, name)
}
