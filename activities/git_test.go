package activities

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fluxcd/pkg/gittestserver"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/stretchr/testify/require"
)

// gitServer is a real Git HTTP server on loopback (git http-backend via
// gitkit) with one empty bare repository; user and pass switch basic auth on.
func gitServer(t *testing.T, user, pass string) string {
	t.Helper()
	srv := gittestserver.NewGitServer(t.TempDir())
	if user != "" {
		srv.Auth(user, pass)
	}
	_, err := gogit.PlainInitWithOptions(filepath.Join(srv.Root(), "platform.git"), &gogit.PlainInitOptions{
		Bare: true, InitOptions: gogit.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	require.NoError(t, err)
	require.NoError(t, srv.StartHTTP())
	t.Cleanup(srv.StopHTTP)
	return srv.HTTPAddress() + "/platform.git"
}

// history clones the branch afresh and returns its commit hashes (newest
// first) and the files at its head.
func history(t *testing.T, repoURL string, auth transport.AuthMethod) ([]string, map[string]string) {
	t.Helper()
	repo, err := gogit.PlainClone(t.TempDir(), false, &gogit.CloneOptions{
		URL: repoURL, Auth: auth, ReferenceName: plumbing.NewBranchReferenceName("main"), SingleBranch: true,
	})
	if err == transport.ErrEmptyRemoteRepository {
		return nil, nil
	}
	require.NoError(t, err)
	head, err := repo.Head()
	require.NoError(t, err)
	iter, err := repo.Log(&gogit.LogOptions{From: head.Hash()})
	require.NoError(t, err)
	var commits []string
	require.NoError(t, iter.ForEach(func(c *object.Commit) error {
		commits = append(commits, c.Hash.String())
		return nil
	}))
	files := map[string]string{}
	tree, err := repo.Worktree()
	require.NoError(t, err)
	root := tree.Filesystem.Root()
	require.NoError(t, filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			if info != nil && info.Name() == ".git" {
				return filepath.SkipDir
			}
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		b, err := io.ReadAll(f)
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	}))
	return commits, files
}

func TestCommitManifestIntoEmptyRepoThenIdempotent(t *testing.T) {
	repoURL := gitServer(t, "", "")
	g := &Git{Fetch: devFetch, Dir: t.TempDir()}
	in := CommitManifestInput{RepoURL: repoURL, Branch: "main", Path: "platform/components/mongodb.yaml",
		Content: []byte("kind: ComponentRelease\nversion: 1\n"), Message: "release mongodb 1"}

	first, err := run[CommitManifestResult](t, g, g.CommitManifest, in)
	require.NoError(t, err)
	require.True(t, first.Changed)
	commits, files := history(t, repoURL, nil)
	require.Equal(t, []string{first.Commit}, commits, "the first commit on main")
	require.Equal(t, string(in.Content), files["platform/components/mongodb.yaml"])

	again, err := run[CommitManifestResult](t, g, g.CommitManifest, in)
	require.NoError(t, err)
	require.Equal(t, CommitManifestResult{Commit: first.Commit, Changed: false}, again, "a rerun adds no commit")
	commits, _ = history(t, repoURL, nil)
	require.Len(t, commits, 1)

	// A fresh cache (another manager replica, or a lost data dir) agrees.
	other := &Git{Fetch: devFetch, Dir: t.TempDir()}
	fresh, err := run[CommitManifestResult](t, other, other.CommitManifest, in)
	require.NoError(t, err)
	require.False(t, fresh.Changed)

	in.Content = []byte("kind: ComponentRelease\nversion: 2\n")
	changed, err := run[CommitManifestResult](t, g, g.CommitManifest, in)
	require.NoError(t, err)
	require.True(t, changed.Changed)
	commits, files = history(t, repoURL, nil)
	require.Equal(t, []string{changed.Commit, first.Commit}, commits, "exactly one more commit")
	require.Equal(t, string(in.Content), files["platform/components/mongodb.yaml"])
}

func TestRemoveManifestIsIdempotent(t *testing.T) {
	repoURL := gitServer(t, "", "")
	g := &Git{Fetch: devFetch, Dir: t.TempDir()}
	rm := RemoveManifestInput{RepoURL: repoURL, Branch: "main", Path: "platform/components/mongodb.yaml", Message: "remove mongodb"}

	none, err := run[RemoveManifestResult](t, g, g.RemoveManifest, rm)
	require.NoError(t, err, "removing from an empty repository")
	require.Equal(t, RemoveManifestResult{}, none)

	for _, name := range []string{"mongodb", "grafana"} {
		_, err := run[CommitManifestResult](t, g, g.CommitManifest, CommitManifestInput{
			RepoURL: repoURL, Branch: "main", Path: "platform/components/" + name + ".yaml", Content: []byte(name)})
		require.NoError(t, err)
	}
	removed, err := run[RemoveManifestResult](t, g, g.RemoveManifest, rm)
	require.NoError(t, err)
	require.True(t, removed.Changed)
	again, err := run[RemoveManifestResult](t, g, g.RemoveManifest, rm)
	require.NoError(t, err)
	require.Equal(t, RemoveManifestResult{Commit: removed.Commit}, again)

	commits, files := history(t, repoURL, nil)
	require.Len(t, commits, 3)
	require.Equal(t, removed.Commit, commits[0])
	require.Equal(t, map[string]string{"platform/components/grafana.yaml": "grafana"}, files)
}

// Two managers (separate clone caches) push to the same branch at once:
// the loser of each race re-fetches and rebuilds its commit, so all land.
func TestCommitManifestConcurrentWritersBothLand(t *testing.T) {
	repoURL := gitServer(t, "", "")
	a, b := &Git{Fetch: devFetch, Dir: t.TempDir()}, &Git{Fetch: devFetch, Dir: t.TempDir()}
	const perWriter = 4
	var wg sync.WaitGroup
	errs := make(chan error, 2*perWriter)
	for w, g := range []*Git{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				_, err := g.CommitManifest(context.Background(), CommitManifestInput{
					RepoURL: repoURL, Branch: "main", Path: fmt.Sprintf("platform/components/w%d-%d.yaml", w, i),
					Content: []byte(fmt.Sprintf("writer %d item %d\n", w, i)), Message: "concurrent",
				})
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	commits, files := history(t, repoURL, nil)
	require.Len(t, commits, 2*perWriter)
	require.Len(t, files, 2*perWriter)
}

func TestCommitManifestWrongPasswordIsGitAuthFailed(t *testing.T) {
	const password = "s3cret-wrong-Pa55"
	repoURL := gitServer(t, "flux", "right-password")
	g := &Git{Fetch: devFetch, Dir: t.TempDir(), Credentials: func(_ context.Context, ref string) (transport.AuthMethod, error) {
		require.Equal(t, "platform-git", ref)
		return &githttp.BasicAuth{Username: "flux", Password: password}, nil
	}}
	in := CommitManifestInput{RepoURL: repoURL, Branch: "main", Path: "a.yaml", SecretRef: "platform-git", Content: []byte("a")}
	_, err := run[CommitManifestResult](t, g, g.CommitManifest, in)
	requireAppError(t, err, ErrGitAuthFailed, true)
	require.NotContains(t, err.Error(), password)

	t.Run("password in the URL", func(t *testing.T) {
		anon := &Git{Fetch: devFetch, Dir: t.TempDir()}
		withUser := "http://flux:" + password + "@" + repoURL[len("http://"):]
		_, err := run[CommitManifestResult](t, anon, anon.CommitManifest, CommitManifestInput{
			RepoURL: withUser, Branch: "main", Path: "a.yaml", Content: []byte("a")})
		requireAppError(t, err, ErrGitAuthFailed, true)
		require.NotContains(t, err.Error(), password)
		require.NotContains(t, err.Error(), "flux:")
	})

	t.Run("right password", func(t *testing.T) {
		ok := &Git{Fetch: devFetch, Dir: t.TempDir(), Credentials: func(context.Context, string) (transport.AuthMethod, error) {
			return &githttp.BasicAuth{Username: "flux", Password: "right-password"}, nil
		}}
		res, err := run[CommitManifestResult](t, ok, ok.CommitManifest, in)
		require.NoError(t, err)
		require.True(t, res.Changed)
	})
}

func TestCommitManifestRejectsPathsOutsideTheRepo(t *testing.T) {
	g := &Git{Fetch: devFetch, Dir: t.TempDir()}
	for _, p := range []string{"", "/etc/passwd", "../x.yaml", "a/../../x.yaml", ".git/config"} {
		_, err := run[CommitManifestResult](t, g, g.CommitManifest, CommitManifestInput{
			RepoURL: "http://127.0.0.1:1/x.git", Branch: "main", Path: p, Content: []byte("x")})
		requireAppError(t, err, ErrInvalidManifestPath, true)
	}
}
