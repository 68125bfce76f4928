package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/workflows"
)

// kill -9 while workflows run; start again on the same data dir: every
// workflow is still there and completes, and an activity interrupted mid-way
// runs again while its side effect (the journal receipt, keyed by an
// idempotency key) happens once.
func TestKill9ResumesEveryWorkflow(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	dataDir := t.TempDir()
	p := startOpenova(t, "bootstrap", dataDir)
	c := p.client(t, "")
	const n, steps = 4, 3
	ids := make([]string, n)
	for i := range n {
		ids[i] = "crash-" + string(rune('a'+i))
		startSelfCheck(t, c, ids[i], workflows.SelfCheckInput{Steps: steps, StepHold: 2 * time.Second})
	}
	// Kill once every workflow has performed a side effect and is holding
	// inside an activity.
	effects := filepath.Join(dataDir, "selfcheck", "effects")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.GreaterOrEqual(ct, countFiles(effects), n, "side effects performed")
	}, time.Minute, 50*time.Millisecond)
	p.kill9()
	before := countFiles(effects)

	p2 := startOpenova(t, "bootstrap", dataDir, "--temporal-listen", p.temporalAddr)
	c2 := p2.client(t, "")
	interruptedAndOnce := 0
	for _, id := range ids {
		res := waitResult(t, c2.GetWorkflow(context.Background(), workflows.SelfCheckID(id), ""), 3*time.Minute)
		require.Len(t, res.Receipts, steps, id)
		for _, r := range res.Receipts {
			attempts := attemptsOf(t, dataDir, r.IdempotencyKey)
			require.NotEmpty(t, attempts)
			if len(attempts) > 1 && r.Attempt == 1 {
				// Ran again after the crash, yet the receipt is the one
				// the first attempt wrote: the effect happened once.
				interruptedAndOnce++
			}
		}
	}
	require.Positive(t, interruptedAndOnce, "no activity was interrupted mid-way and re-run")
	require.Equal(t, n*steps, countFiles(effects), "one side effect per step, however often it ran (had %d at the crash)", before)

	desc, err := c2.DescribeWorkflowExecution(context.Background(), workflows.SelfCheckID(ids[0]), "")
	require.NoError(t, err)
	require.Equal(t, "Completed", desc.GetWorkflowExecutionInfo().GetStatus().String())
}

func countFiles(dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	return len(entries)
}

func attemptsOf(t *testing.T, dataDir, key string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "selfcheck", "attempts", activities.KeyFile(key)))
	require.NoError(t, err)
	return strings.Fields(string(b))
}
