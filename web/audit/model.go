package audit

import (
	"net/url"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/converter"

	"github.com/openova-io/core/web/ui"
	"github.com/openova-io/core/workflows"
)

// ListVM is the audit list.
type ListVM struct {
	Filter     Filter
	Operations []string
	// Components: the list filters by component (the manager's; a
	// bootstrap's operations have none).
	Components bool
	Statuses   []string
	Rows       []RowVM
	NextURL    string
	Problem    string
}

// RowVM is one operation in the list.
type RowVM struct {
	URL       string
	ID        string
	RunID     string
	Operation string
	Platform  string
	Component string
	Status    string
	Started   string
	Duration  string
	Actor     string
	// Parent is the operation that started this one (a release an
	// install started), "" for one a user or the reconciler started.
	Parent string
}

// DetailVM is one operation.
type DetailVM struct {
	ID, RunID, Type     string
	Status              string
	Started, Closed     string
	Actor               string
	Platform, Component string
	Operation           string
	ParentURL, ParentID string
	// Commit is where a UI change to a Platform kept in Git went.
	Commit   CommitVM
	Run      Run
	Live     *ui.LiveVM
	Progress ui.TimelineVM
	CLI      []string
}

// statusLabel is a workflow status as the badges word it.
func statusLabel(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return "Running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return "Succeeded"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return "Failed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "Cancelled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return "Terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "Timed out"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return "Continued"
	}
	return "Unknown"
}

// plain decodes search attributes, which are indexed in clear (never a
// secret in one: workflows.SearchAttributes).
var plain = converter.GetDefaultDataConverter()

func attr(sa *commonpb.SearchAttributes, key string) string {
	p := sa.GetIndexedFields()[key]
	var s string
	if p == nil || plain.FromPayload(p, &s) != nil {
		return ""
	}
	return s
}

// OperationURL is the audit page of one operation.
func OperationURL(id, runID string) string {
	v := url.Values{"id": {id}}
	if runID != "" {
		v.Set("run", runID)
	}
	return "/audit/operation?" + v.Encode()
}

func when(t time.Time) string {
	if t.IsZero() || t.Unix() <= 0 {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 MST")
}

func duration(info *workflowpb.WorkflowExecutionInfo) string {
	start := info.GetStartTime().AsTime()
	if info.GetCloseTime() == nil || info.GetCloseTime().AsTime().Unix() <= 0 {
		return "running for " + time.Since(start).Round(time.Second).String()
	}
	return info.GetCloseTime().AsTime().Sub(start).Round(time.Millisecond).String()
}

func row(info *workflowpb.WorkflowExecutionInfo, d Decoder) RowVM {
	sa := info.GetSearchAttributes()
	return RowVM{URL: OperationURL(info.GetExecution().GetWorkflowId(), info.GetExecution().GetRunId()),
		ID: info.GetExecution().GetWorkflowId(), RunID: info.GetExecution().GetRunId(),
		Operation: attr(sa, workflows.SearchAttrOperation.GetName()),
		Platform:  attr(sa, workflows.SearchAttrPlatform.GetName()), Component: attr(sa, workflows.SearchAttrComponent.GetName()),
		Status: statusLabel(info.GetStatus()), Started: when(info.GetStartTime().AsTime()), Duration: duration(info),
		Actor: d.String(info.GetMemo().GetFields()[workflows.MemoActor]), Parent: info.GetParentExecution().GetWorkflowId()}
}

// fillActors names who caused a child operation, which has no actor of its
// own: its parent's, through the chain of parents on the page ("ops@acme.io
// (via install/acme/mongodb)"), else the parent it came from.
func fillActors(rows []RowVM) {
	actor, parent := make(map[string]string, len(rows)), make(map[string]string, len(rows))
	for _, r := range rows {
		actor[r.ID], parent[r.ID] = r.Actor, r.Parent
	}
	for i := range rows {
		r := &rows[i]
		if r.Actor != "" || r.Parent == "" {
			continue
		}
		found := ""
		for p, depth := r.Parent, 0; p != "" && depth < 4 && found == ""; p, depth = parent[p], depth+1 {
			found = actor[p]
		}
		if found == "" {
			r.Actor = "via " + r.Parent
			continue
		}
		r.Actor = found + " (via " + r.Parent + ")"
	}
}

// clock is the time of day of an event (the full time is its title).
func clock(t time.Time) string {
	if t.IsZero() || t.Unix() <= 0 {
		return ""
	}
	return t.UTC().Format("15:04:05")
}
