package fakehcloud

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// action is an action as stored, with how many more reads report it
// running.
type action struct {
	schema.Action
	running int
}

// ref is a reference to a resource in an action's resources.
func ref(typ string, id int64) schema.ActionResourceReference {
	return schema.ActionResourceReference{ID: id, Type: typ}
}

// newAction records an action for command on resources and returns its
// state as the creating response shows it. The effect it stands for has
// already been applied; the action only reports. A fault queued by
// FailNextAction makes it fail instead.
func (s *Server) newAction(command string, resources ...schema.ActionResourceReference) schema.Action {
	s.st.lastAction++
	t := now()
	a := &action{Action: schema.Action{
		ID: s.st.lastAction, Command: command, Started: t,
		Resources: append([]schema.ActionResourceReference{}, resources...),
	}}
	switch q := s.actionFaults[command]; {
	case len(q) > 0:
		s.actionFaults[command] = q[1:]
		a.Status, a.Progress, a.Finished = "error", 100, &t
		a.Error = &schema.ActionError{Code: q[0].code, Message: q[0].message}
	case s.opts.ActionRunningReports > 0:
		a.Status, a.running = "running", s.opts.ActionRunningReports-1
	default:
		a.Status, a.Progress, a.Finished = "success", 100, &t
	}
	s.st.actions[a.ID] = a
	return a.Action
}

// report is the action's state for one more read: a running action
// counts down and then succeeds.
func (a *action) report() schema.Action {
	if a.Status == "running" {
		if a.running > 0 {
			a.running--
			a.Progress = 50
		} else {
			t := now()
			a.Status, a.Progress, a.Finished = "success", 100, &t
		}
	}
	out := a.Action
	out.Resources = slices.Clone(a.Resources)
	return out
}

// actionListResponse is schema.ActionListResponse with the list meta.
type actionListResponse struct {
	schema.ActionListResponse
	schema.MetaResponse
}

// listActions is GET /actions: the actions with the given IDs. IDs the
// fake does not know are left out, as the API does; hcloud-go's waiter
// then fails with "actions not found" instead of waiting forever.
func (s *Server) listActions(c *call) (any, error) {
	ids := map[int64]bool{}
	for _, v := range c.r.URL.Query()["id"] {
		for part := range strings.SplitSeq(v, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil {
				return nil, errInvalid("id", "invalid action ID %q", part)
			}
			ids[id] = true
		}
	}
	if len(ids) == 0 {
		return nil, errInvalid("id", "at least one action ID is required")
	}
	return s.actionPage(c, func(a *action) bool { return ids[a.ID] })
}

// actionPage lists the actions that keep holds for, one page of them.
func (s *Server) actionPage(c *call, keep func(*action) bool) (any, error) {
	statuses := c.r.URL.Query()["status"]
	var kept []*action
	for _, a := range sorted(s.st.actions) {
		if keep(a) {
			kept = append(kept, a)
		}
	}
	var reports []schema.Action
	for _, a := range kept {
		r := a.report()
		if len(statuses) == 0 || slices.Contains(statuses, r.Status) {
			reports = append(reports, r)
		}
	}
	q, err := parseList(c)
	if err != nil {
		return nil, err
	}
	page, meta := paginate(reports, q)
	return actionListResponse{schema.ActionListResponse{Actions: page}, meta}, nil
}

// getAction is GET /actions/{id}.
func (s *Server) getAction(c *call) (any, error) {
	a, err := lookup(c, s.st.actions, "action")
	if err != nil {
		return nil, err
	}
	return schema.ActionGetResponse{Action: a.report()}, nil
}

// touches reports whether the action concerns a resource of type typ
// (and, if id is not 0, that one).
func (a *action) touches(typ string, id int64) bool {
	return slices.ContainsFunc(a.Resources, func(r schema.ActionResourceReference) bool {
		return r.Type == typ && (id == 0 || r.ID == id)
	})
}

// typeActions is GET /{resources}/actions: every action on that type.
func typeActions(typ string) func(*Server, *call) (any, error) {
	return func(s *Server, c *call) (any, error) {
		return s.actionPage(c, func(a *action) bool { return a.touches(typ, 0) })
	}
}

// typeAction is GET /{resources}/actions/{id}.
func typeAction(typ string) func(*Server, *call) (any, error) {
	return func(s *Server, c *call) (any, error) {
		a, err := lookup(c, s.st.actions, "action")
		if err != nil || !a.touches(typ, 0) {
			return nil, errNotFound("action")
		}
		return schema.ActionGetResponse{Action: a.report()}, nil
	}
}

// resourceActions is GET /{resources}/{id}/actions: the actions of one
// resource, which need not exist any more.
func resourceActions(typ string) func(*Server, *call) (any, error) {
	return func(s *Server, c *call) (any, error) {
		id, err := c.pathID("id", typ)
		if err != nil {
			return nil, err
		}
		return s.actionPage(c, func(a *action) bool { return a.touches(typ, id) })
	}
}

// resourceAction is GET /{resources}/{id}/actions/{action_id}.
func resourceAction(typ string) func(*Server, *call) (any, error) {
	return func(s *Server, c *call) (any, error) {
		id, err := c.pathID("id", typ)
		if err != nil {
			return nil, err
		}
		aid, err := c.pathID("action_id", "action")
		if err != nil {
			return nil, err
		}
		a, ok := s.st.actions[aid]
		if !ok || !a.touches(typ, id) {
			return nil, errNotFound("action")
		}
		return schema.ActionGetResponse{Action: a.report()}, nil
	}
}
