package activities

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/netguard"
)

// remote is a repository URL split into what may be shown and what not.
type remote struct {
	url    string // without userinfo: stored in the clone's config, shown in errors
	auth   transport.AuthMethod
	secret []string // strings that must never reach a message
}

// sync makes dir a clone whose branch, index and files equal the remote
// branch (or an unborn branch when the remote has none yet) and returns the
// head ("" when unborn).
func (g *Git) sync(ctx context.Context, dir string, rem remote, branch string) (*gogit.Repository, string, error) {
	repo, err := openOrInit(dir, rem, branch)
	if err != nil {
		return nil, "", err
	}
	head, err := remoteHead(ctx, repo, rem, branch)
	if err != nil {
		return nil, "", err
	}
	if head == "" {
		// No branch yet: start over from an empty, unborn one (this also
		// drops commits of an earlier attempt that never got pushed).
		if err := os.RemoveAll(dir); err != nil {
			return nil, "", fmt.Errorf("reset clone: %w", err)
		}
		repo, err = openOrInit(dir, rem, branch)
		return repo, "", err
	}
	local := plumbing.NewBranchReferenceName(branch)
	hash := plumbing.NewHash(head)
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, local)); err != nil {
		return nil, "", fmt.Errorf("set HEAD: %w", err)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(local, hash)); err != nil {
		return nil, "", fmt.Errorf("set %s: %w", local, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, "", fmt.Errorf("open worktree: %w", err)
	}
	if err := wt.Reset(&gogit.ResetOptions{Commit: hash, Mode: gogit.HardReset}); err != nil {
		return nil, "", fmt.Errorf("reset to origin/%s: %w", branch, err)
	}
	if err := wt.Clean(&gogit.CleanOptions{Dir: true}); err != nil {
		return nil, "", fmt.Errorf("clean worktree: %w", err)
	}
	return repo, head, nil
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
// config or in a message. The URL must be one g.Fetch admits, and
// credentials bound to a host (SecretCredentials) must be for its host.
func (g *Git) remote(ctx context.Context, rawURL, secretRef string) (remote, error) {
	guardGitTransport()
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return remote{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("git repository URL %s is not valid", redactURL(rawURL)), ErrGitRepository, nil)
	}
	if err := g.Fetch.CheckURL(rawURL, "ssh"); err != nil {
		return remote{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("git repository URL %s is refused: %v", redactURL(rawURL), err), ErrGitRepository, nil)
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
		if bound, ok := auth.(*boundAuth); ok {
			if !netguard.SameOrigin(bound.origin, u) {
				return remote{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
					"git credentials Secret %s are for %s, not for %s: openova sends a Secret's credentials only to the host its url key names; "+
						"if the repository moved, change url in the Secret too, or name another Secret", secretRef, bound.origin, redactURL(u.Scheme+"://"+u.Host)),
					ErrGitCredentials, nil)
			}
			rem.secret = append(rem.secret, bound.Password)
			if len(bound.ca) > 0 {
				trustGitCA(u.Hostname(), bound.ca)
			}
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
	case errors.Is(err, transport.ErrRepositoryNotFound), isRefusedDestination(err):
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
