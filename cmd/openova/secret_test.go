package main

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/workflows"
)

// A canary secret in a workflow input and in an activity's error message
// never appears in the SQLite files, the logs or the CLI's output; with the
// codec endpoint and its token it decodes, and without the token the endpoint
// refuses.
func TestCanarySecretNeverInPlainText(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	const canary = "CANARY-5f3e1c9a-do-not-leak"
	p := startOpenova(t, "bootstrap", t.TempDir())
	c := p.client(t, "")
	res := waitResult(t, startSelfCheck(t, c, "canary", workflows.SelfCheckInput{
		Steps: 2, Note: canary, FailFirstAttempt: true,
	}), 2*time.Minute)
	require.Len(t, res.Receipts, 2)
	require.Equal(t, int32(2), res.Receipts[0].Attempt, "the first attempt failed with the canary in its message")

	id := workflows.SelfCheckID("canary")
	plain, err := temporalCLI(t, "workflow", "show", "-w", id, "--address", p.temporalAddr, "-o", "json")
	require.NoError(t, err, plain)
	require.NotContains(t, withPayloads(t, plain), canary, "CLI output without the codec endpoint")
	desc, err := temporalCLI(t, "workflow", "describe", "-w", id, "--address", p.temporalAddr, "-o", "json")
	require.NoError(t, err, desc)
	require.NotContains(t, withPayloads(t, desc), canary)

	decoded, err := temporalCLI(t, "workflow", "show", "-w", id, "--address", p.temporalAddr, "-o", "json",
		"--codec-endpoint", "http://"+p.httpAddr+"/codec", "--codec-auth", "Bearer "+token(t, p))
	require.NoError(t, err, decoded)
	decoded = withPayloads(t, decoded)
	require.Contains(t, decoded, canary, "the codec endpoint decodes for holders of the token")
	require.Contains(t, decoded, "injected failure for", "the failure message decodes too")

	req, err := http.NewRequest(http.MethodPost, "http://"+p.httpAddr+"/codec/decode", strings.NewReader(`{"payloads":[]}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer wrong-token-wrong-token")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// The database and its WAL while running, then again after a clean stop.
	assertNoCanaryInFiles(t, canary, p.dataDir)
	log := p.log()
	require.NotContains(t, log, canary, "openova's log")
	require.Contains(t, log, "message withheld from logs", "the SDK logged the failed attempt, redacted")
	require.NoError(t, p.stop())
	assertNoCanaryInFiles(t, canary, p.dataDir)
	require.NotContains(t, p.log(), canary)
}

func assertNoCanaryInFiles(t *testing.T, canary, dir string) {
	t.Helper()
	seen := 0
	for _, name := range testenv.NoSecretInFiles(t, dir, canary) {
		if strings.HasPrefix(name, "temporal") && strings.Contains(name, ".db") {
			seen++
		}
	}
	require.GreaterOrEqual(t, seen, 2, "the SQLite files (executions, visibility) were not all checked")
}

// withPayloads appends the base64-decoded "data" fields of the CLI's JSON
// output, where payload bytes (and so any plain secret) would be.
func withPayloads(t *testing.T, out string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(out)
	for _, m := range dataField.FindAllStringSubmatch(out, -1) {
		raw, err := base64.StdEncoding.DecodeString(m[1])
		require.NoError(t, err, "payload data is base64")
		b.WriteByte('\n')
		b.Write(raw)
	}
	return b.String()
}

var dataField = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)
