package activities

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

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
	commit, changed, err := g.change(ctx, in.Git.URL, in.Git.Branch, in.File, in.Git.SecretRef, in.Message, nil, func(path string) (bool, error) {
		old, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return false, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"the platform repository has no %s, which holds HelmChart %s: put the file back, then Retry", in.File, in.HelmChart), ErrHelmChartMissing, nil)
		}
		if err != nil {
			return false, fmt.Errorf("read %s: %w", in.File, err)
		}
		out, changed, err := SetHelmChartDoc(old, key.Name, in.HelmChartVersion)
		if err != nil {
			return false, temporal.NewNonRetryableApplicationError(in.File+": "+err.Error(), ErrHelmChartMissing, nil)
		}
		if !changed {
			return false, nil
		}
		return true, os.WriteFile(path, out, 0o644)
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
