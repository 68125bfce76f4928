package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// releaseAdopted is UpgradeComponent's release of a component the
// bootstrap installed (ReadComponent found it adopted): it has no
// Crossplane release, so it moves, and rolls back, the way it was
// installed. The chart version of its k3s HelmChart changes where that
// change lasts (patched in the cluster, or committed to the file of the
// platform repository Flux applies), k3s's Helm job runs the chart, its
// workloads roll out, and the Component records the version.
//
// Adopted components were refused any upgrade before this path existed,
// so no earlier history of UpgradeComponent reaches it.
func (u *upgrade) releaseAdopted(ctx workflow.Context, version, chartVersion string) error {
	a := *u.current.Adopted
	if version == u.current.Version && u.current.ChartVersion != "" {
		chartVersion = u.current.ChartVersion // a rollback: the chart that ran, as recorded
	}
	hc := activities.HelmChartVersion{HelmChart: a.HelmChart, Chart: u.current.Chart, Repository: u.current.Repository,
		Version: catalog.ChartVersionOf(version, chartVersion)}
	var k *activities.Kubernetes
	switch {
	case a.Upgrade == v1alpha1.UpgradeHelmChart:
		if err := workflow.ExecuteActivity(apiCall(ctx), k.PatchHelmChart, hc).Get(ctx, nil); err != nil {
			return err
		}
	case a.Upgrade == v1alpha1.UpgradeGitFile && u.in.Delivery.GitOps():
		var g *activities.Git
		err := workflow.ExecuteActivity(gitCall(ctx), g.SetHelmChartVersion, activities.SetHelmChartVersionInput{
			Git: u.in.Delivery.Git, File: a.GitFile, HelmChartVersion: hc,
			Message: fmt.Sprintf("openova: %s %s (chart %s %s)", u.in.Component, version, hc.Chart, hc.Version),
		}).Get(ctx, nil)
		if err != nil {
			return err
		}
	default:
		return u.adoptedRefusal()
	}
	timeout := orDefault(u.in.ReadyTimeout, DefaultReadyTimeout)
	err := workflow.ExecuteActivity(waitUntil(ctx, timeout), k.WaitHelmChart, activities.WaitHelmChartInput{
		HelmChartVersion: hc, Workloads: a.Workloads, Deadline: workflow.Now(ctx).Add(timeout),
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	spec := u.current.ComponentSpec
	spec.Version, spec.ChartVersion = version, hc.Version
	return workflow.ExecuteActivity(apiCall(ctx), k.RecordAdopted, activities.RecordAdoptedInput{
		Namespace: u.in.Namespace, Platform: u.in.Platform, Name: u.in.Component, ComponentSpec: spec, Adopted: a,
	}).Get(ctx, nil)
}

// adoptedRefusal is why an adopted component cannot be upgraded by the
// manager (nil when it can): checked when the upgrade records what runs,
// before anything changed, so a refusal needs no rollback.
func (u *upgrade) adoptedRefusal() error {
	a := u.current.Adopted
	switch {
	case a == nil || a.Upgrade == v1alpha1.UpgradeHelmChart || (a.Upgrade == v1alpha1.UpgradeGitFile && u.in.Delivery.GitOps()):
		return nil
	case a.Upgrade == v1alpha1.UpgradeGitFile:
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"%s: its HelmChart is in the platform repository (%s), but the platform is not delivered through Git: set spec.delivery to GitOps with spec.git",
			u.in.Component, a.GitFile), ErrAdoptedNotUpgradable, nil)
	}
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
		"%s runs as the bootstrap installed it (%s): a change by the manager would not last; nothing changed", u.in.Component, a.InstalledBy),
		ErrAdoptedNotUpgradable, nil)
}
