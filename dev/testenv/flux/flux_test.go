package flux_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/dev/testenv/flux"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

// TestStart: both controllers become ready against an envtest API server
// with Flux's CRDs installed, source-controller reconciles a GitRepository
// there (it reports the refused connection of a repository nobody serves,
// in its status), and both stop cleanly (exit 0 on SIGTERM).
func TestStart(t *testing.T) {
	kube := kubeenv.Start(t)
	begin := time.Now()
	f := flux.Start(t, kube.Config, kube.Kubeconfig)
	t.Logf("both controllers ready in %s", time.Since(begin).Round(10*time.Millisecond))
	require.True(t, f.Running())

	c, err := client.New(kube.Config, client.Options{})
	require.NoError(t, err)
	repo := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": map[string]any{"name": "nobody", "namespace": flux.Namespace},
		"spec":     map[string]any{"url": "http://127.0.0.1:1/acme/platform.git", "interval": "1m", "ref": map[string]any{"branch": "main"}},
	}}
	require.NoError(t, c.Create(context.Background(), repo))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		got := repo.DeepCopy()
		if !assert.NoError(ct, c.Get(context.Background(), client.ObjectKeyFromObject(repo), got)) {
			return
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		var ready map[string]any
		for _, cond := range conds {
			if m := cond.(map[string]any); m["type"] == "Ready" {
				ready = m
			}
		}
		if assert.NotNil(ct, ready, "a Ready condition") {
			assert.Equal(ct, "False", ready["status"])
			assert.Contains(ct, ready["message"], "connection refused")
		}
	}, time.Minute, 100*time.Millisecond, "source-controller reports the unreachable repository")

	require.NoError(t, f.Stop(), "both controllers exit 0 on SIGTERM")
	require.False(t, f.Running())
	require.NoError(t, f.Stop(), "a second Stop is harmless")
}
