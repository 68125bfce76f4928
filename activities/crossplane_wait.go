package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/openova-io/core/crds/v1alpha1"
)

// WaitReleaseReadyInput asks to wait until Crossplane reports a release Synced and Ready.
type WaitReleaseReadyInput struct {
	Namespace string
	Name      string
	// Deadline is absolute (computed by the workflow, so a retried attempt
	// does not restart the clock).
	Deadline time.Time
	// MinGeneration is the XR generation the conditions must have observed
	// (from ApplyRelease); 0 accepts any.
	MinGeneration int64 `json:",omitempty"`
	// ChartVersion, when set, must also be the chart version Crossplane
	// reports deployed (status.installedVersion, from provider-helm's
	// status.atProvider.version): Ready with the previous chart still
	// deployed is not this release.
	ChartVersion string `json:",omitempty"`
}

// WaitReleaseReadyResult is the ready release.
type WaitReleaseReadyResult struct {
	Endpoints        []v1alpha1.Endpoint `json:",omitempty"`
	InstalledVersion string              `json:",omitempty"`
	Generation       int64
}

// WaitReleaseReady polls the XR until Synced=True and Ready=True, both
// computed for at least MinGeneration (when the condition reports its
// observedGeneration), heartbeating the current reasons on each poll. Past
// the deadline it fails with a non-retryable ReleaseNotReady naming the
// component and the last Synced/Ready reason and message. A missing XR
// before the deadline is a retryable ReleaseMissing error.
func (c *Crossplane) WaitReleaseReady(ctx context.Context, in WaitReleaseReadyInput) (WaitReleaseReadyResult, error) {
	var state v1alpha1.ReleaseState
	var component string
	err := c.waitFor(ctx, in.Namespace, in.Name, in.Deadline, func(ctx context.Context) (bool, string, error) {
		u, err := c.get(ctx, in.Namespace, in.Name)
		if err != nil {
			return false, "", err
		}
		if u == nil {
			if !time.Now().Before(in.Deadline) {
				return false, "release does not exist", nil
			}
			return false, "", temporal.NewApplicationError(
				fmt.Sprintf("release %s/%s does not exist (yet)", in.Namespace, in.Name), ErrReleaseMissing)
		}
		component = componentOf(u)
		state = v1alpha1.ReleaseStateOf(u)
		ready := releaseReady(state, in.MinGeneration)
		desc := describeState(state, in.MinGeneration)
		if ready && in.ChartVersion != "" && state.Version != in.ChartVersion {
			ready, desc = false, v1alpha1.ChartNotDeployed(state.Version, in.ChartVersion)
		}
		return ready, desc, nil
	})
	var dl *deadlineError
	if errors.As(err, &dl) {
		if component == "" {
			component = in.Name
		}
		return WaitReleaseReadyResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%s not Ready by %s: %s", component, clock(in.Deadline), dl.last), ErrReleaseNotReady, nil)
	}
	if err != nil {
		return WaitReleaseReadyResult{}, err
	}
	return WaitReleaseReadyResult{Endpoints: state.Endpoints, InstalledVersion: state.Version, Generation: state.Generation}, nil
}

// WaitReleaseExistsInput asks to wait until a release's XR exists (GitOps
// mode: Flux applies what the manager committed).
type WaitReleaseExistsInput struct {
	Namespace string
	Name      string
	Deadline  time.Time
}

// WaitReleaseExistsResult is the XR's generation once it exists.
type WaitReleaseExistsResult struct {
	Generation int64
}

// WaitReleaseExists polls until the XR exists; past the deadline it fails
// with a non-retryable ReleaseNotApplied.
func (c *Crossplane) WaitReleaseExists(ctx context.Context, in WaitReleaseExistsInput) (WaitReleaseExistsResult, error) {
	var gen int64
	err := c.waitFor(ctx, in.Namespace, in.Name, in.Deadline, func(ctx context.Context) (bool, string, error) {
		u, err := c.get(ctx, in.Namespace, in.Name)
		if err != nil || u == nil {
			return false, "release does not exist", err
		}
		gen = u.GetGeneration()
		return true, "", nil
	})
	var dl *deadlineError
	if errors.As(err, &dl) {
		return WaitReleaseExistsResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%s not applied by %s: no %s %s/%s in the cluster (is Flux applying the platform repository?)",
				in.Name, clock(in.Deadline), v1alpha1.ReleaseKind, in.Namespace, in.Name), ErrReleaseNotApplied, nil)
	}
	if err != nil {
		return WaitReleaseExistsResult{}, err
	}
	return WaitReleaseExistsResult{Generation: gen}, nil
}

// WaitReleaseGoneInput asks to wait until a deleted release's XR is gone.
type WaitReleaseGoneInput struct {
	Namespace string
	Name      string
	Deadline  time.Time
}

// WaitReleaseGoneResult is empty: the release is gone.
type WaitReleaseGoneResult struct{}

// WaitReleaseGone polls until the XR no longer exists; past the deadline it
// fails with a non-retryable ReleaseNotGone that names what holds it
// (finalizers, conditions).
func (c *Crossplane) WaitReleaseGone(ctx context.Context, in WaitReleaseGoneInput) (WaitReleaseGoneResult, error) {
	component := in.Name
	err := c.waitFor(ctx, in.Namespace, in.Name, in.Deadline, func(ctx context.Context) (bool, string, error) {
		u, err := c.get(ctx, in.Namespace, in.Name)
		if err != nil || u == nil {
			return u == nil && err == nil, "", err
		}
		component = componentOf(u)
		status := "not being deleted"
		if ts := u.GetDeletionTimestamp(); ts != nil {
			status = "deleting since " + clock(ts.Time)
		}
		if f := u.GetFinalizers(); len(f) > 0 {
			status += ", finalizers " + strings.Join(f, ", ")
		}
		return false, status + "; " + describeState(v1alpha1.ReleaseStateOf(u), 0), nil
	})
	var dl *deadlineError
	if errors.As(err, &dl) {
		return WaitReleaseGoneResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%s not gone by %s: %s", component, clock(in.Deadline), dl.last), ErrReleaseNotGone, nil)
	}
	return WaitReleaseGoneResult{}, err
}

// deadlineError is what waitFor returns when the deadline passed; last is
// the state seen last.
type deadlineError struct{ last string }

func (e *deadlineError) Error() string { return "deadline passed: " + e.last }

// waitFor runs check until it says done, returns an error, the deadline
// passes (a *deadlineError) or the activity is cancelled (ctx.Err()). It
// checks again when the release changes (with Changes) or every poll
// interval, heartbeating the state check reports. check runs at least once,
// even past the deadline, so a finished release is never failed.
func (c *Crossplane) waitFor(ctx context.Context, ns, name string, deadline time.Time, check func(context.Context) (bool, string, error)) error {
	var changed <-chan struct{}
	if c.Changes != nil {
		// Subscribed before the first check: a change between a check and
		// the wait below is not missed.
		ch, stop := c.Changes.Subscribe(ns, name)
		defer stop()
		changed = ch
	}
	for {
		done, state, err := check(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if done {
			return nil
		}
		activity.RecordHeartbeat(ctx, state)
		wait := time.Until(deadline)
		if wait <= 0 {
			return &deadlineError{last: state}
		}
		wait = min(wait, c.poll())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed:
			t.Stop()
		case <-t.C:
		}
	}
}

// releaseReady: Synced and Ready are True and computed for minGen or later.
func releaseReady(s v1alpha1.ReleaseState, minGen int64) bool {
	return s.Exists && conditionOK(s.Synced, minGen) && conditionOK(s.Ready, minGen)
}

func conditionOK(c v1alpha1.ConditionSummary, minGen int64) bool {
	return c.Status == string(metav1.ConditionTrue) && !stale(c, minGen)
}

func stale(c v1alpha1.ConditionSummary, minGen int64) bool {
	return c.ObservedGeneration != 0 && c.ObservedGeneration < minGen
}

// describeState says what is not yet right, worst first, e.g.
// "Ready=False ReconcileError: boom; Synced=True ReconcileSuccess".
func describeState(s v1alpha1.ReleaseState, minGen int64) string {
	if !s.Exists {
		return "release does not exist"
	}
	var bad, good []string
	for _, c := range []struct {
		name string
		cond v1alpha1.ConditionSummary
	}{{"Ready", s.Ready}, {"Synced", s.Synced}} {
		d := c.name + "=" + c.cond.Status
		if c.cond.Reason != "" {
			d += " " + c.cond.Reason
		}
		if c.cond.Message != "" {
			d += ": " + c.cond.Message
		}
		if stale(c.cond, minGen) {
			d += fmt.Sprintf(" (for generation %d, waiting for %d)", c.cond.ObservedGeneration, minGen)
		}
		if conditionOK(c.cond, minGen) {
			good = append(good, d)
		} else {
			bad = append(bad, d)
		}
	}
	return strings.Join(append(bad, good...), "; ")
}

// componentOf names the component of an XR for messages.
func componentOf(u *unstructured.Unstructured) string {
	if c, _, _ := unstructured.NestedString(u.Object, "spec", "component"); c != "" {
		return c
	}
	if c := u.GetLabels()[LabelComponent]; c != "" {
		return c
	}
	return u.GetName()
}

// clock formats a deadline for a message: time of day in UTC.
func clock(t time.Time) string {
	return t.UTC().Format("15:04:05 UTC")
}
