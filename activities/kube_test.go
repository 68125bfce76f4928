package activities

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/controller-runtime/pkg/client"

	giteaenv "github.com/openova-io/core/dev/testenv/gitea"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/kube"
)

// The tests share one API server and two Gitea servers (each started by
// the first test that asks, stopped here) and each works in a namespace
// or organization of its own.
func TestMain(m *testing.M) { os.Exit(giteaenv.Run(m, kubeenv.Run)) }

// kubeClient returns a typed client of the shared API server (with the
// openova CRDs) and the test's own namespace.
func kubeClient(t *testing.T) (client.Client, string) {
	t.Helper()
	env := kubeenv.Shared(t)
	cl, err := kube.NewClient(env.Config)
	require.NoError(t, err)
	return cl, env.Namespace
}
