package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/secret"
)

// WaitFluxSyncedInput asks to wait until a region's Flux has applied a
// commit of the platform repository.
type WaitFluxSyncedInput struct {
	Region     string
	Kubeconfig secret.Bytes
	// Commit is the full hash of the commit Flux must have applied (the
	// head of the branch the caller last wrote).
	Commit string
	// Deadline is absolute (computed by the workflow, so a retried attempt
	// does not restart the clock).
	Deadline time.Time
	// MinGeneration is the Kustomization's generation from ApplyFluxSync
	// that its status must have observed; 0 accepts any.
	MinGeneration int64 `json:",omitempty"`
}

// WaitFluxSyncedResult is the revision Flux applied ("main@sha1:<hash>").
type WaitFluxSyncedResult struct {
	Revision string
}

// WaitFluxSynced waits until the region's Kustomization is Ready with the
// commit applied, heartbeating what Flux reports. It asks Flux to look now
// (the reconcile.fluxcd.io/requestedAt annotation, as `flux reconcile`
// does) instead of waiting for the next interval. It fails at once, non-
// retryable, with Flux's own message when the Gitea refuses the token
// (FluxSourceAuthFailed), when Flux gave up (Stalled) or when the commit
// does not build (FluxStalled), and past the deadline with FluxNotSynced
// naming the commit and what Flux said last.
func (f *Flux) WaitFluxSynced(ctx context.Context, in WaitFluxSyncedInput) (WaitFluxSyncedResult, error) {
	if in.Region == "" || in.Commit == "" || in.Deadline.IsZero() {
		return WaitFluxSyncedResult{}, temporal.NewNonRetryableApplicationError(
			"flux wait of "+in.Region+": region, commit and deadline are required", ErrInvalidFluxSync, nil)
	}
	c, err := fluxClient(in.Region, in.Kubeconfig)
	if err != nil {
		return WaitFluxSyncedResult{}, err
	}
	w := fluxWait{c: c, in: in, rerequest: 5 * f.poll()}
	for {
		done, state, err := w.check(ctx)
		if err != nil {
			return WaitFluxSyncedResult{}, err
		}
		if done {
			return WaitFluxSyncedResult{Revision: w.revision}, nil
		}
		activity.RecordHeartbeat(ctx, state)
		wait := time.Until(in.Deadline)
		if wait <= 0 {
			return WaitFluxSyncedResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"Flux in %s did not apply commit %s of %s by %s (%s): check the platform repository in the region's Gitea, then Retry",
				in.Region, short(in.Commit), FluxPath(in.Region), clock(in.Deadline), state), ErrFluxNotSynced, nil)
		}
		t := time.NewTimer(min(wait, f.poll()))
		select {
		case <-ctx.Done():
			t.Stop()
			return WaitFluxSyncedResult{}, ctx.Err()
		case <-t.C:
		}
	}
}

// fluxWait is one wait's state: the reconcile it last requested.
type fluxWait struct {
	c         client.Client
	in        WaitFluxSyncedInput
	requested string    // the requestedAt value last set
	at        time.Time // when
	revision  string
	// rerequest is how long a reconcile Flux has handled without seeing the
	// commit waits before the next request (five polls): the commit may
	// still be on its way to the region's Gitea (the push mirror).
	rerequest time.Duration
}

// check reads both objects once: done, or a description of where Flux is,
// or an error that ends the wait.
func (w *fluxWait) check(ctx context.Context) (bool, string, error) {
	src, err := w.get(ctx, fluxSourceAPI, "GitRepository")
	if err != nil {
		return false, "", err
	}
	ks, err := w.get(ctx, fluxKustomizeAPI, "Kustomization")
	if err != nil {
		return false, "", err
	}
	if src == nil || ks == nil {
		return false, "the GitRepository or Kustomization " + FluxNamespace + "/" + FluxSyncName + " does not exist (was ApplyFluxSync run?)", nil
	}
	srcState, ksState := fluxStateOf(src), fluxStateOf(ks)
	url, _, _ := unstructured.NestedString(src.Object, "spec", "url")
	switch {
	case srcState.stalled != "":
		return false, "", w.fail(ErrFluxStalled, "Flux gave up fetching %s: %s", url, srcState.stalled)
	case ksState.stalled != "":
		return false, "", w.fail(ErrFluxStalled, "Flux gave up applying %s: %s", FluxPath(w.in.Region), ksState.stalled)
	case srcState.ready == "False" && authFailure(srcState.message) && w.handled(src):
		return false, "", w.fail(ErrFluxSourceAuthFailed,
			"the Gitea refused Flux's credentials for %s (%s): check the username and token in Secret %s/%s, then Retry",
			url, srcState.message, FluxNamespace, FluxSyncName)
	case ksState.ready == "False" && ksState.reason == "BuildFailed" && revisionIs(ksState.attempted, w.in.Commit):
		return false, "", w.fail(ErrFluxStalled, "commit %s of %s does not build: %s", short(w.in.Commit), FluxPath(w.in.Region), ksState.message)
	}
	w.revision = ksState.applied
	if ksState.ready == "True" && revisionIs(ksState.applied, w.in.Commit) && ksState.observed >= w.in.MinGeneration {
		return true, "", nil
	}
	srcRev, _, _ := unstructured.NestedString(src.Object, "status", "artifact", "revision")
	if !revisionIs(srcRev, w.in.Commit) {
		if err := w.request(ctx, src); err != nil {
			return false, "", err
		}
	}
	return false, fmt.Sprintf("waiting for Kustomization %s/%s to apply commit %s of %s: source at %q (%s), applied %q (%s)",
		FluxNamespace, FluxSyncName, short(w.in.Commit), FluxPath(w.in.Region),
		srcRev, srcState, ksState.applied, ksState), nil
}

// request asks source-controller to fetch now, once, and again when it has
// handled the last request at least w.rerequest ago without the commit.
func (w *fluxWait) request(ctx context.Context, src *unstructured.Unstructured) error {
	if w.requested != "" && (!w.handled(src) || time.Since(w.at) < w.rerequest) {
		return nil
	}
	var err error
	if w.at, w.requested, err = requestReconcile(ctx, w.c, src); err != nil {
		return fluxAPIError(w.in.Region, "request a reconcile of GitRepository "+FluxNamespace+"/"+FluxSyncName, err)
	}
	return nil
}

// requestReconcile asks Flux's controller to reconcile obj now, as `flux
// reconcile` does (the reconcile.fluxcd.io/requestedAt annotation); it
// returns when and the value set, which status.lastHandledReconcileAt
// echoes once the controller has handled it.
func requestReconcile(ctx context.Context, c client.Client, obj *unstructured.Unstructured) (time.Time, string, error) {
	at := time.Now()
	value := at.UTC().Format(time.RFC3339Nano)
	patch := fmt.Sprintf(`{"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":%q}}}`, value)
	return at, value, c.Patch(ctx, obj, client.RawPatch(types.MergePatchType, []byte(patch)), client.FieldOwner(fluxDefaultOwner))
}

// handled reports whether source-controller has finished the reconcile
// this wait requested, so its Ready condition speaks of the credentials in
// place now, not of an earlier attempt (e.g. with a token replaced since).
func (w *fluxWait) handled(src *unstructured.Unstructured) bool {
	handled, _, _ := unstructured.NestedString(src.Object, "status", "lastHandledReconcileAt")
	return w.requested != "" && handled == w.requested
}

func (w *fluxWait) get(ctx context.Context, apiVersion, kind string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	err := w.c.Get(ctx, client.ObjectKey{Namespace: FluxNamespace, Name: FluxSyncName}, u)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fluxAPIError(w.in.Region, "read "+kind+" "+FluxNamespace+"/"+FluxSyncName, err)
	}
	return u, nil
}

func (w *fluxWait) fail(kind, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("Flux in %s: ", w.in.Region)+fmt.Sprintf(format, args...), kind, nil)
}

// fluxState is what a Flux object's status says.
type fluxState struct {
	ready, reason, message string // the Ready condition
	stalled                string // the Stalled condition's message when True
	applied, attempted     string // lastAppliedRevision, lastAttemptedRevision (Kustomization)
	observed               int64  // status.observedGeneration
}

func fluxStateOf(u *unstructured.Unstructured) fluxState {
	var s fluxState
	s.applied, _, _ = unstructured.NestedString(u.Object, "status", "lastAppliedRevision")
	s.attempted, _, _ = unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
	s.observed, _, _ = unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		status, _ := m["status"].(string)
		reason, _ := m["reason"].(string)
		message, _ := m["message"].(string)
		message = strings.TrimSpace(message)
		switch m["type"] {
		case "Ready":
			s.ready, s.reason, s.message = status, reason, message
		case "Stalled":
			if status == "True" {
				s.stalled = reason + ": " + message
			}
		}
	}
	return s
}

func (s fluxState) String() string {
	if s.ready == "" {
		return "not reconciled yet"
	}
	return fmt.Sprintf("Ready=%s %s: %s", s.ready, s.reason, s.message)
}

// authFailure reports whether a source-controller message says the Git
// server refused the credentials (go-git's words for 401 and 403).
func authFailure(message string) bool {
	m := strings.ToLower(message)
	for _, s := range []string{"authentication required", "authorization failed", "401 unauthorized", "403 forbidden", "invalid credentials"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// short is a commit hash as people quote it.
func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
