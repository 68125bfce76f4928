package activities

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
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
	Credentials func(ctx context.Context, secretRef string) (transport.AuthMethod, error)
}

// Error types of the Git activities.
const (
	// ErrGitAuthFailed: the remote refused the credentials (non-retryable).
	ErrGitAuthFailed = "GitAuthFailed"
	// ErrInvalidManifestPath: the file path is not a plain path inside the repository (non-retryable).
	ErrInvalidManifestPath = "InvalidManifestPath"
	// ErrGitRepository: the repository does not exist or the URL is malformed (non-retryable).
	ErrGitRepository = "GitRepositoryInvalid"
)

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
	commit, changed, err := g.change(ctx, in.RepoURL, in.Branch, in.Path, in.SecretRef, in.Message, func(file string) (bool, error) {
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
	commit, changed, err := g.change(ctx, in.RepoURL, in.Branch, in.Path, in.SecretRef, in.Message, func(file string) (bool, error) {
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

// remote is a repository URL split into what may be shown and what not.
type remote struct {
	url    string // without userinfo: stored in the clone's config, shown in errors
	auth   transport.AuthMethod
	secret []string // strings that must never reach a message
}

// change brings the clone to the remote branch, lets edit change the file,
// and commits and pushes if it did; it retries the whole round when the push
// loses a race.
func (g *Git) change(ctx context.Context, rawURL, branch, relPath, secretRef, message string, edit func(file string) (bool, error)) (string, bool, error) {
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
		now := time.Now()
		hash, err := wt.Commit(orDefaultString(message, "openova: update "+rel), &gogit.CommitOptions{
			Author: &object.Signature{Name: orDefaultString(g.Author, "OpenOva"), Email: orDefaultString(g.Email, "openova@localhost"), When: now},
		})
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

// sync makes dir a clone whose branch, index and files equal the remote
// branch (or an unborn branch when the remote has none yet) and returns the
// head ("" when unborn).
func (g *Git) sync(ctx context.Context, dir string, rem remote, branch string) (*gogit.Repository, string, error) {
	repo, err := openOrInit(dir, rem, branch)
	if err != nil {
		return nil, "", err
	}
	local := plumbing.NewBranchReferenceName(branch)
	tracking := plumbing.NewRemoteReferenceName("origin", branch)
	err = repo.FetchContext(ctx, &gogit.FetchOptions{
		RemoteName: "origin",
		RefSpecs:   []config.RefSpec{config.RefSpec("+" + local.String() + ":" + tracking.String())},
		Auth:       rem.auth,
		Tags:       gogit.NoTags,
		Force:      true,
	})
	var noRef gogit.NoMatchingRefSpecError
	if errors.Is(err, transport.ErrEmptyRemoteRepository) || errors.As(err, &noRef) {
		// No branch yet: start over from an empty, unborn one (this also
		// drops commits of an earlier attempt that never got pushed).
		if err := os.RemoveAll(dir); err != nil {
			return nil, "", fmt.Errorf("reset clone: %w", err)
		}
		repo, err = openOrInit(dir, rem, branch)
		return repo, "", err
	}
	if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		return nil, "", err
	}
	remoteHead, err := repo.Reference(tracking, true)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", tracking, err)
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, local)); err != nil {
		return nil, "", fmt.Errorf("set HEAD: %w", err)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(local, remoteHead.Hash())); err != nil {
		return nil, "", fmt.Errorf("set %s: %w", local, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, "", fmt.Errorf("open worktree: %w", err)
	}
	if err := wt.Reset(&gogit.ResetOptions{Commit: remoteHead.Hash(), Mode: gogit.HardReset}); err != nil {
		return nil, "", fmt.Errorf("reset to %s: %w", tracking, err)
	}
	if err := wt.Clean(&gogit.CleanOptions{Dir: true}); err != nil {
		return nil, "", fmt.Errorf("clean worktree: %w", err)
	}
	return repo, remoteHead.Hash().String(), nil
}

// openOrInit opens the cached clone, or creates an empty one with origin
// set; a clone that does not open (e.g. torn by a crash) is recreated.
func openOrInit(dir string, rem remote, branch string) (*gogit.Repository, error) {
	if repo, err := gogit.PlainOpen(dir); err == nil {
		if r, err := repo.Remote("origin"); err == nil && len(r.Config().URLs) == 1 && r.Config().URLs[0] == rem.url {
			return repo, nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("reset clone: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create clone: %w", err)
	}
	repo, err := gogit.PlainInitWithOptions(dir, &gogit.PlainInitOptions{
		InitOptions: gogit.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(branch)},
	})
	if err != nil {
		return nil, fmt.Errorf("init clone: %w", err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{rem.url}}); err != nil {
		return nil, fmt.Errorf("add remote: %w", err)
	}
	return repo, nil
}

// remote resolves the URL and its credentials. Userinfo in the URL is
// turned into basic auth and stripped, so it never lands in the clone's
// config or in a message.
func (g *Git) remote(ctx context.Context, rawURL, secretRef string) (remote, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" && u.Scheme != "file" {
		return remote{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("git repository URL %s is not valid", redactGitURL(rawURL)), ErrGitRepository, nil)
	}
	rem := remote{}
	if u.User != nil {
		pass, _ := u.User.Password()
		rem.auth = &githttp.BasicAuth{Username: u.User.Username(), Password: pass}
		if pass != "" {
			rem.secret = append(rem.secret, pass, url.QueryEscape(pass))
		}
		rem.secret = append(rem.secret, u.User.String())
		u.User = nil
	}
	rem.url = u.String()
	if g.Credentials != nil && secretRef != "" {
		auth, err := g.Credentials(ctx, secretRef)
		if err != nil {
			return remote{}, err
		}
		if auth != nil {
			rem.auth = auth
			if b, ok := auth.(*githttp.BasicAuth); ok && b.Password != "" {
				rem.secret = append(rem.secret, b.Password)
			}
			if t, ok := auth.(*githttp.TokenAuth); ok && t.Token != "" {
				rem.secret = append(rem.secret, t.Token)
			}
		}
	}
	return rem, nil
}

// classify turns a go-git error into an activity error: auth failures are
// non-retryable GitAuthFailed, a missing repository non-retryable
// GitRepositoryInvalid, the rest retryable. Messages never carry
// credentials.
func (rem remote) classify(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := strings.TrimRight(rem.scrub(fmt.Sprintf("git %s %s: %v", op, rem.url, err)), ": ")
	switch {
	case isAuthError(err):
		return temporal.NewNonRetryableApplicationError(msg+": check the credentials Secret", ErrGitAuthFailed, nil)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return temporal.NewNonRetryableApplicationError(msg, ErrGitRepository, nil)
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return err // already classified (e.g. by Credentials)
	}
	return errors.New(msg)
}

func (rem remote) scrub(s string) string {
	for _, secret := range rem.secret {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// remoteHead fetches the branch and returns its head ("" when it has none).
func remoteHead(ctx context.Context, repo *gogit.Repository, rem remote, branch string) (string, error) {
	tracking := plumbing.NewRemoteReferenceName("origin", branch)
	err := repo.FetchContext(ctx, &gogit.FetchOptions{
		RemoteName: "origin",
		RefSpecs:   []config.RefSpec{config.RefSpec("+" + plumbing.NewBranchReferenceName(branch).String() + ":" + tracking.String())},
		Auth:       rem.auth,
		Tags:       gogit.NoTags,
		Force:      true,
	})
	var noRef gogit.NoMatchingRefSpecError
	if errors.Is(err, transport.ErrEmptyRemoteRepository) || errors.As(err, &noRef) {
		return "", nil
	}
	if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		return "", err
	}
	ref, err := repo.Reference(tracking, true)
	if err != nil {
		return "", err
	}
	return ref.Hash().String(), nil
}

func isAuthError(err error) bool {
	return errors.Is(err, transport.ErrAuthenticationRequired) || errors.Is(err, transport.ErrAuthorizationFailed) ||
		errors.Is(err, transport.ErrInvalidAuthMethod)
}

// lostRace says whether a push failed because the branch moved.
func lostRace(err error) bool {
	if errors.Is(err, gogit.ErrNonFastForwardUpdate) || errors.Is(err, gogit.ErrForceNeeded) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"non-fast-forward", "fetch first", "failed to update ref", "cannot lock ref", "rejected"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// cleanRepoPath accepts a relative slash path inside the repository (not
// into .git).
func cleanRepoPath(p string) (string, error) {
	c := path.Clean(strings.ReplaceAll(p, "\\", "/"))
	if p == "" || c == "." || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") ||
		c == ".git" || strings.HasPrefix(c, ".git/") {
		return "", temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("manifest path %q is not a file path inside the repository", p), ErrInvalidManifestPath, nil)
	}
	return c, nil
}

// redactGitURL drops userinfo, query and fragment from a URL for messages.
func redactGitURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// heartbeat records progress when running as an activity.
func heartbeat(ctx context.Context, details ...any) {
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, details...)
	}
}

func orDefaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
