package activities

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// The Platform the bootstrap hands over is one the manager accepts: GitOps
// on the region's repository with its credentials Secret, every selected
// component pinned, and the substrate it installed listed as the
// manager's adoption rule reads it (v1alpha1.ParseSubstrate), each with
// the workloads the bootstrap's own waits check.
func TestPlatformFilesHandOverTheSubstrate(t *testing.T) {
	chart := func(name, v string) *bootstrap.Chart {
		return &bootstrap.Chart{Name: name, Repository: "https://charts.example/" + name, Version: v}
	}
	in := PlatformFilesInput{Region: "fsn1", Organization: "acme", Domain: "acme.io",
		Regions: []bootstrap.Region{{Name: "fsn1", Role: "primary"}, {Name: "hel1", Role: "standby"}},
		Components: []bootstrap.SelectedComponent{{Name: "cilium", Version: "1.16.5", Chart: chart("cilium", "1.16.5")},
			{Name: "gitea", Version: "1.22.3", Chart: chart("gitea", "10.6.0")}, {Name: "flux", Version: "2.4.0", Chart: chart("flux2", "2.14.0")},
			{Name: "crossplane", Version: "2.1.0", Chart: chart("crossplane", "2.1.0")}, {Name: "grafana", Version: "11.4.0", Chart: chart("grafana", "8.8.2")}},
		RepoURL: "https://203.0.113.10:3000/acme/platform.git"}
	files, err := PlatformFiles(in)
	require.NoError(t, err)
	require.Len(t, files, 1)
	require.Equal(t, "clusters/fsn1/platform.yaml", files[0].Path)
	var p v1alpha1.Platform
	require.NoError(t, yaml.Unmarshal(files[0].Content[strings.Index(string(files[0].Content), "---\n")+4:], &p))
	require.Equal(t, "acme", p.Name)
	require.Equal(t, ManagerNamespace, p.Namespace)
	require.Equal(t, v1alpha1.DeliveryGitOps, p.Spec.Delivery)
	require.Equal(t, &v1alpha1.GitRepository{URL: in.RepoURL, Branch: "main", Path: "clusters/fsn1/platform", SecretRef: ManagerGitSecret}, p.Spec.Git)
	require.Len(t, p.Spec.Components, 5)
	require.Equal(t, v1alpha1.ComponentRef{Name: "grafana", Version: "11.4.0"}, p.Spec.Components[4])
	adopted, err := v1alpha1.ParseSubstrate(p.Annotations[v1alpha1.AnnotationSubstrate])
	require.NoError(t, err)
	var names []string
	for _, a := range adopted {
		names = append(names, a.Name)
		require.NotEmpty(t, a.Workloads)
	}
	require.Equal(t, []string{"cilium", "gitea", "flux", "crossplane"}, names, "grafana is the manager's to install")
	require.Equal(t, "k3s HelmChart kube-system/gitea", adopted[1].InstalledBy)
	// How the manager upgrades each: where its HelmChart's change lasts.
	for i, want := range []struct{ upgrade, helmChart, gitFile string }{
		{"", "kube-system/cilium", ""},
		{v1alpha1.UpgradeHelmChart, "kube-system/gitea", ""},
		{v1alpha1.UpgradeHelmChart, "kube-system/flux", ""},
		{v1alpha1.UpgradeGitFile, "kube-system/crossplane", "clusters/fsn1/substrate.yaml"},
	} {
		require.Equal(t, want.upgrade, adopted[i].Upgrade, adopted[i].Name)
		require.Equal(t, want.helmChart, adopted[i].HelmChart, adopted[i].Name)
		require.Equal(t, want.gitFile, adopted[i].GitFile, adopted[i].Name)
	}
	require.Contains(t, adopted[0].InstalledBy, "which k3s applies again at every start")
	require.Equal(t, "10.6.0", adopted[1].ChartVersion)
	require.Equal(t, "clusters/fsn1/platform.yaml", p.Annotations[v1alpha1.AnnotationGitFile], "the UI edits it there")

	again, err := PlatformFiles(in)
	require.NoError(t, err)
	require.Equal(t, files, again, "the same input renders the same bytes: a second commit changes nothing")

	for name, bad := range map[string]func(*PlatformFilesInput){
		"no components": func(in *PlatformFilesInput) { in.Components = nil },
		"http URL":      func(in *PlatformFilesInput) { in.RepoURL = "http://203.0.113.10:3000/acme/platform.git" },
		"credentials":   func(in *PlatformFilesInput) { in.RepoURL = "https://admin:pw@203.0.113.10:3000/acme/platform.git" },
		"no regions":    func(in *PlatformFilesInput) { in.Regions = nil },
	} {
		t.Run(name, func(t *testing.T) {
			c := in
			bad(&c)
			_, err := PlatformFiles(c)
			requireAppError(t, err, ErrInvalidSubstrate, true)
			require.NotContains(t, err.Error(), "pw@")
		})
	}
}

// The manager the bootstrap deploys may read every workload an adopted
// component names (deploy/overlays/bootstrap/adopted.yaml), by name, in
// its namespace, with get only.
func TestManagerReadsTheSubstrateItAdopts(t *testing.T) {
	files, err := ManagerFiles(ManagerFilesInput{Region: "fsn1", Repository: "203.0.113.10:3000/acme/openova", Digest: "sha256:" + strings.Repeat("a", 64)})
	require.NoError(t, err)
	granted := map[string]bool{} // "Kind ns/name"
	// The namespaces outside the manager's where the catalog runs a
	// backup (Gitea's, next to its data): a batch/v1 Job and its claim.
	backupIn := map[string]bool{}
	cat := catalog.Default()
	for _, n := range cat.Names() {
		comp, _ := cat.Get(n)
		for _, v := range comp.Versions {
			if b := v.Backup; b != nil && b.Namespace != "" {
				require.Equal(t, "batch/v1 Job", b.APIVersion+" "+b.Kind, "%s %s: the bootstrap's Role grants Jobs", n, v.Version)
				backupIn[b.Namespace] = true
			}
		}
	}
	require.NotEmpty(t, backupIn, "Gitea is backed up in its own namespace")
	for _, doc := range strings.Split(string(files[0].Content), "\n---\n") {
		var role struct {
			Kind     string
			Metadata struct{ Namespace string }
			Rules    []struct {
				APIGroups, Resources, ResourceNames, Verbs []string
			}
		}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &role))
		if role.Kind == "ClusterRole" {
			t.Fatalf("the bootstrap overlay grants nothing cluster-wide")
		}
		if role.Kind != "Role" || role.Metadata.Namespace == ManagerNamespace {
			continue
		}
		for _, r := range role.Rules {
			if backupIn[role.Metadata.Namespace] { // a backup the catalog runs here: created, so not by name
				switch rule := r.Resources[0] + " " + strings.Join(r.Verbs, ","); rule {
				case "jobs create,get", "persistentvolumeclaims create":
					require.Empty(t, r.ResourceNames, "each release's backup has its own name")
					granted["backup "+role.Metadata.Namespace+" "+rule] = true
					continue
				}
			}
			require.NotEmpty(t, r.ResourceNames, "by name, never every one")
			switch r.Resources[0] {
			case "helmcharts": // upgrades: the HelmCharts the manager patches
				require.Equal(t, "kube-system", role.Metadata.Namespace)
				require.Equal(t, []string{"get", "patch"}, r.Verbs)
				require.ElementsMatch(t, SubstrateHelmCharts(), r.ResourceNames, "exactly the HelmCharts the manager upgrades")
				granted["HelmCharts"] = true
				continue
			case "jobs": // and their Helm jobs, read
				require.Equal(t, []string{"get"}, r.Verbs)
				for _, n := range r.ResourceNames {
					granted["Job "+role.Metadata.Namespace+"/"+n] = true
				}
				continue
			}
			require.Equal(t, []string{"get"}, r.Verbs, "read by name, never listed or written")
			kind := map[string]string{"deployments": v1alpha1.KindDeployment, "daemonsets": v1alpha1.KindDaemonSet}[r.Resources[0]]
			for _, n := range r.ResourceNames {
				granted[kind+" "+role.Metadata.Namespace+"/"+n] = true
			}
		}
	}
	for _, w := range SubstrateWorkloads() {
		require.True(t, granted[w.String()], "the manager may not read %s", w)
	}
	require.True(t, granted["HelmCharts"], "the manager may not patch the HelmCharts it upgrades")
	for ns := range backupIn {
		require.True(t, granted["backup "+ns+" jobs create,get"], "the manager may not create and read the backup Job in %s", ns)
		require.True(t, granted["backup "+ns+" persistentvolumeclaims create"], "the manager may not create the backup's claim in %s", ns)
	}
	for _, s := range substrateWorkloads {
		if s.upgrade != "" { // the manager upgrades it, and waits for its Helm job
			require.True(t, granted["Job kube-system/"+HelmJob(s.helmChart)], "the manager may not read the Helm job of %s", s.helmChart)
		}
	}
}
