package workflows

import (
	"fmt"

	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"

	"github.com/openova-io/core/crds/v1alpha1"
)

// ReleaseComponentInput is one component at one version, as the plan pinned it.
type ReleaseComponentInput struct {
	Platform  string
	Namespace string
	Component string
	// ComponentSpec is what the Component's spec is to say, Version being
	// the software version and ChartVersion the chart that ships it (it
	// was a field of its own here before; the JSON is the same).
	activities.ComponentSpec
	Delivery Delivery
	// CatalogValues are the catalog's Helm values for this release
	// (catalog.Version.Values); the spec's Values are merged over them in
	// the release, and the Component records the spec's only.
	CatalogValues map[string]any `json:",omitempty"`
	// ReadyTimeout bounds the wait for Crossplane's Ready (default 15 min).
	ReadyTimeout time.Duration
}

// ReleaseComponentResult is what Crossplane reported once Ready.
type ReleaseComponentResult struct {
	Version   string
	Endpoints []v1alpha1.Endpoint `json:",omitempty"`
	// Commit is the platform repository commit in GitOps mode.
	Commit string `json:",omitempty"`
}

// ReleaseComponent writes a component's Component resource and Crossplane
// composite resource (directly, or through the platform repository) and
// waits until Crossplane reports it Synced and Ready. It does not undo on
// failure: the InstallComponents run that started it decides what to undo.
func ReleaseComponent(ctx workflow.Context, in ReleaseComponentInput) (ReleaseComponentResult, error) {
	if in.Platform == "" || in.Namespace == "" || in.Component == "" || in.Version == "" || in.Chart == "" {
		return ReleaseComponentResult{}, temporal.NewNonRetryableApplicationError(
			"platform, namespace, component, version and chart are required", ErrInvalidInput, nil)
	}
	r := &release{in: in}
	r.steps.record = r.progress.add("record component " + in.Component)
	r.steps.write = r.progress.add(fmt.Sprintf("write release %s %s", in.Component, in.Version))
	if in.Delivery.GitOps() {
		r.steps.applied = r.progress.add("wait for Flux to apply " + in.Component)
	}
	r.steps.ready = r.progress.add("wait until " + in.Component + " is Ready")
	if err := r.progress.serve(ctx); err != nil {
		return ReleaseComponentResult{}, err
	}
	return r.run(cancellable(ctx))
}

type release struct {
	in       ReleaseComponentInput
	progress Progress
	steps    struct{ record, write, applied, ready step }
}

func (r *release) run(ctx workflow.Context) (ReleaseComponentResult, error) {
	var res ReleaseComponentResult
	if err := r.progress.run(ctx, r.steps.record, r.record); err != nil {
		return res, err
	}
	gen, commit, err := r.write(ctx)
	if err != nil {
		return res, err
	}
	res.Commit = commit
	if r.in.Delivery.GitOps() {
		if err := r.progress.run(ctx, r.steps.applied, r.waitApplied); err != nil {
			return res, err
		}
	}
	var ready activities.WaitReleaseReadyResult
	err = r.progress.run(ctx, r.steps.ready, func(ctx workflow.Context) error {
		var c *activities.Crossplane
		timeout := orDefault(r.in.ReadyTimeout, DefaultReadyTimeout)
		return workflow.ExecuteActivity(waitUntil(ctx, timeout), c.WaitReleaseReady, activities.WaitReleaseReadyInput{
			Namespace: r.in.Namespace, Name: r.in.Component,
			Deadline: workflow.Now(ctx).Add(timeout), MinGeneration: gen, ChartVersion: r.chartVersion(),
		}).Get(ctx, &ready)
	})
	if err != nil {
		return res, err
	}
	res.Version = r.in.Version
	res.Endpoints = ready.Endpoints
	return res, nil
}

func (r *release) record(ctx workflow.Context) error {
	var k *activities.Kubernetes
	// The spec names the chart version, so the Component reconciler can
	// tell when Crossplane has deployed what was asked for.
	spec := r.in.ComponentSpec
	spec.ChartVersion = r.chartVersion()
	return workflow.ExecuteActivity(apiCall(ctx), k.UpsertComponent, activities.UpsertComponentInput{
		Namespace: r.in.Namespace, Platform: r.in.Platform, Name: r.in.Component, ComponentSpec: spec,
	}).Get(ctx, nil)
}

func (r *release) manifest() activities.ApplyReleaseInput {
	return activities.ApplyReleaseInput{
		Namespace: r.in.Namespace, Name: r.in.Component, Platform: r.in.Platform, Component: r.in.Component,
		Chart: r.in.Chart, Repository: r.in.Repository, Version: r.chartVersion(), Values: r.in.Values,
		Defaults: r.in.CatalogValues,
	}
}

// chartVersion is what Helm is asked for.
func (r *release) chartVersion() string {
	return catalog.ChartVersionOf(r.in.Version, r.in.ChartVersion)
}

// write applies the composite resource, or commits it in GitOps mode; it
// returns the generation to wait for (0 in GitOps mode: Flux applies it).
func (r *release) write(ctx workflow.Context) (gen int64, commit string, err error) {
	err = r.progress.run(ctx, r.steps.write, func(ctx workflow.Context) error {
		if r.in.Delivery.GitOps() {
			var g *activities.Git
			var out activities.CommitManifestResult
			err := workflow.ExecuteActivity(gitCall(ctx), g.CommitRelease, activities.CommitReleaseInput{
				Git: r.in.Delivery.Git, Release: r.manifest(),
			}).Get(ctx, &out)
			commit = out.Commit
			return err
		}
		var c *activities.Crossplane
		var out activities.ApplyReleaseResult
		err := workflow.ExecuteActivity(apiCall(ctx), c.ApplyRelease, r.manifest()).Get(ctx, &out)
		gen = out.Generation
		return err
	})
	return gen, commit, err
}

func (r *release) waitApplied(ctx workflow.Context) error {
	var c *activities.Crossplane
	timeout := orDefault(r.in.ReadyTimeout, DefaultReadyTimeout)
	return workflow.ExecuteActivity(waitUntil(ctx, timeout), c.WaitReleaseExists, activities.WaitReleaseExistsInput{
		Namespace: r.in.Namespace, Name: r.in.Component, Deadline: workflow.Now(ctx).Add(timeout),
	}).Get(ctx, nil)
}
