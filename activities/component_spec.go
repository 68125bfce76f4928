package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// ComponentSpec is what a Component's spec says is released, in the shape
// workflow payloads carry it: the payloads that write a spec (UpsertComponent,
// ReleaseComponent) and the one that records it for a rollback
// (ReadComponent) embed it, so the fields are declared once. The platform is
// left out: it says where, not what, and the embedding types carry it beside
// their other identity fields. Embedding keeps the payloads' JSON flat, with
// the field names recorded histories hold, so add fields, never rename them.
type ComponentSpec struct {
	// Version is the software version (v1alpha1.ComponentSpec.Version).
	Version string
	// ChartVersion is the Helm chart version that ships it (empty: the
	// catalog rule, catalog.ChartVersionOf).
	ChartVersion string `json:",omitempty"`
	Chart        string
	Repository   string
	Category     string
	Dependencies []string `json:",omitempty"`
	// Values are the chart's Helm values as a JSON object; nil for none.
	Values json.RawMessage `json:",omitempty"`
}

// componentSpecOf is the payload form of a Component's spec.
func componentSpecOf(s v1alpha1.ComponentSpec) ComponentSpec {
	out := ComponentSpec{Version: s.Version, ChartVersion: s.ChartVersion, Chart: s.Chart, Repository: s.Repository,
		Category: s.Category, Dependencies: s.Dependencies}
	if s.Values != nil {
		out.Values = json.RawMessage(s.Values.Raw)
	}
	return out
}

// componentApply is the part of a Component that one server-side apply
// owns. Each field owner applies only its own fields (the spec, one
// annotation), so the one builder below is what keeps them from dropping
// each other's.
type componentApply struct {
	Namespace, Name string
	// ResourceVersion, when set, makes the apply conditional on what was read.
	ResourceVersion string
	Annotations     map[string]string
	// Platform and Spec, when Spec is set, are the spec and the labels the
	// controllers select Components by.
	Platform string
	Spec     *ComponentSpec
}

// object builds the apply's unstructured Component. The values decode
// through v1alpha1.DecodeValues, as the composite resource's do, so both
// carry the same numbers.
func (c componentApply) object() (*unstructured.Unstructured, error) {
	meta := map[string]any{"name": c.Name, "namespace": c.Namespace}
	if c.ResourceVersion != "" {
		meta["resourceVersion"] = c.ResourceVersion
	}
	if len(c.Annotations) > 0 {
		ann := make(map[string]any, len(c.Annotations))
		for k, v := range c.Annotations {
			ann[k] = v
		}
		meta["annotations"] = ann
	}
	obj := map[string]any{"apiVersion": v1alpha1.GroupVersion.String(), "kind": "Component", "metadata": meta}
	if c.Spec != nil {
		meta["labels"] = map[string]any{v1alpha1.LabelPlatform: c.Platform, v1alpha1.LabelComponent: c.Name}
		spec, err := componentSpecObject(c.Platform, *c.Spec)
		if err != nil {
			return nil, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("component %s/%s: %v", c.Namespace, c.Name, err), ErrInvalidComponent, nil)
		}
		obj["spec"] = spec
	}
	return &unstructured.Unstructured{Object: obj}, nil
}

// componentSpecObject is the unstructured v1alpha1.ComponentSpec; the
// required fields are always set, so the API server's validation, not a
// missing field, says what is wrong.
func componentSpecObject(platform string, s ComponentSpec) (map[string]any, error) {
	spec := map[string]any{"platform": platform, "chart": s.Chart, "version": s.Version}
	setIf(spec, "chartVersion", s.ChartVersion)
	setIf(spec, "repository", s.Repository)
	setIf(spec, "category", s.Category)
	if len(s.Dependencies) > 0 {
		deps := make([]any, len(s.Dependencies))
		for i, d := range s.Dependencies {
			deps[i] = d
		}
		spec["dependencies"] = deps
	}
	values, err := v1alpha1.DecodeValues(s.Values)
	if err != nil {
		return nil, err
	}
	if values != nil {
		spec["values"] = values
	}
	return spec, nil
}

// applyComponent server-side applies c under the field owner, taking over
// the fields c sets. Values the builder refuses come back as the
// non-retryable InvalidComponent application error; the API server's error
// comes back unwrapped, for the caller to classify (invalid, conflict) and
// wrap.
func (k *Kubernetes) applyComponent(ctx context.Context, owner string, c componentApply) error {
	u, err := c.object()
	if err != nil {
		return err
	}
	return k.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(owner), client.ForceOwnership)
}
