package operations

import (
	"context"
	"strconv"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Coalesced is a Temporal client whose visibility lists are shared: the
// same query asked while one is in flight waits for that one, and an
// answer serves for TTL. Visibility on the embedded server is one SQLite
// connection, so fifty operators on the audit page would otherwise queue
// fifty identical scans (measured: timeouts; see BENCHMARKS.md).
type Coalesced struct {
	client.Client
	TTL time.Duration

	lists Shared[*workflowservice.ListWorkflowExecutionsResponse]
}

// ListWorkflow answers from a fresh shared result, or asks once for all.
func (c *Coalesced) ListWorkflow(ctx context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	key := req.GetQuery() + "\x00" + string(req.GetNextPageToken()) + "\x00" + strconv.Itoa(int(req.GetPageSize()))
	return c.lists.Get(ctx, key, c.TTL, func(ctx context.Context) (*workflowservice.ListWorkflowExecutionsResponse, error) {
		return c.Client.ListWorkflow(ctx, req)
	})
}
