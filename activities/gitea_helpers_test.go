package activities

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"code.gitea.io/sdk/gitea"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	giteaenv "github.com/openova-io/core/dev/testenv/gitea"
	"github.com/openova-io/core/secret"
)

// giteaRun runs the Gitea activities as the worker would, keeping every
// log line and error message they produce for the canary check.
type giteaRun struct {
	*activityRun
	g *Gitea
}

func newGiteaRun() *giteaRun {
	r := &giteaRun{g: &Gitea{MirrorWait: time.Minute, Poll: 100 * time.Millisecond}}
	r.activityRun = newActivityRun(r.g)
	return r
}

func errType(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return ""
}

// sharedGitea are the package's two real Gitea servers, the primary
// (fsn1) and the standby (nbg1), started once for every test.
func sharedGitea(t *testing.T) []*giteaenv.Instance {
	t.Helper()
	insts := giteaenv.Shared(t, "fsn1", "nbg1")
	t.Logf("gitea servers ready in %s and %s (started once per package)", insts[0].Started, insts[1].Started)
	return insts
}

func orgCount(t *testing.T, c *gitea.Client, name string) int {
	t.Helper()
	orgs, _, err := c.AdminListOrgs(gitea.AdminListOrgsOptions{})
	require.NoError(t, err)
	n := 0
	for _, o := range orgs {
		if o.Name == name {
			n++
		}
	}
	return n
}

func endpoint(inst *giteaenv.Instance) GiteaEndpoint {
	return GiteaEndpoint{Region: inst.Name, URL: inst.URL, Username: inst.Username, Password: inst.Password}
}

func sdk(t *testing.T, inst *giteaenv.Instance) *gitea.Client {
	t.Helper()
	c, err := gitea.NewClient(inst.URL, gitea.SetBasicAuth(inst.Username, inst.Password.Reveal()), gitea.SetGiteaVersion(""))
	require.NoError(t, err)
	return c
}

// branchHead is main's commit in the instance's acme/platform ("" if none).
func branchHead(c *gitea.Client) string {
	b, _, err := c.GetRepoBranch("acme", "platform", "main")
	if err != nil || b.Commit == nil {
		return ""
	}
	return b.Commit.ID
}

func tokenCount(t *testing.T, c *gitea.Client, name string) int {
	t.Helper()
	toks, _, err := c.ListAccessTokens(gitea.ListAccessTokensOptions{})
	require.NoError(t, err)
	n := 0
	for _, tok := range toks {
		if tok.Name == name {
			n++
		}
	}
	return n
}

func pushMirrors(t *testing.T, c *gitea.Client) []*gitea.PushMirrorResponse {
	t.Helper()
	ms, _, err := c.ListPushMirrors("acme", "platform", gitea.ListOptions{})
	require.NoError(t, err)
	return ms
}

// gitCommit commits one file (its content its name) to acme/platform
// with real git and pushes; it returns the new commit.
func gitCommit(t *testing.T, inst *giteaenv.Instance, token secret.Text, file string) string {
	t.Helper()
	return commitFiles(t, inst, token, map[string]string{file: file + "\n"})
}

// commitFiles clones acme/platform with real git, writes the files,
// commits and pushes; it returns the new commit.
func commitFiles(t *testing.T, inst *giteaenv.Instance, token secret.Text, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	remote := strings.Replace(inst.URL, "http://", "http://"+inst.Username+":"+token.Reveal()+"@", 1) + "/acme/platform.git"
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %s: %s", args[0], strings.ReplaceAll(string(out), token.Reveal(), secret.Masked))
		return strings.TrimSpace(string(out))
	}
	git("clone", "-q", remote, "repo")
	dir = filepath.Join(dir, "repo")
	for name, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
		git("add", name)
	}
	git("-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "flux test")
	git("push", "-q", "origin", "main")
	return git("rev-parse", "HEAD")
}
