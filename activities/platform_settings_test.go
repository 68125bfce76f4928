package activities

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/crds/v1alpha1"
)

// The Settings page's edit of a Platform kept in Git sets the catalog
// index and the maintenance window (or removes them), names the user in
// the settings' actor annotation, and keeps the rest of the file: the
// components with their values, the delivery and repository, the other
// document. What the file already says is no change.
func TestSetPlatformSettingsEditsThePlatformFile(t *testing.T) {
	window := &v1alpha1.MaintenanceWindow{Days: []string{"Saturday"}, Start: "02:00", TimeZone: "Europe/Berlin"}
	file := handedOver(t)
	before, docs := platformIn(t, file)

	set, changed, err := SetPlatformSettings(file, "acme", PlatformSettings{CatalogIndexURL: "https://catalog.example.com/index.yaml", Window: window, CheckUpstreamCharts: true}, "alice")
	require.NoError(t, err)
	require.True(t, changed)
	p, n := platformIn(t, set)
	require.Equal(t, docs, n, "the other document is kept")
	require.Equal(t, "https://catalog.example.com/index.yaml", p.Spec.CatalogIndexURL)
	require.Equal(t, window, p.Spec.MaintenanceWindow)
	require.True(t, p.Spec.CheckUpstreamCharts, "the upstream chart check is on")
	require.Equal(t, "alice", p.Annotations[v1alpha1.AnnotationActorSettings])
	require.Equal(t, before.Spec.Components, p.Spec.Components, "the components and their values are kept")
	require.Equal(t, before.Spec.Git, p.Spec.Git)
	require.Equal(t, before.Spec.Delivery, p.Spec.Delivery)

	again, changed, err := SetPlatformSettings(set, "acme", PlatformSettings{CatalogIndexURL: "https://catalog.example.com/index.yaml", Window: window, CheckUpstreamCharts: true}, "bob")
	require.NoError(t, err)
	require.False(t, changed, "what the file says already is no change")
	require.Equal(t, set, again)

	cleared, changed, err := SetPlatformSettings(set, "acme", PlatformSettings{}, "bob")
	require.NoError(t, err)
	require.True(t, changed)
	p, _ = platformIn(t, cleared)
	require.Empty(t, p.Spec.CatalogIndexURL)
	require.Nil(t, p.Spec.MaintenanceWindow)
	require.False(t, p.Spec.CheckUpstreamCharts)
	require.Equal(t, "bob", p.Annotations[v1alpha1.AnnotationActorSettings])

	_, _, err = SetPlatformSettings(file, "globex", PlatformSettings{}, "bob")
	require.ErrorContains(t, err, "no Platform named globex")
}
