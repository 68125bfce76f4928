package workflows

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
)

// Once the manager answers, the primary hands the platform over: a Gitea
// token that may write repositories and nothing else, the manager's Git
// Secret with the repository and the cluster CA, then the Platform with
// the components resolved before approval, and Flux's apply of that
// commit, all before "manager ready". The standby gets none of it.
func TestBootstrapHandsThePlatformOverToTheManager(t *testing.T) {
	f := &fakeClouds{}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.NoError(t, env.GetWorkflowError())

	tokenCall := "token fsn1 " + ManagerGitTokenName
	before(t, f.calls, "manager fsn1", tokenCall)
	before(t, f.calls, tokenCall, "manager git acme-fsn1")
	before(t, f.calls, "manager git acme-fsn1", "commit platform fsn1")
	synced := -1 // the last wait for fsn1's Flux
	for i, c := range f.calls {
		if c == "synced fsn1" {
			synced = i
		}
	}
	require.Greater(t, synced, slices.Index(f.calls, "commit platform fsn1"), "Flux's apply of the Platform is awaited")
	require.NotNil(t, f.input("synced fsn1@0123456789abcdef"))

	tok := f.input(tokenCall).(activities.EnsureGiteaTokenInput)
	require.Equal(t, []string{"write:repository"}, tok.Scopes)
	require.Equal(t, "https://198.51.100.1:3000", tok.Gitea.URL)
	git := f.input("manager git acme-fsn1").(activities.ManagerGitInput)
	require.Equal(t, "https://198.51.100.1:3000/acme/platform.git", git.RepoURL)
	require.Equal(t, bootstrap.GiteaAdmin, git.Username)
	require.Equal(t, "flux-token", git.Token.Reveal(), "the token EnsureGiteaToken made")
	require.Equal(t, "server CA of acme-fsn1", git.CA, "the manager trusts the platform's Gitea by the cluster CA")

	var res BootstrapResult
	require.NoError(t, env.GetWorkflowResult(&res))
	commit := f.input("commit platform fsn1").(activities.CommitPlatformInput)
	require.Equal(t, PlatformRepository, commit.Repo)
	require.Equal(t, "acme", commit.Org)
	require.Equal(t, activities.PlatformFilesInput{Region: "fsn1", Organization: "acme", Domain: "acme.example",
		Regions: twoRegions().Regions, Components: res.Components, RepoURL: git.RepoURL}, commit.Platform)
	require.NotEmpty(t, res.Components)

	for _, c := range []string{"token hel1 " + ManagerGitTokenName, "manager git acme-hel1", "commit platform hel1"} {
		require.NotContains(t, f.calls, c, "the standby runs no manager")
	}
	p := queryProgress(t, env)
	require.Equal(t, "manager ready", p.Steps[len(p.Steps)-1].Name)
	step := stepOf(t, p.Regions[0], "hand acme over to the manager")
	require.Equal(t, StepSucceeded, step.State)
	require.Contains(t, step.Message, "Flux applied 0123456789ab: the Platform acme with")
}

// A failed hand-off parks the primary; Retry commits the Platform again
// with the same token (made once) and then finishes the run.
func TestBootstrapHandOffParksAndRetryKeepsTheToken(t *testing.T) {
	f := &fakeClouds{failPlatform: 1}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		require.Equal(t, SignalRetry, p.Awaiting)
		require.Contains(t, p.Regions[0].Parked, "refused the token")
		require.Equal(t, StepFailed, stepOf(t, p.Regions[0], "hand acme over to the manager").State)
		env.SignalWorkflow(SignalRetry, nil)
	}, 2*time.Hour)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, 1, count(f.calls, "token fsn1 "+ManagerGitTokenName), "the token is made once")
	require.Equal(t, 2, count(f.calls, "commit platform fsn1"))
	require.Equal(t, 2, count(f.calls, "manager git acme-fsn1"), "the Secret is applied again, unchanged")
	require.NotNil(t, f.input("synced fsn1@0123456789abcdef"))
}

// stepOf is the region's step of that name.
func stepOf(t *testing.T, r RegionProgress, name string) ProgressStep {
	t.Helper()
	for _, s := range r.Steps {
		if s.Name == name {
			return s
		}
	}
	require.Failf(t, "no such step", "%s has no step %q", r.Name, name)
	return ProgressStep{}
}
