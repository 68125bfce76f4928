package activities

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"code.gitea.io/sdk/gitea"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/secret"
)

// TestGitea_TwoRealServers: the bootstrap's Gitea activities against two
// real Gitea servers (built from source) standing for the primary (fsn1)
// and the standby (nbg1). Each activity runs twice and nothing exists
// twice; a commit on the primary reaches the standby through the push
// mirror; a mirror with wrong credentials is replaced by a rerun;
// Promote with the primary unreachable fences it off, and with it back
// turns the mirror so a commit on the standby reaches the primary. No
// password or token is in any error or log line of the activities.
func TestGitea_TwoRealServers(t *testing.T) {
	insts := sharedGitea(t)
	primary, standby := insts[0], insts[1]
	pc, sc := sdk(t, primary), sdk(t, standby)
	r := newGiteaRun()
	secrets := []secret.Text{primary.Password, standby.Password}

	t.Run("organization and repository, each twice", func(t *testing.T) {
		for _, inst := range insts {
			for i, created := range []bool{true, false} {
				var org EnsureGiteaOrgResult
				require.NoError(t, r.do(r.g.EnsureGiteaOrg, EnsureGiteaOrgInput{Gitea: endpoint(inst), Org: "acme"}, &org))
				require.Equal(t, created, org.Created, "run %d on %s", i+1, inst.Name)
			}
			require.Equal(t, 1, orgCount(t, sdk(t, inst), "acme"))

			var first, second EnsureGiteaRepositoryResult
			in := EnsureGiteaRepositoryInput{Gitea: endpoint(inst), Org: "acme", Repo: "platform"}
			require.NoError(t, r.do(r.g.EnsureGiteaRepository, in, &first))
			require.NoError(t, r.do(r.g.EnsureGiteaRepository, in, &second))
			require.True(t, first.Created)
			require.False(t, second.Created)
			require.NotEmpty(t, first.Commit, "initialised with a main branch")
			require.Equal(t, first.Commit, second.Commit)
			require.Equal(t, inst.URL+"/acme/platform.git", first.CloneURL)
			repos, _, err := sdk(t, inst).ListOrgRepos("acme", gitea.ListOrgReposOptions{})
			require.NoError(t, err)
			require.Len(t, repos, 1)
			require.True(t, repos[0].Private)
			require.Equal(t, "main", repos[0].DefaultBranch)
		}
	})

	t.Run("names Gitea refuses, and refused credentials", func(t *testing.T) {
		err := r.do(r.g.EnsureGiteaOrg, EnsureGiteaOrgInput{Gitea: endpoint(primary), Org: "api"}, &EnsureGiteaOrgResult{})
		require.Equal(t, ErrGiteaNameRefused, errType(err))
		err = r.do(r.g.EnsureGiteaRepository, EnsureGiteaRepositoryInput{Gitea: endpoint(primary), Org: "acme", Repo: "x.git"}, &EnsureGiteaRepositoryResult{})
		require.Equal(t, ErrGiteaNameRefused, errType(err))

		wrong := endpoint(primary)
		wrong.Password = "canary-wrong-password"
		secrets = append(secrets, wrong.Password)
		err = r.do(r.g.EnsureGiteaOrg, EnsureGiteaOrgInput{Gitea: wrong, Org: "acme"}, &EnsureGiteaOrgResult{})
		require.Equal(t, ErrGiteaAuth, errType(err))
		var app *temporal.ApplicationError
		require.ErrorAs(t, err, &app)
		require.True(t, app.NonRetryable())
	})

	var bootstrapToken secret.Text
	t.Run("token twice: one of the name, the newest valid", func(t *testing.T) {
		var first, second EnsureGiteaTokenResult
		in := EnsureGiteaTokenInput{Gitea: endpoint(primary), Name: "openova-bootstrap", Scopes: []string{"write:repository"}}
		require.NoError(t, r.do(r.g.EnsureGiteaToken, in, &first))
		require.NoError(t, r.do(r.g.EnsureGiteaToken, in, &second))
		secrets = append(secrets, first.Token, second.Token)
		require.NotEqual(t, first.Token, second.Token)
		require.Equal(t, 1, tokenCount(t, pc, "openova-bootstrap"))
		for tok, ok := range map[secret.Text]bool{first.Token: false, second.Token: true} {
			c, err := gitea.NewClient(primary.URL, gitea.SetToken(tok.Reveal()), gitea.SetGiteaVersion(""))
			require.NoError(t, err)
			_, _, err = c.GetRepo("acme", "platform")
			require.Equal(t, ok, err == nil, "%v", err)
		}
		bootstrapToken = second.Token
		require.NotContains(t, fmt.Sprintf("%v %+v", second, second), second.Token.Reveal(), "the result prints masked")
	})

	mirror := EnsureGiteaPushMirrorInput{Source: endpoint(primary), Target: endpoint(standby), Org: "acme", Repo: "platform"}
	t.Run("push mirror twice, and a commit on the primary reaches the standby", func(t *testing.T) {
		var first, second EnsureGiteaPushMirrorResult
		require.NoError(t, r.do(r.g.EnsureGiteaPushMirror, mirror, &first))
		require.NoError(t, r.do(r.g.EnsureGiteaPushMirror, mirror, &second))
		require.True(t, first.Created)
		require.False(t, second.Created)
		require.Equal(t, first.RemoteName, second.RemoteName)
		require.Empty(t, second.Removed)
		require.Len(t, pushMirrors(t, pc), 1)
		require.Equal(t, 1, tokenCount(t, sc, "openova-mirror-from-fsn1"))
		require.Equal(t, branchHead(pc), branchHead(sc), "the verifying sync carried main")

		commit := gitCommit(t, primary, bootstrapToken, "primary.txt")
		pushed := time.Now()
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, commit, branchHead(sc))
		}, time.Minute, 50*time.Millisecond, "the standby's main reaches the primary's commit")
		t.Logf("push mirror (sync on commit) carried the commit in %s", time.Since(pushed).Round(10*time.Millisecond))

		var synced SyncGiteaPushMirrorResult
		for range 2 {
			require.NoError(t, r.do(r.g.SyncGiteaPushMirror, SyncGiteaPushMirrorInput{Source: endpoint(primary), Org: "acme", Repo: "platform", TargetAddress: first.Address}, &synced))
			require.Equal(t, commit, synced.Commit)
		}
	})

	t.Run("a mismatched or wrongly credentialed mirror is replaced by a rerun", func(t *testing.T) {
		address := standby.URL + "/acme/platform.git"
		_, _, err := pc.PushMirrors("acme", "platform", gitea.CreatePushMirrorOption{RemoteAddress: address,
			RemoteUsername: standby.Username, RemotePassword: "canary-wrong-mirror-password", Interval: "10m"})
		require.NoError(t, err)
		secrets = append(secrets, "canary-wrong-mirror-password")
		require.Len(t, pushMirrors(t, pc), 2)
		var res EnsureGiteaPushMirrorResult
		require.NoError(t, r.do(r.g.EnsureGiteaPushMirror, mirror, &res))
		require.False(t, res.Created, "the good mirror stays")
		require.Len(t, res.Removed, 1, "the mismatched one (no sync on commit) goes")
		require.Len(t, pushMirrors(t, pc), 1)

		// Only a mirror with the right settings and wrong credentials: as
		// if a run had crashed after Gitea stored a mirror whose token
		// was replaced since.
		_, err = pc.DeletePushMirror("acme", "platform", res.RemoteName)
		require.NoError(t, err)
		bad, _, err := pc.PushMirrors("acme", "platform", gitea.CreatePushMirrorOption{RemoteAddress: address,
			RemoteUsername: standby.Username, RemotePassword: "canary-wrong-mirror-password", Interval: "8h0m0s", SyncONCommit: true})
		require.NoError(t, err)
		require.NoError(t, r.do(r.g.EnsureGiteaPushMirror, mirror, &res))
		require.True(t, res.Created)
		require.Equal(t, []string{bad.RemoteName}, res.Removed, "its sync failed, so it was removed")
		r.mu.Lock()
		require.Contains(t, r.logs.String(), "replacing a push mirror that does not push", "the replacement is logged, with Gitea's error")
		r.mu.Unlock()
		ms := pushMirrors(t, pc)
		require.Len(t, ms, 1)
		require.Equal(t, res.RemoteName, ms[0].RemoteName)
		require.Equal(t, 1, tokenCount(t, sc, "openova-mirror-from-fsn1"))
	})

	promote := PromoteGiteaInput{Primary: endpoint(primary), Standby: endpoint(standby), Org: "acme", Repo: "platform"}
	t.Run("promote with the primary unreachable fences it off", func(t *testing.T) {
		down := promote
		down.Primary.URL = "http://127.0.0.1:1" // nothing listens there
		down.StandbyAddress = standby.URL + "/acme/platform.git"
		var res PromoteGiteaResult
		require.NoError(t, r.do(r.g.PromoteGitea, down, &res))
		require.True(t, res.Fenced)
		require.False(t, res.PrimaryReached)
		require.Equal(t, 0, tokenCount(t, sc, "openova-mirror-from-fsn1"))
		// The old primary, back with its mirror, can no longer push.
		err := r.do(r.g.SyncGiteaPushMirror, SyncGiteaPushMirrorInput{Source: endpoint(primary), Org: "acme", Repo: "platform", TargetAddress: down.StandbyAddress}, &SyncGiteaPushMirrorResult{})
		require.Equal(t, ErrGiteaMirrorFailed, errType(err), "%v", err)
		t.Logf("the fenced primary's sync: %v", err)
	})

	t.Run("promote twice turns the mirror, and a commit on the standby reaches the primary", func(t *testing.T) {
		var first, second PromoteGiteaResult
		require.NoError(t, r.do(r.g.PromoteGitea, promote, &first))
		require.NoError(t, r.do(r.g.PromoteGitea, promote, &second))
		require.True(t, first.PrimaryReached)
		require.Len(t, first.RemovedFromPrimary, 1)
		require.True(t, first.Mirror.Created)
		require.Empty(t, second.RemovedFromPrimary)
		require.False(t, second.Mirror.Created)
		require.Equal(t, first.Mirror.RemoteName, second.Mirror.RemoteName)
		require.Empty(t, pushMirrors(t, pc))
		require.Len(t, pushMirrors(t, sc), 1)
		require.Equal(t, 1, tokenCount(t, pc, "openova-mirror-from-nbg1"))
		require.Equal(t, 0, tokenCount(t, sc, "openova-mirror-from-fsn1"))

		var tok EnsureGiteaTokenResult
		require.NoError(t, r.do(r.g.EnsureGiteaToken, EnsureGiteaTokenInput{Gitea: endpoint(standby), Name: "openova-bootstrap", Scopes: []string{"write:repository"}}, &tok))
		secrets = append(secrets, tok.Token)
		commit := gitCommit(t, standby, tok.Token, "standby.txt")
		pushed := time.Now()
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, commit, branchHead(pc))
		}, time.Minute, 50*time.Millisecond, "the primary's main reaches the standby's commit")
		t.Logf("reversed push mirror carried the commit in %s", time.Since(pushed).Round(10*time.Millisecond))
	})

	t.Run("no secret in any error or log line", func(t *testing.T) {
		r.mu.Lock()
		defer r.mu.Unlock()
		require.NotEmpty(t, r.errs, "the failures above produced errors")
		text := r.logs.String() + strings.Join(r.errs, "\n")
		for _, s := range secrets {
			require.NotEmpty(t, s)
			require.NotContains(t, text, s.Reveal())
		}
	})
}

// TestGiteaNames_AgreeWithServer: the copied name rules say what the real
// server does (names the check refuses are sent anyway, straight to the
// API, in an organization of this test's own).
func TestGiteaNames_AgreeWithServer(t *testing.T) {
	c := sdk(t, sharedGitea(t)[0])
	for _, name := range []string{"ok-name", "api", "bad--name", "x.keys", "-lead", "Ünï", "trail.", "names"} {
		_, _, err := c.CreateOrg(gitea.CreateOrgOption{Name: name})
		require.Equal(t, bootstrap.GiteaOrgNameError(name) == nil, err == nil, "organization %q: gitea says %v", name, err)
	}
	for _, name := range []string{"ok.repo", "x.wiki", "a..b", "-", ".hidden", "x.Atom", "a_b-c.d"} {
		_, _, err := c.CreateOrgRepo("names", gitea.CreateRepoOption{Name: name})
		require.Equal(t, bootstrap.GiteaRepoNameError(name) == nil, err == nil, "repository %q: gitea says %v", name, err)
	}
}
