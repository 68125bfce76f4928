package activities

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	fluxenv "github.com/openova-io/core/dev/testenv/flux"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/secret"
)

// TestSubstrate_CommittedOnceAppliedByRealFlux: CommitSubstrate run twice
// against a real Gitea makes one commit; real source-controller and
// kustomize-controller (built from source) apply it into an envtest API
// server in its three stages: the Crossplane HelmChart at once; the XRD,
// Composition, provider-helm and function once the test has installed
// Crossplane's CRDs (playing the chart); the ClusterProviderConfig once it
// has installed provider-helm's (playing the package). WaitCrossplaneReady
// ends with CrossplaneNotReady naming what is missing until the test plays
// Crossplane's conditions, then returns.
func TestSubstrate_CommittedOnceAppliedByRealFlux(t *testing.T) {
	primary := sharedGitea(t)[0]
	gr := newGiteaRun()
	ep := endpoint(primary)
	const org, repo = "acme", "substrate"
	require.NoError(t, gr.do(gr.g.EnsureGiteaOrg, EnsureGiteaOrgInput{Gitea: ep, Org: org}, &EnsureGiteaOrgResult{}))
	require.NoError(t, gr.do(gr.g.EnsureGiteaRepository, EnsureGiteaRepositoryInput{Gitea: ep, Org: org, Repo: repo}, &EnsureGiteaRepositoryResult{}))
	var tok EnsureGiteaTokenResult
	require.NoError(t, gr.do(gr.g.EnsureGiteaToken, EnsureGiteaTokenInput{Gitea: ep, Name: "openova-flux-substrate", Scopes: []string{"read:repository"}}, &tok))

	kube := kubeenv.Start(t)
	installHelmChartCRD(t, kube.Config)
	flux := fluxenv.Start(t, kube.Config, kube.Kubeconfig)
	kubeconfig, err := os.ReadFile(kube.Kubeconfig)
	require.NoError(t, err)
	c, err := client.New(kube.Config, client.Options{})
	require.NoError(t, err)

	xp, err := catalog.Default().HelmChart("crossplane", "")
	require.NoError(t, err)
	in := CommitSubstrateInput{Gitea: ep, Org: org, Repo: repo, Region: "fsn1", Crossplane: xp}

	var first CommitSubstrateResult
	t.Run("committed twice, one commit", func(t *testing.T) {
		require.NoError(t, gr.do(gr.g.CommitSubstrate, in, &first))
		require.True(t, first.Changed)
		require.Equal(t, []string{"clusters/fsn1/substrate.yaml", "substrate/fsn1/crossplane/crossplane.yaml", "substrate/fsn1/crossplane-providers/provider-config.yaml"}, first.Files)
		var second CommitSubstrateResult
		require.NoError(t, gr.do(gr.g.CommitSubstrate, in, &second))
		require.False(t, second.Changed, "the same content makes no commit")
		require.Equal(t, first.Commit, second.Commit)
		cl := sdk(t, primary)
		b, _, err := cl.GetRepoBranch(org, repo, "main")
		require.NoError(t, err)
		require.Equal(t, first.Commit, b.Commit.ID)
	})

	fr := newFluxRun()
	sync := ApplyFluxSyncInput{Region: "fsn1", Kubeconfig: secret.Bytes(kubeconfig), RepoURL: primary.URL + "/" + org + "/" + repo + ".git",
		Username: primary.Username, Token: tok.Token}
	ready := func(d time.Duration) error {
		return fr.do(fr.f.WaitCrossplaneReady, WaitCrossplaneReadyInput{Region: "fsn1", Kubeconfig: sync.Kubeconfig, Deadline: time.Now().Add(d)}, &WaitCrossplaneReadyResult{})
	}

	t.Run("Flux applies the HelmChart; Crossplane's kinds wait for its CRDs", func(t *testing.T) {
		require.NoError(t, fr.do(fr.f.ApplyFluxSync, sync, &ApplyFluxSyncResult{}))
		require.NoError(t, fr.do(fr.f.WaitFluxSynced, WaitFluxSyncedInput{Region: "fsn1", Kubeconfig: sync.Kubeconfig, Commit: first.Commit,
			Deadline: time.Now().Add(3 * time.Minute)}, &WaitFluxSyncedResult{}))
		hc := get(c, helmChartAPI, "HelmChart", "kube-system", "crossplane")
		require.NotNil(t, hc, "the Crossplane HelmChart")
		spec := hc.Object["spec"].(map[string]any)
		require.Equal(t, []any{xp.Repository, xp.Name, xp.Version, "crossplane-system"}, []any{spec["repo"], spec["chart"], spec["version"], spec["targetNamespace"]})

		// Past its dependency now: look at once rather than at the
		// controller's dependency requeue (30 s).
		reconcileNow(t, c, crossplaneConfigKS)
		waitUntil(t, "crossplane-config to fail on Crossplane's kinds", func() bool {
			s := fluxStateOf(orEmpty(get(c, fluxKustomizeAPI, "Kustomization", FluxNamespace, crossplaneConfigKS)))
			// The dry run names the first object whose kind is not served:
			// any of Crossplane's (the order is kustomize's).
			return s.ready == "False" && strings.Contains(s.message, "no matches for kind") && strings.Contains(s.message, "crossplane.io")
		})
		err := ready(time.Second)
		require.Equal(t, ErrCrossplaneNotReady, errType(err), "%v", err)
		var app *temporal.ApplicationError
		require.ErrorAs(t, err, &app)
		require.True(t, app.NonRetryable())
		// The wait asks Flux to look again at the failed stage, so by its
		// deadline the stage may be failed still or already trying again.
		require.Regexp(t, `Kustomization flux-system/crossplane-config \(Ready=(False|Unknown Progressing)`, err.Error())
		require.Contains(t, err.Error(), "CompositeResourceDefinition componentreleases.platform.openova.io (its kind is not served yet)")
		require.Contains(t, err.Error(), "Provider provider-helm (its kind is not served yet)")
		t.Logf("before Crossplane's CRDs: %v", err)
	})

	t.Run("with Crossplane's CRDs, the XRD, Composition, provider and function land", func(t *testing.T) {
		installCRDs(t, kube.Config, moduleCRDs(t, crossplaneModule, "v"+xp.Version, "cluster/crds"))
		// The wait itself asks Flux to look again at the failed stage
		// (instead of its 1-minute retry interval), as `flux reconcile ks`.
		requested := func() string {
			return orEmpty(get(c, fluxKustomizeAPI, "Kustomization", FluxNamespace, crossplaneConfigKS)).GetAnnotations()["reconcile.fluxcd.io/requestedAt"]
		}
		before := requested()
		require.Error(t, ready(time.Second))
		require.NotEqual(t, before, requested(), "WaitCrossplaneReady requested a reconcile of %s", crossplaneConfigKS)
		waitUntil(t, "the Crossplane objects", func() bool {
			return get(c, "pkg.crossplane.io/v1", "Provider", "", ProviderHelmName) != nil &&
				get(c, "pkg.crossplane.io/v1", "Function", "", CompositionFunctionName) != nil &&
				get(c, "apiextensions.crossplane.io/v2", "CompositeResourceDefinition", "", ComponentReleaseXRD) != nil &&
				get(c, "apiextensions.crossplane.io/v1", "Composition", "", ComponentReleaseXRD) != nil
		})
		p := get(c, "pkg.crossplane.io/v1", "Provider", "", ProviderHelmName)
		pkg, _, _ := unstructured.NestedString(p.Object, "spec", "package")
		require.Equal(t, "xpkg.crossplane.io/crossplane-contrib/provider-helm:v1.3.0", pkg, "deploy/crossplane's pin")
		rc, _, _ := unstructured.NestedString(p.Object, "spec", "runtimeConfigRef", "name")
		require.Equal(t, ProviderHelmName, rc)
		require.NotNil(t, get(c, "pkg.crossplane.io/v1beta1", "DeploymentRuntimeConfig", "", ProviderHelmName))

		err := ready(time.Second)
		require.Equal(t, ErrCrossplaneNotReady, errType(err), "%v", err)
		require.Contains(t, err.Error(), "CompositeResourceDefinition componentreleases.platform.openova.io (Established not reported)")
		require.Contains(t, err.Error(), "Provider provider-helm (Installed not reported, Healthy not reported)")
		require.Contains(t, err.Error(), "ClusterProviderConfig default (its kind is not served yet)")
	})

	t.Run("with provider-helm's CRDs, its ClusterProviderConfig lands; played conditions make it ready", func(t *testing.T) {
		installCRDs(t, kube.Config, moduleCRDs(t, providerHelmModule, "v1.3.0", "package/crds"))
		reconcileNow(t, c, crossplaneProvidersKS)
		waitUntil(t, "the ClusterProviderConfig", func() bool {
			return get(c, "helm.m.crossplane.io/v1beta1", "ClusterProviderConfig", "", ProviderConfigName) != nil
		})
		playConditions(t, c, "apiextensions.crossplane.io/v2", "CompositeResourceDefinition", ComponentReleaseXRD, "Established")
		playConditions(t, c, "pkg.crossplane.io/v1", "Function", CompositionFunctionName, "Installed", "Healthy")
		err := ready(time.Second)
		require.Equal(t, ErrCrossplaneNotReady, errType(err), "%v", err)
		require.Contains(t, err.Error(), "Provider provider-helm (Installed not reported, Healthy not reported)")
		require.NotContains(t, err.Error(), "CompositeResourceDefinition")

		playConditions(t, c, "pkg.crossplane.io/v1", "Provider", ProviderHelmName, "Installed", "Healthy")
		require.NoError(t, ready(3*time.Minute))
	})

	t.Run("no password or token in errors or logs", func(t *testing.T) {
		out := strings.Join(fr.errs, "\n") + fr.logs.String() + strings.Join(gr.errs, "\n") + gr.logs.String() + flux.Logs(t)
		for _, s := range []secret.Text{tok.Token, primary.Password} {
			require.NotContains(t, out, s.Reveal())
		}
	})
}

func orEmpty(u *unstructured.Unstructured) *unstructured.Unstructured {
	if u == nil {
		return &unstructured.Unstructured{Object: map[string]any{}}
	}
	return u
}
