package workflows

import (
	"context"
	"errors"
	"sync"
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
	"github.com/openova-io/core/terraform"
)

// fakeClouds stands in for the bootstrap's activities: the order of every
// call, and applies that fail a given number of times. (The activities run
// the real OpenTofu against a fake Hetzner API in package activities.)
type fakeClouds struct {
	mu        sync.Mutex
	calls     []string
	failApply map[string]int
	// failLink is how many times MakeLink fails before it succeeds.
	failLink int
	// plans and applies are the inputs of every Plan and Apply, in order;
	// checked is the credential check's.
	plans, applies []activities.TerraformInput
	checked        activities.CheckCredentialsInput
	// inputs are the substrate activities' inputs, by call name.
	inputs map[string]any
	// The manager's phase (bootstrap_manager_test.go): arm gives the
	// named sizes arm64; refuseImage makes the image check refuse;
	// failManager is how many waits for the manager fail; admins counts
	// the generated passwords.
	arm         map[string]bool
	refuseImage bool
	published   string
	failManager int
	admins      int
	// failPlatform is how many commits of the Platform fail (the hand-off).
	failPlatform int
}

func (f *fakeClouds) log(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeClouds) newEnv() *testsuite.TestWorkflowEnvironment {
	env := newWorkflowEnv()
	env.RegisterWorkflowWithOptions(Bootstrap, workflow.RegisterOptions{Name: BootstrapWorkflow})
	var (
		c  *activities.Cloud
		cl *activities.Clusters
		se *activities.Selection
		tf *activities.Terraform
	)
	for _, a := range []any{c, cl, se, tf} {
		env.RegisterActivity(a)
	}
	env.OnActivity(c.CheckCredentials, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CheckCredentialsInput) (activities.CheckCredentialsResult, error) {
			f.mu.Lock()
			f.checked = in
			f.mu.Unlock()
			return activities.CheckCredentialsResult{Locations: f.locations()}, nil
		})
	env.OnActivity(se.Resolve, mock.Anything, mock.Anything).Return(activities.SelectionResult{
		Components: substrateComponents()}, nil)
	env.OnActivity(cl.GenerateClusterSecrets, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ClusterSecretsInput) (activities.ClusterSecrets, error) {
			return activities.ClusterSecrets{JoinToken: secret.Text("token-of-" + in.Cluster),
				PKI: bootstrap.ClusterPKI{ServerCA: "server CA of " + in.Cluster}}, nil
		})
	env.OnActivity(tf.Plan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TerraformInput) (activities.PlanResult, error) {
			f.log("plan " + in.Region)
			f.mu.Lock()
			f.plans = append(f.plans, in)
			f.mu.Unlock()
			return activities.PlanResult{Summary: terraform.Summary{Add: 1, Resources: []terraform.Change{
				{Address: "hcloud_server.control_plane[0]", Type: "hcloud_server", Name: "control_plane", Action: "create"}}}}, nil
		})
	env.OnActivity(tf.Apply, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TerraformInput) error {
			f.mu.Lock()
			f.applies = append(f.applies, in)
			f.mu.Unlock()
			if len(in.Targets) > 0 {
				f.log("reserve " + in.Region)
				return nil
			}
			f.log("apply " + in.Region)
			if in.Approved == nil || in.Approved.Add != 1 {
				return errors.New("apply without the approved plan")
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.failApply[in.Region] > 0 {
				f.failApply[in.Region]--
				return temporal.NewNonRetryableApplicationError("hetzner in "+in.Region+": server limit reached", terraform.ErrQuota, nil)
			}
			return nil
		})
	env.OnActivity(tf.Outputs, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TerraformInput) (activities.ClusterOutputs, error) {
			gw := map[string]string{"fsn1": "203.0.113.10", "hel1": "203.0.113.20"}[in.Region]
			if len(in.Targets) > 0 {
				return activities.ClusterOutputs{GatewayIPv4: gw}, nil
			}
			lb := map[string]string{"fsn1": "198.51.100.1", "hel1": "198.51.100.2"}[in.Region]
			private := map[string]string{"fsn1": "10.0.1.10", "hel1": "10.1.1.10"}[in.Region]
			return activities.ClusterOutputs{APIEndpoint: "https://" + in.Region + ".example:6443", LoadBalancerIPv4: lb,
				GiteaEndpoint: lb + ":3000", GatewayIPv4: gw,
				Nodes: []activities.Node{{Name: "acme-" + in.Region + "-cp-0", Role: "control-plane", PrivateIPv4: private}}}, nil
		})
	env.OnActivity(tf.Destroy, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TerraformInput) error { f.log("destroy " + in.Region); return nil })
	env.OnActivity(cl.Connect, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ConnectInput) (activities.ConnectResult, error) {
			f.log("connect " + in.Endpoint)
			return activities.ConnectResult{Version: "v1.34.1+k3s1", Kubeconfig: []byte("kubeconfig of " + in.Cluster)}, nil
		})
	f.mockSubstrate(env)
	f.mockManager(env)
	return env
}

func twoRegions() BootstrapInput {
	return BootstrapInput{
		Organization: "acme", Domain: "acme.example", Provider: terraform.Hetzner,
		Credentials: map[string]string{"token": "t"},
		Regions: []BootstrapRegion{
			{Name: "fsn1", Role: RolePrimary, ControlPlanes: 1, Workers: 2, ControlPlaneSize: "cpx22", WorkerSize: "cpx22",
				NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16"},
			{Name: "hel1", Role: RoleStandby, ControlPlanes: 1, Workers: 2, ControlPlaneSize: "cpx22", WorkerSize: "cpx22",
				NodeCIDR: "10.1.0.0/16", PodCIDR: "10.44.0.0/16", ServiceCIDR: "10.45.0.0/16"},
		},
	}
}

// signalAt sends a signal at a point of mock time.
func signalAt(env *testsuite.TestWorkflowEnvironment, after time.Duration, name string) {
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(name, nil) }, after)
}

func queryProgress(t *testing.T, env *testsuite.TestWorkflowEnvironment) BootstrapProgress {
	t.Helper()
	v, err := env.QueryWorkflow(QueryProgress)
	require.NoError(t, err)
	var p BootstrapProgress
	require.NoError(t, v.Get(&p))
	return p
}

// Nothing is applied before approve; the Review's query carries both
// plans; then both regions are built and the result has their clusters.
func TestBootstrapAppliesOnlyAfterApprove(t *testing.T) {
	f := &fakeClouds{}
	env := f.newEnv()
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		require.Equal(t, SignalApprove, p.Awaiting)
		require.Len(t, p.Regions, 2)
		for _, r := range p.Regions {
			require.NotNil(t, r.Plan, r.Name)
			require.Equal(t, 1, r.Plan.Add)
		}
		f.mu.Lock()
		require.ElementsMatch(t, []string{"check image", "plan fsn1", "plan hel1"}, f.calls, "nothing applied before approve")
		f.mu.Unlock()
		env.SignalWorkflow(SignalApprove, nil)
	}, time.Hour)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.NoError(t, env.GetWorkflowError())
	var res BootstrapResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Len(t, res.Regions, 2)
	require.Equal(t, "https://fsn1.example:6443", res.Regions[0].APIEndpoint)
	require.Equal(t, "kubeconfig of acme-hel1", string(res.Regions[1].Kubeconfig))
	require.Equal(t, substrateComponents(), res.Components)
	require.Subset(t, f.calls, []string{"apply fsn1", "apply hel1", "connect https://fsn1.example:6443", "connect https://hel1.example:6443"})
}

// A failed apply parks its region with the message until retry, which
// runs the apply again and finishes.
func TestBootstrapParksAFailedApplyUntilRetry(t *testing.T) {
	f := &fakeClouds{failApply: map[string]int{"hel1": 1}}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		require.Equal(t, SignalRetry, p.Awaiting)
		require.Contains(t, p.Regions[1].Parked, "server limit reached")
		require.Empty(t, p.Regions[0].Parked)
		env.SignalWorkflow(SignalRetry, nil)
	}, 2*time.Hour)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, 2, count(f.calls, "apply hel1"))
}

// Abort while a region is parked destroys every region an apply touched.
func TestBootstrapAbortDestroysWhatItCreated(t *testing.T) {
	f := &fakeClouds{failApply: map[string]int{"hel1": 1}}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	signalAt(env, 2*time.Hour, SignalAbort)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	err := env.GetWorkflowError()
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "%v", err)
	require.Equal(t, ErrAborted, app.Type())
	require.Contains(t, app.Error(), "what it created in fsn1 and hel1 was destroyed")
	require.Subset(t, f.calls, []string{"destroy fsn1", "destroy hel1"})
}

// Abort before approve destroys nothing: nothing was created.
func TestBootstrapAbortBeforeApproveCreatesNothing(t *testing.T) {
	f := &fakeClouds{}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalAbort)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.ErrorContains(t, env.GetWorkflowError(), "aborted before anything was created")
	require.ElementsMatch(t, []string{"check image", "plan fsn1", "plan hel1"}, f.calls)
}

// With a DNS zone, the credential check is asked to find it, every
// region's module gets it (the primary's creates the record), and the
// final page's manager says the record was created there.
func TestBootstrapCreatesTheManagersRecordInTheZone(t *testing.T) {
	f := &fakeClouds{}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	in := twoRegions()
	in.DNSZone = "acme.example"
	env.ExecuteWorkflow(Bootstrap, in)
	require.NoError(t, env.GetWorkflowError())
	var res BootstrapResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "acme.example", f.checked.DNSZone)
	require.Len(t, f.plans, 2)
	for _, p := range f.plans {
		require.Equal(t, "acme.example", p.Vars.DNSZone, p.Region)
	}
	require.Equal(t, "acme.example", res.Manager.DNSZone)
	require.Equal(t, "manager.acme.example. A 198.51.100.1", res.Manager.DNSRecord)
}

func count(list []string, s string) int {
	n := 0
	for _, e := range list {
		if e == s {
			n++
		}
	}
	return n
}
