package activities

import (
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/kube"
)

// The tests share one API server (started by the first that asks) and
// each works in a namespace of its own.
func TestMain(m *testing.M) { kubeenv.Main(m) }

// kubeClient returns a typed client of the shared API server (with the
// openova CRDs) and the test's own namespace.
func kubeClient(t *testing.T) (client.Client, string) {
	t.Helper()
	env := kubeenv.Shared(t)
	cl, err := kube.NewClient(env.Config)
	require.NoError(t, err)
	return cl, env.Namespace
}
