package auth

import (
	"sync"
	"time"
)

// Failed sign-ins: the first freeAttempts failures in a row cost nothing;
// each one after waits twice as long as the last, up to maxDelay.
const (
	freeAttempts = 4
	firstDelay   = 2 * time.Second
	maxDelay     = 5 * time.Minute
)

// limiter slows down guessing: per client address and per user name, so
// neither one client trying many names nor many clients trying one name
// gets far.
type limiter struct {
	mu   sync.Mutex
	now  func() time.Time
	keys map[string]*failures
}

type failures struct {
	count int
	until time.Time
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, keys: map[string]*failures{}}
}

// wait is how long the keys must wait before their next attempt.
func (l *limiter) wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var longest time.Duration
	for _, k := range keys {
		if f := l.keys[k]; f != nil {
			if d := f.until.Sub(l.now()); d > longest {
				longest = d
			}
		}
	}
	return longest
}

// fail records a failed attempt.
func (l *limiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		f := l.keys[k]
		if f == nil {
			f = &failures{}
			l.keys[k] = f
		}
		f.count++
		if f.count > freeAttempts {
			d := firstDelay << (f.count - freeAttempts - 1)
			if d > maxDelay || d <= 0 {
				d = maxDelay
			}
			f.until = l.now().Add(d)
		}
	}
	if len(l.keys) > 10000 {
		l.sweep()
	}
}

// succeed forgets the keys' failures.
func (l *limiter) succeed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.keys, k)
	}
}

// sweep drops entries whose wait has passed, bounding memory under a flood.
func (l *limiter) sweep() {
	for k, f := range l.keys {
		if l.now().After(f.until.Add(maxDelay)) {
			delete(l.keys, k)
		}
	}
}
