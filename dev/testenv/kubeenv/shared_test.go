package kubeenv

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Namespace names come from test names, which may hold anything a subtest
// name holds; the API server takes only DNS labels.
func TestNamespaceName(t *testing.T) {
	for _, tc := range []struct{ test, want string }{
		{"TestApplyRelease", "testapplyrelease-7"},
		{"TestLifecycleManager_TestPlaysCrossplane", "testlifecyclemanager-testplayscrossplane-7"},
		{"TestCRDValidation/zero_regions", "testcrdvalidation-zero-regions-7"},
		{"__", "t-7"},
		{"Test" + strings.Repeat("X", 80) + "/sub", strings.ToLower("Test"+strings.Repeat("X", 57)) + "-7"},
	} {
		t.Run(tc.test, func(t *testing.T) {
			got := namespaceName(tc.test, 7)
			require.Equal(t, tc.want, got)
			require.Empty(t, validation.IsDNS1123Label(got))
		})
	}
}
