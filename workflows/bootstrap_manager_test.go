package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/secret"
)

// locations are what the credentials check reads: fsn1 and hel1, every
// size amd64 unless arm says otherwise.
func (f *fakeClouds) locations() []cloud.Location {
	var out []cloud.Location
	for _, name := range []string{"fsn1", "hel1"} {
		l := cloud.Location{Name: name, Sizes: []string{"cax11", "cpx22"}, Architectures: map[string]string{"cax11": "arm64", "cpx22": "amd64"}}
		for size := range f.arm {
			l.Sizes = append(l.Sizes, size)
			l.Architectures[size] = "arm64"
		}
		out = append(out, l)
	}
	return out
}

const testImageDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"

// mockManager stands in for the manager phase's activities (each tested
// against the real thing in package activities: Gitea's registry, envtest,
// a served manager).
func (f *fakeClouds) mockManager(env *testsuite.TestWorkflowEnvironment) {
	var (
		cl *activities.Clusters
		g  *activities.Gitea
	)
	env.OnActivity(g.CheckManagerImage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ManagerImageCheckInput) (activities.ManagerImageCheck, error) {
			f.record("check image", in)
			if f.refuseImage {
				return activities.ManagerImageCheck{}, temporal.NewNonRetryableApplicationError(
					"this openova cannot be the manager's image for the linux/amd64 nodes: it is dynamically linked", activities.ErrManagerImage, nil)
			}
			if f.published != "" {
				return activities.ManagerImageCheck{Image: "the release's published image " + f.published, Published: f.published}, nil
			}
			return activities.ManagerImageCheck{Image: "this openova executable, as a linux/" + in.Architecture + " image"}, nil
		})
	env.OnActivity(g.PushManagerImage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PushManagerImageInput) (activities.PushManagerImageResult, error) {
			f.record("push "+in.Gitea.Region, in)
			return activities.PushManagerImageResult{Repository: in.Gitea.URL[len("https://"):] + "/acme/openova", Digest: testImageDigest}, nil
		})
	env.OnActivity(cl.GenerateManagerAdmin, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ManagerAdminInput) (activities.ManagerAdmin, error) {
			f.mu.Lock()
			f.admins++
			n := f.admins
			f.mu.Unlock()
			f.log("admin")
			return activities.ManagerAdmin{Password: secret.Text(fmt.Sprintf("password-%d", n)), Hash: fmt.Sprintf("$argon2id$hash-%d", n)}, nil
		})
	env.OnActivity(cl.ApplyManagerSecrets, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ManagerSecretsInput) (activities.ManagerSecretsResult, error) {
			f.record("secrets "+in.Cluster, in)
			return activities.ManagerSecretsResult{}, nil
		})
	env.OnActivity(g.CommitManager, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitManagerInput) (activities.CommitSubstrateResult, error) {
			f.record("commit manager "+in.Manager.Region, in)
			return activities.CommitSubstrateResult{Commit: "fedcba9876543210", Changed: true}, nil
		})
	env.OnActivity(cl.ApplyManagerGit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ManagerGitInput) (activities.ManagerSecretsResult, error) {
			f.record("manager git "+in.Cluster, in)
			return activities.ManagerSecretsResult{}, nil
		})
	env.OnActivity(g.CommitPlatform, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitPlatformInput) (activities.CommitSubstrateResult, error) {
			f.record("commit platform "+in.Platform.Region, in)
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.failPlatform > 0 {
				f.failPlatform--
				return activities.CommitSubstrateResult{}, temporal.NewNonRetryableApplicationError("the Gitea of fsn1 refused the token", activities.ErrGiteaAuth, nil)
			}
			// The same files the activity would commit, so a bad input
			// fails here as it would there.
			if _, err := activities.PlatformFiles(in.Platform); err != nil {
				return activities.CommitSubstrateResult{}, err
			}
			return activities.CommitSubstrateResult{Commit: "0123456789abcdef", Changed: true}, nil
		})
	env.OnActivity(cl.WaitManager, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WaitManagerInput) (activities.WaitManagerResult, error) {
			f.record("manager "+in.Region, in)
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.failManager > 0 {
				f.failManager--
				return activities.WaitManagerResult{}, temporal.NewNonRetryableApplicationError("the manager of fsn1 did not answer /readyz", activities.ErrManagerNotReady, nil)
			}
			return activities.WaitManagerResult{CertFingerprint: "AA:BB"}, nil
		})
}

// Once the substrate is ready the image is pushed to both regions'
// registries, and the primary gets the manager: its first admin generated
// once, its certificate for the load balancer and manager.<domain>, its
// Secrets through the API, its manifests committed with the image by
// digest, then Flux's apply of that commit and the manager's answer are
// awaited. The result names it as the final page shows it.
func TestBootstrapDeploysTheManager(t *testing.T) {
	f := &fakeClouds{}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.NoError(t, env.GetWorkflowError())

	before(t, f.calls, "check image", "plan fsn1")
	require.Equal(t, activities.ManagerImageCheckInput{OS: "linux", Architecture: "amd64"}, f.input("check image"))
	for _, r := range []string{"fsn1", "hel1"} {
		before(t, f.calls, "crossplane "+r, "push "+r)
		before(t, f.calls, "push "+r, "secrets acme-fsn1")
	}
	before(t, f.calls, "admin", "secrets acme-fsn1")
	before(t, f.calls, "secrets acme-fsn1", "commit manager fsn1")
	before(t, f.calls, "commit manager fsn1", "manager fsn1")
	require.Equal(t, 1, count(f.calls, "admin"))
	require.NotContains(t, f.calls, "commit manager hel1", "one manager, in the primary")

	cert := f.input("cert manager acme-fsn1").(activities.ServingCertInput)
	require.Equal(t, "manager.acme.example", cert.Name)
	require.Equal(t, []string{"198.51.100.1", "manager.acme.example"}, cert.Hosts)
	secrets := f.input("secrets acme-fsn1").(activities.ManagerSecretsInput)
	require.Equal(t, "$argon2id$hash-1", secrets.AdminHash)
	require.Equal(t, "198.51.100.1:3000", secrets.Registry, "the registry the image was pushed to")
	require.Equal(t, "flux-token", secrets.PullToken.Reveal(), "a token EnsureGiteaToken made")
	commit := f.input("commit manager fsn1").(activities.CommitManagerInput)
	require.Equal(t, activities.ManagerFilesInput{Region: "fsn1", Repository: "198.51.100.1:3000/acme/openova", Digest: testImageDigest}, commit.Manager)
	require.Equal(t, "https://198.51.100.1:3000", commit.Gitea.URL)
	require.NotNil(t, f.input("synced fsn1@fedcba9876543210"), "Flux applies the manager's commit")
	require.Nil(t, f.input("synced hel1@fedcba9876543210"), "the standby runs no manager")
	wait := f.input("manager fsn1").(activities.WaitManagerInput)
	require.Equal(t, "https://198.51.100.1:443", wait.URL)
	require.Equal(t, "manager.acme.example", wait.ServerName)
	require.Equal(t, "server CA of acme-fsn1", wait.CA)

	var res BootstrapResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.NotNil(t, res.Manager)
	m := *res.Manager
	require.Equal(t, "password-1", m.Password.Reveal())
	require.Equal(t, "flux-token", m.GiteaToken.Reveal(), "the recovery bundle's Gitea token, from EnsureGiteaToken")
	require.Equal(t, "https://198.51.100.1:3000", m.GiteaURL)
	for _, c := range res.Regions {
		require.Equal(t, "server CA of acme-"+c.Region, c.CA, "the recovery bundle keeps each cluster's CA")
	}
	require.Equal(t, "https://manager.acme.example", m.URL)
	require.Equal(t, "https://198.51.100.1", m.AddressURL)
	require.Equal(t, "manager.acme.example. A 198.51.100.1", m.DNSRecord)
	require.Equal(t, "198.51.100.1:3000/acme/openova@"+testImageDigest, m.Image)
	require.Equal(t, "AA:BB", m.CertFingerprint)

	p := queryProgress(t, env)
	require.Equal(t, "check the manager's image", p.Steps[3].Name)
	require.Equal(t, "the nodes will run this openova executable, as a linux/amd64 image", p.Steps[3].Message)
	last := p.Steps[len(p.Steps)-1]
	require.Equal(t, "manager ready", last.Name)
	require.Equal(t, StepSucceeded, last.State)
	require.Equal(t, "the manager answers at https://198.51.100.1 and, once manager.acme.example. A 198.51.100.1 exists, at https://manager.acme.example", last.Message)
}

// An image the nodes cannot run ends the run before any plan: nodes of
// two architectures, or an executable the check refuses (dynamically
// linked, another architecture), each with what to do.
func TestBootstrapRefusesAnImageTheNodesCannotRunBeforeAnyPlan(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    *fakeClouds
		in   func(*BootstrapInput)
		want []string
	}{
		{"sizes of two architectures", &fakeClouds{}, func(in *BootstrapInput) { in.Regions[1].WorkerSize = "cax11" },
			[]string{"the nodes mix CPU architectures", "amd64 (fsn1 cpx22, fsn1 cpx22, hel1 cpx22)", "arm64 (hel1 cax11)", "choose sizes of one architecture"}},
		{"a size without an architecture", &fakeClouds{}, func(in *BootstrapInput) { in.Regions[0].WorkerSize = "cx99" },
			[]string{"no CPU architecture for size cx99 in fsn1", "choose another size"}},
		{"an executable the check refuses", &fakeClouds{refuseImage: true}, func(*BootstrapInput) {},
			[]string{"cannot be the manager's image", "dynamically linked"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.f.newEnv()
			in := twoRegions()
			tc.in(&in)
			env.ExecuteWorkflow(Bootstrap, in)
			err := env.GetWorkflowError()
			require.Error(t, err)
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
			var app *temporal.ApplicationError
			require.ErrorAs(t, err, &app)
			require.Equal(t, activities.ErrManagerImage, app.Type())
			require.NotContains(t, tc.f.calls, "plan fsn1", "nothing is planned")
		})
	}
	// arm64 on every node is an arm64 image.
	f := &fakeClouds{}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	in := twoRegions()
	for i := range in.Regions {
		in.Regions[i].ControlPlaneSize, in.Regions[i].WorkerSize = "cax11", "cax11"
	}
	env.ExecuteWorkflow(Bootstrap, in)
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, "arm64", f.input("check image").(activities.ManagerImageCheckInput).Architecture)
	require.Equal(t, "arm64", f.input("push hel1").(activities.PushManagerImageInput).Architecture)
}

// A manager that does not answer parks the primary; Retry waits again
// with the same password and certificate (made once), so the password the
// final page shows is the one whose hash the manager has.
func TestBootstrapManagerParksAndRetryKeepsThePassword(t *testing.T) {
	f := &fakeClouds{failManager: 1}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		require.Equal(t, SignalRetry, p.Awaiting)
		require.Contains(t, p.Regions[0].Parked, "did not answer /readyz")
		env.SignalWorkflow(SignalRetry, nil)
	}, 2*time.Hour)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, 1, count(f.calls, "admin"), "the password is generated once")
	require.Equal(t, 2, count(f.calls, "manager fsn1"))
	require.Equal(t, 2, count(f.calls, "secrets acme-fsn1"), "the Secrets are applied again, unchanged")
	require.Equal(t, "$argon2id$hash-1", f.input("secrets acme-fsn1").(activities.ManagerSecretsInput).AdminHash)
	var res BootstrapResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "password-1", res.Manager.Password.Reveal())
}

// Where this executable cannot be the nodes' image but its release
// published one for their platform, nothing is pushed: each region's push
// is skipped, saying why, and the Deployment names the published image.
func TestBootstrapUsesThePublishedImage(t *testing.T) {
	const published = "ghcr.io/openova-io/openova@sha256:2222222222222222222222222222222222222222222222222222222222222222"
	f := &fakeClouds{published: published}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.NoError(t, env.GetWorkflowError())
	require.NotContains(t, f.calls, "push fsn1")
	require.NotContains(t, f.calls, "push hel1")
	commit := f.input("commit manager fsn1").(activities.CommitManagerInput)
	require.Equal(t, activities.ManagerFilesInput{Region: "fsn1", Repository: "ghcr.io/openova-io/openova",
		Digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222"}, commit.Manager)
	var res BootstrapResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, published, res.Manager.Image)
	p := queryProgress(t, env)
	require.Equal(t, "the nodes will run the release's published image "+published, p.Steps[3].Message, "Review says which image")
	for _, r := range p.Regions {
		for _, s := range r.Steps {
			if s.Name == "push the manager's image to "+r.Name {
				require.Equal(t, StepSkipped, s.State)
				require.Equal(t, "the nodes run the release's published image "+published, s.Message)
			}
		}
	}
}
