package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/workflows"
)

// `openova manager` against a real kube-apiserver + etcd (envtest, built
// from source by dev/dev.sh; the package's shared server, a namespace of
// the test's own): it finds the cluster, runs its worker on the manager
// task queue and its HTTP server.
func TestManagerRunsAgainstARealAPIServer(t *testing.T) {
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
}
