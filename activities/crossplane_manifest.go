package activities

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/crds/v1alpha1"
)

// ReleaseManifest builds the composite resource of a release; ApplyRelease
// applies it and GitOps mode commits it as YAML. It checks only what the API
// server cannot (names, values being a JSON object): the chart fields are
// validated by the XRD's schema. Its errors are non-retryable InvalidRelease
// application errors.
func ReleaseManifest(in ApplyReleaseInput) (*unstructured.Unstructured, error) {
	if in.Namespace == "" || in.Name == "" {
		return nil, invalidRelease(in, "namespace and name are required")
	}
	spec := map[string]any{}
	setIf(spec, "component", in.Component)
	setIf(spec, "platform", in.Platform)
	chart := map[string]any{}
	setIf(chart, "name", in.Chart)
	setIf(chart, "repository", in.Repository)
	setIf(chart, "version", in.Version)
	if len(chart) > 0 {
		spec["chart"] = chart
	}
	values, err := v1alpha1.DecodeValues(in.Values)
	if err != nil {
		return nil, invalidRelease(in, err.Error())
	}
	if values = mergeValues(in.Defaults, values); len(values) > 0 {
		spec["values"] = values
	}
	labels := map[string]any{}
	setIf(labels, LabelPlatform, in.Platform)
	setIf(labels, LabelComponent, in.Component)
	meta := map[string]any{"name": in.Name, "namespace": in.Namespace}
	if len(labels) > 0 {
		meta["labels"] = labels
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.ReleaseGVK.GroupVersion().String(),
		"kind":       v1alpha1.ReleaseKind,
		"metadata":   meta,
		"spec":       spec,
	}}, nil
}

// ReleaseYAML renders the release's composite resource as YAML. The output
// is deterministic (map keys sorted), so the same release always yields the
// same bytes and a Git commit of it is a no-op the second time.
func ReleaseYAML(in ApplyReleaseInput) ([]byte, error) {
	u, err := ReleaseManifest(in)
	if err != nil {
		return nil, err
	}
	out, err := yaml.Marshal(u.Object)
	if err != nil {
		return nil, fmt.Errorf("encode release %s: %w", in.Name, err)
	}
	return out, nil
}

func setIf(m map[string]any, key, value string) {
	if value != "" {
		m[key] = value
	}
}

func invalidRelease(in ApplyReleaseInput, msg string) error {
	return temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("release %s/%s: %s", in.Namespace, in.Name, msg), ErrInvalidRelease, nil)
}

// mergeValues is over merged onto base as Helm merges values files: maps
// key by key, any other value (lists included) replaced; a null in over
// removes the key, as `--set key=null` does. Neither input is changed.
func mergeValues(base, over map[string]any) map[string]any {
	if len(base) == 0 {
		return over
	}
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if v == nil {
			delete(out, k)
			continue
		}
		bm, bok := out[k].(map[string]any)
		om, ook := v.(map[string]any)
		if bok && ook {
			out[k] = mergeValues(bm, om)
			continue
		}
		out[k] = v
	}
	return out
}
