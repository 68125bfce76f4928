package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
)

// UninstallComponentInput names the component to remove from a platform.
type UninstallComponentInput struct {
	Platform  string
	Namespace string
	Component string
	IndexURL  string `json:",omitempty"`
	Delivery  Delivery
	// Timeout bounds the wait for the release to be gone (default 15 min).
	Timeout time.Duration
}

// UninstallComponentResult says whether a release was there to delete.
type UninstallComponentResult struct {
	Deleted bool
	Commit  string `json:",omitempty"`
}

// UninstallComponent refuses while an installed component requires this
// one, then deletes its composite resource (or its file in the platform
// repository), waits until Crossplane has removed it and deletes the
// Component resource.
func UninstallComponent(ctx workflow.Context, in UninstallComponentInput) (UninstallComponentResult, error) {
	if in.Platform == "" || in.Namespace == "" || in.Component == "" {
		return UninstallComponentResult{}, temporal.NewNonRetryableApplicationError(
			"platform, namespace and component are required", ErrInvalidInput, nil)
	}
	u := &uninstall{in: in}
	u.steps.check = u.progress.add("check dependents of " + in.Component)
	u.steps.deleteRelease = u.progress.add("delete release " + in.Component)
	u.steps.waitGone = u.progress.add("wait until " + in.Component + " is gone")
	u.steps.deleteComponent = u.progress.add("delete component " + in.Component)
	if err := u.progress.serve(ctx); err != nil {
		return UninstallComponentResult{}, err
	}
	return u.run(cancellable(ctx))
}

type uninstall struct {
	in       UninstallComponentInput
	progress Progress
	steps    struct{ check, deleteRelease, waitGone, deleteComponent step }
	res      UninstallComponentResult
}

// run checks, then removes. A cancel during the check stops it with
// nothing changed; once the release is being deleted there is no way back
// (putting it back would be an install), so the removal runs on a context
// the cancel does not reach and the component is never left half removed.
func (u *uninstall) run(ctx workflow.Context) (UninstallComponentResult, error) {
	if err := u.progress.run(ctx, u.steps.check, u.checkDependents); err != nil {
		if temporal.IsCanceledError(err) {
			return u.res, temporal.NewNonRetryableApplicationError(
				"uninstall "+u.in.Component+" cancelled before anything changed", ErrCancelled, nil)
		}
		return u.res, err
	}
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	for _, s := range []struct {
		step step
		fn   func(workflow.Context) error
	}{
		{u.steps.deleteRelease, u.deleteRelease},
		{u.steps.waitGone, u.waitGone},
		{u.steps.deleteComponent, u.deleteComponent},
	} {
		if err := u.progress.run(ctx, s.step, s.fn); err != nil {
			return u.res, err
		}
	}
	return u.res, nil
}

func (u *uninstall) checkDependents(ctx workflow.Context) error {
	var a *activities.Catalog
	var out activities.DependentsResult
	if err := workflow.ExecuteActivity(apiCall(ctx), a.Dependents, activities.DependentsInput{
		Namespace: u.in.Namespace, Platform: u.in.Platform, IndexURL: u.in.IndexURL, Component: u.in.Component,
	}).Get(ctx, &out); err != nil {
		return err
	}
	if len(out.Dependents) > 0 {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"cannot uninstall %s: %s still require it; uninstall %s first",
			u.in.Component, strings.Join(out.Dependents, ", "), strings.Join(out.Dependents, ", ")), ErrStillRequired, nil)
	}
	return nil
}

func (u *uninstall) deleteRelease(ctx workflow.Context) error {
	if u.in.Delivery.GitOps() {
		var g *activities.Git
		var out activities.RemoveManifestResult
		err := workflow.ExecuteActivity(gitCall(ctx), g.RemoveRelease, activities.RemoveReleaseInput{
			Git: u.in.Delivery.Git, Platform: u.in.Platform, Component: u.in.Component,
		}).Get(ctx, &out)
		u.res.Commit = out.Commit
		u.res.Deleted = out.Changed
		return err
	}
	var c *activities.Crossplane
	var out activities.DeleteReleaseResult
	err := workflow.ExecuteActivity(apiCall(ctx), c.DeleteRelease, activities.DeleteReleaseInput{
		Namespace: u.in.Namespace, Name: u.in.Component,
	}).Get(ctx, &out)
	u.res.Deleted = out.Deleted
	return err
}

func (u *uninstall) waitGone(ctx workflow.Context) error {
	var c *activities.Crossplane
	timeout := orDefault(u.in.Timeout, DefaultReadyTimeout)
	return workflow.ExecuteActivity(waitUntil(ctx, timeout), c.WaitReleaseGone, activities.WaitReleaseGoneInput{
		Namespace: u.in.Namespace, Name: u.in.Component, Deadline: workflow.Now(ctx).Add(timeout),
	}).Get(ctx, nil)
}

func (u *uninstall) deleteComponent(ctx workflow.Context) error {
	var k *activities.Kubernetes
	return workflow.ExecuteActivity(apiCall(ctx), k.DeleteComponent, activities.DeleteComponentInput{
		Namespace: u.in.Namespace, Name: u.in.Component,
	}).Get(ctx, nil)
}
