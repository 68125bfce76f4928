package workflows

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/worker/codec"
)

// The component-spec payloads in the recorded histories decode into
// today's types and encode back to the same JSON (a null and a missing
// field are the same to the decoder). Replay does not compare payloads, so
// this is what catches a renamed or moved field of a shared, embedded type.
func TestRecordedComponentPayloadsKeepTheirShape(t *testing.T) {
	keys, err := codec.LoadKeyFile(filepath.Join("testdata", "codec.key"))
	require.NoError(t, err)
	dc := codec.New(keys).DataConverter()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)

	// roundTrip decodes the payload into a fresh T and checks that T encodes
	// back to what was recorded.
	roundTrip := map[string]func(t *testing.T, raw json.RawMessage){
		"ReleaseComponentInput": shapeCheck[ReleaseComponentInput],
		"UpsertComponentInput":  shapeCheck[activities.UpsertComponentInput],
		"ReadComponentResult":   shapeCheck[activities.ReadComponentResult],
	}
	seen := map[string]int{}
	check := func(t *testing.T, what string, p *commonpb.Payloads) {
		require.NotNil(t, p, what)
		var raw json.RawMessage
		require.NoError(t, dc.FromPayload(p.Payloads[0], &raw))
		roundTrip[what](t, raw)
		seen[what]++
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		h, err := client.HistoryFromJSON(bytes.NewReader(data), client.HistoryJSONOptions{})
		require.NoError(t, err, f)
		activityType := map[int64]string{}
		for _, ev := range h.Events {
			switch ev.EventType {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
				if a := ev.GetWorkflowExecutionStartedEventAttributes(); a.WorkflowType.Name == ReleaseComponentWorkflow {
					check(t, "ReleaseComponentInput", a.Input)
				}
			case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
				if a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes(); a.WorkflowType.Name == ReleaseComponentWorkflow {
					check(t, "ReleaseComponentInput", a.Input)
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				a := ev.GetActivityTaskScheduledEventAttributes()
				activityType[ev.EventId] = a.ActivityType.Name
				if a.ActivityType.Name == "UpsertComponent" {
					check(t, "UpsertComponentInput", a.Input)
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
				if a := ev.GetActivityTaskCompletedEventAttributes(); activityType[a.ScheduledEventId] == "ReadComponent" {
					check(t, "ReadComponentResult", a.Result)
				}
			}
		}
	}
	for what := range roundTrip {
		require.Positive(t, seen[what], "no recorded history holds a %s", what)
	}
}

func shapeCheck[T any](t *testing.T, raw json.RawMessage) {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(raw, &v))
	again, err := json.Marshal(v)
	require.NoError(t, err)
	require.Equal(t, withoutNulls(t, raw), withoutNulls(t, again), "%T", v)
}

// withoutNulls is the JSON object with its null fields left out, numbers kept
// as written.
func withoutNulls(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	return m
}
