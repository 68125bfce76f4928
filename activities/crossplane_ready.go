package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/secret"
)

// WaitCrossplaneReadyInput asks to wait, until Deadline (absolute, computed
// by the workflow), for the substrate that CommitSubstrate wrote and Flux
// applied to be usable in a region.
type WaitCrossplaneReadyInput struct {
	Region     string
	Kubeconfig secret.Bytes
	Deadline   time.Time
}

// WaitCrossplaneReadyResult is empty: the manager can install components.
type WaitCrossplaneReadyResult struct{}

// WaitCrossplaneReady waits until what the manager needs to install a
// component is there: the substrate's Flux Kustomizations Ready (asking
// Flux to look again, as `flux reconcile ks` does, rather than at its
// dependency requeue or retry interval: nudger), the
// ComponentRelease XRD Established (and Offered when it offers a claim),
// provider-helm and function-patch-and-transform Installed and Healthy, and
// provider-helm's ClusterProviderConfig present. It heartbeats what it
// still waits for; past the deadline it fails, non-retryably, with
// CrossplaneNotReady naming each missing piece and its conditions (a
// Kustomization's message says, e.g., that Crossplane's kinds are not
// served yet).
func (f *Flux) WaitCrossplaneReady(ctx context.Context, in WaitCrossplaneReadyInput) (WaitCrossplaneReadyResult, error) {
	if in.Region == "" || in.Deadline.IsZero() {
		return WaitCrossplaneReadyResult{}, temporal.NewNonRetryableApplicationError(
			"crossplane wait of "+in.Region+": region and deadline are required", ErrInvalidSubstrate, nil)
	}
	c, err := fluxClient(in.Region, in.Kubeconfig)
	if err != nil {
		return WaitCrossplaneReadyResult{}, err
	}
	n := nudger{c: c, every: 5 * f.poll(), requested: map[string]string{}, at: map[string]time.Time{}}
	err = f.waitFor(ctx, in.Deadline, func(ctx context.Context) ([]string, error) {
		missing, err := crossplaneMissing(ctx, c)
		if err == nil && len(missing) > 0 {
			n.nudge(ctx)
		}
		return missing, err
	}, func(missing string) error {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"Crossplane in %s was not ready by %s (missing: %s): look at the HelmChart %s/%s, the Kustomizations in %s and the packages in %s, then Retry",
			in.Region, clock(in.Deadline), missing, helmChartNamespace, SubstrateCrossplaneName, FluxNamespace, CrossplaneNamespace), ErrCrossplaneNotReady, nil)
	})
	return WaitCrossplaneReadyResult{}, err
}

// crossplaneMissing lists what is not ready yet, in the order Flux and
// Crossplane bring it up.
func crossplaneMissing(ctx context.Context, c client.Client) ([]string, error) {
	var missing []string
	add := func(m []string, err error) error {
		missing = append(missing, m...)
		return err
	}
	for _, ks := range []string{crossplaneConfigKS, crossplaneProvidersKS} {
		if err := add(objectConditions(ctx, c, fluxKustomizeAPI, "Kustomization", FluxNamespace, ks, "Ready")); err != nil {
			return nil, err
		}
	}
	xrdWant := []string{"Established"}
	xrd := &unstructured.Unstructured{}
	xrd.SetAPIVersion("apiextensions.crossplane.io/v2")
	xrd.SetKind("CompositeResourceDefinition")
	if err := c.Get(ctx, client.ObjectKey{Name: ComponentReleaseXRD}, xrd); err == nil {
		if _, offers, _ := unstructured.NestedMap(xrd.Object, "spec", "claimNames"); offers {
			xrdWant = append(xrdWant, "Offered")
		}
	}
	checks := []struct {
		api, kind, name string
		want            []string
	}{
		{"apiextensions.crossplane.io/v2", "CompositeResourceDefinition", ComponentReleaseXRD, xrdWant},
		{"pkg.crossplane.io/v1", "Provider", ProviderHelmName, []string{"Installed", "Healthy"}},
		{"pkg.crossplane.io/v1", "Function", CompositionFunctionName, []string{"Installed", "Healthy"}},
		{"helm.m.crossplane.io/v1beta1", "ClusterProviderConfig", ProviderConfigName, nil},
	}
	for _, ch := range checks {
		if err := add(objectConditions(ctx, c, ch.api, ch.kind, "", ch.name, ch.want...)); err != nil {
			return nil, err
		}
	}
	return missing, nil
}

// nudger asks kustomize-controller to reconcile the substrate's
// Kustomizations that are not Ready yet (the reconcile.fluxcd.io/requestedAt
// annotation): a stage waits 30 s after its dependency became Ready, and
// one that failed on kinds not served yet retries only after its
// retryInterval (1 min), so the bootstrap would idle for minutes. A new
// request goes out only once the last one was handled and every has
// passed since, so Flux is asked at most every five polls. It is only a
// shortcut: a request that fails leaves Flux to its own schedule.
type nudger struct {
	c         client.Client
	every     time.Duration
	requested map[string]string    // Kustomization → requestedAt last set
	at        map[string]time.Time // when
}

func (n *nudger) nudge(ctx context.Context) {
	for _, name := range []string{crossplaneConfigKS, crossplaneProvidersKS} {
		ks := &unstructured.Unstructured{}
		ks.SetAPIVersion(fluxKustomizeAPI)
		ks.SetKind("Kustomization")
		if err := n.c.Get(ctx, client.ObjectKey{Namespace: FluxNamespace, Name: name}, ks); err != nil {
			continue // not applied yet, or not readable now: the wait reports it
		}
		if fluxStateOf(ks).ready == "True" {
			continue
		}
		handled, _, _ := unstructured.NestedString(ks.Object, "status", "lastHandledReconcileAt")
		if n.requested[name] != "" && (handled != n.requested[name] || time.Since(n.at[name]) < n.every) {
			continue
		}
		n.at[name], n.requested[name], _ = requestReconcile(ctx, n.c, ks)
	}
}
