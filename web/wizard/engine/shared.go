package engine

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/openova-io/core/web/wizard"
)

// statusTTL is how long one reading of a run serves every page that asks.
// The run page of a running bootstrap reloads its part every second in
// every tab, and each reading is a Describe, a Query (and, once closed, a
// Get) on the engine; twenty tabs on one run asked twenty times a second
// and the embedded server's one SQLite connection queued them (p99 3.8 to
// 7.6 s, BENCHMARKS.md). One reading in flight is shared, and its answer
// serves for statusTTL; a decision (Start, Signal) forgets it at once.
const statusTTL = 500 * time.Millisecond

// sharedStatus is Temporal's cache of run readings, by organization.
type sharedStatus struct {
	group singleflight.Group
	mu    sync.Mutex
	runs  map[string]readRun
	// now is the clock (time.Now when nil; a test holds it still).
	now func() time.Time
}

func (s *sharedStatus) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

type readRun struct {
	run wizard.Run
	at  time.Time
}

// get answers from a fresh reading, or reads once for every caller.
func (s *sharedStatus) get(ctx context.Context, org string, read func(context.Context) (wizard.Run, error)) (wizard.Run, error) {
	s.mu.Lock()
	if hit, ok := s.runs[org]; ok && s.clock().Sub(hit.at) < statusTTL {
		s.mu.Unlock()
		return hit.run, nil
	}
	s.mu.Unlock()
	ch := s.group.DoChan(org, func() (any, error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusTimeout)
		defer cancel()
		r, err := read(rctx)
		if err == nil {
			s.mu.Lock()
			if s.runs == nil {
				s.runs = map[string]readRun{}
			}
			s.runs[org] = readRun{run: r, at: s.clock()}
			s.mu.Unlock()
		}
		return r, err
	})
	select {
	case <-ctx.Done():
		return wizard.Run{Organization: org}, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return wizard.Run{Organization: org}, res.Err
		}
		return res.Val.(wizard.Run), nil
	}
}

// forget drops the organization's reading: after a decision the next page
// shows what the engine says now.
func (s *sharedStatus) forget(org string) {
	s.mu.Lock()
	delete(s.runs, org)
	s.mu.Unlock()
	s.group.Forget(org)
}

// statusTimeout bounds one shared reading.
const statusTimeout = 30 * time.Second
