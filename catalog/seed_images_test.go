package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// noImages lists the releases that truthfully run no container image, and
// why; every other release of the seed lists what its chart runs.
var noImages = map[string]string{
	"kserve-crd":   "a chart of CustomResourceDefinitions only: it runs no pod",
	"ai-hub":       "OpenOva's own meta-platform, defined but not yet released",
	"open-banking": "OpenOva's own meta-platform, defined but not yet released",
}

// Every release of the seed says which images it runs, each pinned to a
// tag (never latest), each with where it was read, none from the
// withdrawn docker.io/bitnami path; an image's tag names the release it
// belongs to wherever the chart pins its own image by the app version.
func TestSeedReleasesListTheirImages(t *testing.T) {
	for _, name := range Default().Names() {
		comp := Default().Components[name]
		for _, v := range comp.Versions {
			if why, ok := noImages[name]; ok {
				require.Empty(t, v.Images, "%s %s: %s", name, v.Version, why)
				continue
			}
			require.NotEmpty(t, v.Images, "%s %s lists no image", name, v.Version)
			for _, im := range v.Images {
				require.Empty(t, validateImage(im), "%s %s: %s", name, v.Version, im.Ref())
				require.NotEqual(t, "latest", im.Tag, "%s %s", name, v.Version)
				require.False(t, strings.HasPrefix(im.Registry+"/"+im.Repository, "docker.io/bitnami/"), "%s %s: %s", name, v.Version, im.Ref())
				require.NotNil(t, im.Source, "%s %s: %s", name, v.Version, im.Ref())
			}
			if v.Backup != nil {
				for _, ref := range specImages(v.Backup.Spec) {
					require.NotRegexp(t, `^(docker\.io/)?bitnami/|:latest$|^[^:]+$`, ref, "%s %s: the backup runs %s", name, v.Version, ref)
				}
			}
		}
	}
}

// specImages are the values of every "image" key in an object's spec.
func specImages(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "image" {
				out = append(out, s)
			}
			out = append(out, specImages(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, specImages(e)...)
		}
	}
	return out
}

// Every component of the seed installs on an empty platform: each
// requires (and each optional) names a component and a range the
// catalog can satisfy.
func TestSeedEveryComponentResolves(t *testing.T) {
	c := Default()
	for _, name := range c.Names() {
		comp := c.Components[name]
		var optional []string
		for _, d := range comp.Optional {
			optional = append(optional, d.Name)
		}
		plan, err := c.Resolve(nil, Request{Component: name, Optional: optional})
		require.NoError(t, err, name)
		require.Equal(t, name, plan.Requested().Name)
		for _, d := range append(comp.Requires, comp.Optional...) {
			s, ok := plan.Step(d.Name)
			require.True(t, ok, "%s → %s is in the plan", name, d.Name)
			require.NotEmpty(t, s.Version, "%s → %s", name, d.Name)
		}
	}
}

func TestSpecImages(t *testing.T) {
	spec := map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
		map[string]any{"name": "a", "image": "quay.io/x/y:1"}, map[string]any{"image": "docker.io/bitnami/z:2"}}}}}
	require.ElementsMatch(t, []string{"quay.io/x/y:1", "docker.io/bitnami/z:2"}, specImages(spec))
	require.Empty(t, specImages(nil))
}
