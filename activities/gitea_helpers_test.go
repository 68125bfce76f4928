package activities

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"code.gitea.io/sdk/gitea"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	giteaenv "github.com/openova-io/core/dev/testenv/gitea"
	"github.com/openova-io/core/secret"
)

// giteaRun runs the Gitea activities in Temporal's activity test
// environment, as the worker would, keeping every log line and error
// message they produce for the canary check.
type giteaRun struct {
	env  *testsuite.TestActivityEnvironment
	g    *Gitea
	mu   sync.Mutex
	logs bytes.Buffer
	errs []string
}

func (r *giteaRun) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.Write(p)
}

func newGiteaRun() *giteaRun {
	r := &giteaRun{g: &Gitea{MirrorWait: time.Minute, Poll: 100 * time.Millisecond}}
	var ts testsuite.WorkflowTestSuite
	ts.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(r, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	r.env = ts.NewTestActivityEnvironment()
	r.env.RegisterActivity(r.g)
	return r
}

// do runs one activity and decodes its result into out.
func (r *giteaRun) do(fn, in, out any) error {
	v, err := r.env.ExecuteActivity(fn, in)
	if err != nil {
		r.mu.Lock()
		r.errs = append(r.errs, err.Error())
		r.mu.Unlock()
		return err
	}
	return v.Get(out)
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

// gitCommit clones acme/platform over HTTP with the token (real git),
// commits a file and pushes; it returns the new commit.
func gitCommit(t *testing.T, inst *giteaenv.Instance, token secret.Text, file string) string {
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
	require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(file+"\n"), 0o600))
	git("add", file)
	git("-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "add "+file)
	git("push", "-q", "origin", "main")
	return git("rev-parse", "HEAD")
}
