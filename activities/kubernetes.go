package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// Kubernetes writes the manager's own resources for workflows: Component
// specs (controllers own their status) and Events on the Platform, which is
// where `kubectl describe platform` shows what the manager did.
type Kubernetes struct {
	Client client.Client
	// FieldOwner is the server-side apply field manager (default openova-manager).
	FieldOwner string
	// Poll is how often a wait looks again (2 s when 0).
	Poll time.Duration
}

func (k *Kubernetes) poll() time.Duration {
	if k.Poll <= 0 {
		return 2 * time.Second
	}
	return k.Poll
}

func (k *Kubernetes) owner() string {
	if k.FieldOwner == "" {
		return DefaultFieldOwner
	}
	return k.FieldOwner
}

// UpsertComponentInput is the spec of one Component resource.
type UpsertComponentInput struct {
	Namespace string
	Platform  string
	Name      string
	ComponentSpec
}

// UpsertComponentResult is the Component's generation after the apply.
type UpsertComponentResult struct {
	Generation int64
}

// UpsertComponent server-side applies the Component's spec, so running it
// again changes nothing.
func (k *Kubernetes) UpsertComponent(ctx context.Context, in UpsertComponentInput) (UpsertComponentResult, error) {
	err := k.applyComponent(ctx, k.owner(), componentApply{
		Namespace: in.Namespace, Name: in.Name, Platform: in.Platform, Spec: &in.ComponentSpec,
	})
	var refused *temporal.ApplicationError
	switch {
	case errors.As(err, &refused): // values the builder refused
		return UpsertComponentResult{}, err
	case apierrors.IsInvalid(err):
		return UpsertComponentResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("component %s rejected by the API server: %v", in.Name, err), ErrInvalidComponent, nil)
	case err != nil:
		return UpsertComponentResult{}, fmt.Errorf("apply component %s/%s: %w", in.Namespace, in.Name, err)
	}
	var c v1alpha1.Component
	if err := k.Client.Get(ctx, client.ObjectKey{Namespace: in.Namespace, Name: in.Name}, &c); err != nil {
		return UpsertComponentResult{}, fmt.Errorf("read component %s/%s: %w", in.Namespace, in.Name, err)
	}
	return UpsertComponentResult{Generation: c.Generation}, nil
}

// DeleteComponentInput names a Component resource.
type DeleteComponentInput struct {
	Namespace string
	Name      string
}

// DeleteComponentResult says whether this call deleted it.
type DeleteComponentResult struct {
	Deleted bool
}

// DeleteComponent deletes the Component; one already gone is success.
func (k *Kubernetes) DeleteComponent(ctx context.Context, in DeleteComponentInput) (DeleteComponentResult, error) {
	c := &v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Namespace: in.Namespace, Name: in.Name}}
	err := k.Client.Delete(ctx, c)
	if apierrors.IsNotFound(err) {
		return DeleteComponentResult{}, nil
	}
	if err != nil {
		return DeleteComponentResult{}, fmt.Errorf("delete component %s/%s: %w", in.Namespace, in.Name, err)
	}
	return DeleteComponentResult{Deleted: true}, nil
}

// RecordEventInput is one Event on a Platform.
type RecordEventInput struct {
	Namespace string
	Platform  string
	Warning   bool
	Reason    string
	Message   string
}

// RecordEventResult names the Event.
type RecordEventResult struct {
	Name string
}

// RecordEvent creates an Event on the Platform. Its name derives from the
// workflow run and activity ID, so a retried activity finds its own Event
// instead of creating a second one.
func (k *Kubernetes) RecordEvent(ctx context.Context, in RecordEventInput) (RecordEventResult, error) {
	info := activity.GetInfo(ctx)
	sum := sha256.Sum256([]byte(info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID + "/" + info.ActivityID))
	name := fmt.Sprintf("%s.%s", in.Platform, hex.EncodeToString(sum[:8]))
	var p v1alpha1.Platform
	if err := k.Client.Get(ctx, client.ObjectKey{Namespace: in.Namespace, Name: in.Platform}, &p); err != nil {
		if apierrors.IsNotFound(err) {
			return RecordEventResult{}, nil // nothing to attach it to
		}
		return RecordEventResult{}, fmt.Errorf("read platform %s/%s: %w", in.Namespace, in.Platform, err)
	}
	typ := corev1.EventTypeNormal
	if in.Warning {
		typ = corev1.EventTypeWarning
	}
	now := metav1.Now()
	ev := &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: in.Namespace},
		InvolvedObject: corev1.ObjectReference{
			APIVersion: v1alpha1.GroupVersion.String(), Kind: "Platform",
			Name: p.Name, Namespace: p.Namespace, UID: p.UID,
		},
		Reason: in.Reason, Message: in.Message, Type: typ,
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
		Source: corev1.EventSource{Component: DefaultFieldOwner},
	}
	if err := k.Client.Create(ctx, ev); err != nil && !apierrors.IsAlreadyExists(err) {
		return RecordEventResult{}, fmt.Errorf("record event %s: %w", in.Reason, err)
	}
	return RecordEventResult{Name: name}, nil
}
