package activities

import (
	"encoding/json"

	"gopkg.in/yaml.v3"

	"github.com/openova-io/core/crds/v1alpha1"
)

// PlatformSettings are the Settings page's fields of a Platform kept in
// Git that the page commits: the catalog index and the maintenance
// window. Its delivery and repository are where Flux applies it from;
// the page refuses to change them there.
type PlatformSettings struct {
	CatalogIndexURL string                      `json:",omitempty"`
	Window          *v1alpha1.MaintenanceWindow `json:",omitempty"`
	// CheckUpstreamCharts false removes the field (its default).
	CheckUpstreamCharts bool `json:",omitempty"`
}

// SetPlatformSettings sets the settings of the named Platform in a YAML
// file (an empty one removes its field), and the annotation saying who
// asked (v1alpha1.AnnotationActorSettings), as Direct mode's apply does.
// changed is false when the file already says so.
func SetPlatformSettings(file []byte, platform string, set PlatformSettings, actor string) ([]byte, bool, error) {
	var index, window, upstream *yaml.Node
	if set.CheckUpstreamCharts {
		upstream = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
	}
	if set.CatalogIndexURL != "" {
		index = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: set.CatalogIndexURL}
	}
	if set.Window != nil {
		js, err := json.Marshal(set.Window)
		if err != nil {
			return nil, false, err
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			return nil, false, err
		}
		window = &yaml.Node{}
		if err := window.Encode(m); err != nil {
			return nil, false, err
		}
	}
	return editPlatformDoc(file, platform, func(target *yaml.Node) (bool, error) {
		spec := mapping(target, "spec")
		a := setField(spec, "catalogIndexURL", index)
		b := setField(spec, "maintenanceWindow", window)
		c := setField(spec, "checkUpstreamCharts", upstream)
		if !a && !b && !c {
			return false, nil
		}
		setScalar(mapping(mapping(target, "metadata"), "annotations"), v1alpha1.AnnotationActorSettings, actor)
		return true, nil
	})
}
