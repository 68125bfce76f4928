package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
)

// CheckUpdatesInput names the platform whose components to check.
type CheckUpdatesInput struct {
	Platform  string
	Namespace string
	IndexURL  string `json:",omitempty"`
}

// CheckUpdatesResult summarises one check; the details are on each
// Component (status.availableVersions and the UpdatesChecked condition).
type CheckUpdatesResult struct {
	// Components is how many installed components were checked.
	Components int
	// UpgradesAvailable is how many of them have a newer version.
	UpgradesAvailable int
	// IndexErrors are the Helm repositories that could not be read, one
	// line each.
	IndexErrors []string `json:",omitempty"`
}

// CheckUpdates is what the Schedule CheckUpdatesID(platform) runs: it reads
// the catalog and the charts' Helm repositories for versions newer than what
// is installed and records them on each Component. A Helm repository that
// is down fails nothing: its components keep their last known versions and
// say why.
func CheckUpdates(ctx workflow.Context, in CheckUpdatesInput) (CheckUpdatesResult, error) {
	if in.Platform == "" || in.Namespace == "" {
		return CheckUpdatesResult{}, temporal.NewNonRetryableApplicationError(
			"platform and namespace are required", ErrInvalidInput, nil)
	}
	c := &checkUpdates{in: in}
	c.steps.read = c.progress.add("read catalog sources")
	c.steps.write = c.progress.add("write available versions")
	if err := c.progress.serve(ctx); err != nil {
		return CheckUpdatesResult{}, err
	}
	return c.run(cancellable(ctx))
}

type checkUpdates struct {
	in       CheckUpdatesInput
	progress Progress
	steps    struct{ read, write step }
	found    activities.CheckUpdatesResult
	written  activities.WriteAvailableVersionsResult
}

func (c *checkUpdates) run(ctx workflow.Context) (CheckUpdatesResult, error) {
	if err := c.progress.run(ctx, c.steps.read, c.read); err != nil {
		return CheckUpdatesResult{}, err
	}
	if err := c.progress.run(ctx, c.steps.write, c.write); err != nil {
		return CheckUpdatesResult{}, err
	}
	return CheckUpdatesResult{Components: len(c.found.Components), UpgradesAvailable: c.written.WithUpgrades,
		IndexErrors: c.indexErrors()}, nil
}

func (c *checkUpdates) read(ctx workflow.Context) error {
	var a *activities.Catalog
	err := workflow.ExecuteActivity(sourceScan(ctx), a.CheckUpdates, activities.CheckUpdatesInput{
		Namespace: c.in.Namespace, Platform: c.in.Platform, IndexURL: c.in.IndexURL,
	}).Get(ctx, &c.found)
	if err != nil {
		return err
	}
	c.progress.note(c.steps.read, fmt.Sprintf("%d components checked, Helm repositories unreadable: %d",
		len(c.found.Components), len(c.indexErrors())))
	return nil
}

func (c *checkUpdates) write(ctx workflow.Context) error {
	var k *activities.Kubernetes
	err := workflow.ExecuteActivity(apiCall(ctx), k.WriteAvailableVersions, activities.WriteAvailableVersionsInput{
		Namespace: c.in.Namespace, Updates: c.found.Components, CheckedAt: workflow.Now(ctx),
	}).Get(ctx, &c.written)
	if err != nil {
		return err
	}
	c.progress.note(c.steps.write, fmt.Sprintf("%d components have newer versions", c.written.WithUpgrades))
	return nil
}

// indexErrors lists each unreadable repository once, in component order;
// components sharing a repository share its error.
func (c *checkUpdates) indexErrors() []string {
	var out []string
	seen := map[string]bool{}
	for _, cu := range c.found.Components {
		if cu.IndexError != "" && !seen[cu.IndexError] {
			seen[cu.IndexError] = true
			out = append(out, cu.IndexError)
		}
	}
	return out
}

// sourceScan is for CheckUpdates, which fetches the charts' Helm indexes a
// few at a time (each bounded to 30 s) and heartbeats as each is done: the
// heartbeat timeout notices a lost worker sooner than the start-to-close,
// which bounds the whole scan. Like apiCall, transient failures (the
// catalog index, the API server) retry with backoff.
func sourceScan(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    5 * time.Minute,
		HeartbeatTimeout:       time.Minute,
		ScheduleToCloseTimeout: 20 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}
