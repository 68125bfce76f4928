package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/worker/embedded"
	"github.com/openova-io/core/workflows"
)

// With --temporal-listen on every interface, the frontend requires a client
// certificate of the CA openova generated in the data dir: a client
// without one (or with another CA's) is refused, the stock temporal CLI
// with the operator's pair lists workflows, and openova's own worker, and
// the server's system worker that fires schedules, run workflows.
func TestTemporalOffLoopbackNeedsClientCertificates(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	dataDir := t.TempDir()
	p, _ := startOpenovaListening(t, dataDir, engineListen{host: "0.0.0.0"})
	require.Contains(t, p.log(), "temporal frontend requires client certificates")
	for _, f := range []string{embedded.CAFile, "ca-key.pem", embedded.ServerCertFile, "server-key.pem",
		embedded.OpenovaCertFile, embedded.OpenovaKeyFile, embedded.OperatorCertFile, embedded.OperatorKeyFile} {
		st, err := os.Stat(pkiPath(p, f))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
	}

	other := filepath.Join(t.TempDir(), embedded.PKIDir)
	_, _, err := embedded.EnsurePKI(other, "0.0.0.0", time.Now())
	require.NoError(t, err)
	refused := []struct {
		name      string
		cert, key string
		plain     bool
	}{
		{name: "no TLS", plain: true},
		{name: "TLS without a certificate"},
		{name: "a certificate of another CA", cert: filepath.Join(other, embedded.OperatorCertFile), key: filepath.Join(other, embedded.OperatorKeyFile)},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.plain {
				var c client.Client
				c, err = client.Dial(client.Options{HostPort: p.temporalAddr, Namespace: "default"})
				if err == nil {
					defer c.Close()
				}
			} else {
				_, err = certClient(t, p, tc.cert, tc.key)
			}
			require.Error(t, err)
		})
	}
	out, err := temporalCLI(t, "workflow", "list", "--address", p.temporalAddr)
	require.Error(t, err, "the CLI without a certificate is refused: %s", out)

	c := operatorClient(t, p)
	res := waitResult(t, startSelfCheck(t, c, "mtls", workflows.SelfCheckInput{Steps: 1}), time.Minute)
	require.Len(t, res.Receipts, 1)

	ctx := context.Background()
	const scheduled = "selfcheck/scheduled-mtls"
	h, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: "mtls", Spec: client.ScheduleSpec{},
		Action: &client.ScheduleWorkflowAction{ID: scheduled, Workflow: workflows.SelfCheckWorkflow,
			TaskQueue: workflows.TaskQueueBootstrap, Args: []any{workflows.SelfCheckInput{Steps: 1}}},
		TriggerImmediately: true})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		d, err := h.Describe(ctx)
		require.NoError(ct, err)
		require.NotEmpty(ct, d.Info.RecentActions, "the system worker has not started the scheduled run")
		run := d.Info.RecentActions[0].StartWorkflowResult
		desc, err := c.DescribeWorkflowExecution(ctx, run.WorkflowID, run.FirstExecutionRunID)
		require.NoError(ct, err)
		assert.Equal(ct, "Completed", desc.GetWorkflowExecutionInfo().GetStatus().String())
	}, 2*time.Minute, 200*time.Millisecond, "the scheduled self-check did not complete")

	out, err = temporalCLI(t, "workflow", "list", "--address", p.temporalAddr,
		"--tls-cert-path", pkiPath(p, embedded.OperatorCertFile), "--tls-key-path", pkiPath(p, embedded.OperatorKeyFile),
		"--tls-ca-path", pkiPath(p, embedded.CAFile), "--tls-server-name", embedded.ServerName)
	require.NoError(t, err, out)
	require.Contains(t, out, workflows.SelfCheckID("mtls"))
	require.Contains(t, out, scheduled)

	// A restart keeps the operator's files: what was handed out stays valid.
	cert, err := os.ReadFile(pkiPath(p, embedded.OperatorCertFile))
	require.NoError(t, err)
	require.NoError(t, p.stop())
	p2, _ := startOpenovaListening(t, dataDir, engineListen{host: "0.0.0.0"})
	again, err := os.ReadFile(pkiPath(p2, embedded.OperatorCertFile))
	require.NoError(t, err)
	require.Equal(t, string(cert), string(again))
	_, err = operatorClient(t, p2).DescribeWorkflowExecution(ctx, workflows.SelfCheckID("mtls"), "")
	require.NoError(t, err)
}
