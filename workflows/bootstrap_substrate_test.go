package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/secret"
)

// substrateComponents is what Resolve answers in the workflow tests: the
// four substrate components, each with its chart.
func substrateComponents() []activities.SelectedComponent {
	var out []activities.SelectedComponent
	for _, c := range []struct{ name, version, repo string }{
		{"cilium", "1.16.5", "https://helm.cilium.io/"}, {"gitea", "10.6.0", "https://dl.gitea.com/charts/"},
		{"flux", "2.14.1", "https://fluxcd-community.github.io/helm-charts"}, {"crossplane", "2.1.3", "https://charts.crossplane.io/stable"},
	} {
		out = append(out, activities.SelectedComponent{Name: c.name, Version: c.version,
			Chart: &bootstrap.Chart{Name: c.name, Repository: c.repo, Version: c.version}})
	}
	return out
}

// record keeps a substrate activity's input under the call's name.
func (f *fakeClouds) record(call string, in any) {
	f.log(call)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inputs == nil {
		f.inputs = map[string]any{}
	}
	f.inputs[call] = in
}

// input is what the named call was given last.
func (f *fakeClouds) input(call string) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inputs[call]
}

// mockSubstrate stands in for the link's and the substrate's activities
// (each tested against the real thing in package activities).
func (f *fakeClouds) mockSubstrate(env *testsuite.TestWorkflowEnvironment) {
	var (
		cl *activities.Clusters
		w  *activities.WireGuard
		g  *activities.Gitea
		fx *activities.Flux
	)
	for _, a := range []any{w, g, fx} {
		env.RegisterActivity(a)
	}
	env.OnActivity(w.MakeLink, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MakeLinkInput) (activities.MakeLinkResult, error) {
			f.record("link", in)
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.failLink > 0 {
				f.failLink--
				return activities.MakeLinkResult{}, temporal.NewNonRetryableApplicationError("gateway address of hel1 is not an IPv4 address", activities.ErrInvalidBootstrap, nil)
			}
			return activities.MakeLinkResult{ConfA: "conf of " + secret.Text(in.A.Region), ConfB: "conf of " + secret.Text(in.B.Region),
				A: activities.LinkPeer{Region: in.A.Region, PublicKey: "pubA"}, B: activities.LinkPeer{Region: in.B.Region, PublicKey: "pubB"}}, nil
		})
	env.OnActivity(cl.WaitCNI, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CNIInput) (activities.CNIResult, error) {
			f.record("cilium "+in.Cluster, in)
			return activities.CNIResult{NodesReady: len(in.Nodes)}, nil
		})
	env.OnActivity(cl.BlockCloudMetadata, mock.Anything, mock.Anything).Return(activities.MetadataPolicyResult{Policy: "block-cloud-metadata"}, nil)
	env.OnActivity(cl.IssueServingCert, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ServingCertInput) (activities.ServingCertResult, error) {
			key := "cert " + in.Cluster
			if strings.HasPrefix(in.Name, "manager.") {
				key = "cert manager " + in.Cluster
			}
			f.record(key, in)
			return activities.ServingCertResult{Cert: "cert of " + in.Name, Key: "key"}, nil
		})
	env.OnActivity(g.InstallGitea, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.InstallGiteaInput) (activities.InstallGiteaResult, error) {
			f.record("gitea "+in.Cluster, in)
			return activities.InstallGiteaResult{}, nil
		})
	env.OnActivity(g.WaitGitea, mock.Anything, mock.Anything).Return(activities.WaitGiteaResult{Version: "1.22.6"}, nil)
	env.OnActivity(g.EnsureGiteaOrg, mock.Anything, mock.Anything).Return(activities.EnsureGiteaOrgResult{}, nil)
	env.OnActivity(g.EnsureGiteaRepository, mock.Anything, mock.Anything).Return(activities.EnsureGiteaRepositoryResult{}, nil)
	env.OnActivity(g.EnsureGiteaToken, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EnsureGiteaTokenInput) (activities.EnsureGiteaTokenResult, error) {
			f.record("token "+in.Gitea.Region+" "+in.Name, in)
			return activities.EnsureGiteaTokenResult{Token: "flux-token"}, nil
		})
	env.OnActivity(fx.InstallFlux, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.InstallFluxInput) (activities.InstallFluxResult, error) {
			f.record("flux "+in.Region, in)
			return activities.InstallFluxResult{}, nil
		})
	env.OnActivity(fx.WaitFluxReady, mock.Anything, mock.Anything).Return(activities.WaitFluxReadyResult{}, nil)
	env.OnActivity(fx.ApplyFluxSync, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyFluxSyncInput) (activities.ApplyFluxSyncResult, error) {
			f.record("sync "+in.Region, in)
			return activities.ApplyFluxSyncResult{}, nil
		})
	env.OnActivity(g.CommitSubstrate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitSubstrateInput) (activities.CommitSubstrateResult, error) {
			f.record("commit "+in.Region, in)
			return activities.CommitSubstrateResult{Commit: "0123456789abcdef", Files: []string{"a", "b"}}, nil
		})
	env.OnActivity(g.EnsureGiteaPushMirror, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EnsureGiteaPushMirrorInput) (activities.EnsureGiteaPushMirrorResult, error) {
			f.record("mirror", in)
			return activities.EnsureGiteaPushMirrorResult{Address: in.TargetAddress, Commit: "0123456789abcdef"}, nil
		})
	env.OnActivity(fx.WaitFluxSynced, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WaitFluxSyncedInput) (activities.WaitFluxSyncedResult, error) {
			f.record("synced "+in.Region, in)
			f.mu.Lock()
			f.inputs["synced "+in.Region+"@"+in.Commit] = in
			f.mu.Unlock()
			return activities.WaitFluxSyncedResult{Revision: "main@sha1:" + in.Commit}, nil
		})
	env.OnActivity(fx.WaitCrossplaneReady, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WaitCrossplaneReadyInput) (activities.WaitCrossplaneReadyResult, error) {
			f.log("crossplane " + in.Region)
			return activities.WaitCrossplaneReadyResult{}, nil
		})
}

// before says that a was called before b.
func before(t *testing.T, calls []string, a, b string) {
	t.Helper()
	ia, ib := -1, -1
	for i, c := range calls {
		if c == a && ia < 0 {
			ia = i
		}
		if c == b && ib < 0 {
			ib = i
		}
	}
	require.True(t, ia >= 0 && ib >= 0 && ia < ib, "%s before %s in %v", a, b, calls)
}

// Two regions: after approve both gateways' addresses are reserved by a
// targeted apply, then the link is made from them, and only then do the
// full applies run, with the peer's address, networks and the gateway's
// own wg0.conf; Cilium gets an ID per region. Once the APIs answer, each
// region gets Cilium checked, Gitea (the primary's trusting the standby's
// CA, its certificate valid for the gateway's private address) and Flux
// syncing its own Gitea; the substrate is committed to the primary, the
// mirror pushes to the standby's gateway over the link, and Crossplane is
// awaited in both.
func TestBootstrapSubstratePhases(t *testing.T) {
	f := &fakeClouds{}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.NoError(t, env.GetWorkflowError())

	for _, r := range []string{"fsn1", "hel1"} {
		before(t, f.calls, "reserve "+r, "link")
		before(t, f.calls, "link", "apply "+r)
		before(t, f.calls, "apply "+r, "cilium acme-"+r)
		before(t, f.calls, "cilium acme-"+r, "gitea acme-"+r)
		before(t, f.calls, "gitea acme-"+r, "flux "+r)
		before(t, f.calls, "flux "+r, "commit "+r)
		before(t, f.calls, "commit "+r, "mirror")
		before(t, f.calls, "mirror", "crossplane "+r)
	}
	require.Equal(t, 1, count(f.calls, "link"))

	peers := map[string]string{"fsn1": "203.0.113.20", "hel1": "203.0.113.10"}
	full := 0
	for _, in := range f.applies {
		v := in.Vars
		require.NotNil(t, v.Link, in.Region)
		require.NotNil(t, v.Cilium, in.Region)
		require.Equal(t, map[string]int{"fsn1": 1, "hel1": 2}[in.Region], v.Cilium.ClusterID)
		require.Equal(t, "1.16.5", v.Cilium.ChartVersion)
		if len(in.Targets) > 0 {
			require.Equal(t, []string{"hcloud_primary_ip.gateway"}, in.Targets)
			require.Empty(t, v.LinkWGConf, "no conf before the link is made")
			continue
		}
		full++
		require.Equal(t, peers[in.Region], v.Link.PeerAddress)
		require.Equal(t, 51820, v.Link.Port)
		require.Equal(t, "conf of "+in.Region, v.LinkWGConf.Reveal())
		require.Len(t, v.Link.PeerCIDRs, 3)
	}
	require.Equal(t, 2, full)
	link := f.input("link").(activities.MakeLinkInput)
	require.Equal(t, activities.LinkSite{Region: "fsn1", Gateway: "203.0.113.10", NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16"}, link.A)
	require.Equal(t, "203.0.113.20", link.B.Gateway)

	primary := f.input("gitea acme-fsn1").(activities.InstallGiteaInput)
	standby := f.input("gitea acme-hel1").(activities.InstallGiteaInput)
	require.Equal(t, "server CA of acme-hel1", primary.MirrorCA, "the primary trusts the standby's CA for its mirror")
	require.Equal(t, "server CA of acme-fsn1", standby.MirrorCA, "and the standby the primary's, for its mirror after a Promote")
	require.Equal(t, "https://gitea.fsn1.acme.example:3000/", primary.RootURL)
	require.Equal(t, bootstrap.GiteaAdmin, primary.AdminUsername)
	require.Equal(t, []string{"198.51.100.2", "gitea.hel1.acme.example", "10.1.1.10"}, f.input("cert acme-hel1").(activities.ServingCertInput).Hosts)
	require.Equal(t, "https://198.51.100.2:3000/acme/platform.git", f.input("sync hel1").(activities.ApplyFluxSyncInput).RepoURL)
	require.False(t, f.input("sync hel1").(activities.ApplyFluxSyncInput).Wait, "the substrate's Kustomizations depend on the platform sync")
	for _, r := range []string{"fsn1", "hel1"} {
		require.NotNil(t, f.input("synced "+r+"@0123456789abcdef"), "%s's Flux applies the substrate's commit", r)
	}
	before(t, f.calls, "synced hel1", "crossplane hel1")
	require.Equal(t, "https://198.51.100.1:3000", f.input("commit hel1").(activities.CommitSubstrateInput).Gitea.URL, "every region's substrate is committed to the primary")
	mirror := f.input("mirror").(activities.EnsureGiteaPushMirrorInput)
	require.Equal(t, "https://10.1.1.10:30300/acme/platform.git", mirror.TargetAddress)
	require.Equal(t, "fsn1", mirror.Source.Region)
	require.Equal(t, "hel1", mirror.Target.Region)

	p := queryProgress(t, env)
	require.Equal(t, "resolve the components", p.Steps[2].Name)
	require.Equal(t, "4 components: cilium, gitea, flux, crossplane", p.Steps[2].Message, "the resolved set, by name")
	var ready ProgressStep
	for _, s := range p.Steps {
		if s.Name == "substrate ready" {
			ready = s
		}
	}
	require.Equal(t, StepSucceeded, ready.State)
	require.Equal(t, "Cilium, Gitea, Flux and Crossplane run in fsn1 and hel1", ready.Message)
	want := map[string][]string{
		"fsn1": {"generate the certificates of fsn1", "plan fsn1", "reserve the gateway address of fsn1", "make the WireGuard link between fsn1 and hel1",
			"apply fsn1", "read the outputs of fsn1", "wait for the API server of fsn1", "start Cilium in fsn1", "install Gitea in fsn1", "install Flux in fsn1",
			"commit the substrate to the platform repository", "mirror the platform repository from fsn1 to hel1", "wait for Crossplane in fsn1",
			"push the manager's image to fsn1", "deploy the manager in fsn1", "hand acme over to the manager"},
		"hel1": {"generate the certificates of hel1", "plan hel1", "reserve the gateway address of hel1", "apply hel1", "read the outputs of hel1",
			"wait for the API server of hel1", "start Cilium in hel1", "install Gitea in hel1", "install Flux in hel1", "wait for Crossplane in hel1",
			"push the manager's image to hel1"},
	}
	for _, r := range p.Regions {
		var got []string
		for _, s := range r.Steps {
			got = append(got, s.Name)
			require.Equal(t, StepSucceeded, s.State, s.Name)
		}
		require.Equal(t, want[r.Name], got)
	}
}

// One region: no gateway address, no link and no mirror; the module gets
// no link variable; the substrate is still laid.
func TestBootstrapOneRegionHasNoLink(t *testing.T) {
	f := &fakeClouds{}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	in := twoRegions()
	in.Regions = in.Regions[:1]
	env.ExecuteWorkflow(Bootstrap, in)
	require.NoError(t, env.GetWorkflowError())
	require.NotContains(t, f.calls, "reserve fsn1")
	require.NotContains(t, f.calls, "link")
	require.NotContains(t, f.calls, "mirror")
	require.Subset(t, f.calls, []string{"apply fsn1", "gitea acme-fsn1", "commit fsn1", "crossplane fsn1"})
	require.Len(t, f.applies, 1)
	require.Nil(t, f.applies[0].Vars.Link)
	require.Empty(t, f.applies[0].Vars.LinkWGConf)
	require.NotNil(t, f.applies[0].Vars.Cilium)
	require.Empty(t, f.input("gitea acme-fsn1").(activities.InstallGiteaInput).MirrorCA)
	require.Equal(t, []string{"198.51.100.1", "gitea.fsn1.acme.example"}, f.input("cert acme-fsn1").(activities.ServingCertInput).Hosts)
}

// A failed link parks the primary (whose step it is) until retry; an abort
// there destroys both regions, whose gateway addresses were reserved.
func TestBootstrapLinkParksAndAbortDestroysTheReservedAddresses(t *testing.T) {
	for _, decision := range []string{SignalRetry, SignalAbort} {
		t.Run(decision, func(t *testing.T) {
			f := &fakeClouds{failLink: 1}
			env := f.newEnv()
			signalAt(env, time.Hour, SignalApprove)
			env.RegisterDelayedCallback(func() {
				p := queryProgress(t, env)
				require.Equal(t, SignalRetry, p.Awaiting)
				require.Contains(t, p.Regions[0].Parked, "not an IPv4 address")
				require.NotContains(t, f.calls, "apply fsn1", "nothing is applied in full without the link")
				env.SignalWorkflow(decision, nil)
			}, 2*time.Hour)
			env.ExecuteWorkflow(Bootstrap, twoRegions())
			if decision == SignalRetry {
				require.NoError(t, env.GetWorkflowError())
				require.Equal(t, 2, count(f.calls, "link"))
				return
			}
			require.ErrorContains(t, env.GetWorkflowError(), "what it created in fsn1 and hel1 was destroyed")
			require.Subset(t, f.calls, []string{"destroy fsn1", "destroy hel1"})
		})
	}
}
