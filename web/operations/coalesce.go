package operations

import (
	"context"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/singleflight"
)

// Coalesced is a Temporal client whose visibility lists are shared: the
// same query asked while one is in flight waits for that one, and an
// answer serves for TTL. Visibility on the embedded server is one SQLite
// connection, so fifty operators on the audit page would otherwise queue
// fifty identical scans (measured: timeouts; see BENCHMARKS.md).
type Coalesced struct {
	client.Client
	TTL time.Duration

	group singleflight.Group
	mu    sync.Mutex
	cache map[string]listed
}

type listed struct {
	resp *workflowservice.ListWorkflowExecutionsResponse
	at   time.Time
}

// listTimeout bounds one shared visibility query.
const listTimeout = 30 * time.Second

// ListWorkflow answers from a fresh shared result, or asks once for all.
func (c *Coalesced) ListWorkflow(ctx context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	key := req.GetQuery() + "\x00" + string(req.GetNextPageToken()) + "\x00" + strconv.Itoa(int(req.GetPageSize()))
	c.mu.Lock()
	if hit, ok := c.cache[key]; ok && time.Since(hit.at) < c.TTL {
		c.mu.Unlock()
		return hit.resp, nil
	}
	c.mu.Unlock()
	ch := c.group.DoChan(key, func() (any, error) {
		qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), listTimeout)
		defer cancel()
		resp, err := c.Client.ListWorkflow(qctx, req)
		if err == nil {
			c.remember(key, resp)
		}
		return resp, err
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*workflowservice.ListWorkflowExecutionsResponse), nil
	}
}

func (c *Coalesced) remember(key string, resp *workflowservice.ListWorkflowExecutionsResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cache == nil || len(c.cache) > 1000 {
		c.cache = map[string]listed{}
	}
	c.cache[key] = listed{resp: resp, at: time.Now()}
}
