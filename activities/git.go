package activities

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/openova-io/core/netguard"
)

// Git writes manifests into a platform's Git repository (GitOps mode: Flux
// applies what is committed). It keeps one clone per repository and branch
// under Dir and brings it to the remote's state before every change, so an
// activity that runs again finds its own earlier commit and adds none.
type Git struct {
	// Dir caches the clones (under the data dir).
	Dir    string
	Author string // default "OpenOva"
	Email  string // default "openova@localhost"
	// Credentials resolves a SecretRef to an auth method; nil (or a nil
	// result) means anonymous, or the userinfo of the URL if it has one.
	// SecretCredentials binds each to the host its Secret names.
	Credentials func(ctx context.Context, secretRef string) (transport.AuthMethod, error)
	// Fetch is where repositories may be (openova --allow-http-fetch):
	// https or ssh, plain http only in development; never a link-local or
	// metadata address.
	Fetch netguard.Policy
}

// pushAttempts bounds the fetch-rebuild-push loop when others push at the same time.
const pushAttempts = 6

// CommitManifestInput is one file to have in the repository.
type CommitManifestInput struct {
	RepoURL   string
	Branch    string
	Path      string // inside the repository, e.g. platform/components/mongodb.yaml
	SecretRef string `json:",omitempty"`
	Content   []byte
	Message   string
}

// CommitManifestResult is the branch head after the call; Changed says
// whether this call pushed a commit.
type CommitManifestResult struct {
	Commit  string
	Changed bool
}

// RemoveManifestInput is one file to not have in the repository.
type RemoveManifestInput struct {
	RepoURL   string
	Branch    string
	Path      string
	SecretRef string `json:",omitempty"`
	Message   string
}

// RemoveManifestResult is the branch head after the call; Changed says
// whether this call pushed a commit.
type RemoveManifestResult struct {
	Commit  string
	Changed bool
}

// CommitManifest makes Path hold Content on Branch: identical content
// changes nothing (Changed=false, the current head); otherwise it commits and
// pushes, rebuilding the commit on the new head when another writer pushed
// first. An empty repository gets its first commit on Branch.
func (g *Git) CommitManifest(ctx context.Context, in CommitManifestInput) (CommitManifestResult, error) {
	commit, changed, err := g.change(ctx, in.RepoURL, in.Branch, in.Path, in.SecretRef, in.Message, nil, func(file string) (bool, error) {
		old, err := os.ReadFile(file)
		if err == nil && bytes.Equal(old, in.Content) {
			return false, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("read %s: %w", in.Path, err)
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return false, fmt.Errorf("create folder of %s: %w", in.Path, err)
		}
		if err := os.WriteFile(file, in.Content, 0o644); err != nil {
			return false, fmt.Errorf("write %s: %w", in.Path, err)
		}
		return true, nil
	})
	return CommitManifestResult{Commit: commit, Changed: changed}, err
}

// RemoveManifest makes Path absent on Branch; already absent changes nothing.
func (g *Git) RemoveManifest(ctx context.Context, in RemoveManifestInput) (RemoveManifestResult, error) {
	commit, changed, err := g.change(ctx, in.RepoURL, in.Branch, in.Path, in.SecretRef, in.Message, nil, func(file string) (bool, error) {
		err := os.Remove(file)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("remove %s: %w", in.Path, err)
		}
		return true, nil
	})
	return RemoveManifestResult{Commit: commit, Changed: changed}, err
}

// repoLocks serialises the use of one cached clone within the process.
var repoLocks sync.Map // clone dir -> *sync.Mutex

// change brings the clone to the remote branch, lets edit change the file,
// and commits and pushes if it did; it retries the whole round when the push
// loses a race. The commit's author is author, or openova (nil); openova
// is its committer either way.
func (g *Git) change(ctx context.Context, rawURL, branch, relPath, secretRef, message string, author *object.Signature,
	edit func(file string) (bool, error)) (string, bool, error) {
	rel, err := cleanRepoPath(relPath)
	if err != nil {
		return "", false, err
	}
	if branch == "" {
		branch = "main"
	}
	rem, err := g.remote(ctx, rawURL, secretRef)
	if err != nil {
		return "", false, err
	}
	sum := sha256.Sum256([]byte(rem.url + "\x00" + branch))
	dir := filepath.Join(g.Dir, hex.EncodeToString(sum[:12]))
	mu, _ := repoLocks.LoadOrStore(dir, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()

	for attempt := 1; ; attempt++ {
		heartbeat(ctx, "fetch "+rem.url)
		repo, head, err := g.sync(ctx, dir, rem, branch)
		if err != nil {
			return "", false, rem.classify(ctx, "fetch", err)
		}
		wt, err := repo.Worktree()
		if err != nil {
			return "", false, fmt.Errorf("open worktree: %w", err)
		}
		changed, err := edit(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return "", false, err
		}
		if !changed {
			return head, false, nil
		}
		if _, err := wt.Add(rel); err != nil {
			// The file is gone: stage its removal instead.
			if _, rmErr := wt.Remove(rel); rmErr != nil {
				return "", false, fmt.Errorf("stage %s: %w", rel, err)
			}
		}
		self := &object.Signature{Name: orDefaultString(g.Author, "OpenOva"), Email: orDefaultString(g.Email, "openova@localhost"), When: time.Now()}
		by := self
		if author != nil {
			by = &object.Signature{Name: author.Name, Email: author.Email, When: self.When}
		}
		hash, err := wt.Commit(orDefaultString(message, "openova: update "+rel), &gogit.CommitOptions{Author: by, Committer: self})
		if err != nil {
			return "", false, fmt.Errorf("commit %s: %w", rel, err)
		}
		heartbeat(ctx, "push "+rem.url)
		ref := plumbing.NewBranchReferenceName(branch)
		err = repo.PushContext(ctx, &gogit.PushOptions{
			RemoteName: "origin",
			RefSpecs:   []config.RefSpec{config.RefSpec(ref.String() + ":" + ref.String())},
			Auth:       rem.auth,
		})
		if err == nil || errors.Is(err, gogit.NoErrAlreadyUpToDate) {
			return hash.String(), true, nil
		}
		if ctx.Err() != nil || isAuthError(err) || attempt >= pushAttempts {
			return "", false, rem.classify(ctx, "push", err)
		}
		// The remote's answer to a lost race varies (non-fast-forward,
		// a rejected ref, a torn report); what counts is where the branch
		// is now.
		moved, ferr := remoteHead(ctx, repo, rem, branch)
		switch {
		case ferr != nil:
			return "", false, rem.classify(ctx, "push", err)
		case moved == hash.String():
			return moved, true, nil // the push landed after all
		case moved != head || lostRace(err):
			continue // someone pushed first: rebuild on their head
		}
		return "", false, rem.classify(ctx, "push", err)
	}
}
