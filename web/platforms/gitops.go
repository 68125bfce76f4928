package platforms

import (
	"context"
	"fmt"
	"time"

	"github.com/openova-io/core/crds/v1alpha1"
)

// Editor commits a UI change to a Platform kept in Git: the EditPlatform
// workflow (web/operations.Edits), whose history is the audit log's
// record of it. Its types are this package's own, so the pages that
// import this one (web/pages, and through it the wizard) do not depend on
// the workflows.
type Editor interface {
	EditPlatform(ctx context.Context, in Edit) (EditResult, error)
}

// Edit is one change to commit: the component's entry as the UI wants it,
// into File of the repository, with Actor as the author.
type Edit struct {
	RepoURL, Branch, SecretRef string
	File, Platform             string
	Entry                      v1alpha1.ComponentRef
	// Settings, when set, is a Settings page edit instead of an entry's.
	Settings       *EditSettings
	Actor, Message string
}

// EditSettings are the settings a Platform kept in Git takes from the
// Settings page as a commit: the catalog index, the maintenance window and
// the upstream chart check (zero: removed). Its delivery and repository stay the file's.
type EditSettings struct {
	IndexURL      string
	Window        *v1alpha1.MaintenanceWindow
	CheckUpstream bool
}

// EditResult is the branch head after the edit; Changed is false when
// Git already had it.
type EditResult struct {
	Commit  string
	Changed bool
}

// Applied says where a change went: nowhere to name for a change applied
// to the cluster (zero); the commit, file and repository for a Platform
// that Flux applies from Git.
type Applied struct {
	Commit string
	File   string
	Repo   string
	// Changed is false when Git already had the change.
	Changed bool
}

// Note tells the user where the change went, for the page's message; ""
// for a change applied to the cluster.
func (a Applied) Note() string {
	if a.Commit == "" {
		return ""
	}
	if !a.Changed {
		return fmt.Sprintf(" The platform repository already had it (%s at %.7s).", a.File, a.Commit)
	}
	return fmt.Sprintf(" Committed %.7s to %s in %s: Flux applies it at its next sync.", a.Commit, a.File, a.Repo)
}

// commitEntry makes the change a commit to the file Flux applies the
// Platform from, with the user as its author, and waits for the commit.
func (s *Store) commitEntry(ctx context.Context, p *v1alpha1.Platform, entry v1alpha1.ComponentRef, what, actor string) (Applied, error) {
	return s.commit(ctx, p, Edit{Entry: entry}, what, actor)
}

// commit makes one edit (an entry's or the settings') a commit to the
// Platform's file.
func (s *Store) commit(ctx context.Context, p *v1alpha1.Platform, edit Edit, what, actor string) (Applied, error) {
	file, err := v1alpha1.ParseGitFile(p.Annotations[v1alpha1.AnnotationGitFile])
	if err != nil {
		return Applied{}, fmt.Errorf("platform %s is kept in Git, but %w: fix the annotation", p.Name, err)
	}
	if p.Spec.Git == nil || p.Spec.Git.URL == "" {
		return Applied{}, fmt.Errorf("platform %s is kept in Git (%s names %s), but its spec.git names no repository: set spec.git in that file",
			p.Name, v1alpha1.AnnotationGitFile, file)
	}
	if s.Edits == nil {
		return Applied{}, fmt.Errorf("platform %s is kept in Git, and this manager cannot commit to it: change %s there", p.Name, file)
	}
	g := p.Spec.Git
	edit.RepoURL, edit.Branch, edit.SecretRef = g.URL, g.Branch, g.SecretRef
	edit.File, edit.Platform, edit.Actor = file, p.Name, actor
	edit.Message = fmt.Sprintf("openova: %s on platform %s\n\nAsked by %s in the openova UI.", what, p.Name, actor)
	res, err := s.Edits.EditPlatform(ctx, edit)
	if err != nil {
		return Applied{}, fmt.Errorf("commit %s of platform %s to %s: %w", what, p.Name, file, err)
	}
	return Applied{Commit: res.Commit, File: file, Repo: g.URL, Changed: res.Changed}, nil
}

// describe names the change for its commit message.
func describe(cur v1alpha1.ComponentRef, ch Change) string {
	c := ch.Component
	switch {
	case ch.Enabled != nil && !*ch.Enabled:
		return "uninstall " + c
	case ch.Enabled != nil:
		return "install " + c
	case ch.Version != "" && !ch.UpgradeAt.IsZero():
		return "upgrade " + c + " to " + ch.Version + " at " + ch.UpgradeAt.UTC().Format(time.RFC3339)
	case ch.Version != "" && ch.Version != cur.Version:
		return "upgrade " + c + " to " + ch.Version
	case ch.ClearUpgradeAt:
		return "cancel the scheduled upgrade of " + c
	}
	return "change " + c
}
