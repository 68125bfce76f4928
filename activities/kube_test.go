package activities

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

// The tests share one API server (started by the first that asks) and
// each works in a namespace of its own.
func TestMain(m *testing.M) { kubeenv.Main(m) }

// kubeClient returns a typed client of the shared API server (with the
// openova CRDs) and the test's own namespace.
func kubeClient(t *testing.T) (client.Client, string) {
	t.Helper()
	env := kubeenv.Shared(t)
	scheme := runtime.NewScheme()
	require.NoError(t, clientgoscheme.AddToScheme(scheme))
	require.NoError(t, v1alpha1.AddToScheme(scheme))
	cl, err := client.New(env.Config, client.Options{Scheme: scheme})
	require.NoError(t, err)
	return cl, env.Namespace
}
