package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/cloud"
)

// Defaults of the Bootstrap.
const (
	defaultAPITimeout = 20 * time.Minute
	// approveWindow bounds the wait for approve: past it the plans are
	// stale and the run ends with nothing created.
	approveWindow = 7 * 24 * time.Hour
)

// Bootstrap builds a Kubernetes cluster per region: validate the request,
// check the credentials with the cloud, resolve the components, generate
// each cluster's CAs and token, plan every region, wait for approve, then
// per region in parallel apply, read the outputs and wait until the API
// server answers the kubeconfig built from them. A failed step parks its
// region until retry or abort; abort and cancel destroy what the run
// created.
//
// Since ChangeBootstrapSubstrate it also lays the substrate the manager
// needs: with two regions it first reserves each gateway's address and
// makes the WireGuard link (bootstrap_link.go), so the apply boots the
// gateways with it; once a region's API answers it checks Cilium and
// installs Gitea and Flux; then it commits the substrate to the primary's
// platform repository, mirrors that to the standby, and waits until each
// region's Flux has brought up Crossplane (bootstrap_substrate.go).
func Bootstrap(ctx workflow.Context, in BootstrapInput) (BootstrapResult, error) {
	if err := refused(in); err != nil {
		return BootstrapResult{}, err
	}
	b := &bootstrapRun{in: in}
	b.substrate = workflow.GetVersion(ctx, ChangeBootstrapSubstrate, workflow.DefaultVersion, 1) >= 1
	b.managed = workflow.GetVersion(ctx, ChangeBootstrapManager, workflow.DefaultVersion, 1) >= 1 && b.substrate
	b.handoff = workflow.GetVersion(ctx, ChangeBootstrapHandOff, workflow.DefaultVersion, 1) >= 1 && b.managed
	b.steps.validate = b.progress.add("validate the request")
	b.steps.credentials = b.progress.add("check the " + string(in.Provider) + " credentials")
	b.steps.components = b.progress.add("resolve the components")
	if b.managed {
		b.steps.image = b.progress.add("check the manager's image")
	}
	for _, r := range in.Regions {
		b.regions = append(b.regions, b.newRegion(r))
	}
	b.steps.approve = b.progress.add("wait for approval of the plans")
	b.addLinkSteps()
	for _, r := range b.regions {
		r.steps.apply = r.addStep("apply " + r.spec.Name)
		r.steps.outputs = r.addStep("read the outputs of " + r.spec.Name)
		r.steps.api = r.addStep("wait for the API server of " + r.spec.Name)
		if b.substrate {
			r.addClusterSteps()
		}
	}
	b.addSubstrateSteps()
	b.addManagerSteps()
	if err := workflow.SetQueryHandler(ctx, QueryProgress, b.query); err != nil {
		return BootstrapResult{}, fmt.Errorf("register progress query: %w", err)
	}
	return b.run(ctx)
}

// refused is the request's validation as a non-retryable error naming
// every refused field (nil when valid): the Bootstrap's and a change's.
func refused(in BootstrapInput) error {
	errs := in.Validate()
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Field + ": " + e.Message
	}
	return temporal.NewNonRetryableApplicationError(strings.Join(msgs, "; "), ErrInvalidInput, nil, errs)
}

type bootstrapRun struct {
	in       BootstrapInput
	progress Progress
	steps    struct{ validate, credentials, components, image, approve, ready, manager step }
	regions  []*region
	result   BootstrapResult
	// substrate: the run has ChangeBootstrapSubstrate's phases; managed:
	// ChangeBootstrapManager's (bootstrap_manager.go); handoff:
	// ChangeBootstrapHandOff's (bootstrap_handoff.go).
	substrate, managed, handoff bool
	mgr                         managerRun
	// locations are the cloud's, as the credentials check read them.
	locations []cloud.Location
	// commit is the platform repository's head after the substrate's
	// commit, which each region's Flux must apply.
	commit string
	// Decisions, set by the signal listener.
	approved, aborted bool
	retries           int
	awaiting          string
}

// run goes phase by phase; any failure that is not parked (a refused
// request, an abort) ends the run, destroying what it created.
func (b *bootstrapRun) run(ctx workflow.Context) (BootstrapResult, error) {
	work, stop := workflow.WithCancel(ctx)
	defer stop()
	b.listen(ctx, stop)
	b.progress.start(ctx, b.steps.validate)
	b.progress.finish(ctx, b.steps.validate, nil)
	if err := b.progress.run(work, b.steps.credentials, b.checkCredentials); err != nil {
		return BootstrapResult{}, err
	}
	if err := b.progress.run(work, b.steps.components, b.resolveComponents); err != nil {
		return BootstrapResult{}, err
	}
	if b.managed {
		if err := b.progress.run(work, b.steps.image, b.checkImage); err != nil {
			return BootstrapResult{}, err
		}
	}
	err := b.eachRegion(work, func(ctx workflow.Context, r *region) error { return r.prepare(ctx) })
	if err == nil {
		err = b.progress.run(work, b.steps.approve, b.waitApproval)
	}
	if err == nil && b.linked() {
		err = b.link(work)
	}
	if err == nil {
		err = b.eachRegion(work, func(ctx workflow.Context, r *region) error { return r.build(ctx) })
	}
	if err == nil && b.substrate {
		err = b.layout(work)
	}
	if err == nil && b.managed {
		err = b.deployManager(work)
	}
	if err != nil {
		return BootstrapResult{}, b.end(ctx, err)
	}
	for _, r := range b.regions {
		b.result.Regions = append(b.result.Regions, r.cluster)
	}
	return b.result, nil
}

// eachRegion runs fn for every region in parallel and returns the first
// error (an abort: parked failures wait inside fn).
func (b *bootstrapRun) eachRegion(ctx workflow.Context, fn func(workflow.Context, *region) error) error {
	errs := make([]error, len(b.regions))
	wg := workflow.NewWaitGroup(ctx)
	for i, r := range b.regions {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			errs[i] = fn(ctx, r)
		})
	}
	wg.Wait(ctx)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *bootstrapRun) checkCredentials(ctx workflow.Context) error {
	var c *activities.Cloud
	regions := make([]string, len(b.in.Regions))
	sizes := map[string][]string{}
	for i, r := range b.in.Regions {
		regions[i] = r.Name
		sizes[r.Name] = []string{r.ControlPlaneSize, r.WorkerSize}
	}
	var res activities.CheckCredentialsResult
	err := workflow.ExecuteActivity(apiCall(ctx), c.CheckCredentials, activities.CheckCredentialsInput{
		Provider: b.in.Provider, Credentials: b.in.Credentials, Regions: regions, Sizes: sizes, DNSZone: b.in.DNSZone,
	}).Get(ctx, &res)
	b.locations = res.Locations
	return err
}

func (b *bootstrapRun) resolveComponents(ctx workflow.Context) error {
	var s *activities.Selection
	var res activities.SelectionResult
	if err := workflow.ExecuteActivity(apiCall(ctx), s.Resolve, activities.SelectionInput{Chosen: b.in.Components}).Get(ctx, &res); err != nil {
		return err
	}
	b.result.Components = res.Components
	names := make([]string, len(res.Components))
	for i, c := range res.Components {
		names[i] = c.Name
	}
	// The whole resolved set, by name: the chosen ones, what they need,
	// and the mandatory ones (a count alone hides what will run).
	b.progress.note(b.steps.components, fmt.Sprintf("%d components: %s", len(res.Components), strings.Join(names, ", ")))
	return nil
}

// waitApproval waits for approve (or abort), bounded by approveWindow.
func (b *bootstrapRun) waitApproval(ctx workflow.Context) error {
	b.awaiting = SignalApprove
	defer func() { b.awaiting = "" }()
	ok, err := workflow.AwaitWithTimeout(ctx, approveWindow, func() bool { return b.approved || b.aborted })
	switch {
	case err != nil:
		return err
	case b.aborted:
		return errAbort
	case !ok:
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"the plans were not approved within %s; nothing was created: start the bootstrap again", approveWindow), ErrNotApproved, nil)
	}
	return nil
}

func (b *bootstrapRun) query() (BootstrapProgress, error) {
	p := BootstrapProgress{Steps: b.progress.Steps, Awaiting: b.awaiting}
	for _, r := range b.regions {
		p.Regions = append(p.Regions, r.view())
		if r.parked != "" && p.Awaiting == "" {
			p.Awaiting = SignalRetry
		}
	}
	return p, nil
}
