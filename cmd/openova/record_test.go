package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/workflows"
)

var record = flag.Bool("record", false, "record the replay histories in workflows/testdata from a real openova run")

// TestRecordReplayHistories writes the histories that workflows' replay tests
// replay. It runs the real binary with the test-only codec key in
// workflows/testdata, so the histories are encrypted as in production. Run it
// (go test ./cmd/openova -run TestRecordReplayHistories -record) when a
// workflow changes on purpose, and commit the result next to the old ones.
func TestRecordReplayHistories(t *testing.T) {
	if !*record {
		t.Skip("records only with -record")
	}
	testdata := filepath.Join(testenv.RepoRoot(), "workflows", "testdata")
	p := startOpenova(t, "bootstrap", t.TempDir(), "--codec-key-file", filepath.Join(testdata, "codec.key"))
	c := p.client(t, "")
	cases := map[string]workflows.SelfCheckInput{
		"selfcheck-v1-ok":            {},
		"selfcheck-v1-retried":       {Steps: 2, Note: "recorded", FailFirstAttempt: true},
		"selfcheck-v1-invalid-input": {Steps: 1000},
	}
	for name, in := range cases {
		run := startSelfCheck(t, c, name, in)
		_ = run.Get(t.Context(), nil)
		out, err := temporalCLI(t, "workflow", "show", "-w", workflows.SelfCheckID(name), "--address", p.temporalAddr, "-o", "json")
		require.NoError(t, err, out)
		require.NoError(t, os.WriteFile(filepath.Join(testdata, name+".json"), []byte(out), 0o644))
	}
}
