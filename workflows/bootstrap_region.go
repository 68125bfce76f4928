package workflows

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/secret"
)

// region is one region's cluster through the Bootstrap's phases.
type region struct {
	b     *bootstrapRun
	spec  BootstrapRegion
	steps struct {
		secrets, plan, reserve, apply, outputs, api step
		// The substrate's (ChangeBootstrapSubstrate); link, commit and
		// mirror are the primary's only.
		link, cilium, gitea, flux, commit, mirror, crossplane step
		// The manager's (ChangeBootstrapManager); manager is the primary's.
		push, manager step
		// The primary's hand-off (ChangeBootstrapHandOff).
		handoff step
	}
	// secrets are generated once; the plan, the outputs and the cluster
	// are filled as the steps end.
	secrets bootstrap.ClusterSecrets
	plan    *bootstrap.PlanSummary
	outputs bootstrap.ClusterOutputs
	cluster BootstrapCluster
	// image is where the manager's image was pushed in the region.
	image activities.PushManagerImageResult
	// wgConf is the gateway's wg0.conf once the link is made (two regions).
	wgConf secret.Text
	// gateway is the gateway's reserved public address (two regions).
	gateway string
	// join is what a built region's nodes joined with, read back from its
	// state by a ChangeInfrastructure (nil in a Bootstrap).
	join *bootstrap.ClusterJoin
	// touched is set when an apply started: from then on, abort destroys.
	touched bool
	parked  string
	// parkedType is the parked failure's typed name.
	parkedType string
	// own are the region's steps, in the order they were added.
	own []step
}

func (b *bootstrapRun) newRegion(spec BootstrapRegion) *region {
	r := &region{b: b, spec: spec}
	r.steps.secrets = r.addStep("generate the certificates of " + spec.Name)
	r.steps.plan = r.addStep("plan " + spec.Name)
	return r
}

// addStep adds one of the region's steps: it is marked with the region's
// name and the progress query lists it under the region
// (RegionProgress.Steps), so no reader matches step names.
func (r *region) addStep(name string) step {
	s := r.b.progress.add(name)
	r.b.progress.Steps[s].Region = r.spec.Name
	r.own = append(r.own, s)
	return s
}

// prepare generates the region's secrets and plans it: nothing is created.
func (r *region) prepare(ctx workflow.Context) error {
	if err := r.b.attempt(ctx, r, r.steps.secrets, r.generateSecrets); err != nil {
		return err
	}
	return r.b.attempt(ctx, r, r.steps.plan, r.planRegion)
}

// build applies the approved plan and waits for the cluster to answer;
// with the substrate it then starts the cluster's own pieces.
func (r *region) build(ctx workflow.Context) error {
	if err := r.b.attemptAll(ctx, r, []regionStep{{r.steps.apply, r.apply}, {r.steps.outputs, r.readOutputs}, {r.steps.api, r.waitAPIServer}}); err != nil {
		return err
	}
	if !r.b.substrate {
		return nil
	}
	return r.b.attemptAll(ctx, r, []regionStep{{r.steps.cilium, r.startCilium}, {r.steps.gitea, r.installGitea}, {r.steps.flux, r.installFlux}})
}

// regionStep is a step of a region and what runs it.
type regionStep struct {
	step step
	fn   func(workflow.Context) error
}

// attemptAll attempts each step of r in turn (a failure parks r until retry).
func (b *bootstrapRun) attemptAll(ctx workflow.Context, r *region, list []regionStep) error {
	for _, s := range list {
		if err := b.attempt(ctx, r, s.step, s.fn); err != nil {
			return err
		}
	}
	return nil
}

func (r *region) clusterName() string { return r.b.in.Organization + "-" + r.spec.Name }

func (r *region) generateSecrets(ctx workflow.Context) error {
	var c *activities.Clusters
	return workflow.ExecuteActivity(apiCall(ctx), c.GenerateClusterSecrets,
		bootstrap.ClusterSecretsInput{Cluster: r.clusterName()}).Get(ctx, &r.secrets)
}

// input is the region's module run: the contract's variables from the
// request and the generated secrets.
func (r *region) input() bootstrap.TerraformInput {
	in := r.b.in
	pki := r.secrets.PKI
	vars := bootstrap.ModuleVars{
		Organization: in.Organization, Domain: in.Domain, DNSZone: in.DNSZone, Region: r.spec.Name, Role: r.spec.Role,
		ControlPlaneCount: r.spec.ControlPlanes, WorkerCount: r.spec.Workers,
		ControlPlaneSize: r.spec.ControlPlaneSize, WorkerSize: r.spec.WorkerSize,
		SSHPublicKey: in.SSHPublicKey,
		ClusterCA: bootstrap.ClusterCA{ServerCACert: pki.ServerCA, ServerCAKey: pki.ServerCAKey,
			ClientCACert: pki.ClientCA, ClientCAKey: pki.ClientCAKey},
		JoinToken: r.secrets.JoinToken, AgentToken: r.agentToken(),
		NodeCIDR: r.spec.NodeCIDR, PodCIDR: r.spec.PodCIDR, ServiceCIDR: r.spec.ServiceCIDR,
		APIPort: in.APIPort, GiteaPort: in.GiteaPort, ManagerPort: in.ManagerPort,
	}
	if r.b.substrate {
		vars.Cilium = r.cilium()
		vars.Link, vars.LinkWGConf = r.link(), r.wgConf
	}
	if r.join != nil {
		// A node added now runs what the first ones run, whatever this
		// openova's catalog and k3s pin say.
		vars.Cilium, vars.K3sVersion, vars.K3sReleaseURL = r.join.Cilium, r.join.K3sVersion, r.join.K3sReleaseURL
	}
	return bootstrap.TerraformInput{
		Organization: in.Organization, Provider: in.Provider, Region: r.spec.Name,
		Credentials: cloud.CredentialEnv(in.Provider, in.Credentials), Vars: vars, State: in.State, Approved: r.plan,
	}
}

// agentToken is the token the region's workers join with. A bootstrap
// whose secrets were generated before agent tokens existed has none in its
// history; it gets one derived from its join token (an HMAC, so the same on
// every replay and attempt, different from the join token and not revealing
// it), instead of failing the module's check or giving workers the server
// token. A pure function: no new command, so such histories still replay.
func (r *region) agentToken() secret.Text {
	if r.secrets.AgentToken != "" {
		return r.secrets.AgentToken
	}
	mac := hmac.New(sha256.New, []byte(r.secrets.JoinToken.Reveal()))
	mac.Write([]byte("openova k3s agent-token"))
	return secret.Text(hex.EncodeToString(mac.Sum(nil)))
}

func (r *region) planRegion(ctx workflow.Context) error {
	var t *activities.Terraform
	var res bootstrap.PlanResult
	if err := workflow.ExecuteActivity(terraformCall(ctx, 30*time.Minute), t.Plan, r.input()).Get(ctx, &res); err != nil {
		return err
	}
	r.plan = &res.Summary
	r.b.progress.note(r.steps.plan, fmt.Sprintf("%d to add, %d to change, %d to destroy", res.Summary.Add, res.Summary.Change, res.Summary.Destroy))
	return nil
}

func (r *region) apply(ctx workflow.Context) error {
	var t *activities.Terraform
	r.touched = true
	return workflow.ExecuteActivity(terraformCall(ctx, 2*time.Hour), t.Apply, r.input()).Get(ctx, nil)
}

func (r *region) readOutputs(ctx workflow.Context) error {
	var t *activities.Terraform
	if err := workflow.ExecuteActivity(terraformCall(ctx, 10*time.Minute), t.Outputs, r.input()).Get(ctx, &r.outputs); err != nil {
		return err
	}
	r.b.progress.note(r.steps.outputs, "API at "+r.outputs.APIEndpoint)
	return nil
}

// waitAPIServer builds the kubeconfig from the API endpoint and the
// generated certificates and waits, bounded, until the API server answers.
func (r *region) waitAPIServer(ctx workflow.Context) error {
	timeout := orDefault(r.b.in.APITimeout, defaultAPITimeout)
	var c *activities.Clusters
	var res bootstrap.ConnectResult
	err := workflow.ExecuteActivity(waitUntil(ctx, timeout), c.Connect, bootstrap.ConnectInput{
		Cluster: r.clusterName(), Endpoint: r.outputs.APIEndpoint, PKI: r.secrets.PKI,
		Deadline: workflow.Now(ctx).Add(timeout),
	}).Get(ctx, &res)
	if err != nil {
		return err
	}
	r.cluster = BootstrapCluster{Region: r.spec.Name, Role: r.spec.Role, APIEndpoint: r.outputs.APIEndpoint,
		Version: res.Version, Nodes: r.outputs.Nodes, Kubeconfig: res.Kubeconfig, CA: r.secrets.PKI.ServerCA}
	r.b.progress.note(r.steps.api, "Kubernetes "+res.Version+" answers")
	return nil
}

// destroy destroys what the region's state holds.
func (r *region) destroy(ctx workflow.Context) error {
	var t *activities.Terraform
	return workflow.ExecuteActivity(terraformCall(ctx, time.Hour), t.Destroy, r.input()).Get(ctx, nil)
}

func (r *region) view() RegionProgress {
	v := RegionProgress{Name: r.spec.Name, Role: r.spec.Role, Plan: r.plan, APIEndpoint: r.outputs.APIEndpoint, Parked: r.parked, ParkedType: r.parkedType}
	for _, s := range r.own {
		v.Steps = append(v.Steps, r.b.progress.Steps[s])
	}
	return v
}

// terraformCall is for one tofu run: it heartbeats every few seconds, so a
// killed openova's attempt is retried soon after it restarts (the retry
// stops the left-over tofu first). Attempts lost to crashes count, hence
// the generous maximum; classified permanent failures are not retried.
func terraformCall(ctx workflow.Context, timeout time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    10,
		},
	})
}

// giteaToken makes a token of the region's Gitea site admin (replacing
// one of that name) into *into.
func (r *region) giteaToken(ctx workflow.Context, name string, scopes []string, into *secret.Text) error {
	var g *activities.Gitea
	var tok activities.EnsureGiteaTokenResult
	err := workflow.ExecuteActivity(apiCall(ctx), g.EnsureGiteaToken, activities.EnsureGiteaTokenInput{
		Gitea: r.gitea(), Name: name, Scopes: scopes}).Get(ctx, &tok)
	*into = tok.Token
	return err
}
