package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/worker"
	"github.com/openova-io/core/workflows"
)

// startSelfCheck starts a SelfCheck on the bootstrap queue and returns its run.
func startSelfCheck(t testing.TB, c client.Client, id string, in workflows.SelfCheckInput) client.WorkflowRun {
	t.Helper()
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.SelfCheckID(id), TaskQueue: workflows.TaskQueueBootstrap,
	}, workflows.SelfCheckWorkflow, in)
	require.NoError(t, err)
	return run
}

func waitResult(t testing.TB, run client.WorkflowRun, timeout time.Duration) workflows.SelfCheckResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var res workflows.SelfCheckResult
	require.NoError(t, run.Get(ctx, &res), "workflow %s", run.GetID())
	return res
}

// The stock temporal CLI (built from source) works against a running
// `openova bootstrap`: namespace retention is at least 90 days, the search
// attributes exist, and workflows list and show.
func TestTemporalCLIAgainstBootstrap(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	p := startOpenova(t, "bootstrap", t.TempDir())
	c := p.client(t, "")
	res := waitResult(t, startSelfCheck(t, c, "cli", workflows.SelfCheckInput{}), time.Minute)
	require.Len(t, res.Receipts, 5)

	require.GreaterOrEqual(t, retentionOf(t, p.temporalAddr), worker.MinRetention)

	out, err := temporalCLI(t, "operator", "search-attribute", "list", "-n", "default", "--address", p.temporalAddr)
	require.NoError(t, err, out)
	for _, sa := range workflows.SearchAttributes() {
		require.Contains(t, out, sa.GetName())
	}

	out, err = temporalCLI(t, "workflow", "list", "--address", p.temporalAddr)
	require.NoError(t, err, out)
	require.Contains(t, out, workflows.SelfCheckID("cli"))
	require.Contains(t, out, "Completed")

	out, err = temporalCLI(t, "workflow", "show", "-w", workflows.SelfCheckID("cli"), "--address", p.temporalAddr)
	require.NoError(t, err, out)
	require.Contains(t, out, "WorkflowExecutionCompleted")
	require.Contains(t, out, "binary/encrypted", "results are encrypted for a reader without the codec endpoint")

	out, err = temporalCLI(t, "workflow", "query", "-w", workflows.SelfCheckID("cli"), "--type", workflows.QueryProgress, "--address", p.temporalAddr,
		"--codec-endpoint", "http://"+p.httpAddr+"/codec", "--codec-auth", "Bearer "+token(t, p))
	require.NoError(t, err, out)
	require.Contains(t, out, "succeeded")
}

// Probes and metrics: /healthz, /readyz, /metrics with SDK and process
// metrics; SIGTERM stops cleanly (exit 0) and SQLite is closed (no WAL left).
func TestProbesMetricsAndGracefulStop(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	p := startOpenova(t, "bootstrap", t.TempDir())
	waitResult(t, startSelfCheck(t, p.client(t, ""), "metrics", workflows.SelfCheckInput{Steps: 1}), time.Minute)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get("http://" + p.httpAddr + path)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		m := get(ct, "http://"+p.httpAddr+"/metrics")
		assert.Contains(ct, m, "openova_temporal_workflow_completed")
		assert.Contains(ct, m, "process_resident_memory_bytes")
	}, 30*time.Second, 500*time.Millisecond, "metrics lack SDK or process series")

	require.NoError(t, p.stop(), "exit after SIGTERM; log:\n%s", p.log())
	require.Contains(t, p.log(), `"msg":"stopped"`)
	// The stop says nothing alarming: the server's shutdown noise (its
	// own workers polling a frontend that stopped first) is debug.
	_, shutdown, ok := strings.Cut(p.log(), `"msg":"draining worker and stopping temporal"`)
	require.True(t, ok)
	require.NotContains(t, shutdown, `"level":"WARN"`, "no warning between SIGTERM and stopped")
	for _, db := range []string{"temporal.db", "temporal-visibility.db"} {
		_, err := os.Stat(filepath.Join(p.dataDir, db))
		require.NoError(t, err)
		wal, err := os.Stat(filepath.Join(p.dataDir, db+"-wal"))
		if err == nil {
			require.Zero(t, wal.Size(), "%s: WAL not checkpointed, the database was not closed cleanly", db)
		}
	}
}

// get GETs url; t may be a CollectT (in EventuallyWithT).
func get(t require.TestingT, url string) string {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func token(t testing.TB, p *proc) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dataDir, "codec.token"))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}

func TestVersion(t *testing.T) {
	code, stdout, stderr := run(t, nil, "version")
	require.Zero(t, code, stderr)
	for _, want := range []string{"openova ", "commit: ", "go: go1.", "temporal server: v1.32.1", "temporal sdk: v1.50.0"} {
		require.Contains(t, stdout, want)
	}
}

// The namespace's retention is re-checked on every start: one lowered to the
// dev server's 24 h by an operator is raised back to 90 days.
func TestRetentionRecheckedOnEveryStart(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	dataDir := t.TempDir()
	p := startOpenova(t, "bootstrap", dataDir)
	out, err := temporalCLI(t, "operator", "namespace", "update", "-n", "default", "--retention", "24h", "--address", p.temporalAddr)
	require.NoError(t, err, out)
	require.Equal(t, 24*time.Hour, retentionOf(t, p.temporalAddr))
	require.NoError(t, p.stop())

	p2 := startOpenova(t, "bootstrap", dataDir, "--temporal-listen", p.temporalAddr)
	require.Equal(t, worker.MinRetention, retentionOf(t, p2.temporalAddr))
	require.Contains(t, p2.log(), "raised namespace retention")
}

func retentionOf(t *testing.T, addr string) time.Duration {
	t.Helper()
	out, err := temporalCLI(t, "operator", "namespace", "describe", "-n", "default", "--address", addr, "-o", "json")
	require.NoError(t, err, out)
	var ns struct {
		Config struct {
			WorkflowExecutionRetentionTtl string `json:"workflowExecutionRetentionTtl"`
		} `json:"config"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &ns), out)
	d, err := time.ParseDuration(ns.Config.WorkflowExecutionRetentionTtl)
	require.NoError(t, err, out)
	return d
}
