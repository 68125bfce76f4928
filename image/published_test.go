package image

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A release build names its published images by platform and digest;
// PublishedFor finds the nodes' one, finds none for a platform it does
// not name, and refuses an entry named by tag or malformed.
func TestPublishedFor(t *testing.T) {
	const amd = "ghcr.io/openova-io/openova@sha256:1111111111111111111111111111111111111111111111111111111111111111"
	const arm = "ghcr.io/openova-io/openova@sha256:2222222222222222222222222222222222222222222222222222222222222222"
	for _, tc := range []struct {
		name, published, arch, want, err string
	}{
		{"a development build", "", "arm64", "", ""},
		{"the nodes' platform", "linux/amd64=" + amd + ",linux/arm64=" + arm, "arm64", arm, ""},
		{"another platform only", "linux/amd64=" + amd, "arm64", "", ""},
		{"a tag", "linux/arm64=ghcr.io/openova-io/openova:v1.0.0", "arm64", "", "is not named by digest"},
		{"no platform", amd, "arm64", "", "is not <os>/<arch>=<repository>@sha256:<digest>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := Published
			t.Cleanup(func() { Published = old })
			Published = tc.published
			got, err := PublishedFor("linux", tc.arch)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
