package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// Crossplane writes and watches component releases: one Crossplane
// composite resource (XR) of kind ComponentRelease per installed component
// (deploy/crossplane). The XR is handled as unstructured data, so the
// manager needs no generated Go types for it; Crossplane's conditions are
// read with crossplane-runtime's types.
type Crossplane struct {
	Client client.Client
	// Changes, when set, wakes the wait activities as soon as a release
	// changes (ReleaseWatch); they then poll only as a fallback.
	Changes ReleaseChanges
	// Poll is the interval of the wait activities (default 2s, or 5s
	// with Changes).
	Poll time.Duration
	// FieldOwner is the server-side apply field manager (default openova-manager).
	FieldOwner string
}

// Defaults and the labels every release carries.
const (
	DefaultFieldOwner = "openova-manager"
	DefaultPoll       = 2 * time.Second
	// DefaultWatchedPoll is the fallback poll with Changes: well inside the
	// waits' heartbeat timeout (10s).
	DefaultWatchedPoll = 5 * time.Second

	LabelPlatform  = v1alpha1.LabelPlatform
	LabelComponent = v1alpha1.LabelComponent
)

func (c *Crossplane) owner() string {
	if c.FieldOwner == "" {
		return DefaultFieldOwner
	}
	return c.FieldOwner
}

func (c *Crossplane) poll() time.Duration {
	switch {
	case c.Poll > 0:
		return c.Poll
	case c.Changes != nil:
		return DefaultWatchedPoll
	default:
		return DefaultPoll
	}
}

// ApplyReleaseInput is the desired state of one component release.
type ApplyReleaseInput struct {
	Namespace  string
	Name       string
	Platform   string
	Component  string
	Chart      string
	Repository string
	Version    string
	// Values are the chart's Helm values as a JSON object; nil for none.
	Values json.RawMessage `json:",omitempty"`
	// Defaults are the catalog's values for the release; Values are merged
	// over them (mergeValues).
	Defaults map[string]any `json:",omitempty"`
}

// ApplyReleaseResult is the XR's generation after the apply: WaitReleaseReady
// waits for Crossplane to have observed at least this one.
type ApplyReleaseResult struct {
	Generation int64
}

// ApplyRelease server-side applies the release's composite resource (with
// forced ownership of the fields it sets), so running it again changes
// nothing. A release the API server rejects is a non-retryable InvalidRelease.
func (c *Crossplane) ApplyRelease(ctx context.Context, in ApplyReleaseInput) (ApplyReleaseResult, error) {
	u, err := ReleaseManifest(in)
	if err != nil {
		return ApplyReleaseResult{}, err
	}
	err = c.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(c.owner()), client.ForceOwnership)
	if apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) {
		return ApplyReleaseResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("release %s/%s rejected by the API server: %v", in.Namespace, in.Name, err), ErrInvalidRelease, nil)
	}
	if err != nil {
		return ApplyReleaseResult{}, fmt.Errorf("apply release %s/%s: %w", in.Namespace, in.Name, err)
	}
	return ApplyReleaseResult{Generation: u.GetGeneration()}, nil
}

// DeleteReleaseInput names a release.
type DeleteReleaseInput struct {
	Namespace string
	Name      string
}

// DeleteReleaseResult says whether the release existed when this call ran.
type DeleteReleaseResult struct {
	Deleted bool
}

// DeleteRelease deletes the composite resource in the foreground: it stays
// (with a deletion timestamp) until its composed Release, and so the Helm
// release, is gone, which is what WaitReleaseGone waits for. A release that
// is already gone is success.
func (c *Crossplane) DeleteRelease(ctx context.Context, in DeleteReleaseInput) (DeleteReleaseResult, error) {
	u := newRelease(in.Namespace, in.Name)
	err := c.Client.Delete(ctx, u, client.PropagationPolicy(metav1.DeletePropagationForeground))
	if apierrors.IsNotFound(err) {
		return DeleteReleaseResult{}, nil
	}
	if err != nil {
		return DeleteReleaseResult{}, fmt.Errorf("delete release %s/%s: %w", in.Namespace, in.Name, err)
	}
	return DeleteReleaseResult{Deleted: true}, nil
}

// ReadReleaseInput names a release.
type ReadReleaseInput struct {
	Namespace string
	Name      string
}

// ReadRelease reads a release's state; a missing release is Exists=false.
func (c *Crossplane) ReadRelease(ctx context.Context, in ReadReleaseInput) (v1alpha1.ReleaseState, error) {
	u, err := c.get(ctx, in.Namespace, in.Name)
	if err != nil {
		return v1alpha1.ReleaseState{}, err
	}
	return v1alpha1.ReleaseStateOf(u), nil
}

// get returns the XR, nil when it does not exist.
func (c *Crossplane) get(ctx context.Context, namespace, name string) (*unstructured.Unstructured, error) {
	u := newRelease(namespace, name)
	err := c.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, u)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read release %s/%s: %w", namespace, name, err)
	}
	return u, nil
}

func newRelease(namespace, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(v1alpha1.ReleaseGVK)
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}
