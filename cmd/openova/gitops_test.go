package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/gittestserver"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

var gitAuth = &githttp.BasicAuth{Username: "openova", Password: "git-s3cret-canary"}

// GitOps mode against a real Git server (fluxcd/pkg/gittestserver): each
// release lands as one commit in the platform repository, the test plays
// Flux (applies what the repository holds) and Crossplane, and running the
// release again adds no commit.
func TestGitOpsMode_TestPlaysFluxAndCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e, repoURL := startGitOpsEnv(t, 500*time.Millisecond)
	playFlux(t, e.c, e.ns, repoURL)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{
		Delivery:   v1alpha1.DeliveryGitOps,
		Git:        &v1alpha1.GitRepository{URL: repoURL, Branch: "main", Path: "platform", SecretRef: "platform-git"},
		Components: []v1alpha1.ComponentRef{{Name: "cnpg"}},
	})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)

	released := []string{"external-secrets", "cnpg"}
	commits := commitsPerFile(t, repoURL)
	for _, name := range released {
		require.Equal(t, 1, commits["platform/components/"+name+".yaml"], "one commit for %s", name)
	}
	total := commits[""]
	require.Equal(t, len(released), total)

	// Run the release again with the input of the first run: same
	// manifest, so no second commit.
	var in workflows.ReleaseComponentInput
	startedInput(t, e, workflows.ReleaseID("acme", "cnpg"), &in)
	run, err := e.tc.ExecuteWorkflow(context.Background(), startOptions(workflows.ReleaseID("acme", "cnpg")), workflows.ReleaseComponentWorkflow, in)
	require.NoError(t, err)
	var out workflows.ReleaseComponentResult
	require.NoError(t, run.Get(context.Background(), &out))
	require.Equal(t, total, commitsPerFile(t, repoURL)[""], "a rerun adds no commit")
	require.NotContains(t, e.proc.log(), gitAuth.Password)
	e.recordHistory(t, workflows.ReleaseID("acme", "cnpg"), "releasecomponent-v1-gitops")
}

// startGitOpsEnv is a manager (startManagerEnv) and a real Git server
// (fluxcd/pkg/gittestserver) with basic auth, whose acme/platform.git is
// created on the first push; the Secret platform-git holds its
// credentials.
func startGitOpsEnv(t *testing.T, xpDelay time.Duration) (*managerEnv, string) {
	t.Helper()
	srv, err := gittestserver.NewTempGitServer()
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(srv.Root()) })
	srv.Auth(gitAuth.Username, gitAuth.Password).AutoCreate()
	require.NoError(t, srv.StartHTTP())
	t.Cleanup(srv.StopHTTP)
	repoURL := srv.HTTPAddress() + "/acme/platform.git"
	e := startManagerEnv(t, xpDelay)
	require.NoError(t, e.c.Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "platform-git", Namespace: e.ns},
		Data:       map[string][]byte{"username": []byte(gitAuth.Username), "password": []byte(gitAuth.Password), "url": []byte(repoURL)},
	}))
	return e, repoURL
}

// playFlux plays Flux's kustomize-controller: it applies every manifest
// under platform/components of the repository and prunes releases that
// left it; a platform.yaml at the top (a Platform kept in Git) is applied
// too, force-owning what Git says, as kustomize-controller does.
func playFlux(t *testing.T, c client.Client, ns, repoURL string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			fluxRound(ctx, c, ns, repoURL)
			select {
			case <-ctx.Done():
			case <-time.After(300 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// fluxRound runs off the test goroutine: it reports nothing (a failed
// round is tried again), and its clone is its own temporary folder.
func fluxRound(ctx context.Context, c client.Client, ns, repoURL string) {
	dir, err := os.MkdirTemp("", "flux-")
	if err != nil {
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if _, err := git.PlainCloneContext(ctx, dir, false, cloneMain(repoURL)); err != nil {
		return // empty repository, or not there yet
	}
	if data, err := os.ReadFile(filepath.Join(dir, "platform.yaml")); err == nil {
		u := &unstructured.Unstructured{}
		if yaml.Unmarshal(data, &u.Object) == nil {
			_ = c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("kustomize-controller"), client.ForceOwnership)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "platform", "components", "*.yaml"))
	want := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		u := &unstructured.Unstructured{}
		if yaml.Unmarshal(data, &u.Object) != nil {
			continue
		}
		want[u.GetName()] = true
		_ = c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("kustomize-controller"), client.ForceOwnership)
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(v1alpha1.ReleaseGVK.GroupVersion().WithKind(v1alpha1.ReleaseKind + "List"))
	if c.List(ctx, list, client.InNamespace(ns)) != nil {
		return
	}
	for i := range list.Items {
		if !want[list.Items[i].GetName()] {
			_ = c.Delete(ctx, &list.Items[i])
		}
	}
}

// cloneMain clones the platform branch (the server's HEAD may name another).
func cloneMain(repoURL string) *git.CloneOptions {
	return &git.CloneOptions{URL: repoURL, Auth: gitAuth, ReferenceName: plumbing.NewBranchReferenceName("main"), SingleBranch: true}
}

// commitsPerFile clones the repository and counts, for each file, the
// commits that touched it; the key "" counts all commits.
func commitsPerFile(t *testing.T, repoURL string) map[string]int {
	r, err := git.PlainClone(t.TempDir(), false, cloneMain(repoURL))
	require.NoError(t, err)
	head, err := r.Head()
	require.NoError(t, err)
	iter, err := r.Log(&git.LogOptions{From: head.Hash()})
	require.NoError(t, err)
	out := map[string]int{}
	require.NoError(t, iter.ForEach(func(c *object.Commit) error {
		out[""]++
		stats, err := c.Stats()
		if err != nil {
			return err
		}
		for _, s := range stats {
			out[s.Name]++
		}
		return nil
	}))
	for f := range out {
		require.False(t, strings.Contains(f, ".."), f)
	}
	return out
}
