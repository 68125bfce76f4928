package audit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/workflows"
)

// countedVisibility answers every list with one operation and counts the
// lists asked.
type countedVisibility struct {
	Temporal
	lists atomic.Int32
}

func (v *countedVisibility) ListWorkflow(context.Context, *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	v.lists.Add(1)
	sa, err := converter.GetDefaultDataConverter().ToPayload("acme")
	if err != nil {
		return nil, err
	}
	return &workflowservice.ListWorkflowExecutionsResponse{Executions: []*workflowpb.WorkflowExecutionInfo{{
		Execution: &commonpb.WorkflowExecution{WorkflowId: "install/acme/grafana", RunId: "r1"},
		Status:    enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, StartTime: timestamppb.Now(),
		SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{workflows.SearchAttrPlatform.GetName(): sa}},
	}}}, nil
}

type noSnapshots struct{}

func (noSnapshots) Snapshot(context.Context, string) (operations.Snapshot, error) {
	return operations.Snapshot{}, nil
}
func (noSnapshots) Failure(context.Context, string, string) (string, string) { return "", "" }

// Page loads of the same list within ListTTL share one reading of
// visibility (loads at the same time share one whatever the TTL: that is
// operations.Shared's, tested there).
func TestAuditListLoadsShareOneReading(t *testing.T) {
	cases := []struct {
		name  string
		ttl   time.Duration
		lists int32
	}{
		{"within the TTL", time.Hour, 1},
		{"without a TTL", 0, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := &countedVisibility{}
			h := &Handler{Temporal: v, Snapshots: noSnapshots{}, Decoder: Decoder{Data: converter.GetDefaultDataConverter()},
				Now: func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }, ListTTL: tc.ttl}
			e := echo.New()
			h.Routes(e)
			for range 5 {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/audit?platform=acme", nil))
				require.Equal(t, http.StatusOK, rec.Code)
				require.Contains(t, rec.Body.String(), "install/acme/grafana")
			}
			require.Equal(t, tc.lists, v.lists.Load())
		})
	}
}
