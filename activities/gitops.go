package activities

import (
	"context"
	"fmt"
	"path"
)

// GitTarget is the platform repository of GitOps mode.
type GitTarget struct {
	URL       string
	Branch    string
	Path      string // folder that Flux applies
	SecretRef string `json:",omitempty"`
}

// ReleasePath is where a component's composite resource lives in the repository.
func (g GitTarget) ReleasePath(component string) string {
	return path.Join(g.Path, "components", component+".yaml")
}

// CommitReleaseInput asks to commit one component's composite resource.
type CommitReleaseInput struct {
	Git     GitTarget
	Release ApplyReleaseInput
}

// CommitRelease renders the composite resource and commits it to the
// platform repository; the same release committed twice makes one commit.
func (g *Git) CommitRelease(ctx context.Context, in CommitReleaseInput) (CommitManifestResult, error) {
	doc, err := ReleaseYAML(in.Release)
	if err != nil {
		return CommitManifestResult{}, fmt.Errorf("render release %s: %w", in.Release.Name, err)
	}
	return g.CommitManifest(ctx, CommitManifestInput{
		RepoURL: in.Git.URL, Branch: in.Git.Branch, Path: in.Git.ReleasePath(in.Release.Component),
		SecretRef: in.Git.SecretRef, Content: doc,
		Message: fmt.Sprintf("openova: release %s %s on platform %s", in.Release.Component, in.Release.Version, in.Release.Platform),
	})
}

// RemoveReleaseInput asks to remove one component's composite resource.
type RemoveReleaseInput struct {
	Git       GitTarget
	Platform  string
	Component string
}

// RemoveRelease deletes the component's file from the platform repository.
func (g *Git) RemoveRelease(ctx context.Context, in RemoveReleaseInput) (RemoveManifestResult, error) {
	return g.RemoveManifest(ctx, RemoveManifestInput{
		RepoURL: in.Git.URL, Branch: in.Git.Branch, Path: in.Git.ReleasePath(in.Component),
		SecretRef: in.Git.SecretRef,
		Message:   fmt.Sprintf("openova: remove %s from platform %s", in.Component, in.Platform),
	})
}
