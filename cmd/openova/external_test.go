package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/workflows"
)

// With --temporal-address pointing at a separately started Temporal server
// process (the Temporal CLI's dev server, built from source), the same
// workflows run there and nothing is embedded.
func TestExternalTemporalServer(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	addr, dev := startDevServer(t, true)
	dataDir := t.TempDir()
	p := startOpenova(t, "bootstrap", dataDir, "--temporal-address", addr)
	res := waitResult(t, startSelfCheck(t, p.client(t, addr), "external", workflows.SelfCheckInput{}), time.Minute)
	require.Len(t, res.Receipts, 5)

	_, err := os.Stat(filepath.Join(dataDir, "temporal.db"))
	require.True(t, os.IsNotExist(err), "no embedded database may be created")
	require.NotContains(t, p.log(), "starting embedded temporal server")
	require.Contains(t, p.log(), "namespace retention is shorter than the audit log needs", "the dev server's 24h retention is reported")

	out, err := temporalCLI(t, "workflow", "describe", "-w", workflows.SelfCheckID("external"), "--address", addr)
	require.NoError(t, err, out)
	require.Contains(t, out, "COMPLETED")

	// Readiness follows the external server: gone, and openova says so.
	require.NoError(t, dev.Kill())
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		resp, err := http.Get("http://" + p.httpAddr + "/readyz")
		require.NoError(ct, err)
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		assert.Equal(ct, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Contains(ct, string(b), "temporal is not answering")
	}, 30*time.Second, 200*time.Millisecond, "/readyz does not say Temporal is gone")
}

// startDevServer runs `temporal server start-dev`, with a file database or in
// memory, and returns its frontend address and process once it answers.
func startDevServer(t testing.TB, file bool) (string, *os.Process) {
	t.Helper()
	bin := testenv.Bin(t, "temporal")
	port := testenv.FreePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", strconv.Itoa(port),
		"--http-port", strconv.Itoa(testenv.FreePort(t)), "--metrics-port", strconv.Itoa(testenv.FreePort(t)), "--log-level", "error"}
	if file {
		args = append(args, "--db-filename", filepath.Join(t.TempDir(), "dev.db"))
	}
	cmd := exec.Command(bin, args...)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		c, err := client.DialContext(ctx, client.Options{HostPort: addr})
		require.NoError(ct, err)
		defer c.Close()
		_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
		assert.NoError(ct, err)
	}, time.Minute, 200*time.Millisecond, "temporal dev server did not start")
	return addr, cmd.Process
}
