package v1alpha1

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// The substrate a bootstrap installs before any manager exists (Cilium,
// Flux, Gitea, Crossplane: k3s HelmCharts) is handed over with the
// Platform, so the manager neither installs it a second time through
// Crossplane nor shows it as missing:
//   - the Platform the bootstrap commits carries AnnotationSubstrate, the
//     list of what it installed, at which version, and the workloads whose
//     readiness says it runs (the ones the bootstrap itself waited for);
//   - the Platform reconciler adopts each listed component the Platform
//     asks for and that has no Component yet: it creates the Component with
//     AnnotationAdopted, and never starts an install for it;
//   - the Component reconciler shows an adopted Component's health from
//     those workloads, not from a Crossplane release (there is none).
const (
	AnnotationSubstrate = "openova.io/substrate"
	AnnotationAdopted   = "openova.io/adopted"
)

// Adopted is one component the bootstrap installed.
type Adopted struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Chart, Repository and ChartVersion are the Helm chart that ships it.
	Chart        string `json:"chart"`
	Repository   string `json:"repository,omitempty"`
	ChartVersion string `json:"chartVersion,omitempty"`
	// Category is the catalog's (mandatory, a-la-carte, meta-platform).
	Category string `json:"category,omitempty"`
	// InstalledBy names what installed it and keeps it at its version,
	// e.g. "k3s HelmChart kube-system/gitea".
	InstalledBy string `json:"installedBy"`
	// Workloads run it: it is healthy when each is available.
	Workloads []Workload `json:"workloads"`
	// HelmChart is the k3s HelmChart ("kube-system/gitea") whose chart
	// version keeps it at its version.
	HelmChart string `json:"helmChart,omitempty"`
	// Upgrade is how the manager upgrades it: UpgradeHelmChart or
	// UpgradeGitFile, or "" when it cannot (a HelmChart that k3s applies
	// again from each server's manifests folder at every start, or a
	// component adopted before the manager could upgrade any).
	Upgrade string `json:"upgrade,omitempty"`
	// GitFile, for UpgradeGitFile, is the file of the platform repository
	// that holds the HelmChart.
	GitFile string `json:"gitFile,omitempty"`
}

// How the manager upgrades an adopted component, and rolls it back: by
// changing the chart version of the k3s HelmChart that installed it,
// where that change lasts.
const (
	// UpgradeHelmChart: the bootstrap applied the HelmChart through the
	// API, and nothing applies it again: the manager patches it.
	UpgradeHelmChart = "helmchart"
	// UpgradeGitFile: Flux applies the HelmChart from the platform
	// repository (a patch would be reverted at its next reconcile): the
	// manager commits the change to GitFile.
	UpgradeGitFile = "gitfile"
)

// Workload is a Deployment or DaemonSet an adopted component runs.
type Workload struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Workload kinds an adopted component may name.
const (
	KindDeployment = "Deployment"
	KindDaemonSet  = "DaemonSet"
)

func (w Workload) String() string { return w.Kind + " " + w.Namespace + "/" + w.Name }

var (
	dnsLabelRE  = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	helmChartRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`)
	gitFileRE   = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*\.ya?ml$`)
	semverRE    = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
)

// ParseSubstrate reads AnnotationSubstrate. An annotation that is not a
// well-formed list is an error naming what is wrong: the Platform
// reconciler shows it and adopts nothing.
func ParseSubstrate(raw string) ([]Adopted, error) {
	var list []Adopted
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, fmt.Errorf("annotation %s is not a JSON list of components: %v", AnnotationSubstrate, err)
	}
	var names []string
	for i, a := range list {
		if err := a.validate(); err != nil {
			return nil, fmt.Errorf("annotation %s, item %d: %w", AnnotationSubstrate, i, err)
		}
		if slices.Contains(names, a.Name) {
			return nil, fmt.Errorf("annotation %s names %s twice", AnnotationSubstrate, a.Name)
		}
		names = append(names, a.Name)
	}
	return list, nil
}

// ParseAdopted reads a Component's AnnotationAdopted.
func ParseAdopted(raw string) (Adopted, error) {
	var a Adopted
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return a, fmt.Errorf("annotation %s is not a JSON object: %v", AnnotationAdopted, err)
	}
	return a, a.validate()
}

func (a Adopted) validate() error {
	switch {
	case !dnsLabelRE.MatchString(a.Name):
		return fmt.Errorf("name %q is not a component name", a.Name)
	case !semverRE.MatchString(a.Version):
		return fmt.Errorf("%s: version %q is not a semantic version", a.Name, a.Version)
	case a.ChartVersion != "" && !semverRE.MatchString(a.ChartVersion):
		return fmt.Errorf("%s: chartVersion %q is not a semantic version", a.Name, a.ChartVersion)
	case a.Category != "" && !slices.Contains([]string{"mandatory", "a-la-carte", "meta-platform"}, a.Category):
		return fmt.Errorf("%s: category %q is not mandatory, a-la-carte or meta-platform", a.Name, a.Category)
	case a.Chart == "":
		return fmt.Errorf("%s: chart is empty", a.Name)
	case a.InstalledBy == "":
		return fmt.Errorf("%s: installedBy is empty: say what installed it", a.Name)
	case a.Upgrade != "" && a.Upgrade != UpgradeHelmChart && a.Upgrade != UpgradeGitFile:
		return fmt.Errorf("%s: upgrade %q is not %s, %s or empty", a.Name, a.Upgrade, UpgradeHelmChart, UpgradeGitFile)
	case a.Upgrade != "" && !helmChartRE.MatchString(a.HelmChart):
		return fmt.Errorf("%s: helmChart %q is not <namespace>/<name>: name the HelmChart the manager upgrades", a.Name, a.HelmChart)
	case a.Upgrade == UpgradeGitFile && (!gitFileRE.MatchString(a.GitFile) || path.Clean(a.GitFile) != a.GitFile || strings.HasPrefix(a.GitFile, "../")):
		return fmt.Errorf("%s: gitFile %q is not a relative path of the platform repository", a.Name, a.GitFile)
	case len(a.Workloads) == 0:
		return fmt.Errorf("%s: no workloads: name the Deployments or DaemonSets that run it", a.Name)
	}
	for _, w := range a.Workloads {
		if (w.Kind != KindDeployment && w.Kind != KindDaemonSet) || !dnsLabelRE.MatchString(w.Namespace) || w.Name == "" || len(w.Name) > 253 {
			return fmt.Errorf("%s: workload %q: want kind Deployment or DaemonSet with a namespace and a name", a.Name, w.String())
		}
	}
	return nil
}

// JSON is the annotation value of an adopted Component.
func (a Adopted) JSON() string {
	b, _ := json.Marshal(a) // strings and a slice of structs of strings: cannot fail
	return string(b)
}

// ManagerCannotUpgrade says why the manager does not upgrade a Component
// ("" when it can), from its annotations: one the bootstrap installed
// whose HelmChart a change by the manager would not last on. The pages
// show it instead of an Upgrade button, and refuse such an upgrade.
func ManagerCannotUpgrade(annotations map[string]string) string {
	raw, ok := annotations[AnnotationAdopted]
	if !ok {
		return ""
	}
	a, err := ParseAdopted(raw)
	if err != nil {
		return "its " + AnnotationAdopted + " annotation cannot be read (" + err.Error() + ")"
	}
	return a.NotUpgradable()
}

// NotUpgradable says why the manager does not upgrade the component (""
// when it does): nothing it could change would last.
func (a Adopted) NotUpgradable() string {
	if a.Upgrade != "" {
		return ""
	}
	return "it runs as the bootstrap installed it (" + a.InstalledBy + "), so an upgrade by the manager would not last"
}
