package operations

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// slowVisibility answers each list after a pause, counting the calls.
type slowVisibility struct {
	client.Client
	calls atomic.Int32
}

func (s *slowVisibility) ListWorkflow(context.Context, *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	s.calls.Add(1)
	time.Sleep(100 * time.Millisecond)
	return &workflowservice.ListWorkflowExecutionsResponse{}, nil
}

func TestIdenticalListsShareOneQuery(t *testing.T) {
	v := &slowVisibility{}
	c := &Coalesced{Client: v, TTL: time.Hour}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: "OpenovaPlatform = 'acme'"})
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	require.EqualValues(t, 1, v.calls.Load(), "fifty identical lists, one query")
	_, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: "OpenovaPlatform = 'other'"})
	require.NoError(t, err)
	require.EqualValues(t, 2, v.calls.Load(), "another query is asked")

	c.TTL = 0
	_, err = c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: "OpenovaPlatform = 'acme'"})
	require.NoError(t, err)
	require.EqualValues(t, 3, v.calls.Load(), "an answer older than the TTL is asked again")
}
