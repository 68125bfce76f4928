package audit

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
)

// Event is one step of an operation as its history records it: an
// activity with its attempts, a child operation, a timer, a signal. Later
// events join their first one by its event ID, as Temporal's own UI does.
type Event struct {
	ID      int64
	Kind    string
	Name    string
	ChildID string
	State   string
	At      time.Time
	Closed  time.Time
	Attempt int32
	Input   string
	Result  string
	Failure string
}

// Event kinds and states.
const (
	KindActivity = "activity"
	KindChild    = "child operation"
	KindTimer    = "timer"
	KindSignal   = "signal"
	KindMarker   = "marker"

	StateScheduled = "scheduled"
	StateRunning   = "running"
	StateCompleted = "completed"
	StateFailed    = "failed"
	StateTimedOut  = "timed out"
	StateCancelled = "cancelled"
	StateFired     = "fired"
	StateReceived  = "received"
)

// Run is an operation's history, decoded.
type Run struct {
	Input   string
	Result  string
	Failure string
	Events  []Event
}

// decodeHistory groups the history's events; pending activities (from a
// describe of a running operation) add their attempt and last failure.
func decodeHistory(h *historypb.History, pending []*workflowpb.PendingActivityInfo, d Decoder) Run {
	var run Run
	byID := map[int64]int{}
	open := func(e *historypb.HistoryEvent, ev Event) {
		ev.ID, ev.At = e.GetEventId(), e.GetEventTime().AsTime()
		byID[ev.ID] = len(run.Events)
		run.Events = append(run.Events, ev)
	}
	update := func(id int64, e *historypb.HistoryEvent, fn func(*Event)) {
		if i, ok := byID[id]; ok {
			fn(&run.Events[i])
			if t := e.GetEventTime().AsTime(); !t.IsZero() && run.Events[i].State != StateRunning {
				run.Events[i].Closed = t
			}
		}
	}
	for _, e := range h.GetEvents() {
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			run.Input = d.Payloads(e.GetWorkflowExecutionStartedEventAttributes().GetInput())
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
			run.Result = d.Payloads(e.GetWorkflowExecutionCompletedEventAttributes().GetResult())
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
			run.Failure = d.FailureMessage(e.GetWorkflowExecutionFailedEventAttributes().GetFailure())
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			a := e.GetActivityTaskScheduledEventAttributes()
			open(e, Event{Kind: KindActivity, Name: a.GetActivityType().GetName(), ChildID: a.GetActivityId(), State: StateScheduled, Input: d.Payloads(a.GetInput())})
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			a := e.GetActivityTaskStartedEventAttributes()
			update(a.GetScheduledEventId(), e, func(ev *Event) { ev.State, ev.Attempt, ev.Closed = StateRunning, a.GetAttempt(), time.Time{} })
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			a := e.GetActivityTaskCompletedEventAttributes()
			update(a.GetScheduledEventId(), e, func(ev *Event) { ev.State, ev.Result = StateCompleted, d.Payloads(a.GetResult()) })
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			a := e.GetActivityTaskFailedEventAttributes()
			update(a.GetScheduledEventId(), e, func(ev *Event) { ev.State, ev.Failure = StateFailed, d.FailureMessage(a.GetFailure()) })
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
			a := e.GetActivityTaskTimedOutEventAttributes()
			update(a.GetScheduledEventId(), e, func(ev *Event) { ev.State, ev.Failure = StateTimedOut, d.FailureMessage(a.GetFailure()) })
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
			a := e.GetActivityTaskCanceledEventAttributes()
			update(a.GetScheduledEventId(), e, func(ev *Event) { ev.State = StateCancelled })
		case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
			a := e.GetStartChildWorkflowExecutionInitiatedEventAttributes()
			open(e, Event{Kind: KindChild, Name: a.GetWorkflowType().GetName(), ChildID: a.GetWorkflowId(), State: StateScheduled, Input: d.Payloads(a.GetInput())})
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
			a := e.GetChildWorkflowExecutionStartedEventAttributes()
			update(a.GetInitiatedEventId(), e, func(ev *Event) { ev.State, ev.Closed = StateRunning, time.Time{} })
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
			a := e.GetChildWorkflowExecutionCompletedEventAttributes()
			update(a.GetInitiatedEventId(), e, func(ev *Event) { ev.State, ev.Result = StateCompleted, d.Payloads(a.GetResult()) })
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
			a := e.GetChildWorkflowExecutionFailedEventAttributes()
			update(a.GetInitiatedEventId(), e, func(ev *Event) { ev.State, ev.Failure = StateFailed, d.FailureMessage(a.GetFailure()) })
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
			a := e.GetChildWorkflowExecutionCanceledEventAttributes()
			update(a.GetInitiatedEventId(), e, func(ev *Event) { ev.State = StateCancelled })
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED, enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
			id := e.GetChildWorkflowExecutionTerminatedEventAttributes().GetInitiatedEventId() + e.GetChildWorkflowExecutionTimedOutEventAttributes().GetInitiatedEventId()
			update(id, e, func(ev *Event) { ev.State = StateFailed })
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			a := e.GetTimerStartedEventAttributes()
			open(e, Event{Kind: KindTimer, Name: "wait " + a.GetStartToFireTimeout().AsDuration().String(), State: StateRunning})
		case enumspb.EVENT_TYPE_TIMER_FIRED:
			update(e.GetTimerFiredEventAttributes().GetStartedEventId(), e, func(ev *Event) { ev.State = StateFired })
		case enumspb.EVENT_TYPE_TIMER_CANCELED:
			update(e.GetTimerCanceledEventAttributes().GetStartedEventId(), e, func(ev *Event) { ev.State = StateCancelled })
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			a := e.GetWorkflowExecutionSignaledEventAttributes()
			open(e, Event{Kind: KindSignal, Name: a.GetSignalName(), State: StateReceived, Input: d.Payloads(a.GetInput())})
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			open(e, Event{Kind: KindMarker, Name: e.GetMarkerRecordedEventAttributes().GetMarkerName(), State: StateCompleted})
		}
	}
	for _, p := range pending {
		for i := range run.Events {
			ev := &run.Events[i]
			if ev.Kind == KindActivity && ev.ChildID == p.GetActivityId() && ev.Closed.IsZero() {
				ev.Attempt = p.GetAttempt()
				ev.Failure = d.FailureMessage(p.GetLastFailure())
				if p.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
					ev.State = StateRunning
				}
			}
		}
	}
	for i := range run.Events {
		if run.Events[i].Kind == KindActivity {
			run.Events[i].ChildID = "" // activity IDs are sequence numbers, not links
		}
	}
	return run
}
