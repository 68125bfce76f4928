package operations

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Shared is a reading many requests ask for at once (a visibility list, a
// run's state): a reading of a key in flight serves every caller of that
// key, and its answer serves later callers for the TTL they accept. The
// embedded server's visibility and history share one SQLite connection,
// so fifty pages asking the same thing would otherwise queue fifty
// identical calls (BENCHMARKS.md). The zero value is ready.
type Shared[V any] struct {
	// Now is the clock (time.Now when nil; a test holds it still).
	Now func() time.Time
	// Stale serves a reading past its TTL while one fresh reading runs in
	// the background, so no caller waits on a refresh once a key was read:
	// at fifty pages at once, the callers that came as the TTL ran out
	// waited on one slow visibility query, and their wait was the page's
	// p99 (BENCHMARKS.md). A key never read, or forgotten, is waited for.
	Stale bool

	group singleflight.Group
	mu    sync.Mutex
	cache map[string]reading[V]
}

type reading[V any] struct {
	v  V
	at time.Time
}

// sharedTimeout bounds one shared reading: it runs on behalf of every
// caller, so no one caller's cancel ends it.
const sharedTimeout = 30 * time.Second

// maxShared is how many keys are kept before the cache starts afresh.
const maxShared = 1000

func (s *Shared[V]) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Get answers from a reading of key younger than ttl, or reads once for
// every caller asking meanwhile. A failed reading is not kept.
func (s *Shared[V]) Get(ctx context.Context, key string, ttl time.Duration, read func(context.Context) (V, error)) (V, error) {
	s.mu.Lock()
	hit, ok := s.cache[key]
	s.mu.Unlock()
	if ok && s.now().Sub(hit.at) < ttl {
		return hit.v, nil
	}
	ch := s.group.DoChan(key, func() (any, error) {
		// A reading that ended between this caller's look at the cache and
		// its joining the group has left a fresh answer: serve it rather
		// than read again (twenty pages at once would otherwise read twice
		// or three times, whenever the first reading ends among them).
		s.mu.Lock()
		fresh, ok := s.cache[key]
		s.mu.Unlock()
		if ok && s.now().Sub(fresh.at) < ttl {
			return fresh.v, nil
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedTimeout)
		defer cancel()
		v, err := read(rctx)
		if err == nil {
			s.mu.Lock()
			if s.cache == nil || len(s.cache) > maxShared {
				s.cache = map[string]reading[V]{}
			}
			s.cache[key] = reading[V]{v: v, at: s.now()}
			s.mu.Unlock()
		}
		return v, err
	})
	if ok && s.Stale {
		return hit.v, nil // the reading above refreshes it for later callers
	}
	var zero V
	select {
	case <-ctx.Done():
		return zero, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(V), nil
	}
}

// Forget drops key's reading: the next caller reads anew (after a change
// the caller made itself).
func (s *Shared[V]) Forget(key string) {
	s.mu.Lock()
	delete(s.cache, key)
	s.mu.Unlock()
	s.group.Forget(key)
}

// ForgetAll drops every reading, for a change whose key the caller cannot
// name (a schedule paused by its ID, read by its platform).
func (s *Shared[V]) ForgetAll() {
	s.mu.Lock()
	keys := make([]string, 0, len(s.cache))
	for k := range s.cache {
		keys = append(keys, k)
	}
	s.cache = nil
	s.mu.Unlock()
	for _, k := range keys {
		s.group.Forget(k)
	}
}
