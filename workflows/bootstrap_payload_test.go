package workflows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/worker/codec"
)

// The Bootstrap's payloads in the recorded histories (its input, every
// activity's input and result) decode into the contract's types of package
// bootstrap and encode back to JSON that holds every recorded field with
// its value: moving the types out of activities and workflows kept every
// field's name. (Fields added since, such as AgentToken, encode as their
// zero value beside them.)
func TestRecordedBootstrapPayloadsKeepTheirShape(t *testing.T) {
	keys, err := codec.LoadKeyFile(filepath.Join("testdata", "codec.key"))
	require.NoError(t, err)
	dc := codec.New(keys).DataConverter()
	files, err := filepath.Glob(filepath.Join("testdata", "bootstrap-*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)

	// By activity type: the input's check and the result's.
	type checks struct {
		in, out func(*testing.T, json.RawMessage)
	}
	activities := map[string]checks{
		"Plan":                   {subsetCheck[bootstrap.TerraformInput], subsetCheck[bootstrap.PlanResult]},
		"Apply":                  {subsetCheck[bootstrap.TerraformInput], nil},
		"Outputs":                {subsetCheck[bootstrap.TerraformInput], subsetCheck[bootstrap.ClusterOutputs]},
		"Destroy":                {subsetCheck[bootstrap.TerraformInput], nil},
		"GenerateClusterSecrets": {subsetCheck[bootstrap.ClusterSecretsInput], subsetCheck[bootstrap.ClusterSecrets]},
		"Connect":                {subsetCheck[bootstrap.ConnectInput], subsetCheck[bootstrap.ConnectResult]},
	}
	seen := map[string]int{}
	check := func(t *testing.T, what string, fn func(*testing.T, json.RawMessage), p *commonpb.Payloads) {
		if fn == nil || p == nil || len(p.Payloads) == 0 {
			return
		}
		var raw json.RawMessage
		require.NoError(t, dc.FromPayload(p.Payloads[0], &raw))
		fn(t, raw)
		seen[what]++
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			h, err := client.HistoryFromJSON(bytes.NewReader(data), client.HistoryJSONOptions{})
			require.NoError(t, err)
			scheduled := map[int64]string{}
			for _, ev := range h.Events {
				switch ev.EventType {
				case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
					check(t, "Input", subsetCheck[bootstrap.Input], ev.GetWorkflowExecutionStartedEventAttributes().Input)
				case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
					check(t, "Result", subsetCheck[bootstrap.Result], ev.GetWorkflowExecutionCompletedEventAttributes().Result)
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
					a := ev.GetActivityTaskScheduledEventAttributes()
					scheduled[ev.EventId] = a.ActivityType.Name
					check(t, a.ActivityType.Name+" input", activities[a.ActivityType.Name].in, a.Input)
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
					a := ev.GetActivityTaskCompletedEventAttributes()
					name := scheduled[a.ScheduledEventId]
					check(t, name+" result", activities[name].out, a.Result)
				}
			}
		})
	}
	for _, what := range []string{"Input", "Plan input", "Plan result", "Apply input", "Outputs result",
		"GenerateClusterSecrets result", "Connect input", "Connect result"} {
		require.Positive(t, seen[what], "no recorded history holds a %s", what)
	}
}

// subsetCheck decodes raw into a T and requires its encoding to hold every
// non-null value of raw, at every depth.
func subsetCheck[T any](t *testing.T, raw json.RawMessage) {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(raw, &v))
	again, err := json.Marshal(v)
	require.NoError(t, err)
	decode := func(b []byte) any {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var x any
		require.NoError(t, dec.Decode(&x))
		return x
	}
	requireWithin(t, decode(raw), decode(again), fmt.Sprintf("%T", v))
}

func requireWithin(t *testing.T, recorded, now any, path string) {
	t.Helper()
	switch r := recorded.(type) {
	case nil:
	case map[string]any:
		n, ok := now.(map[string]any)
		require.True(t, ok, "%s: an object became %T", path, now)
		for k, v := range r {
			if v == nil {
				continue
			}
			_, there := n[k]
			require.True(t, there, "%s.%s is recorded but no longer encoded", path, k)
			requireWithin(t, v, n[k], path+"."+k)
		}
	case []any:
		n, ok := now.([]any)
		require.True(t, ok, "%s: a list became %T", path, now)
		require.Len(t, n, len(r), path)
		for i := range r {
			requireWithin(t, r[i], n[i], fmt.Sprintf("%s[%d]", path, i))
		}
	default:
		require.Equal(t, recorded, now, path)
	}
}
