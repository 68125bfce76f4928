package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"gopkg.in/yaml.v3"
)

// SetHelmChartVersionInput is a HelmChart of the platform repository at a
// chart version: an adopted component that Flux keeps (Crossplane's, in
// clusters/<region>/substrate.yaml).
type SetHelmChartVersionInput struct {
	// Git is the Platform's spec.git (its Path is not used).
	Git  GitTarget
	File string
	HelmChartVersion
	Message string
}

// SetHelmChartVersion commits the HelmChart's chart, repository and version
// to the file: one commit, or none when Git has them already, so a retried
// activity adds nothing. Flux then applies it, and k3s's Helm controller
// runs the chart (Kubernetes.WaitHelmChart waits for that).
func (g *Git) SetHelmChartVersion(ctx context.Context, in SetHelmChartVersionInput) (CommitManifestResult, error) {
	if in.File == "" || in.HelmChart == "" || in.Chart == "" || in.Version == "" {
		return CommitManifestResult{}, temporal.NewNonRetryableApplicationError(
			"chart version of a HelmChart in Git: the file, HelmChart, chart and version are required", ErrPlatformFile, nil)
	}
	key := helmChartKey(in.HelmChart)
	missing := temporal.NewNonRetryableApplicationError(fmt.Sprintf(
		"the platform repository has no %s, which holds HelmChart %s: put the file back, then Retry", in.File, in.HelmChart), ErrHelmChartMissing, nil)
	commit, changed, err := g.editFile(ctx, in.Git, in.File, in.Message, nil, missing, ErrHelmChartMissing, func(old []byte) ([]byte, bool, error) {
		return SetHelmChartDoc(old, key.Name, in.HelmChartVersion)
	})
	return CommitManifestResult{Commit: commit, Changed: changed}, err
}

// SetHelmChartDoc sets the chart, repository and version of the named
// HelmChart of a YAML file of one or more documents, keeping the rest.
func SetHelmChartDoc(file []byte, name string, v HelmChartVersion) ([]byte, bool, error) {
	return editDoc(file, "HelmChart", name, func(target *yaml.Node) (bool, error) {
		spec := mapping(target, "spec")
		changed := setScalar(spec, "chart", v.Chart)
		if v.Repository != "" && setScalar(spec, "repo", v.Repository) {
			changed = true
		}
		if setScalar(spec, "version", v.Version) {
			changed = true
		}
		return changed, nil
	})
}
