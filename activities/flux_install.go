package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/secret"
)

// k3s's Helm controller: a HelmChart in kube-system is a chart k3s installs
// (and upgrades when the object changes) with a helm job.
const (
	helmChartAPI       = "helm.cattle.io/v1"
	helmChartNamespace = "kube-system"
	// FluxHelmChartName names Flux's HelmChart in kube-system.
	FluxHelmChartName = "flux"
)

// fluxControllers are the only controllers the bootstrap runs: Flux
// fetches the platform repository and applies it; Helm releases,
// notifications and image automation are Crossplane's and the manager's.
var fluxControllers = []string{"source-controller", "kustomize-controller"}

// fluxValues are the flux2 chart's values (fluxcd-community/helm-charts,
// charts/flux2/values.yaml, checked at flux2-2.14.0): every controller's
// "create" off but source's and kustomize's. The chart installs a
// controller's CRDs only with the controller (installCRDs and .create), so
// Flux's API is GitRepository and Kustomization (and the source kinds).
var fluxValues = map[string]any{
	"sourceController":          map[string]any{"create": true},
	"kustomizeController":       map[string]any{"create": true},
	"helmController":            map[string]any{"create": false},
	"notificationController":    map[string]any{"create": false},
	"imageAutomationController": map[string]any{"create": false},
	"imageReflectionController": map[string]any{"create": false},
}

// InstallFluxInput is one region's cluster and the catalog's flux2 chart
// (catalog.Catalog.HelmChart("flux", version)).
type InstallFluxInput struct {
	Region     string
	Kubeconfig secret.Bytes
	Chart      catalog.HelmChartRef
}

// InstallFluxResult names the HelmChart and its generation after the apply.
type InstallFluxResult struct {
	HelmChart  string
	Generation int64
}

// InstallFlux server-side applies the k3s HelmChart that installs the
// catalog's flux2 chart into flux-system. Flux is not rendered and applied
// from Go: its install generator downloads the release from GitHub, and
// k3s's own Helm controller already runs in every cluster (it installed
// Cilium). Applying again changes nothing; a new chart version or value is
// applied over the old one and k3s upgrades the release.
func (f *Flux) InstallFlux(ctx context.Context, in InstallFluxInput) (InstallFluxResult, error) {
	if in.Region == "" || len(in.Kubeconfig) == 0 || in.Chart.Name == "" || in.Chart.Repository == "" || in.Chart.Version == "" {
		return InstallFluxResult{}, temporal.NewNonRetryableApplicationError(
			"flux install of "+in.Region+": region, kubeconfig and the catalog's chart (name, repository, version) are required", ErrInvalidFluxSync, nil)
	}
	c, err := fluxClient(in.Region, in.Kubeconfig)
	if err != nil {
		return InstallFluxResult{}, err
	}
	u, err := helmChart(FluxHelmChartName, in.Chart, FluxNamespace, fluxValues)
	if err != nil {
		return InstallFluxResult{}, err
	}
	err = c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(f.owner()), client.ForceOwnership)
	if err != nil {
		return InstallFluxResult{}, helmChartError(in.Region, FluxHelmChartName, err)
	}
	return InstallFluxResult{HelmChart: helmChartNamespace + "/" + FluxHelmChartName, Generation: u.GetGeneration()}, nil
}

// helmChart is a k3s HelmChart in kube-system for a chart of the catalog.
// The values travel as valuesContent (YAML text), which every k3s release's
// Helm controller reads (spec.values is recent).
func helmChart(name string, chart catalog.HelmChartRef, target string, values map[string]any) (*unstructured.Unstructured, error) {
	text, err := yaml.Marshal(values)
	if err != nil {
		return nil, fmt.Errorf("values of %s: %w", name, err)
	}
	return helmChartOf(name, chart, target, string(text)), nil
}

// helmChartOf is helmChart with the values already YAML text.
func helmChartOf(name string, chart catalog.HelmChartRef, target, values string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": helmChartAPI, "kind": "HelmChart",
		"metadata": map[string]any{"name": name, "namespace": helmChartNamespace,
			"labels": map[string]any{"app.kubernetes.io/managed-by": fluxDefaultOwner}},
		"spec": map[string]any{
			"repo": chart.Repository, "chart": chart.Name, "version": chart.Version,
			"targetNamespace": target, "createNamespace": true,
			"valuesContent": values,
		},
	}}
}

// helmChartError: a cluster without the HelmChart kind is not a k3s (or
// its Helm controller has not registered the CRD yet, seconds after the
// API answers): retried, with words that say which.
func helmChartError(region, name string, err error) error {
	if strings.Contains(err.Error(), "no matches for kind") {
		return fmt.Errorf("apply HelmChart %s/%s in %s: the cluster has no helm.cattle.io HelmChart kind (yet): k3s's Helm controller registers it: %w",
			helmChartNamespace, name, region, err)
	}
	return fluxAPIError(region, "apply HelmChart "+helmChartNamespace+"/"+name, err)
}

// WaitFluxReadyInput asks to wait, until Deadline (absolute, computed by
// the workflow), for a region's Flux to serve its API and run.
type WaitFluxReadyInput struct {
	Region     string
	Kubeconfig secret.Bytes
	Deadline   time.Time
}

// WaitFluxReadyResult is empty: Flux is ready.
type WaitFluxReadyResult struct{}

// WaitFluxReady waits until the GitRepository and Kustomization CRDs are
// Established and the source and kustomize controllers' Deployments are
// available, heartbeating what it still waits for. ApplyFluxSync needs the
// CRDs; Flux syncing anything needs the controllers. Past the deadline it
// fails, non-retryably, with FluxNotReady naming what is missing.
func (f *Flux) WaitFluxReady(ctx context.Context, in WaitFluxReadyInput) (WaitFluxReadyResult, error) {
	if in.Region == "" || in.Deadline.IsZero() {
		return WaitFluxReadyResult{}, temporal.NewNonRetryableApplicationError(
			"flux wait of "+in.Region+": region and deadline are required", ErrInvalidFluxSync, nil)
	}
	c, err := fluxClient(in.Region, in.Kubeconfig)
	if err != nil {
		return WaitFluxReadyResult{}, err
	}
	err = f.waitFor(ctx, in.Deadline, func(ctx context.Context) ([]string, error) {
		missing, err := establishedCRDs(ctx, c, "gitrepositories.source.toolkit.fluxcd.io", "kustomizations.kustomize.toolkit.fluxcd.io")
		if err != nil {
			return nil, err
		}
		deps, err := availableDeployments(ctx, c, FluxNamespace, fluxControllers...)
		return append(missing, deps...), err
	}, func(missing string) error {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"Flux in %s was not ready by %s (missing: %s): look at the HelmChart %s/%s, its helm-install job and the pods in %s, then Retry",
			in.Region, clock(in.Deadline), missing, helmChartNamespace, FluxHelmChartName, FluxNamespace), ErrFluxNotReady, nil)
	})
	return WaitFluxReadyResult{}, err
}
