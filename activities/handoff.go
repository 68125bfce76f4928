package activities

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/secret"
)

// The hand-off: the bootstrap commits the Platform (the components chosen
// in the wizard, in GitOps mode on the region's own platform repository)
// next to the manager's manifests, and lists on it, in
// v1alpha1.AnnotationSubstrate, what it installed itself, so the manager
// adopts that instead of installing it again (controllers/platform_adopt.go).

// ManagerGitSecret is the Secret the Platform's spec.git.secretRef names:
// a Gitea token that may write the platform repository, for the manager's
// GitOps commits, with the URL it is for and the cluster CA.
const ManagerGitSecret = "openova-git"

// PlatformPath is the Platform's file in the region's folder, which Flux applies.
func PlatformPath(region string) string { return FluxPath(region) + "platform.yaml" }

// PlatformGitPath is the folder the manager commits releases into
// (spec.git.path): inside the region's folder, so the same Flux
// Kustomization applies them.
func PlatformGitPath(region string) string { return FluxPath(region) + "platform" }

// substrateWorkloads are what each component the bootstrap installs runs:
// the workloads whose readiness the bootstrap's own waits check, and the
// ones deploy/overlays/bootstrap lets the manager read (by name), and how
// the manager upgrades it (v1alpha1.Adopted.Upgrade):
//   - Gitea's and Flux's HelmCharts were applied through the API: the
//     manager patches them;
//   - Crossplane's is in the platform repository's substrate.yaml, which
//     Flux applies: the manager commits the change there;
//   - Cilium's is in each server's manifests folder, which k3s applies
//     again at every start: a change the manager made would not last.
var substrateWorkloads = []struct {
	name      string
	helmChart string // the k3s HelmChart in kube-system that installed it
	upgrade   string
	workloads []v1alpha1.Workload
}{
	{"cilium", "cilium", "", []v1alpha1.Workload{{Kind: v1alpha1.KindDaemonSet, Namespace: ciliumNamespace, Name: ciliumAgents},
		{Kind: v1alpha1.KindDeployment, Namespace: ciliumNamespace, Name: ciliumOperator}}},
	{"gitea", GiteaHelmChart, v1alpha1.UpgradeHelmChart, []v1alpha1.Workload{{Kind: v1alpha1.KindDeployment, Namespace: GiteaNamespace, Name: GiteaHelmChart}}},
	{"flux", FluxHelmChartName, v1alpha1.UpgradeHelmChart, []v1alpha1.Workload{{Kind: v1alpha1.KindDeployment, Namespace: FluxNamespace, Name: fluxControllers[0]},
		{Kind: v1alpha1.KindDeployment, Namespace: FluxNamespace, Name: fluxControllers[1]}}},
	{"crossplane", SubstrateCrossplaneName, v1alpha1.UpgradeGitFile, []v1alpha1.Workload{{Kind: v1alpha1.KindDeployment, Namespace: CrossplaneNamespace, Name: "crossplane"},
		{Kind: v1alpha1.KindDeployment, Namespace: CrossplaneNamespace, Name: "crossplane-rbac-manager"}}},
}

// SubstrateHelmCharts names the HelmCharts in kube-system the manager
// patches to upgrade what it adopted.
func SubstrateHelmCharts() []string {
	var out []string
	for _, s := range substrateWorkloads {
		if s.upgrade == v1alpha1.UpgradeHelmChart {
			out = append(out, s.helmChart)
		}
	}
	return out
}

// adoptedOf is one component the bootstrap installed in region, as the
// manager adopts it.
func adoptedOf(region string, c bootstrap.SelectedComponent, helmChart, upgrade string, workloads []v1alpha1.Workload) v1alpha1.Adopted {
	a := v1alpha1.Adopted{Name: c.Name, Version: c.Version, Chart: c.Chart.Name, Repository: c.Chart.Repository,
		ChartVersion: c.Chart.Version, Category: "mandatory", Workloads: workloads,
		HelmChart: helmChartNamespace + "/" + helmChart, Upgrade: upgrade}
	switch upgrade {
	case v1alpha1.UpgradeHelmChart:
		a.InstalledBy = "k3s HelmChart " + a.HelmChart
	case v1alpha1.UpgradeGitFile:
		a.GitFile = FluxPath(region) + "substrate.yaml"
		a.InstalledBy = "k3s HelmChart " + a.HelmChart + " in the platform repository's " + a.GitFile + ", applied by Flux"
	default:
		a.InstalledBy = "k3s HelmChart " + a.HelmChart + " in each server's manifests folder, which k3s applies again at every start"
	}
	return a
}

// SubstrateWorkloads lists every workload an adopted component may name.
func SubstrateWorkloads() []v1alpha1.Workload {
	var out []v1alpha1.Workload
	for _, s := range substrateWorkloads {
		out = append(out, s.workloads...)
	}
	return out
}

// PlatformFilesInput is the platform the bootstrap hands over.
type PlatformFilesInput struct {
	Region       string // the primary, whose manager runs it
	Organization string
	Domain       string
	Regions      []bootstrap.Region
	Components   []bootstrap.SelectedComponent
	// RepoURL is the platform repository the manager commits to (the
	// region's Gitea, as its Flux reads it).
	RepoURL string
}

// PlatformFiles renders clusters/<region>/platform.yaml: the Platform in
// GitOps mode, with every selected component pinned at the version the
// wizard showed, and the substrate it installed in AnnotationSubstrate.
func PlatformFiles(in PlatformFilesInput) ([]SubstrateFile, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	adopted := []v1alpha1.Adopted{}
	var comps []any
	for _, c := range in.Components {
		comps = append(comps, map[string]any{"name": c.Name, "version": c.Version})
	}
	for _, s := range substrateWorkloads {
		i := slices.IndexFunc(in.Components, func(c bootstrap.SelectedComponent) bool { return c.Name == s.name })
		if i < 0 || in.Components[i].Chart == nil {
			continue // not selected, or from a history without charts: the manager installs it
		}
		adopted = append(adopted, adoptedOf(in.Region, in.Components[i], s.helmChart, s.upgrade, s.workloads))
	}
	js, err := json.Marshal(adopted)
	if err != nil {
		return nil, err
	}
	if _, err := v1alpha1.ParseSubstrate(string(js)); err != nil {
		return nil, temporal.NewNonRetryableApplicationError("platform of "+in.Region+": "+err.Error(), ErrInvalidSubstrate, nil)
	}
	var regions []any
	for _, r := range in.Regions {
		regions = append(regions, map[string]any{"name": r.Name, "role": r.Role})
	}
	org := map[string]any{"name": in.Organization}
	if in.Domain != "" {
		org["domain"] = in.Domain
	}
	doc := map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(), "kind": "Platform",
		"metadata": map[string]any{"name": in.Organization, "namespace": ManagerNamespace,
			"annotations": map[string]any{v1alpha1.AnnotationSubstrate: string(js), v1alpha1.AnnotationGitFile: PlatformPath(in.Region)}},
		"spec": map[string]any{
			"organization": org, "regions": regions, "components": comps, "delivery": v1alpha1.DeliveryGitOps,
			"git": map[string]any{"url": in.RepoURL, "branch": defaultBranch, "path": PlatformGitPath(in.Region), "secretRef": ManagerGitSecret},
		},
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	head := "# The platform, handed over by openova's bootstrap to the Lifecycle Manager. Flux applies it;\n" +
		"# the manager adopts what the bootstrap installed (" + AnnotationList(adopted) + ") and installs the rest.\n---\n"
	return []SubstrateFile{{Path: PlatformPath(in.Region), Content: append([]byte(head), b...)}}, nil
}

// AnnotationList names the adopted components, for a comment or a note.
func AnnotationList(adopted []v1alpha1.Adopted) string {
	names := make([]string, 0, len(adopted))
	for _, a := range adopted {
		names = append(names, a.Name+" "+a.Version)
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

func (in PlatformFilesInput) check() error {
	bad := func(msg string) error {
		return temporal.NewNonRetryableApplicationError("platform of "+in.Region+": "+msg, ErrInvalidSubstrate, nil)
	}
	u, err := url.Parse(in.RepoURL)
	switch {
	case in.Region == "" || in.Organization == "":
		return bad("the region and the organization are required")
	case len(in.Regions) == 0:
		return bad("the platform's regions are required")
	case len(in.Components) == 0:
		return bad("no components: the resolved selection is required")
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil:
		return bad(fmt.Sprintf("repository URL %s is not an https URL without credentials", redactURL(in.RepoURL)))
	}
	return nil
}

// CommitPlatformInput commits the region's Platform.
type CommitPlatformInput struct {
	Gitea     GiteaEndpoint
	Org, Repo string
	Platform  PlatformFilesInput
}

// CommitPlatform commits clusters/<region>/platform.yaml; the same
// platform committed twice makes one commit.
func (g *Gitea) CommitPlatform(ctx context.Context, in CommitPlatformInput) (CommitSubstrateResult, error) {
	files, err := PlatformFiles(in.Platform)
	if err != nil {
		return CommitSubstrateResult{}, err
	}
	return g.commitFiles(ctx, repoFiles{Gitea: in.Gitea, Org: in.Org, Repo: in.Repo, Files: files,
		Message: "openova: hand " + in.Platform.Organization + " over to the manager in " + in.Platform.Region})
}

// ManagerGitInput is the manager's Git credentials Secret.
type ManagerGitInput struct {
	Cluster    string
	Kubeconfig secret.Bytes
	// RepoURL is the repository the token is for, the only host it goes to.
	RepoURL  string
	Username string
	Token    secret.Text
	// CA signed the Git server's certificate (the cluster CA).
	CA string
}

// ApplyManagerGit creates (or updates) the Secret spec.git.secretRef
// names, server-side applied, so running it twice changes nothing.
func (c *Clusters) ApplyManagerGit(ctx context.Context, in ManagerGitInput) (ManagerSecretsResult, error) {
	if in.Cluster == "" || len(in.Kubeconfig) == 0 || in.Username == "" || in.Token == "" || in.RepoURL == "" {
		return ManagerSecretsResult{}, temporal.NewNonRetryableApplicationError(
			"manager git secret: the cluster, its kubeconfig, the repository URL, the user and the token are required", ErrInvalidBootstrap, nil)
	}
	if err := checkCAPEM(in.CA); err != nil {
		return ManagerSecretsResult{}, temporal.NewNonRetryableApplicationError("manager git secret: the CA "+err.Error(), ErrInvalidBootstrap, nil)
	}
	dc, err := dynamicFor(in.Cluster, in.Kubeconfig)
	if err != nil {
		return ManagerSecretsResult{}, err
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	s := managerSecret(ManagerGitSecret, "Opaque", map[string]any{"username": b64(in.Username), "password": b64(in.Token.Reveal()),
		"url": b64(in.RepoURL), GitSecretCAKey: b64(in.CA)})
	if err := applyObject(ctx, dc, in.Cluster, s, in.Token); err != nil {
		return ManagerSecretsResult{}, err
	}
	return ManagerSecretsResult{Namespace: ManagerNamespace, Secrets: []string{ManagerGitSecret}}, nil
}
