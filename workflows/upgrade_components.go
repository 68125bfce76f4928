package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
)

// UpgradeTarget is one component of a multi-component upgrade.
type UpgradeTarget struct {
	Component          string
	To                 string
	ConfirmForwardOnly bool `json:",omitempty"`
	// ConfirmUpstream accepts the risk of an upstream release not in the
	// catalog (catalog.UpstreamRisk).
	ConfirmUpstream bool `json:",omitempty"`
}

// UpgradeComponentsInput asks to upgrade several components of a platform.
type UpgradeComponentsInput struct {
	Platform  string
	Namespace string
	Targets   []UpgradeTarget
	IndexURL  string `json:",omitempty"`
	Delivery  Delivery
	// ReadyTimeout bounds each rollout and rollback (default 15 min).
	ReadyTimeout time.Duration
	// Generation is the platform generation that asked (0: an operator);
	// each UpgradeComponent child carries it in its memo.
	Generation int64 `json:",omitempty"`
}

// UpgradeComponentsResult says what was upgraded, in order.
type UpgradeComponentsResult struct {
	Upgraded []UpgradeComponentResult
	// NotUpgraded lists the components left alone after a failure.
	NotUpgraded []string `json:",omitempty"`
}

// UpgradeComponents upgrades several components one at a time, each
// after the components it depends on, through the same UpgradeComponent
// child an upgrade of one component runs. The first failure stops it: that
// component has rolled itself back, those upgraded before it stay upgraded,
// and those after it are not touched. A cancel reaches the running child,
// which rolls itself back, and stops the run the same way.
func UpgradeComponents(ctx workflow.Context, in UpgradeComponentsInput) (UpgradeComponentsResult, error) {
	if in.Platform == "" || in.Namespace == "" || len(in.Targets) == 0 {
		return UpgradeComponentsResult{}, temporal.NewNonRetryableApplicationError(
			"platform, namespace and at least one component to upgrade are required", ErrInvalidInput, nil)
	}
	u := &upgradeComponents{in: in, targets: map[string]UpgradeTarget{}}
	for _, t := range in.Targets {
		u.targets[t.Component] = t
	}
	u.orderStep = u.progress.add("order by dependencies")
	if err := u.progress.serve(ctx); err != nil {
		return UpgradeComponentsResult{}, err
	}
	ctx = cancellable(ctx)
	if err := u.progress.run(ctx, u.orderStep, u.orderByDependencies); err != nil {
		return UpgradeComponentsResult{}, err
	}
	return u.upgradeAll(ctx)
}

type upgradeComponents struct {
	in        UpgradeComponentsInput
	targets   map[string]UpgradeTarget
	order     []string
	orderStep step
	steps     map[string]step // component → its upgrade step
	progress  Progress
	res       UpgradeComponentsResult
}

func (u *upgradeComponents) orderByDependencies(ctx workflow.Context) error {
	names := make([]string, 0, len(u.in.Targets))
	for _, t := range u.in.Targets {
		names = append(names, t.Component)
	}
	var a *activities.Catalog
	var out activities.OrderUpgradesResult
	err := workflow.ExecuteActivity(apiCall(ctx), a.OrderUpgrades, activities.OrderUpgradesInput{
		Namespace: u.in.Namespace, Platform: u.in.Platform, IndexURL: u.in.IndexURL, Components: names,
	}).Get(ctx, &out)
	if err != nil {
		return err
	}
	u.order = out.Order
	u.steps = map[string]step{}
	for _, n := range u.order {
		u.steps[n] = u.progress.add("upgrade " + n + " to " + u.targets[n].To)
	}
	return nil
}

func (u *upgradeComponents) upgradeAll(ctx workflow.Context) (UpgradeComponentsResult, error) {
	for i, name := range u.order {
		var res UpgradeComponentResult
		err := u.progress.run(ctx, u.steps[name], func(ctx workflow.Context) error { return u.upgradeOne(ctx, name, &res) })
		if err == nil {
			u.res.Upgraded = append(u.res.Upgraded, res)
			continue
		}
		rest := u.order[i+1:]
		for _, n := range rest {
			u.progress.skip(u.steps[n], "not upgraded: "+name+" failed first")
		}
		u.res.NotUpgraded = rest
		msg := rootCause(err)
		if len(rest) > 0 {
			msg += "; not upgraded: " + strings.Join(rest, ", ")
		}
		return u.res, temporal.NewNonRetryableApplicationError(msg, ErrUpgradesStopped, nil)
	}
	return u.res, nil
}

func (u *upgradeComponents) upgradeOne(ctx workflow.Context, name string, res *UpgradeComponentResult) error {
	t := u.targets[name]
	cctx := operation{ID: UpgradeID(u.in.Platform, name, t.To), Platform: u.in.Platform, Component: name,
		Operation: OperationUpgrade, Generation: u.in.Generation}.child(ctx)
	return workflow.ExecuteChildWorkflow(cctx, UpgradeComponentWorkflow, UpgradeComponentInput{
		Platform: u.in.Platform, Namespace: u.in.Namespace, Component: name, To: t.To,
		ConfirmForwardOnly: t.ConfirmForwardOnly, ConfirmUpstream: t.ConfirmUpstream, IndexURL: u.in.IndexURL, Delivery: u.in.Delivery,
		ReadyTimeout: u.in.ReadyTimeout,
	}).Get(cctx, res)
}
