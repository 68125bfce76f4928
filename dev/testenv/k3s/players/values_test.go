package players

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestValues: valuesContent with spec.values over it, key by key, as
// k3s's Helm job passes them to Helm.
func TestValues(t *testing.T) {
	hc := &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "gitea"}, "spec": map[string]any{
		"valuesContent": "gitea:\n  admin:\n    existingSecret: from-text\n    email: a@b\nreplicaCount: 1\n",
		"values":        map[string]any{"gitea": map[string]any{"admin": map[string]any{"existingSecret": "structured"}}},
	}}}
	v, err := Values(hc)
	require.NoError(t, err)
	require.Equal(t, "structured", str(v, "gitea", "admin", "existingSecret"))
	require.Equal(t, "a@b", str(v, "gitea", "admin", "email"))
	require.EqualValues(t, 1, lookup(v, "replicaCount"))

	hc.Object["spec"] = map[string]any{"valuesContent": "gitea: [\n"}
	_, err = Values(hc)
	require.ErrorContains(t, err, "valuesContent is not YAML")
}

// TestMountedSecret: the TLS Secret is the volume mounted where CERT_FILE
// is, as the bootstrap's Gitea values mount it.
func TestMountedSecret(t *testing.T) {
	v := map[string]any{
		"extraVolumes": []any{map[string]any{"name": "other", "secret": map[string]any{"secretName": "nope"}},
			map[string]any{"name": "gitea-tls", "secret": map[string]any{"secretName": "gitea-tls-secret"}}},
		"extraContainerVolumeMounts": []any{map[string]any{"name": "gitea-tls", "mountPath": "/etc/gitea-tls/"}},
	}
	require.Equal(t, "gitea-tls-secret", mountedSecret(v, "/etc/gitea-tls"))
	require.Empty(t, mountedSecret(v, "/elsewhere"))
}

// TestPackageModule: a crossplane-contrib package and the module it is
// built from; a reference of another shape must be named by the test.
func TestPackageModule(t *testing.T) {
	m, v, err := packageModule("xpkg.crossplane.io/crossplane-contrib/provider-helm:v1.3.0")
	require.NoError(t, err)
	require.Equal(t, "github.com/crossplane-contrib/provider-helm", m)
	require.Equal(t, "v1.3.0", v)
	_, _, err = packageModule("provider-helm")
	require.ErrorContains(t, err, "CrossplaneOptions.PackageCRDs")
	require.Equal(t, "github.com/!azure/x", escapeModule("github.com/Azure/x"))
}
