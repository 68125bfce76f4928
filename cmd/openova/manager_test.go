package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	kubeclient "github.com/openova-io/core/kube"
	"github.com/openova-io/core/workflows"
)

// `openova manager` against a real kube-apiserver + etcd (envtest, built
// from source by dev/dev.sh; the package's shared server, a namespace of
// the test's own): it finds the cluster, runs its worker on the manager
// task queue and its HTTP server.
func TestManagerRunsAgainstARealAPIServer(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	kube := kubeenv.Shared(t)
	p := startOpenova(t, "manager", t.TempDir(), "--kubeconfig", kube.Kubeconfig, "--namespace", kube.Namespace)
	require.Contains(t, p.log(), "kubernetes cluster reachable")
	c := p.client(t, "")
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.SelfCheckID("manager"), TaskQueue: workflows.TaskQueueManager,
	}, workflows.SelfCheckWorkflow, workflows.SelfCheckInput{Steps: 2})
	require.NoError(t, err)
	res := waitResult(t, run, time.Minute)
	require.Len(t, res.Receipts, 2)

	// The e2e tests share the API server and rely on this: a manager sees
	// only its --namespace, so the same Platform name in another namespace
	// (another test's) is none of its business.
	t.Run("keeps to its namespace", func(t *testing.T) {
		c, err := kubeclient.NewClient(kube.Config)
		require.NoError(t, err)
		other := kubeenv.Shared(t).Namespace
		// The other first: a manager that watched both would reconcile it
		// before its own.
		for _, ns := range []string{other, kube.Namespace} {
			require.NoError(t, c.Create(context.Background(), &v1alpha1.Platform{
				ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: ns},
				Spec: v1alpha1.PlatformSpec{Organization: v1alpha1.Organization{Name: "acme", Domain: "acme.io"},
					Regions: []v1alpha1.Region{{Name: "eu-central", Role: "primary"}}},
			}))
		}
		get := func(t require.TestingT, ns string) v1alpha1.Platform {
			var p v1alpha1.Platform
			require.NoError(t, c.Get(context.Background(), crclient.ObjectKey{Namespace: ns, Name: "acme"}, &p))
			return p
		}
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			assert.True(ct, meta.IsStatusConditionTrue(get(ct, kube.Namespace).Status.Conditions, v1alpha1.ConditionReady))
		}, time.Minute, 100*time.Millisecond, "the manager's own platform never got Ready")
		require.Empty(t, get(t, other).Status.Conditions, "the manager reconciled a platform outside its namespace")
	})
}
