package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/audit"
	"github.com/openova-io/core/workflows"
)

// A UI change to a Platform kept in Git (its openova.io/git-file, as the
// bootstrap hands it over) is a commit to that file, with the signed-in
// user as the author and a message naming the change, never an apply to
// the cluster that Flux's next reconcile would undo. The page says where
// it went; Flux (played: it applies platform.yaml, force-owning Git's
// fields) brings it to the cluster, where the entry is Flux's, and the
// component installs; the audit view lists the edit with its commit. The
// Settings page's catalog index and window are commits the same way.
func TestGitOpsUIChangeIsACommit_TestPlaysFluxAndCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e, repoURL := startGitOpsEnv(t, 300*time.Millisecond)
	commitFile(t, repoURL, "platform.yaml", fmt.Sprintf(`# The platform, as a bootstrap hands it over.
apiVersion: openova.io/v1alpha1
kind: Platform
metadata:
  name: acme
  namespace: %s
  annotations:
    openova.io/git-file: platform.yaml
spec:
  organization: {name: acme, domain: acme.io}
  regions: [{name: eu-central, role: primary}]
  delivery: GitOps
  git: {url: %q, branch: main, path: platform, secretRef: platform-git}
  components:
    - name: cert-manager
`, e.ns, repoURL))
	playFlux(t, e.c, e.ns, repoURL)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		var p v1alpha1.Platform
		assert.NoError(ct, e.c.Get(context.Background(), client.ObjectKey{Namespace: e.ns, Name: "acme"}, &p))
	}, time.Minute, 300*time.Millisecond, "Flux applied the Platform from Git")
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	before := commitsPerFile(t, repoURL)["platform.yaml"]

	ui := signInHTTP(t, e.proc)
	resp, body := ui.post("/platforms/acme/components/valkey/install", url.Values{})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Regexp(t, `Committed [0-9a-f]{7} to platform.yaml in `+repoURL+`: Flux applies it at its next sync.`, body, "the page says where the change went")
	require.Equal(t, before+1, commitsPerFile(t, repoURL)["platform.yaml"], "one commit")
	head := headCommit(t, repoURL)
	require.Equal(t, "admin", head.Author.Name, "the signed-in user is the author")
	require.Equal(t, "openova: install valkey on platform acme\n\nAsked by admin in the openova UI.", head.Message)

	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assertHealthyAt(ct, e.components(t), "valkey", e.components(t)["valkey"].Spec.Version)
	}, 3*time.Minute, 500*time.Millisecond, "Flux applied the commit and valkey installed")
	p := e.platform(t, "acme")
	require.True(t, slices.ContainsFunc(p.Spec.Components, func(c v1alpha1.ComponentRef) bool { return c.Name == "valkey" && c.IsEnabled() }))
	for _, m := range p.ManagedFields {
		require.NotEqual(t, v1alpha1.UIFieldManager("valkey"), m.Manager, "nothing was applied to the cluster by the UI")
	}

	id := e.lastRun(t, workflows.EditPlatformWorkflow)
	require.True(t, strings.HasPrefix(id, workflows.PrefixEdit+"acme/valkey/"), id)
	_, page := ui.get(audit.OperationURL(id, ""))
	require.Contains(t, page, `data-testid="operation-commit"`)
	require.Contains(t, page, strings.TrimSuffix(repoURL, ".git")+"/commit/"+head.Hash.String(), "the audit view links the commit")
	// The settings are commits too: the maintenance window lands in the
	// file, by the user, and Flux brings it to the cluster. The delivery
	// and the repository are where Flux applies the Platform from: the
	// page refuses to change them, saying so, and the cluster keeps them.
	settings := url.Values{"delivery": {v1alpha1.DeliveryGitOps}, "gitURL": {repoURL}, "branch": {"main"}, "path": {"platform"},
		"secretName": {"platform-git"}, "window": {"on"}, "day": {"Saturday"}, "start": {"02:00"}, "timeZone": {"Europe/Berlin"}, "upstream": {"on"}}
	resp, body = ui.post("/platforms/acme/settings", settings)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Regexp(t, `Settings saved. Committed [0-9a-f]{7} to platform.yaml in `+repoURL, body)
	require.Equal(t, before+2, commitsPerFile(t, repoURL)["platform.yaml"], "one commit more")
	head = headCommit(t, repoURL)
	require.Equal(t, "admin", head.Author.Name)
	require.Equal(t, "openova: change the settings on platform acme\n\nAsked by admin in the openova UI.", head.Message)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		w := e.platform(t, "acme").Spec.MaintenanceWindow
		assert.Equal(ct, &v1alpha1.MaintenanceWindow{Days: []string{"Saturday"}, Start: "02:00", TimeZone: "Europe/Berlin"}, w)
		assert.True(ct, e.platform(t, "acme").Spec.CheckUpstreamCharts, "the upstream chart check, committed too")
	}, time.Minute, 300*time.Millisecond, "Flux applied the settings' commit")
	settings.Set("delivery", v1alpha1.DeliveryDirect)
	resp, body = ui.post("/platforms/acme/settings", settings)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, body)
	require.Contains(t, body, "This platform is kept in Git (platform.yaml): its delivery and repository are where Flux applies it from")
	require.Equal(t, v1alpha1.DeliveryGitOps, e.platform(t, "acme").Spec.Delivery)
	require.Equal(t, before+2, commitsPerFile(t, repoURL)["platform.yaml"], "a refused change commits nothing")
	require.NotContains(t, e.proc.log(), gitAuth.Password)
	e.recordHistory(t, id, "editplatform-v1-committed")
}

// commitFile commits one file to the repository's main branch.
func commitFile(t *testing.T, repoURL, path, content string) {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dir+"/"+path, []byte(content), 0o644))
	wt, err := r.Worktree()
	require.NoError(t, err)
	_, err = wt.Add(path)
	require.NoError(t, err)
	_, err = wt.Commit("add "+path, &git.CommitOptions{Author: &object.Signature{Name: "bootstrap", Email: "bootstrap@example.com", When: time.Now()}})
	require.NoError(t, err)
	_, err = r.CreateRemote(&gitconfig.RemoteConfig{Name: "origin", URLs: []string{repoURL}})
	require.NoError(t, err)
	require.NoError(t, r.Push(&git.PushOptions{Auth: gitAuth, RefSpecs: []gitconfig.RefSpec{"refs/heads/main:refs/heads/main"}}))
}

// headCommit is the main branch's newest commit.
func headCommit(t *testing.T, repoURL string) *object.Commit {
	t.Helper()
	r, err := git.PlainClone(t.TempDir(), false, cloneMain(repoURL))
	require.NoError(t, err)
	head, err := r.Head()
	require.NoError(t, err)
	c, err := r.CommitObject(head.Hash())
	require.NoError(t, err)
	return c
}
