package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
)

// ChangeInfrastructure changes the infrastructure of a platform the
// Bootstrap built (issue 19, Deliver 6): openova started again, on the
// same data directory or with the recovery bundle, plans the platform's
// input with a change (a worker more, the example) and applies it after
// approval.
//
// Per region it first reads the built cluster back from its state: the
// CAs, tokens, k3s release and CNI its nodes joined with (the module's
// join output), so the plan holds only the change and a node it adds joins
// that very cluster; then it plans. Once every plan is approved it applies,
// reads the outputs and waits for the API server, with a new admin
// certificate. A failed step parks its region until retry or abort, as in
// the Bootstrap; an abort never destroys: what exists stays. The substrate
// and the manager are the manager's to change, not this workflow's.
func ChangeInfrastructure(ctx workflow.Context, in BootstrapInput) (BootstrapResult, error) {
	if err := refused(in); err != nil {
		return BootstrapResult{}, err
	}
	// substrate: the platform was built with Cilium and, with two
	// regions, the link, whose gateways' addresses the states hold.
	c := &changeRun{b: &bootstrapRun{in: in, substrate: true}}
	b := c.b
	b.steps.validate = b.progress.add("validate the request")
	b.steps.credentials = b.progress.add("check the " + string(in.Provider) + " credentials")
	for _, spec := range in.Regions {
		r := &region{b: b, spec: spec}
		r.steps.secrets = r.addStep("read the state of " + spec.Name)
		r.steps.plan = r.addStep("plan the change of " + spec.Name)
		b.regions = append(b.regions, r)
	}
	b.steps.approve = b.progress.add("wait for approval of the plans")
	for _, r := range b.regions {
		r.steps.apply = r.addStep("apply the change of " + r.spec.Name)
		r.steps.outputs = r.addStep("read the outputs of " + r.spec.Name)
		r.steps.api = r.addStep("wait for the API server of " + r.spec.Name)
	}
	if err := workflow.SetQueryHandler(ctx, QueryProgress, b.query); err != nil {
		return BootstrapResult{}, fmt.Errorf("register progress query: %w", err)
	}
	return c.run(ctx)
}

// changeRun is a ChangeInfrastructure: the Bootstrap's regions, steps and
// decisions, in its own order.
type changeRun struct{ b *bootstrapRun }

func (c *changeRun) run(ctx workflow.Context) (BootstrapResult, error) {
	b := c.b
	work, stop := workflow.WithCancel(ctx)
	defer stop()
	b.listen(ctx, stop)
	b.progress.start(ctx, b.steps.validate)
	b.progress.finish(ctx, b.steps.validate, nil)
	if err := b.progress.run(work, b.steps.credentials, b.checkCredentials); err != nil {
		return BootstrapResult{}, err
	}
	// Every state is read before any plan: with two regions, each plan
	// names the other's gateway address, which its state holds.
	err := b.eachRegion(work, func(ctx workflow.Context, r *region) error {
		return b.attempt(ctx, r, r.steps.secrets, r.readState)
	})
	if err == nil {
		err = b.eachRegion(work, func(ctx workflow.Context, r *region) error {
			return b.attempt(ctx, r, r.steps.plan, r.planRegion)
		})
	}
	if err == nil {
		err = b.progress.run(work, b.steps.approve, b.waitApproval)
	}
	if err == nil {
		err = b.eachRegion(work, func(ctx workflow.Context, r *region) error {
			return b.attemptAll(ctx, r, []regionStep{{r.steps.apply, r.apply}, {r.steps.outputs, r.readOutputs}, {r.steps.api, r.waitAPIServer}})
		})
	}
	if err != nil {
		return BootstrapResult{}, c.end(err)
	}
	for _, r := range b.regions {
		b.result.Regions = append(b.result.Regions, r.cluster)
	}
	return b.result, nil
}

// readState reads the built region back from its state and makes its
// secrets from what its nodes joined with (a new admin certificate).
func (r *region) readState(ctx workflow.Context) error {
	var t *activities.Terraform
	var rec bootstrap.Recovered
	if err := workflow.ExecuteActivity(terraformCall(ctx, 10*time.Minute), t.Recover, r.input()).Get(ctx, &rec); err != nil {
		return err
	}
	var c *activities.Clusters
	err := workflow.ExecuteActivity(apiCall(ctx), c.RecoverClusterSecrets,
		activities.RecoverSecretsInput{Cluster: r.clusterName(), Join: rec.Join}).Get(ctx, &r.secrets)
	if err != nil {
		return err
	}
	r.join = &rec.Join
	r.gateway, r.wgConf = rec.Outputs.GatewayIPv4, rec.Join.LinkWGConf
	roles := map[string]int{}
	for _, n := range rec.Outputs.Nodes {
		roles[n.Role]++
	}
	r.b.progress.note(r.steps.secrets, fmt.Sprintf("built: %s, %s, API at %s",
		plural(roles["control-plane"], "control plane"), plural(roles["worker"], "worker"), rec.Outputs.APIEndpoint))
	return nil
}

// end words a change that stopped. An abort destroys nothing: before the
// apply nothing changed; during it, what it made stays in the state.
func (c *changeRun) end(err error) error {
	if !errors.Is(err, errAbort) && !temporal.IsCanceledError(err) {
		return err
	}
	msg := "the change was aborted before anything was changed"
	for _, r := range c.b.regions {
		if r.touched {
			msg = "the change was aborted during its apply: what it made so far stays, nothing was destroyed; start a change again to plan from what the platform holds now"
		}
	}
	return temporal.NewNonRetryableApplicationError(msg, ErrAborted, nil)
}

// plural is "1 worker", "2 workers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
