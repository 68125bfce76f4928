package activities

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
)

// Running a step again (same workflow, run and activity ID, as a retry after
// a crash does) returns the first receipt and performs no second side effect.
func TestStepSideEffectHappensOnce(t *testing.T) {
	dir := t.TempDir()
	sc := &SelfCheck{Dir: dir}
	var s testsuite.WorkflowTestSuite
	run := func() StepReceipt {
		env := s.NewTestActivityEnvironment()
		env.RegisterActivity(sc)
		v, err := env.ExecuteActivity(sc.Step, StepInput{Index: 1, Note: "n"})
		require.NoError(t, err)
		var r StepReceipt
		require.NoError(t, v.Get(&r))
		return r
	}
	first := run()
	second := run()
	require.Equal(t, first.IdempotencyKey, second.IdempotencyKey)
	require.Equal(t, first.At, second.At, "the second run returned the stored receipt")
	effects, err := os.ReadDir(filepath.Join(dir, "effects"))
	require.NoError(t, err)
	require.Len(t, effects, 1)
	attempts, err := os.ReadFile(filepath.Join(dir, "attempts", KeyFile(first.IdempotencyKey)))
	require.NoError(t, err)
	require.Equal(t, "1\n1\n", string(attempts), "both runs are logged")
}

// The injected first-attempt failure quotes the note and has a typed name.
func TestStepInjectedFailure(t *testing.T) {
	sc := &SelfCheck{Dir: t.TempDir()}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(sc)
	_, err := env.ExecuteActivity(sc.Step, StepInput{Index: 2, Note: "canary", FailFirstAttempt: true})
	require.ErrorContains(t, err, `step 2: injected failure for "canary"`)
	require.ErrorContains(t, err, ErrSelfCheckInjected)
}

// A receipt torn by a crash between create and sync is removed, so the retry
// writes it whole.
func TestTornReceiptIsRewritten(t *testing.T) {
	dir := t.TempDir()
	sc := &SelfCheck{Dir: dir}
	key := "wf/run/1"
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "effects"), 0o700))
	torn := filepath.Join(dir, "effects", KeyFile(key))
	require.NoError(t, os.WriteFile(torn, nil, 0o600))
	_, err := sc.recordOnce(StepReceipt{Index: 1, IdempotencyKey: key})
	require.ErrorContains(t, err, "is incomplete, will be rewritten")
	r, err := sc.recordOnce(StepReceipt{Index: 1, IdempotencyKey: key, Attempt: 2})
	require.NoError(t, err)
	require.Equal(t, int32(2), r.Attempt)
}
