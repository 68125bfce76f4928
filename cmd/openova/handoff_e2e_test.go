package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	kubeclient "github.com/openova-io/core/kube"
	"github.com/openova-io/core/workflows"
)

// platformHandedOver checks the hand-off in the primary, with Crossplane
// played for the releases as in Journey 2: Flux applied the Platform the
// bootstrap committed (GitOps on the platform repository, every resolved
// component pinned, the substrate listed); the manager adopted Cilium,
// Gitea, Flux and Crossplane at the versions the bootstrap installed,
// with no Crossplane release for them, and released every other
// component through Git and Crossplane, until all are Healthy. It
// returns the manager's Git token (a canary).
func platformHandedOver(t *testing.T, cloud *cloudStandIn, res workflows.BootstrapResult) []string {
	t.Helper()
	c, err := kubeclient.NewClient(cloud.Clusters["fsn1"])
	require.NoError(t, err)
	ns := activities.ManagerNamespace
	players.PlayReleases(t, c, ns, 0)

	var p v1alpha1.Platform
	require.NoError(t, c.Get(t.Context(), crclient.ObjectKey{Namespace: ns, Name: "acme"}, &p), "Flux applied the Platform")
	require.Equal(t, v1alpha1.DeliveryGitOps, p.Spec.Delivery)
	require.NotNil(t, p.Spec.Git)
	require.Equal(t, activities.ManagerGitSecret, p.Spec.Git.SecretRef)
	want := map[string]string{}
	for _, rc := range res.Components {
		want[rc.Name] = rc.Version
	}
	got := map[string]string{}
	for _, rc := range p.Spec.Components {
		got[rc.Name] = rc.Version
	}
	require.Equal(t, want, got, "every resolved component, pinned")
	substrate, err := v1alpha1.ParseSubstrate(p.Annotations[v1alpha1.AnnotationSubstrate])
	require.NoError(t, err)
	var adopted []string
	for _, a := range substrate {
		adopted = append(adopted, a.Name)
	}
	require.ElementsMatch(t, []string{"cilium", "gitea", "flux", "crossplane"}, adopted)

	comps := map[string]v1alpha1.Component{}
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		var list v1alpha1.ComponentList
		assert.NoError(ct, c.List(t.Context(), &list, crclient.InNamespace(ns)))
		clear(comps)
		for _, item := range list.Items {
			comps[item.Name] = item
		}
		for name, version := range want {
			assertHealthyAt(ct, comps, name, version)
		}
	}, 5*time.Minute, time.Second, "every component Healthy, adopted or installed")
	for _, name := range adopted {
		require.Contains(t, comps[name].Annotations, v1alpha1.AnnotationAdopted, "%s is adopted", name)
	}
	releases := &unstructured.UnstructuredList{}
	releases.SetGroupVersionKind(v1alpha1.ReleaseGVK.GroupVersion().WithKind(v1alpha1.ReleaseKind + "List"))
	require.NoError(t, c.List(t.Context(), releases, crclient.InNamespace(ns)))
	var released []string
	for _, r := range releases.Items {
		released = append(released, r.GetName())
	}
	for name := range want {
		if slices.Contains(adopted, name) {
			require.NotContains(t, released, name, "no second install of %s through Crossplane", name)
		} else {
			require.Contains(t, released, name, "%s released through Crossplane", name)
		}
	}

	var git corev1.Secret
	require.NoError(t, c.Get(t.Context(), crclient.ObjectKey{Namespace: ns, Name: activities.ManagerGitSecret}, &git))
	require.Equal(t, res.Manager.CA, string(git.Data[activities.GitSecretCAKey]), "the manager trusts the platform's Gitea by the cluster CA")
	return []string{string(git.Data["password"])}
}

// uiEditSurvivesFlux: in the handed-over platform (GitOps, the Platform
// in Git), a platform engineer pins Valkey at v9.0.2 in Git; Flux applies
// it and it installs. Then an upgrade asked in the manager's UI is a
// commit to the Platform's file with the signed-in admin as its author,
// which the region's real Flux applies; the entry in the cluster is
// Flux's, not the UI's, so it still holds v9.1.1 after Flux's next
// reconcile, and Valkey is upgraded.
func uiEditSurvivesFlux(t *testing.T, cloud *cloudStandIn, res workflows.BootstrapResult) {
	t.Helper()
	gitea := cloud.Gitea["fsn1"].Instance()
	file := activities.PlatformPath("fsn1")
	code, js, err := gitea.Get("/api/v1/repos/acme/platform/contents/" + file + "?ref=main")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code, js)
	var content struct{ Content, SHA string }
	require.NoError(t, json.Unmarshal([]byte(js), &content))
	raw, err := base64.StdEncoding.DecodeString(content.Content)
	require.NoError(t, err)
	pinned, changed, err := activities.SetComponentEntry(raw, "acme", v1alpha1.ComponentRef{Name: "valkey", Version: "v9.0.2"}, "ops")
	require.NoError(t, err)
	require.True(t, changed)
	body, err := json.Marshal(map[string]any{"content": base64.StdEncoding.EncodeToString(pinned), "sha": content.SHA,
		"branch": "main", "message": "pin valkey at v9.0.2", "author": map[string]string{"name": "ops", "email": "ops@acme.example"}})
	require.NoError(t, err)
	code, js, err = gitea.Do(http.MethodPut, "/api/v1/repos/acme/platform/contents/"+file, string(body))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code, js)

	c, err := kubeclient.NewClient(cloud.Clusters["fsn1"])
	require.NoError(t, err)
	fluxApplied(t, c, cloud)
	valkeyAt := func(version string) {
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			var list v1alpha1.ComponentList
			assert.NoError(ct, c.List(t.Context(), &list, crclient.InNamespace(activities.ManagerNamespace)))
			comps := map[string]v1alpha1.Component{}
			for _, item := range list.Items {
				comps[item.Name] = item
			}
			assertHealthyAt(ct, comps, "valkey", version)
		}, 5*time.Minute, time.Second, "valkey Healthy at %s", version)
	}
	valkeyAt("v9.0.2")

	ui, code, page := managerUI(t, res.Manager, res.Manager.Password.Reveal())
	require.Equal(t, http.StatusOK, code, page)
	resp, page := ui.post("/platforms/acme/upgrades/valkey", url.Values{"to": {"v9.1.1"}, "action": {"now"}, "confirm": {"yes"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Regexp(t, `Committed [0-9a-f]{7} to clusters/fsn1/platform.yaml in https://`, page, "the page says where the change went")
	code, js, err = gitea.Get("/api/v1/repos/acme/platform/commits?path=" + file + "&limit=1")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code, js)
	var commits []struct {
		Commit struct {
			Author  struct{ Name string } `json:"author"`
			Message string                `json:"message"`
		} `json:"commit"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &commits))
	require.NotEmpty(t, commits)
	require.Equal(t, "admin", commits[0].Commit.Author.Name, "the signed-in user is the author")
	require.Contains(t, commits[0].Commit.Message, "openova: upgrade valkey to v9.1.1 on platform acme")

	holdsTheUpgrade := func() {
		var p v1alpha1.Platform
		require.NoError(t, c.Get(t.Context(), crclient.ObjectKey{Namespace: activities.ManagerNamespace, Name: "acme"}, &p))
		i := slices.IndexFunc(p.Spec.Components, func(r v1alpha1.ComponentRef) bool { return r.Name == "valkey" })
		require.GreaterOrEqual(t, i, 0)
		require.Equal(t, "v9.1.1", p.Spec.Components[i].Version)
		for _, m := range p.ManagedFields {
			require.NotEqual(t, v1alpha1.UIFieldManager("valkey"), m.Manager, "nothing applied to the cluster by the UI")
		}
	}
	fluxApplied(t, c, cloud)
	holdsTheUpgrade()
	valkeyAt("v9.1.1")
	fluxApplied(t, c, cloud) // Flux reconciles again, the manager's release commits too
	holdsTheUpgrade()
}

// fluxApplied asks the region's Flux to sync now (as `flux reconcile`
// does) until its Kustomization has applied the branch's head (main is
// linear: the head holds every commit before it).
func fluxApplied(t *testing.T, c crclient.Client, cloud *cloudStandIn) {
	t.Helper()
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		code, js, err := cloud.Gitea["fsn1"].Instance().Get("/api/v1/repos/acme/platform/branches/main")
		var branch struct {
			Commit struct{ ID string } `json:"commit"`
		}
		if !assert.NoError(ct, err) || !assert.Equal(ct, http.StatusOK, code, js) || !assert.NoError(ct, json.Unmarshal([]byte(js), &branch)) {
			return
		}
		sha := branch.Commit.ID
		if !assert.Len(ct, sha, 40, "the head of main") {
			return
		}
		now := time.Now().UTC().Format(time.RFC3339Nano)
		for _, gvk := range []schema.GroupVersionKind{{Group: "source.toolkit.fluxcd.io", Version: "v1", Kind: "GitRepository"},
			{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Kind: "Kustomization"}} {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			u.SetNamespace(activities.FluxNamespace)
			u.SetName(activities.FluxSyncName)
			patch := []byte(`{"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"` + now + `"}}}`)
			assert.NoError(ct, c.Patch(t.Context(), u, crclient.RawPatch(types.MergePatchType, patch)))
		}
		ks := &unstructured.Unstructured{}
		ks.SetGroupVersionKind(schema.GroupVersionKind{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Kind: "Kustomization"})
		assert.NoError(ct, c.Get(t.Context(), crclient.ObjectKey{Namespace: activities.FluxNamespace, Name: activities.FluxSyncName}, ks))
		applied, _, _ := unstructured.NestedString(ks.Object, "status", "lastAppliedRevision")
		assert.Contains(ct, applied, sha)
	}, 5*time.Minute, 2*time.Second, "Flux applied the head of main")
}
