package platforms

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// Settings are the parts of a Platform spec the Settings page edits; a
// zero field is cleared.
type Settings struct {
	IndexURL string
	Window   *v1alpha1.MaintenanceWindow
	Delivery string
	Git      *v1alpha1.GitRepository
	// CheckUpstream: spec.checkUpstreamCharts.
	CheckUpstream bool
}

// ApplySettings writes the settings with server-side apply under the UI's
// settings field manager, and removes the cleared ones with a merge patch
// (an apply cannot remove a field another manager, such as kubectl, set).
//
// A Platform kept in Git (v1alpha1.AnnotationGitFile) takes the catalog
// index and the maintenance window as a commit to its file instead, which
// Flux applies; its delivery and repository must stay the file's (Flux
// applies it from there), else it is refused.
func (s *Store) ApplySettings(ctx context.Context, platform string, set Settings, actor string) (Applied, error) {
	var p v1alpha1.Platform
	if err := s.writer.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: platform}, &p); err != nil {
		if apierrors.IsNotFound(err) {
			return Applied{}, ErrNotFound
		}
		return Applied{}, fmt.Errorf("read platform %s: %w", platform, err)
	}
	if _, ok := p.Annotations[v1alpha1.AnnotationGitFile]; ok {
		if set.Delivery != p.Spec.Delivery || !sameGit(set.Git, p.Spec.Git) {
			return Applied{}, fmt.Errorf("platform %s is kept in Git (%s): its delivery and repository are where Flux applies it from; change them in that file",
				platform, p.Annotations[v1alpha1.AnnotationGitFile])
		}
		return s.commit(ctx, &p, Edit{Settings: &EditSettings{IndexURL: set.IndexURL, Window: set.Window, CheckUpstream: set.CheckUpstream}}, "change the settings", actor)
	}
	return Applied{}, s.applySettings(ctx, platform, set, actor)
}

// sameGit says whether two repositories are the same for the settings.
func sameGit(a, b *v1alpha1.GitRepository) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// applySettings is Direct mode's: a server-side apply, then the clears.
func (s *Store) applySettings(ctx context.Context, platform string, set Settings, actor string) error {
	spec := map[string]any{"delivery": set.Delivery}
	var clear []string
	if set.IndexURL != "" {
		spec["catalogIndexURL"] = set.IndexURL
	} else {
		clear = append(clear, "catalogIndexURL")
	}
	if set.CheckUpstream {
		spec["checkUpstreamCharts"] = true
	} else {
		clear = append(clear, "checkUpstreamCharts")
	}
	if set.Window != nil {
		spec["maintenanceWindow"] = toMap(set.Window)
	} else {
		clear = append(clear, "maintenanceWindow")
	}
	if set.Git != nil {
		spec["git"] = toMap(set.Git)
	} else {
		clear = append(clear, "git")
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(), "kind": "Platform",
		"metadata": map[string]any{"name": platform, "namespace": s.namespace,
			"annotations": map[string]any{v1alpha1.AnnotationActorSettings: actor}},
		"spec": spec,
	}}
	owner := client.FieldOwner(v1alpha1.UIFieldManager("settings"))
	if err := s.writer.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), owner, client.ForceOwnership); err != nil {
		return fmt.Errorf("apply settings of platform %s: %w", platform, err)
	}
	nulls := map[string]any{}
	for _, f := range clear {
		nulls[f] = nil
	}
	patch, _ := json.Marshal(map[string]any{"spec": nulls})
	p := &v1alpha1.Platform{}
	p.Name, p.Namespace = platform, s.namespace
	if err := s.writer.Patch(ctx, p, client.RawPatch(types.MergePatchType, patch), owner); err != nil {
		return fmt.Errorf("clear settings of platform %s: %w", platform, err)
	}
	s.caughtUp(ctx, platform, p.Generation) // the patch's answer: the platform as it is now
	return nil
}

// toMap is v as the JSON object an apply carries.
func toMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}
