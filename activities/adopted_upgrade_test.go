package activities

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	yamlv3 "gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/kube"
)

// An adopted Gitea upgraded and rolled back through its k3s HelmChart, on
// an API server standing in for k3s with k3s's Helm controller played
// (players.PlayHelmUpgrades: a new Job per chart version, the Deployment
// rolled out, or a failed Job for a chart that does not install):
//   - the patch sets the chart version, and again changes nothing;
//   - the wait ends once the Job of that version completed and the
//     Deployment rolled out; a failed Job fails it at once, naming the Job;
//     past the deadline it says what it still waits for;
//   - a HelmChart that is gone is a typed, non-retryable error;
//   - RecordAdopted moves the Component and its annotation to the version
//     reached, and ReadComponent returns it adopted.
func TestUpgradeAdopted_EnvtestPlaysK3sHelmController(t *testing.T) {
	env := kubeenv.Start(t, k3s.HelmChartCRD(t))
	cl, err := kube.NewClient(env.Config)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, cl.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: GiteaNamespace}}))
	labels := map[string]string{"app": "gitea"}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: GiteaHelmChart, Namespace: GiteaNamespace},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "gitea", Image: "gitea"}}}}}}
	require.NoError(t, cl.Create(ctx, d))
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 1, AvailableReplicas: 1, ReadyReplicas: 1, UpdatedReplicas: 1}
	require.NoError(t, cl.Status().Update(ctx, d))
	installed := catalog.HelmChartRef{Name: "gitea", Repository: "https://dl.gitea.com/charts/", Version: "10.6.0"}
	require.NoError(t, cl.Create(ctx, helmChartOf(GiteaHelmChart, installed, GiteaNamespace, "")))
	players.PlayHelmUpgrades(t, env.Config, players.HelmUpgrades{HelmChart: GiteaHelmChart, Namespace: GiteaNamespace,
		Deployments: []string{GiteaHelmChart}, Fail: map[string]bool{"10.9.9": true}})

	k := &Kubernetes{Client: cl, Poll: 50 * time.Millisecond}
	workloads := []v1alpha1.Workload{{Kind: v1alpha1.KindDeployment, Namespace: GiteaNamespace, Name: GiteaHelmChart}}
	at := func(version string) HelmChartVersion {
		return HelmChartVersion{HelmChart: "kube-system/gitea", Chart: "gitea", Repository: installed.Repository, Version: version}
	}
	wait := func(version string, deadline time.Time) error {
		_, err := run[WaitHelmChartResult](t, k, k.WaitHelmChart, WaitHelmChartInput{HelmChartVersion: at(version), Workloads: workloads, Deadline: deadline})
		return err
	}
	chartVersion := func() string {
		hc := &unstructured.Unstructured{}
		hc.SetAPIVersion(helmChartAPI)
		hc.SetKind("HelmChart")
		require.NoError(t, cl.Get(ctx, client.ObjectKey{Namespace: "kube-system", Name: GiteaHelmChart}, hc))
		v, _, _ := unstructured.NestedString(hc.Object, "spec", "version")
		return v
	}

	// The installed version's Job completes first: waiting for it is done.
	require.NoError(t, wait("10.6.0", time.Now().Add(time.Minute)))

	first, err := run[PatchHelmChartResult](t, k, k.PatchHelmChart, at("10.7.0"))
	require.NoError(t, err)
	again, err := run[PatchHelmChartResult](t, k, k.PatchHelmChart, at("10.7.0"))
	require.NoError(t, err)
	require.Equal(t, first, again, "a second patch changes nothing")
	require.Equal(t, "10.7.0", chartVersion())
	require.NoError(t, wait("10.7.0", time.Now().Add(time.Minute)))
	var rolled appsv1.Deployment
	require.NoError(t, cl.Get(ctx, client.ObjectKeyFromObject(d), &rolled))
	require.Equal(t, "10.7.0", rolled.Spec.Template.Annotations["helm.sh/chart-version"], "the wait ended once the chart rolled out")

	_, err = run[PatchHelmChartResult](t, k, k.PatchHelmChart, at("10.9.9"))
	require.NoError(t, err)
	err = wait("10.9.9", time.Now().Add(time.Minute))
	requireAppError(t, err, ErrHelmJobFailed, true)
	require.ErrorContains(t, err, "the Helm job kube-system/helm-install-gitea for chart version 10.9.9 failed: BackoffLimitExceeded")

	err = wait("10.8.0", time.Now())
	requireAppError(t, err, ErrHelmChartNotReady, true)
	require.ErrorContains(t, err, `waiting for: Job kube-system/helm-install-gitea for chart version 10.8.0 (it is for "10.9.9")`)

	_, err = run[PatchHelmChartResult](t, k, k.PatchHelmChart, HelmChartVersion{HelmChart: "kube-system/forgejo", Chart: "forgejo", Version: "1.0.0"})
	requireAppError(t, err, ErrHelmChartMissing, true)

	// The rollback is the same patch, back to the chart that ran.
	_, err = run[PatchHelmChartResult](t, k, k.PatchHelmChart, at("10.6.0"))
	require.NoError(t, err)
	require.NoError(t, wait("10.6.0", time.Now().Add(time.Minute)))

	a := v1alpha1.Adopted{Name: "gitea", Version: "1.22.3", Chart: "gitea", Repository: installed.Repository, ChartVersion: "10.6.0",
		InstalledBy: "k3s HelmChart kube-system/gitea", HelmChart: "kube-system/gitea", Upgrade: v1alpha1.UpgradeHelmChart, Workloads: workloads}
	const ns = "openova-system"
	require.NoError(t, cl.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	require.NoError(t, cl.Create(ctx, &v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "gitea", Namespace: ns,
		Labels:      map[string]string{v1alpha1.LabelPlatform: "acme", v1alpha1.LabelComponent: "gitea"},
		Annotations: map[string]string{v1alpha1.AnnotationAdopted: a.JSON()}},
		Spec: v1alpha1.ComponentSpec{Platform: "acme", Chart: "gitea", Repository: installed.Repository, Version: "1.22.3", ChartVersion: "10.6.0"}}))
	read, err := run[ReadComponentResult](t, k, k.ReadComponent, ReadComponentInput{Namespace: ns, Name: "gitea"})
	require.NoError(t, err)
	require.Equal(t, &a, read.Adopted, "an upgrade learns the component is adopted, and how it is upgraded")
	spec := read.ComponentSpec
	spec.Version, spec.ChartVersion = "1.23.0", "10.7.0"
	_, err = run[RecordAdoptedResult](t, k, k.RecordAdopted, RecordAdoptedInput{Namespace: ns, Platform: "acme", Name: "gitea", ComponentSpec: spec, Adopted: a})
	require.NoError(t, err)
	read, err = run[ReadComponentResult](t, k, k.ReadComponent, ReadComponentInput{Namespace: ns, Name: "gitea"})
	require.NoError(t, err)
	require.Equal(t, "1.23.0", read.Version)
	require.Equal(t, "10.7.0", read.ChartVersion)
	require.Equal(t, "1.23.0", read.Adopted.Version)
	require.Equal(t, "10.7.0", read.Adopted.ChartVersion)
	require.Equal(t, a.Workloads, read.Adopted.Workloads)
}

// Crossplane's HelmChart is in the platform repository (substrate.yaml,
// applied by Flux): its chart version is changed there, in one commit that
// keeps every other document and field, and none when Git has it already.
func TestSetHelmChartVersionCommitsTheSubstrateFile(t *testing.T) {
	crossplane := catalog.HelmChartRef{Name: "crossplane", Repository: "https://charts.crossplane.io/stable", Version: "2.0.2"}
	files, err := SubstrateFiles("fsn1", crossplane, true)
	require.NoError(t, err)
	file := files[0]
	require.Equal(t, "clusters/fsn1/substrate.yaml", file.Path)

	repoURL := gitServer(t, "", "")
	g := &Git{Fetch: devFetch, Dir: t.TempDir()}
	_, err = run[CommitManifestResult](t, g, g.CommitManifest, CommitManifestInput{RepoURL: repoURL, Branch: "main", Path: file.Path, Content: file.Content})
	require.NoError(t, err)
	in := SetHelmChartVersionInput{Git: GitTarget{URL: repoURL, Branch: "main"}, File: file.Path, Message: "openova: crossplane 2.1.0",
		HelmChartVersion: HelmChartVersion{HelmChart: "kube-system/crossplane", Chart: "crossplane", Repository: crossplane.Repository, Version: "2.1.0"}}
	first, err := run[CommitManifestResult](t, g, g.SetHelmChartVersion, in)
	require.NoError(t, err)
	require.True(t, first.Changed)
	commits, got := history(t, repoURL, nil)
	require.Equal(t, first.Commit, commits[0])
	want := strings.Replace(string(file.Content), "version: 2.0.2", "version: 2.1.0", 1)
	require.Equal(t, documents(t, want), documents(t, got[file.Path]), "the chart version changed, and nothing else")

	again, err := run[CommitManifestResult](t, g, g.SetHelmChartVersion, in)
	require.NoError(t, err)
	require.Equal(t, CommitManifestResult{Commit: first.Commit}, again, "no second commit")

	in.File = "clusters/hel1/substrate.yaml"
	_, err = run[CommitManifestResult](t, g, g.SetHelmChartVersion, in)
	requireAppError(t, err, ErrHelmChartMissing, true)
	in.File, in.HelmChart = file.Path, "kube-system/gitea"
	_, err = run[CommitManifestResult](t, g, g.SetHelmChartVersion, in)
	requireAppError(t, err, ErrHelmChartMissing, true)
	require.ErrorContains(t, err, "no HelmChart named gitea")
}

// documents are the YAML documents of a file, decoded (empty ones left out).
func documents(t *testing.T, file string) []any {
	t.Helper()
	var out []any
	dec := yamlv3.NewDecoder(strings.NewReader(file))
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		if doc != nil {
			out = append(out, doc)
		}
	}
}
