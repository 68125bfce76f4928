package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
)

// InstallComponentsInput asks for one component (with the optional
// dependencies chosen) on a platform.
type InstallComponentsInput struct {
	Platform  string
	Namespace string
	Component string
	Version   string   `json:",omitempty"`
	Optional  []string `json:",omitempty"`
	// Prefer holds the versions the Platform pins for its other
	// components, which dependencies of this one take when they fit.
	Prefer map[string]string `json:",omitempty"`
	// Values per component name, from the Platform spec.
	Values       map[string]json.RawMessage `json:",omitempty"`
	IndexURL     string                     `json:",omitempty"`
	Delivery     Delivery
	ReadyTimeout time.Duration
}

// InstallComponentsResult lists what the run released and what it found installed.
type InstallComponentsResult struct {
	Installed        []string
	AlreadyInstalled []string
}

// InstallComponents resolves the plan, releases every missing component in
// dependency order (a layer's components in parallel, as child
// ReleaseComponent workflows) and, if one fails or the run is cancelled,
// uninstalls what this run released, in reverse order, so the platform is
// as it was.
func InstallComponents(ctx workflow.Context, in InstallComponentsInput) (InstallComponentsResult, error) {
	if in.Platform == "" || in.Namespace == "" || in.Component == "" {
		return InstallComponentsResult{}, temporal.NewNonRetryableApplicationError(
			"platform, namespace and component are required", ErrInvalidInput, nil)
	}
	s := &install{in: in, steps: map[string]step{}}
	s.resolveStep = s.progress.add("resolve plan for " + in.Component)
	if err := s.progress.serve(ctx); err != nil {
		return InstallComponentsResult{}, err
	}
	return s.run(cancellable(ctx))
}

type install struct {
	in          InstallComponentsInput
	progress    Progress
	resolveStep step
	steps       map[string]step // component → its release step
	released    []string        // in release order: what undo must remove
}

func (s *install) run(ctx workflow.Context) (InstallComponentsResult, error) {
	var res InstallComponentsResult
	plan, err := s.resolve(ctx)
	if err != nil {
		return res, err
	}
	for _, layer := range plan.Layers {
		for _, st := range layer {
			switch st.State {
			case catalog.AlreadyInstalled:
				res.AlreadyInstalled = append(res.AlreadyInstalled, st.Name)
				s.progress.skip(s.progress.add("release "+st.Name), "already installed")
			case catalog.WillInstall:
				s.steps[st.Name] = s.progress.add(fmt.Sprintf("release %s %s", st.Name, st.Version))
			}
		}
	}
	for _, layer := range plan.Layers {
		if err := s.releaseLayer(ctx, layer); err != nil {
			return res, s.undo(ctx, err)
		}
	}
	res.Installed = append(res.Installed, s.released...)
	s.event(ctx, false, "Installed", fmt.Sprintf("installed %s (released: %s)", s.in.Component, list(s.released)))
	return res, nil
}

func (s *install) resolve(ctx workflow.Context) (catalog.Plan, error) {
	var a *activities.Catalog
	var out activities.ResolvePlanResult
	s.progress.start(ctx, s.resolveStep)
	err := workflow.ExecuteActivity(apiCall(ctx), a.ResolvePlan, activities.ResolvePlanInput{
		Namespace: s.in.Namespace, Platform: s.in.Platform, IndexURL: s.in.IndexURL,
		Request: catalog.Request{Component: s.in.Component, Version: s.in.Version, Optional: s.in.Optional, Prefer: s.in.Prefer},
	}).Get(ctx, &out)
	s.progress.finish(ctx, s.resolveStep, err)
	if err != nil {
		return catalog.Plan{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("resolve plan for %s: %s", s.in.Component, rootCause(err)), errorType(err, ErrInstallFailed), nil)
	}
	return out.Plan, nil
}

// releaseLayer releases the layer's missing components in parallel and
// waits for all of them, so that undo knows exactly what exists. A
// component another install is releasing right now (its release workflow
// is running) is waited for, not owned: this run never undoes it.
func (s *install) releaseLayer(ctx workflow.Context, layer []catalog.Step) error {
	type started struct {
		name string
		f    workflow.ChildWorkflowFuture
	}
	var children []started
	for _, st := range layer {
		if st.State != catalog.WillInstall {
			continue
		}
		s.progress.start(ctx, s.steps[st.Name])
		cctx := operation{ID: ReleaseID(s.in.Platform, st.Name), Platform: s.in.Platform,
			Component: st.Name, Operation: OperationRelease}.child(ctx)
		children = append(children, started{st.Name, workflow.ExecuteChildWorkflow(cctx, ReleaseComponentWorkflow, s.releaseInput(st))})
	}
	var errs []error
	for _, c := range children {
		err := c.f.GetChildWorkflowExecution().Get(ctx, nil)
		switch {
		case temporal.IsWorkflowExecutionAlreadyStartedError(err):
			err = s.waitShared(ctx, c.name)
		case err == nil:
			// Undo must remove it even if the release fails half way.
			s.released = append(s.released, c.name)
			err = c.f.Get(ctx, nil)
		}
		s.progress.finish(ctx, s.steps[c.name], err)
		if err != nil {
			errs = append(errs, fmt.Errorf("release %s: %s", c.name, rootCause(err)))
		}
	}
	return errors.Join(errs...)
}

// waitShared waits until a component that another run releases is Ready.
func (s *install) waitShared(ctx workflow.Context, name string) error {
	var c *activities.Crossplane
	timeout := orDefault(s.in.ReadyTimeout, DefaultReadyTimeout)
	return workflow.ExecuteActivity(waitUntil(ctx, timeout), c.WaitReleaseReady, activities.WaitReleaseReadyInput{
		Namespace: s.in.Namespace, Name: name, Deadline: workflow.Now(ctx).Add(timeout),
	}).Get(ctx, nil)
}

func (s *install) releaseInput(st catalog.Step) ReleaseComponentInput {
	return ReleaseComponentInput{
		Platform: s.in.Platform, Namespace: s.in.Namespace, Component: st.Name,
		ComponentSpec: activities.ComponentSpec{
			Version: st.Version, ChartVersion: st.ChartVersion, Chart: st.Chart.Name, Repository: st.Chart.Repository,
			Category: string(st.Category), Dependencies: st.Dependencies, Values: s.in.Values[st.Name],
		},
		Delivery: s.in.Delivery, ReadyTimeout: s.in.ReadyTimeout, CatalogValues: st.Values,
	}
}

// undo uninstalls what this run released, newest first, on a context that
// survives the run's cancellation, and returns the failure to report.
func (s *install) undo(ctx workflow.Context, cause error) error {
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	var undone, failed []string
	for i := len(s.released) - 1; i >= 0; i-- {
		name := s.released[i]
		step := s.progress.add("undo " + name)
		s.progress.start(ctx, step)
		cctx := operation{ID: UninstallID(s.in.Platform, name), Platform: s.in.Platform,
			Component: name, Operation: OperationUninstall}.child(ctx)
		err := workflow.ExecuteChildWorkflow(cctx, UninstallComponentWorkflow, UninstallComponentInput{
			Platform: s.in.Platform, Namespace: s.in.Namespace, Component: name,
			IndexURL: s.in.IndexURL, Delivery: s.in.Delivery, Timeout: s.in.ReadyTimeout,
		}).Get(cctx, nil)
		s.progress.finish(ctx, step, err)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s (%s)", name, rootCause(err)))
			continue
		}
		undone = append(undone, name)
	}
	msg := fmt.Sprintf("install %s failed: %s; undone: %s", s.in.Component, rootCause(cause), list(undone))
	if len(failed) > 0 {
		msg += "; could not undo: " + strings.Join(failed, ", ")
	}
	s.event(ctx, true, "InstallFailed", msg)
	return temporal.NewNonRetryableApplicationError(msg, ErrInstallFailed, nil)
}

// event records a Kubernetes Event on the Platform; it is best effort, a
// failure to record never changes the outcome.
func (s *install) event(ctx workflow.Context, warning bool, reason, msg string) {
	var k *activities.Kubernetes
	_ = workflow.ExecuteActivity(apiCall(ctx), k.RecordEvent, activities.RecordEventInput{
		Namespace: s.in.Namespace, Platform: s.in.Platform, Warning: warning, Reason: reason, Message: msg,
	}).Get(ctx, nil)
}
