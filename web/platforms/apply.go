package platforms

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// Change is what the UI sets on one component's entry of the spec; zero
// fields keep what the entry has.
type Change struct {
	Component string
	// Enabled installs (true) or uninstalls (false) the component.
	Enabled *bool
	// Version moves the component to this version (an upgrade).
	Version string
	// Optional replaces the chosen optional dependencies.
	Optional []string
	// ConfirmForwardOnly accepts crossing a forward-only release.
	ConfirmForwardOnly bool
	// ConfirmUpstream accepts the risk of an upstream release not in the
	// catalog.
	ConfirmUpstream bool
	// UpgradeAt holds the version change until this time; with
	// ClearUpgradeAt, the entry's hold is removed.
	UpgradeAt      time.Time
	ClearUpgradeAt bool
}

// ApplyComponent writes the change with server-side apply under the UI's
// field manager for that component, with the signed-in user recorded
// beside it. The apply always carries the whole entry as the UI wants it
// (what it had, changed), so applying under the same manager again never
// drops a field the UI set before. A Platform that Flux applies from Git
// (v1alpha1.AnnotationGitFile) gets the same entry as a commit instead
// (commitEntry): Applied says where it went.
func (s *Store) ApplyComponent(ctx context.Context, platform string, ch Change, actor string) (Applied, error) {
	var p v1alpha1.Platform
	if err := s.writer.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: platform}, &p); err != nil {
		if apierrors.IsNotFound(err) {
			return Applied{}, ErrNotFound
		}
		return Applied{}, fmt.Errorf("read platform %s: %w", platform, err)
	}
	var cur v1alpha1.ComponentRef
	for _, c := range p.Spec.Components {
		if c.Name == ch.Component {
			cur = c
		}
	}
	entry := wantEntry(cur, ch)
	if _, ok := p.Annotations[v1alpha1.AnnotationGitFile]; ok {
		return s.commitEntry(ctx, &p, entry, describe(cur, ch), actor)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(), "kind": "Platform",
		"metadata": map[string]any{"name": platform, "namespace": s.namespace,
			"annotations": map[string]any{v1alpha1.AnnotationActorPrefix + ch.Component: actor}},
		"spec": map[string]any{"components": []any{toMap(entry)}},
	}}
	err := s.writer.Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(v1alpha1.UIFieldManager(ch.Component)), client.ForceOwnership)
	if err != nil {
		return Applied{}, fmt.Errorf("apply %s of platform %s: %w", ch.Component, platform, err)
	}
	s.caughtUp(ctx, platform, s.generationNow(ctx, platform))
	return Applied{}, nil
}

// wantEntry is the component's entry as the UI wants it: what it had,
// changed. Enabled is always set, so the entry says it either way.
func wantEntry(cur v1alpha1.ComponentRef, ch Change) v1alpha1.ComponentRef {
	enabled := cur.IsEnabled()
	if ch.Enabled != nil {
		enabled = *ch.Enabled
	}
	e := v1alpha1.ComponentRef{Name: ch.Component, Enabled: &enabled, Version: firstNonEmpty(ch.Version, cur.Version), Optional: cur.Optional}
	if ch.Optional != nil {
		e.Optional = ch.Optional
	}
	if len(e.Optional) == 0 {
		e.Optional = nil
	}
	e.ConfirmForwardOnly = ch.ConfirmForwardOnly || cur.ConfirmForwardOnly && ch.Version == ""
	e.ConfirmUpstream = ch.ConfirmUpstream || cur.ConfirmUpstream && ch.Version == ""
	switch {
	case !ch.UpgradeAt.IsZero():
		e.UpgradeAt = &metav1.Time{Time: ch.UpgradeAt.UTC().Truncate(time.Second)}
	case cur.UpgradeAt != nil && !ch.ClearUpgradeAt && ch.Version == "":
		e.UpgradeAt = &metav1.Time{Time: cur.UpgradeAt.UTC()}
	}
	return e
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// RetryComponent asks the reconciler to run the component's failed
// operation again (a rolled-back upgrade waits for this): it sets the
// retry annotation to the time of the request, with the user beside it.
// A merge patch of two annotations, so no field manager's spec entry
// changes and the platform's generation stays.
func (s *Store) RetryComponent(ctx context.Context, platform, component string, at time.Time, actor string) error {
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]any{
		v1alpha1.AnnotationRetryPrefix + component: at.UTC().Format(time.RFC3339),
		v1alpha1.AnnotationActorPrefix + component: actor,
	}}})
	p := &v1alpha1.Platform{}
	p.Name, p.Namespace = platform, s.namespace
	err := s.writer.Patch(ctx, p, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(v1alpha1.UIFieldManager(component)))
	if apierrors.IsNotFound(err) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("retry %s of platform %s: %w", component, platform, err)
	}
	return nil
}
