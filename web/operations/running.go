package operations

import (
	"context"
	"fmt"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/openova-io/core/workflows"
)

// maxRunning bounds the running operations a page shows.
const maxRunning = 50

// Running lists the platform's top-level operations that run now (child
// releases show inside their parent), newest first, with their progress.
func (o *Ops) Running(ctx context.Context, platform string) ([]Snapshot, error) {
	q := fmt.Sprintf("ExecutionStatus = 'Running' AND %s = '%s'", workflows.SearchAttrPlatform.GetName(), platform)
	resp, err := o.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, PageSize: maxRunning})
	if err != nil {
		return nil, fmt.Errorf("list running operations of %s: %w", platform, err)
	}
	var out []Snapshot
	for _, info := range resp.GetExecutions() {
		if info.GetParentExecution() != nil {
			continue
		}
		s, err := o.Snapshot(ctx, info.GetExecution().GetWorkflowId())
		if err != nil {
			return nil, err
		}
		if s.State == StateRunning {
			out = append(out, s)
		}
	}
	return out, nil
}
