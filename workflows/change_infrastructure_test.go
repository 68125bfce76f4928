package workflows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/secret"
)

// changeEnv is fakeClouds' environment with ChangeInfrastructure and its
// reading of the states: each region's built cluster (a gateway, what its
// nodes joined with); notBuilt regions fail notBuilt times first.
func (f *fakeClouds) changeEnv(notBuilt map[string]int) *testsuite.TestWorkflowEnvironment {
	env := f.newEnv()
	env.RegisterWorkflowWithOptions(ChangeInfrastructure, workflow.RegisterOptions{Name: ChangeInfrastructureWorkflow})
	var (
		tf *activities.Terraform
		cl *activities.Clusters
	)
	env.OnActivity(tf.Recover, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TerraformInput) (bootstrap.Recovered, error) {
			f.log("read " + in.Region)
			f.mu.Lock()
			defer f.mu.Unlock()
			if notBuilt[in.Region] > 0 {
				notBuilt[in.Region]--
				return bootstrap.Recovered{}, temporal.NewNonRetryableApplicationError("the state of "+in.Region+" holds no cluster of acme", activities.ErrNotBuilt, nil)
			}
			return bootstrap.Recovered{
				Outputs: activities.ClusterOutputs{APIEndpoint: "https://" + in.Region + ".example:6443",
					GatewayIPv4: map[string]string{"fsn1": "203.0.113.10", "hel1": "203.0.113.20"}[in.Region],
					Nodes:       []activities.Node{{Role: "control-plane"}, {Role: "worker"}, {Role: "worker"}}},
				Join: bootstrap.ClusterJoin{JoinToken: secret.Text("join of " + in.Region), AgentToken: secret.Text("agent of " + in.Region),
					LinkWGConf: secret.Text("[Interface] of " + in.Region), K3sVersion: "v1.33.0+k3s1",
					Cilium: &bootstrap.Cilium{ChartRepository: "https://helm.cilium.io", ChartVersion: "1.16.0", ClusterID: 7}},
			}, nil
		})
	env.OnActivity(cl.RecoverClusterSecrets, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecoverSecretsInput) (activities.ClusterSecrets, error) {
			return activities.ClusterSecrets{JoinToken: in.Join.JoinToken, AgentToken: in.Join.AgentToken,
				PKI: bootstrap.ClusterPKI{ServerCA: "server CA of " + in.Cluster, Admin: "new admin of " + in.Cluster}}, nil
		})
	return env
}

// workerMore is twoRegions with a worker more in the primary.
func workerMore() BootstrapInput {
	in := twoRegions()
	in.Regions[0].Workers = 3
	return in
}

// A change reads both states before any plan, plans with what the nodes
// joined with (tokens, the other gateway's address, its wg0.conf, the
// k3s release and Cilium they run, not this openova's), applies only
// after approve, and touches neither the substrate nor new secrets.
func TestChangeInfrastructurePlansWithWhatTheNodesJoinedWith(t *testing.T) {
	f := &fakeClouds{}
	env := f.changeEnv(nil)
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		require.Equal(t, SignalApprove, p.Awaiting)
		for _, r := range p.Regions {
			require.NotNil(t, r.Plan, r.Name)
			require.Equal(t, StepSucceeded, r.Steps[0].State)
			require.Equal(t, "built: 1 control plane, 2 workers, API at https://"+r.Name+".example:6443", r.Steps[0].Message)
		}
		f.mu.Lock()
		require.ElementsMatch(t, []string{"read fsn1", "read hel1"}, f.calls[:2], "every state read before a plan")
		require.ElementsMatch(t, []string{"plan fsn1", "plan hel1"}, f.calls[2:], "nothing applied before approve")
		f.mu.Unlock()
		env.SignalWorkflow(SignalApprove, nil)
	}, time.Hour)
	env.ExecuteWorkflow(ChangeInfrastructure, workerMore())
	require.NoError(t, env.GetWorkflowError())
	var res BootstrapResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Len(t, res.Regions, 2)
	require.Equal(t, "kubeconfig of acme-fsn1", string(res.Regions[0].Kubeconfig))
	require.Empty(t, res.Components, "the components are the manager's")

	require.Len(t, f.plans, 2)
	for _, in := range f.plans {
		peer := map[string]string{"fsn1": "203.0.113.20", "hel1": "203.0.113.10"}[in.Region]
		v := in.Vars
		require.Equal(t, secret.Text("join of "+in.Region), v.JoinToken)
		require.Equal(t, secret.Text("agent of "+in.Region), v.AgentToken)
		require.Equal(t, "server CA of acme-"+in.Region, v.ClusterCA.ServerCACert)
		require.Equal(t, secret.Text("[Interface] of "+in.Region), v.LinkWGConf)
		require.Equal(t, peer, v.Link.PeerAddress, "the other gateway's address, from its state")
		require.Equal(t, "v1.33.0+k3s1", v.K3sVersion)
		require.Equal(t, 7, v.Cilium.ClusterID)
		require.Equal(t, map[string]int{"fsn1": 3, "hel1": 2}[in.Region], v.WorkerCount)
	}
	require.Equal(t, []string{"read fsn1", "read hel1", "plan fsn1", "plan hel1", "apply fsn1", "apply hel1",
		"connect https://fsn1.example:6443", "connect https://hel1.example:6443"}, sorted(f.calls),
		"no secrets generated, no gateway reserved, no substrate touched")
}

// A state that holds no cluster parks its region with what to check;
// retry reads it again. An abort then, before the apply, changes nothing.
func TestChangeInfrastructureParksAStateWithoutACluster(t *testing.T) {
	f := &fakeClouds{}
	env := f.changeEnv(map[string]int{"hel1": 2})
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		require.Equal(t, SignalRetry, p.Awaiting)
		require.Contains(t, p.Regions[1].Parked, "holds no cluster of acme")
		env.SignalWorkflow(SignalRetry, nil)
	}, time.Hour)
	signalAt(env, 2*time.Hour, SignalAbort)
	env.ExecuteWorkflow(ChangeInfrastructure, workerMore())
	var app *temporal.ApplicationError
	require.True(t, errors.As(env.GetWorkflowError(), &app))
	require.Equal(t, ErrAborted, app.Type())
	require.Equal(t, "the change was aborted before anything was changed", app.Message())
	require.Equal(t, 2, count(f.calls, "read hel1"), "read again on retry")
	require.NotContains(t, f.calls, "plan fsn1", "no plan before every state is read")
}

// An abort while an apply is parked destroys nothing: the platform stays.
func TestChangeInfrastructureAbortNeverDestroys(t *testing.T) {
	f := &fakeClouds{failApply: map[string]int{"hel1": 1}}
	env := f.changeEnv(nil)
	signalAt(env, time.Hour, SignalApprove)
	signalAt(env, 2*time.Hour, SignalAbort)
	env.ExecuteWorkflow(ChangeInfrastructure, workerMore())
	require.ErrorContains(t, env.GetWorkflowError(), "what it made so far stays, nothing was destroyed")
	require.NotContains(t, f.calls, "destroy fsn1")
	require.NotContains(t, f.calls, "destroy hel1")
}

// sorted is the calls in order, each region's calls after the other's of
// the same kind (the regions run in parallel).
func sorted(calls []string) []string {
	out := slices.Clone(calls)
	slices.SortStableFunc(out, func(a, b string) int {
		rank := func(s string) int {
			for i, p := range []string{"read ", "plan ", "apply ", "connect "} {
				if strings.HasPrefix(s, p) {
					return i
				}
			}
			return 9
		}
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out
}
