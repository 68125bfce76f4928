package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/workflows"
)

// Whoever reaches the frontend without the codec key cannot hand the worker
// an input of their choosing: a workflow started with a clear input fails
// before it runs a step, and says why. The CLI with the codec endpoint (the
// README's way) and a start without input keep working.
func TestClearInputIsRefused(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	p := startOpenova(t, "bootstrap", t.TempDir())
	sealed := p.client(t, "")
	clear, err := client.Dial(client.Options{HostPort: p.temporalAddr, Namespace: "default"})
	require.NoError(t, err)
	t.Cleanup(clear.Close)
	ctx := context.Background()
	codecFlags := []string{"--codec-endpoint", "http://" + p.httpAddr + "/codec", "--codec-auth", "Bearer " + token(t, p)}
	cliStart := func(id string, extra ...string) {
		args := append([]string{"workflow", "start", "--type", workflows.SelfCheckWorkflow, "--task-queue", workflows.TaskQueueBootstrap,
			"--workflow-id", id, "--input", `{"Steps":1,"Note":"typed into the CLI"}`, "--address", p.temporalAddr}, extra...)
		out, err := temporalCLI(t, args...)
		require.NoError(t, err, out)
	}
	cases := []struct {
		name    string
		start   func(id string)
		refused bool
	}{
		{"SDK client without the codec", func(id string) {
			_, err := clear.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueueBootstrap},
				workflows.SelfCheckWorkflow, workflows.SelfCheckInput{Steps: 1, Note: "chosen by whoever reached the frontend"})
			require.NoError(t, err)
		}, true},
		{"temporal CLI without the codec endpoint", func(id string) { cliStart(id) }, true},
		{"temporal CLI with the codec endpoint", func(id string) { cliStart(id, codecFlags...) }, false},
		{"SDK client without the codec and without input", func(id string) {
			_, err := clear.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueueBootstrap}, workflows.SelfCheckWorkflow)
			require.NoError(t, err)
		}, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := workflows.SelfCheckID("clear-input-" + string(rune('a'+i)))
			tc.start(id)
			wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			err := sealed.GetWorkflow(wctx, id, "").Get(wctx, nil)
			if tc.refused {
				require.ErrorContains(t, err, "unable to decode the workflow function input payload")
				require.ErrorContains(t, err, "payload is not encrypted by openova's codec")
			} else {
				require.NoError(t, err)
			}
			events := eventTypes(t, sealed, id)
			require.Equal(t, !tc.refused, events[enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED], "a step ran: %v", events)
			require.Equal(t, tc.refused, events[enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED], "%v", events)
		})
	}
}

// eventTypes are the kinds of event in a workflow's history.
func eventTypes(t testing.TB, c client.Client, id string) map[enumspb.EventType]bool {
	t.Helper()
	seen := map[enumspb.EventType]bool{}
	it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		seen[ev.GetEventType()] = true
	}
	return seen
}
