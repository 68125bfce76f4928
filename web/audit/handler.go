// Package audit is the audit view: every operation of the last 90 days
// from Temporal visibility, filterable and paged, and one operation's
// history (who, when, inputs, each step with attempts and results,
// failures, rollbacks, child operations, the CLI command), decoded and
// masked on the server.
package audit

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/ui"
	"github.com/openova-io/core/workflows"
)

// Temporal is the part of the Temporal client the audit view reads.
type Temporal interface {
	ListWorkflow(ctx context.Context, r *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
	DescribeWorkflowExecution(ctx context.Context, id, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	GetWorkflowHistory(ctx context.Context, id, runID string, isLong bool, filter enumspb.HistoryEventFilterType) client.HistoryEventIterator
}

// Snapshots read an operation's progress, and how a closed one failed.
type Snapshots interface {
	Snapshot(ctx context.Context, id string) (operations.Snapshot, error)
	Failure(ctx context.Context, id, runID string) (message, errorType string)
}

// Handler serves the audit view.
type Handler struct {
	Temporal  Temporal
	Snapshots Snapshots
	Decoder   Decoder
	Shell     pages.Shell
	// Address and Namespace are the Temporal frontend the CLI command dials.
	Address, Namespace string
	Now                func() time.Time
	// ListTTL is how long one page of the list serves identical page
	// loads (none when zero; loads at the same time still share one).
	ListTTL time.Duration

	lists operations.Shared[listed]
}

// listed is one page of the list, read and decoded once for every load
// that asks for it: decoding fifty rows' search attributes and memos was
// a fifth of the audit page's time at fifty loads at once (BENCHMARKS.md).
// Its rows are shared: the page only reads them.
type listed struct {
	rows []RowVM
	next []byte
}

// listed reads one page of operations, named and sorted.
func (h *Handler) listed(ctx context.Context, q string, token []byte) (listed, error) {
	return h.lists.Get(ctx, q+"\x00"+string(token), h.ListTTL, func(ctx context.Context) (listed, error) {
		resp, err := h.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, PageSize: pageSize, NextPageToken: token})
		if err != nil {
			return listed{}, fmt.Errorf("list operations: %w", err)
		}
		var l listed
		for _, info := range resp.GetExecutions() {
			l.rows = append(l.rows, row(info, h.Decoder))
		}
		fillActors(l.rows)
		h.nameAborts(ctx, l.rows)
		sortRows(l.rows)
		l.next = resp.GetNextPageToken()
		return l, nil
	})
}

// pageSize is the number of operations per page.
const pageSize = 50

// Routes adds the audit routes.
func (h *Handler) Routes(e *echo.Echo) {
	e.GET("/audit", h.list)
	e.GET("/audit/operation", h.operation)
}

func (h *Handler) list(c echo.Context) error {
	ops := operationNames
	if h.Shell.Bootstrap {
		ops = bootstrapOperations
	}
	f := readFilter(c, ops)
	if h.Shell.Bootstrap && f.Component != "" {
		f.Errors["component"] = "A bootstrap has no components to filter by: leave it empty."
	}
	q, token := f.query(h.Now())
	vm := ListVM{Filter: f, Operations: ops, Components: !h.Shell.Bootstrap,
		Statuses: []string{"running", "completed", "failed", "cancelled", "terminated", "timed-out"}}
	code := http.StatusOK
	if len(f.Errors) > 0 {
		code = http.StatusUnprocessableEntity
	} else {
		l, err := h.listed(c.Request().Context(), q, token)
		if err != nil {
			return err
		}
		vm.Rows = l.rows
		if len(l.next) > 0 {
			v := c.QueryParams()
			v.Set("page", base64.RawURLEncoding.EncodeToString(l.next))
			vm.NextURL = "/audit?" + v.Encode()
		}
	}
	return ui.Render(c, code, h.Shell.Meta(c, f.Platform, pages.Audit, "Audit", false), listPage(vm))
}

func (h *Handler) operation(c echo.Context) error {
	ctx := c.Request().Context()
	id, runID := c.QueryParam("id"), c.QueryParam("run")
	d, err := h.Temporal.DescribeWorkflowExecution(ctx, id, runID)
	var nf *serviceerror.NotFound
	var ia *serviceerror.InvalidArgument
	if errors.As(err, &nf) || errors.As(err, &ia) || id == "" {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("There is no operation %q in the last 90 days: the audit list shows what there is.", id))
	}
	if err != nil {
		return fmt.Errorf("describe %s: %w", id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	runID = info.GetExecution().GetRunId()
	hist, err := h.history(ctx, id, runID)
	if err != nil {
		return err
	}
	sa := info.GetSearchAttributes()
	vm := DetailVM{ID: id, RunID: runID, Type: info.GetType().GetName(), Status: statusLabel(info.GetStatus()),
		Started: when(info.GetStartTime().AsTime()), Actor: h.actor(ctx, d),
		Platform: attr(sa, workflows.SearchAttrPlatform.GetName()), Component: attr(sa, workflows.SearchAttrComponent.GetName()),
		Operation: attr(sa, workflows.SearchAttrOperation.GetName()),
		Run:       decodeHistory(hist, d.GetPendingActivities(), h.Decoder), CLI: h.cli(c, id, runID)}
	if info.GetCloseTime() != nil {
		vm.Closed = when(info.GetCloseTime().AsTime())
	}
	vm.Commit = commitOf(vm.Type, vm.Run)
	if p := info.GetParentExecution(); p != nil {
		vm.ParentID, vm.ParentURL = p.GetWorkflowId(), OperationURL(p.GetWorkflowId(), p.GetRunId())
	}
	snap, err := h.Snapshots.Snapshot(ctx, id)
	if err != nil {
		return err
	}
	vm.Progress = operations.Timeline("Steps", snap)
	if snap.ErrorType == workflows.ErrAborted {
		vm.Status = statusAborted
	}
	if snap.State == operations.StateRunning {
		vm.Live = &ui.LiveVM{ID: "audit-live", StreamURL: "/operations/stream?" + url.Values{"id": {id}, "title": {"Steps"}}.Encode(),
			DoneURL: OperationURL(id, runID), Timeline: vm.Progress}
	}
	return ui.Render(c, http.StatusOK, h.Shell.Meta(c, vm.Platform, pages.Audit, "Operation "+id, vm.Live != nil), detailPage(vm))
}

// maxEvents bounds the history one page reads.
const maxEvents = 5000

func (h *Handler) history(ctx context.Context, id, runID string) (*historypb.History, error) {
	it := h.Temporal.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	hist := &historypb.History{}
	for it.HasNext() && len(hist.Events) < maxEvents {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		hist.Events = append(hist.Events, e)
	}
	return hist, nil
}

// actor is who caused the operation: its memo, else its parent's (a
// release started by an install), up to the root.
func (h *Handler) actor(ctx context.Context, d *workflowservice.DescribeWorkflowExecutionResponse) string {
	for range 4 {
		info := d.GetWorkflowExecutionInfo()
		if a := h.Decoder.String(info.GetMemo().GetFields()[workflows.MemoActor]); a != "" {
			return a
		}
		p := info.GetParentExecution()
		if p == nil {
			return ""
		}
		var err error
		if d, err = h.Temporal.DescribeWorkflowExecution(ctx, p.GetWorkflowId(), p.GetRunId()); err != nil {
			return ""
		}
	}
	return ""
}

// cli is the stock temporal CLI commands that show the same operation.
func (h *Handler) cli(c echo.Context, id, runID string) []string {
	scheme := "http"
	if c.Request().TLS != nil {
		scheme = "https"
	}
	base := fmt.Sprintf("temporal workflow show --workflow-id '%s' --run-id '%s' --address %s --namespace %s", id, runID, h.Address, h.Namespace)
	// The CLI prints a failure's message only encrypted; its JSON output
	// carries the decoded payloads (run in the data dir, which holds the
	// codec endpoint's token).
	return []string{base, base + fmt.Sprintf(" -o json --codec-endpoint %s://%s/codec --codec-auth \"Bearer $(cat codec.token)\"", scheme, c.Request().Host)}
}

// sortRows keeps the list newest first whatever the store returns.
func sortRows(rows []RowVM) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Started > rows[j].Started })
}

// statusAborted is the badge of a run the user aborted: it ends failed in
// Temporal (its typed error says aborted), but nothing went wrong.
const statusAborted = "Aborted"

// abortable are the operations a user may abort, which then end failed.
var abortable = map[string]bool{workflows.OperationBootstrap: true, workflows.OperationChange: true}

// nameAborts words an aborted run "Aborted", not "Failed": visibility
// knows only that it failed, so the few failed runs that may have been
// aborted are asked how (the manager's lists have none of them).
func (h *Handler) nameAborts(ctx context.Context, rows []RowVM) {
	for i := range rows {
		r := &rows[i]
		if r.Status != "Failed" || !abortable[r.Operation] {
			continue
		}
		if _, typ := h.Snapshots.Failure(ctx, r.ID, r.RunID); typ == workflows.ErrAborted {
			r.Status = statusAborted
		}
	}
}
