package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/workflows"
)

// `openova manager` against a real kube-apiserver + etcd (envtest, built
// from source by dev/dev.sh): it finds the cluster, runs its worker on the
// manager task queue and its HTTP server.
func TestManagerRunsAgainstARealAPIServer(t *testing.T) {
	testenv.Bin(t, "kube-apiserver")
	testenv.Bin(t, "etcd")
	env := &envtest.Environment{BinaryAssetsDirectory: filepath.Dir(testenv.Bin(t, "kube-apiserver")), ControlPlaneStartTimeout: time.Minute}
	_, err := env.Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = env.Stop() })
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, env.KubeConfig, 0o600))

	p := startOpenova(t, "manager", t.TempDir(), "--kubeconfig", kubeconfig)
	require.Contains(t, p.log(), "kubernetes cluster reachable")
	c := p.client(t, "")
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.SelfCheckID("manager"), TaskQueue: workflows.TaskQueueManager,
	}, workflows.SelfCheckWorkflow, workflows.SelfCheckInput{Steps: 2})
	require.NoError(t, err)
	res := waitResult(t, run, time.Minute)
	require.Len(t, res.Receipts, 2)
}
