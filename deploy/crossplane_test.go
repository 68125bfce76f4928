package deploy_test

import (
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The Crossplane contract the manager relies on, as deploy/crossplane builds
// it: provider-helm pinned to a release that has the namespaced Release's
// spec.forProvider.namespace (v1.0.2) and status.atProvider.version (v1.3.0),
// and the Composition mirroring the deployed chart version, not the
// requested one, into the XR's status.installedVersion.
func TestCrossplaneContract(t *testing.T) {
	objs := build(t, "crossplane")

	provider := one(t, objs, "Provider", "provider-helm")
	pkg, _, _ := unstructured.NestedString(provider.Object, "spec", "package")
	repo, tag, ok := strings.Cut(pkg, ":")
	require.True(t, ok, "package %q is not pinned to a tag", pkg)
	require.Equal(t, "xpkg.crossplane.io/crossplane-contrib/provider-helm", repo)
	v, err := semver.NewVersion(tag)
	require.NoError(t, err, "package tag %q", tag)
	require.False(t, v.LessThan(semver.MustParse("1.3.0")), "provider-helm %s reports no deployed chart version", tag)

	comp := one(t, objs, "Composition", "componentreleases.platform.openova.io")
	steps, _, _ := unstructured.NestedSlice(comp.Object, "spec", "pipeline")
	require.Len(t, steps, 1)
	resources, _, _ := unstructured.NestedSlice(steps[0].(map[string]any), "input", "resources")
	require.Len(t, resources, 1)
	release := resources[0].(map[string]any)
	kind, _, _ := unstructured.NestedString(release, "base", "kind")
	api, _, _ := unstructured.NestedString(release, "base", "apiVersion")
	require.Equal(t, "helm.m.crossplane.io/v1beta1/Release", api+"/"+kind)
	from := map[string]string{}
	patches, _, _ := unstructured.NestedSlice(release, "patches")
	for _, p := range patches {
		m := p.(map[string]any)
		from[m["toFieldPath"].(string)] = m["fromFieldPath"].(string)
	}
	require.Equal(t, "status.atProvider.version", from["status.installedVersion"], "installedVersion is what Helm deployed")
	require.Equal(t, "spec.targetNamespace", from["spec.forProvider.namespace"])
}
