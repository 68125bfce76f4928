package operations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/web/platforms"
	"github.com/openova-io/core/workflows"
)

// editWait bounds how long a page waits for its commit: a push to the
// platform's own Gitea takes seconds; past this the page says where to
// look instead of holding the request.
const editWait = 90 * time.Second

// Edits runs EditPlatform for the pages (platforms.Editor): each UI change
// to a Platform kept in Git is a workflow, with the user as its actor, so
// the audit view lists it beside the operations it causes.
type Edits struct {
	Client client.Client
	Now    func() time.Time
}

// EditPlatform starts the commit and waits for it.
func (e *Edits) EditPlatform(ctx context.Context, edit platforms.Edit) (platforms.EditResult, error) {
	in := workflows.EditPlatformInput{Git: workflows.GitTarget{URL: edit.RepoURL, Branch: edit.Branch, SecretRef: edit.SecretRef},
		File: edit.File, Platform: edit.Platform, Entry: edit.Entry, Actor: edit.Actor, Message: edit.Message}
	subject := in.Entry.Name
	if edit.Settings != nil {
		in.Settings = &workflows.PlatformSettings{CatalogIndexURL: edit.Settings.IndexURL, Window: edit.Settings.Window,
			CheckUpstreamCharts: edit.Settings.CheckUpstream}
		subject = workflows.EditSettingsSubject
	}
	id := workflows.EditID(in.Platform, subject, e.Now())
	run, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: workflows.TaskQueueManager,
		Memo:                  map[string]any{workflows.MemoActor: in.Actor},
		TypedSearchAttributes: workflows.OperationAttributes(in.Platform, in.Entry.Name, workflows.OperationEdit),
	}, workflows.EditPlatformWorkflow, in)
	if err != nil {
		return platforms.EditResult{}, fmt.Errorf("start %s: %w", id, err)
	}
	wait, cancel := context.WithTimeout(ctx, editWait)
	defer cancel()
	var res workflows.EditPlatformResult
	err = run.Get(wait, &res)
	out := platforms.EditResult{Commit: res.Commit, Changed: res.Changed}
	if errors.Is(err, context.DeadlineExceeded) {
		return out, fmt.Errorf("the commit is still being made after %s: the audit view shows %s", editWait, id)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return out, errors.New(app.Error())
	}
	return out, err
}
