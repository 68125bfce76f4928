package activities

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fluxenv "github.com/openova-io/core/dev/testenv/flux"
	giteaenv "github.com/openova-io/core/dev/testenv/gitea"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/secret"
)

// fluxRegion is one region of the test: its Gitea, its API server with
// Flux's controllers, and the sync input the bootstrap would pass.
type fluxRegion struct {
	gitea *giteaenv.Instance
	kube  *kubeenv.Env
	flux  *fluxenv.Flux
	c     client.Client
	sync  ApplyFluxSyncInput
}

// TestFlux_TwoRegionsRealControllers: the Flux activities against two
// envtest API servers, each with real source-controller and
// kustomize-controller (built from source) reading its region's real
// Gitea (the standby's fed by the primary's push mirror). A ConfigMap
// committed on the primary under clusters/<region>/ appears in both API
// servers; each activity runs twice and nothing exists twice; a wrong
// token makes the wait fail at once with Flux's own words, and the right
// one applied again recovers; a commit that does not build fails the wait
// at once, one that never comes at the deadline, saying where Flux is. No
// token is in an error, a log line of the activities or the controllers'
// logs.
func TestFlux_TwoRegionsRealControllers(t *testing.T) {
	gr := newGiteaRun()
	insts := giteaenv.Start(t, "fsn1", "nbg1")
	regions := make([]*fluxRegion, len(insts))
	started := time.Now()
	for i, inst := range insts {
		kube := kubeenv.Start(t)
		regions[i] = &fluxRegion{gitea: inst, kube: kube, flux: fluxenv.Start(t, kube.Config, kube.Kubeconfig)}
	}
	t.Logf("two API servers with Flux's controllers ready in %s", time.Since(started).Round(100*time.Millisecond))

	fr := newFluxRun()
	var secrets []secret.Text
	var writer secret.Text
	for _, r := range regions {
		ep := endpoint(r.gitea)
		require.NoError(t, gr.do(gr.g.EnsureGiteaOrg, EnsureGiteaOrgInput{Gitea: ep, Org: "acme"}, &EnsureGiteaOrgResult{}))
		require.NoError(t, gr.do(gr.g.EnsureGiteaRepository, EnsureGiteaRepositoryInput{Gitea: ep, Org: "acme", Repo: "platform"}, &EnsureGiteaRepositoryResult{}))
		var tok EnsureGiteaTokenResult
		require.NoError(t, gr.do(gr.g.EnsureGiteaToken, EnsureGiteaTokenInput{Gitea: ep, Name: "openova-flux", Scopes: []string{"read:repository"}}, &tok))
		secrets = append(secrets, tok.Token, r.gitea.Password)
		kubeconfig, err := os.ReadFile(r.kube.Kubeconfig)
		require.NoError(t, err)
		r.sync = ApplyFluxSyncInput{Region: r.gitea.Name, Kubeconfig: secret.Bytes(kubeconfig),
			RepoURL: r.gitea.URL + "/acme/platform.git", Username: r.gitea.Username, Token: tok.Token}
		r.c, err = client.New(r.kube.Config, client.Options{})
		require.NoError(t, err)
	}
	primary := regions[0]
	var wtok EnsureGiteaTokenResult
	require.NoError(t, gr.do(gr.g.EnsureGiteaToken, EnsureGiteaTokenInput{Gitea: endpoint(primary.gitea), Name: "openova-bootstrap", Scopes: []string{"write:repository"}}, &wtok))
	writer = wtok.Token
	secrets = append(secrets, writer)
	require.NoError(t, gr.do(gr.g.EnsureGiteaPushMirror, EnsureGiteaPushMirrorInput{Source: endpoint(primary.gitea), Target: endpoint(regions[1].gitea), Org: "acme", Repo: "platform"}, &EnsureGiteaPushMirrorResult{}))

	t.Run("sync objects applied twice, once each", func(t *testing.T) {
		for _, r := range regions {
			var first, second ApplyFluxSyncResult
			require.NoError(t, fr.do(fr.f.ApplyFluxSync, r.sync, &first))
			require.NoError(t, fr.do(fr.f.ApplyFluxSync, r.sync, &second))
			require.Equal(t, first, second, "a rerun changes nothing")
			require.Equal(t, int64(1), second.KustomizationGeneration)
			for _, kind := range []struct{ api, kind string }{{"v1", "SecretList"}, {fluxSourceAPI, "GitRepositoryList"}, {fluxKustomizeAPI, "KustomizationList"}} {
				l := &unstructured.UnstructuredList{}
				l.SetAPIVersion(kind.api)
				l.SetKind(kind.kind)
				require.NoError(t, r.c.List(context.Background(), l, client.InNamespace(FluxNamespace)))
				require.Len(t, l.Items, 1, "%s in %s", kind.kind, r.sync.Region)
				require.Equal(t, FluxSyncName, l.Items[0].GetName())
			}
		}
	})

	var commit string
	t.Run("a commit on the primary appears in both API servers", func(t *testing.T) {
		commit = commitFiles(t, primary.gitea, writer, map[string]string{
			"clusters/fsn1/hello.yaml": configMap("hello", "fsn1"),
			"clusters/nbg1/hello.yaml": configMap("hello", "nbg1"),
		})
		pushed := time.Now()
		for _, r := range regions {
			var res WaitFluxSyncedResult
			require.NoError(t, fr.do(fr.f.WaitFluxSynced, fr.wait(r, commit), &res))
			t.Logf("%s: commit %s applied %s after the push", r.sync.Region, short(commit), time.Since(pushed).Round(10*time.Millisecond))
			require.Equal(t, "main@sha1:"+commit, res.Revision)
			cm := &corev1.ConfigMap{}
			require.NoError(t, r.c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "hello"}, cm))
			require.Equal(t, r.sync.Region, cm.Data["region"], "each region applies its own folder")
			require.NoError(t, fr.do(fr.f.WaitFluxSynced, fr.wait(r, commit), &res), "a second wait returns at once")
		}
	})

	t.Run("a wrong token fails the wait with Flux's message, the right one recovers", func(t *testing.T) {
		bad := primary.sync
		bad.Token = "canary-wrong-flux-token"
		secrets = append(secrets, bad.Token)
		require.NoError(t, fr.do(fr.f.ApplyFluxSync, bad, &ApplyFluxSyncResult{}))
		next := commitFiles(t, primary.gitea, writer, map[string]string{"clusters/fsn1/second.yaml": configMap("second", "fsn1")})
		err := fr.do(fr.f.WaitFluxSynced, fr.wait(primary, next), &WaitFluxSyncedResult{})
		require.Equal(t, ErrFluxSourceAuthFailed, errType(err), "%v", err)
		var app *temporal.ApplicationError
		require.ErrorAs(t, err, &app)
		require.True(t, app.NonRetryable())
		require.Contains(t, err.Error(), primary.sync.RepoURL, "it names the repository")
		require.Contains(t, err.Error(), "authentication required", "it quotes Flux")
		t.Logf("the wait with a wrong token: %v", err)

		require.NoError(t, fr.do(fr.f.ApplyFluxSync, primary.sync, &ApplyFluxSyncResult{}))
		require.NoError(t, fr.do(fr.f.WaitFluxSynced, fr.wait(primary, next), &WaitFluxSyncedResult{}))
		require.NoError(t, primary.c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "second"}, &corev1.ConfigMap{}))
	})

	t.Run("a commit that does not build fails the wait at once; one that never comes, at the deadline", func(t *testing.T) {
		broken := commitFiles(t, primary.gitea, writer, map[string]string{"clusters/fsn1/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n"})
		err := fr.do(fr.f.WaitFluxSynced, fr.wait(primary, broken), &WaitFluxSyncedResult{})
		require.Equal(t, ErrFluxStalled, errType(err), "%v", err)
		require.Contains(t, err.Error(), "does not build")
		t.Logf("the wait for a commit that does not build: %v", err)

		never := WaitFluxSyncedInput{Region: "fsn1", Kubeconfig: primary.sync.Kubeconfig,
			Commit: strings.Repeat("0", 40), Deadline: time.Now().Add(2 * time.Second)}
		err = fr.do(fr.f.WaitFluxSynced, never, &WaitFluxSyncedResult{})
		require.Equal(t, ErrFluxNotSynced, errType(err), "%v", err)
		require.Contains(t, err.Error(), "did not apply commit 000000000000 of clusters/fsn1/")
		require.Contains(t, err.Error(), "source at", "it says where Flux is")
	})

	t.Run("no token in errors or logs", func(t *testing.T) {
		out := strings.Join(fr.errs, "\n") + fr.logs.String() + strings.Join(gr.errs, "\n")
		for _, r := range regions {
			out += r.flux.Logs(t)
		}
		for _, s := range secrets {
			require.NotContains(t, out, s.Reveal())
		}
	})
}

// TestApplyFluxSyncRefusesBadInput: input that cannot work is refused
// before any API server is reached, non-retryably.
func TestApplyFluxSyncRefusesBadInput(t *testing.T) {
	good := ApplyFluxSyncInput{Region: "fsn1", Kubeconfig: secret.Bytes("x"), RepoURL: "https://git.example/acme/platform.git",
		Username: "openova", Token: "t"}
	for name, edit := range map[string]func(*ApplyFluxSyncInput){
		"no region":            func(in *ApplyFluxSyncInput) { in.Region = "" },
		"no token":             func(in *ApplyFluxSyncInput) { in.Token = "" },
		"ssh URL":              func(in *ApplyFluxSyncInput) { in.RepoURL = "ssh://git@git.example/acme/platform.git" },
		"URL with credentials": func(in *ApplyFluxSyncInput) { in.RepoURL = "https://u:canary-pw@git.example/acme/platform.git" },
		"kubeconfig garbage":   func(in *ApplyFluxSyncInput) { in.Kubeconfig = secret.Bytes("{not yaml") },
	} {
		t.Run(name, func(t *testing.T) {
			in := good
			edit(&in)
			fr := newFluxRun()
			err := fr.do(fr.f.ApplyFluxSync, in, &ApplyFluxSyncResult{})
			require.Equal(t, ErrInvalidFluxSync, errType(err), "%v", err)
			require.NotContains(t, err.Error(), "canary-pw")
		})
	}
}

// TestRevisionIs: Flux's revision formats against a commit.
func TestRevisionIs(t *testing.T) {
	const c = "0123456789abcdef0123456789abcdef01234567"
	for rev, want := range map[string]bool{
		"main@sha1:" + c: true, "main/" + c: true, c: true,
		"main@sha1:1123456789abcdef0123456789abcdef01234567": false, "": false, "main@sha1:" + c[:12]: false,
	} {
		require.Equal(t, want, revisionIs(rev, c), rev)
	}
}

// fluxRun runs the Flux activities as the worker would, keeping their
// logs and errors.
type fluxRun struct {
	*activityRun
	f *Flux
}

func newFluxRun() *fluxRun {
	r := &fluxRun{f: &Flux{Poll: 200 * time.Millisecond}}
	r.activityRun = newActivityRun(r.f)
	return r
}

// wait is the wait for a commit in a region, bounded by 3 minutes (a
// loaded CI machine; it takes seconds).
func (r *fluxRun) wait(reg *fluxRegion, commit string) WaitFluxSyncedInput {
	return WaitFluxSyncedInput{Region: reg.sync.Region, Kubeconfig: reg.sync.Kubeconfig, Commit: commit,
		Deadline: time.Now().Add(3 * time.Minute)}
}

func configMap(name, region string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: default\ndata:\n  region: %s\n", name, region)
}
