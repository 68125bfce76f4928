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
	for _, name := range []string{"check dependents of " + in.Component, "delete release " + in.Component,
		"wait until " + in.Component + " is gone", "delete component " + in.Component} {
		u.progress.add(name)
	}
	if err := u.progress.serve(ctx); err != nil {
		return UninstallComponentResult{}, err
	}
	return u.run(ctx)
}

type uninstall struct {
	in       UninstallComponentInput
	progress Progress
	res      UninstallComponentResult
}

func (u *uninstall) run(ctx workflow.Context) (UninstallComponentResult, error) {
	for i, fn := range []func(workflow.Context) error{u.checkDependents, u.deleteRelease, u.waitGone, u.deleteComponent} {
		if err := u.progress.run(ctx, i, fn); err != nil {
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
