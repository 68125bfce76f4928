package players_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/dev/testenv/flux"
	"github.com/openova-io/core/dev/testenv/gitea"
	"github.com/openova-io/core/dev/testenv/k3s/players"
)

// TestPlayFlux: a flux2 HelmChart → Flux's CRDs served, the real
// source-controller and kustomize-controller running against the stand-in
// with their Deployments available, and a GitRepository of a repository on
// a real Gitea Ready at its commit.
func TestPlayFlux(t *testing.T) {
	env := standIn(t)
	repo := giteaRepo(t)
	p := players.PlayFlux(t, env.Config)
	applyHelmChart(t, env, "flux", "flux2", "2.14.0", flux.Namespace, map[string]any{
		"sourceController": map[string]any{"create": true}, "kustomizeController": map[string]any{"create": true},
		"helmController": map[string]any{"create": false}, "notificationController": map[string]any{"create": false},
	})
	p.Wait(t, 4*time.Minute)
	require.True(t, p.Flux().Running())
	require.Equal(t, "helm-install-flux", helmChartInstalled(t, env, "flux"))

	c, err := client.New(env.Config, client.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	for _, name := range []string{"source-controller", "kustomize-controller"} {
		d := &appsv1.Deployment{}
		require.NoError(t, c.Get(ctx, client.ObjectKey{Namespace: flux.Namespace, Name: name}, d))
		require.Equal(t, int32(1), d.Status.AvailableReplicas, name)
	}
	gr := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": map[string]any{"name": "players", "namespace": flux.Namespace},
		"spec":     map[string]any{"url": repo, "interval": "1m", "ref": map[string]any{"branch": "main"}},
	}}
	require.NoError(t, c.Create(ctx, gr))
	t.Cleanup(func() { _ = c.Delete(context.Background(), gr) })
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		got := gr.DeepCopy()
		require.NoError(ct, c.Get(ctx, client.ObjectKeyFromObject(gr), got))
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		ready := map[string]any{}
		for _, cond := range conds {
			if m := cond.(map[string]any); m["type"] == "Ready" {
				ready = m
			}
		}
		require.Equal(ct, "True", ready["status"], "%v", ready["message"])
		rev, _, _ := unstructured.NestedString(got.Object, "status", "artifact", "revision")
		require.Contains(ct, rev, "main@sha1:")
	}, 2*time.Minute, 200*time.Millisecond, "source-controller fetches the repository from Gitea")
	require.NoError(t, p.Flux().Stop(), "both controllers exit 0 on SIGTERM")
}

// giteaRepo is the clone URL of a public repository with one commit on a
// real Gitea.
func giteaRepo(t *testing.T) string {
	t.Helper()
	inst := gitea.Start(t, "flux")[0]
	body, err := json.Marshal(map[string]any{"name": "platform", "auto_init": true, "default_branch": "main", "private": false})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, inst.URL+"/api/v1/user/repos", bytes.NewReader(body))
	require.NoError(t, err)
	req.SetBasicAuth(inst.Username, inst.Password.Reveal())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	return inst.URL + "/" + inst.Username + "/platform.git"
}
