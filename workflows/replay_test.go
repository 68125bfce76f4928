package workflows

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/worker/codec"
)

// Every history in testdata (recorded from a real openova run by
// cmd/openova's TestRecordReplayHistories, encrypted with the test-only key
// beside it) must replay against today's workflow code: a change that would
// break running workflows fails here.
func TestReplayRecordedHistories(t *testing.T) {
	keys, err := codec.LoadKeyFile(filepath.Join("testdata", "codec.key"))
	require.NoError(t, err)
	cd := codec.New(keys)
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)

	registered := AllWorkflows()
	covered := map[string]int{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter: cd.DataConverter(), FailureConverter: cd.FailureConverter(),
			})
			require.NoError(t, err)
			for typ, fn := range registered {
				r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: typ})
			}
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
		for typ := range registered {
			if strings.HasPrefix(strings.ToLower(name), strings.ToLower(typ)+"-") {
				covered[typ]++
			}
		}
	}
	for typ := range registered {
		require.Positive(t, covered[typ], "no recorded history replays workflow %s", typ)
	}
}
