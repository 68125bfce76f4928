package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
)

type (
	// EditPlatformInput is one UI change to a component's entry of a
	// Platform that Flux applies from Git.
	EditPlatformInput = activities.EditPlatformInput
	// EditPlatformResult names the commit that holds it.
	EditPlatformResult = activities.EditPlatformResult
	// GitTarget is a platform repository: URL, branch, folder, Secret.
	GitTarget = activities.GitTarget
	// PlatformSettings are a Settings page edit of a Platform in Git.
	PlatformSettings = activities.PlatformSettings
)

// EditPlatform commits one UI change to a Platform that Flux applies from
// Git (its openova.io/git-file annotation), with the signed-in user as
// the commit's author: applied to the cluster, the change would last only
// until Flux's next reconcile put Git's fields back. Its history is the
// audit log's record of who asked for what; its result names the commit,
// which Flux then applies and the Platform reconciler acts on as on any
// other change.
func EditPlatform(ctx workflow.Context, in EditPlatformInput) (EditPlatformResult, error) {
	e := &platformEdit{in: in}
	what := in.Entry.Name
	if in.Settings != nil {
		what = "the settings"
	}
	e.commit = e.progress.add(fmt.Sprintf("commit %s to %s", what, in.File))
	if err := e.progress.serve(ctx); err != nil {
		return EditPlatformResult{}, err
	}
	return e.run(ctx)
}

type platformEdit struct {
	in       EditPlatformInput
	progress Progress
	commit   step
	result   EditPlatformResult
}

func (e *platformEdit) run(ctx workflow.Context) (EditPlatformResult, error) {
	err := e.progress.run(ctx, e.commit, e.push)
	return e.result, err
}

// push commits the entry (none when Git has it already).
func (e *platformEdit) push(ctx workflow.Context) error {
	var g *activities.Git
	if err := workflow.ExecuteActivity(gitCall(ctx), g.EditPlatform, e.in).Get(ctx, &e.result); err != nil {
		return err
	}
	note := fmt.Sprintf("committed %.12s", e.result.Commit)
	if !e.result.Changed {
		note = fmt.Sprintf("already in Git at %.12s", e.result.Commit)
	}
	e.progress.note(e.commit, note)
	return nil
}
