package auth

import (
	"net"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Sign-in throttling. The design, and why:
//
//   - Attempts are counted per pair of source and user name. The source is
//     the client's address (behind --trusted-proxies, the one the proxy
//     reports; an IPv6 address by its /64, which one host usually holds
//     whole). The first freeAttempts attempts of a pair go through at
//     once; from then on each failure makes the pair wait twice as long
//     as the last, from firstDelay up to maxDelay. A stranger who fails
//     from his sources slows down his own pairs only, so he cannot keep
//     the owner, at another source, out. (Counting per user name alone let
//     anyone lock the admin out; counting per address alone locked out
//     everyone behind one proxy.)
//   - Against guessing spread over many sources, a user's failures from
//     all sources are counted too, and forgotten after quietPeriod without
//     one. Past attackThreshold the user is under attack: each of its
//     pairs has one free attempt instead of freeAttempts, so every source
//     waits from its first failure on. A source with no failure for the
//     user (the owner at a fresh browser or address) still has its
//     attempt at once: a right password from a clean source always gets
//     in. A guesser then gets one guess per new source and the slow
//     schedule on each; the hashing semaphore bounds the CPU it can take.
//   - An attempt is counted before the password is checked (reserve) and
//     forgiven if it was right (release): concurrent guesses of one pair
//     cannot all be checked before the first failure is recorded.
//   - A name without a password (any but AdminUser) fails without a check
//     and guesses nothing: all such names of a source are counted as one,
//     so a flood of made-up names is slowed down (and its log lines with
//     it) without making an entry per name.
//   - Pairs and users live in one LRU table of maxEntries (tens of bytes
//     each): a flood of sources evicts the least recently used. The
//     attacked user's entry is touched by every attempt and stays; a
//     guesser would need maxEntries sources of his own to evict his pair.
const (
	freeAttempts    = 5
	firstDelay      = 2 * time.Second
	maxDelay        = 5 * time.Minute
	attackThreshold = 10
	quietPeriod     = 15 * time.Minute
	maxEntries      = 10000
)

type limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	entries *simplelru.LRU[string, *failures]
}

// failures are a pair's or a user's attempts in a row that were not
// forgiven, and until when the pair waits.
type failures struct {
	count int
	last  time.Time
	until time.Time
}

func newLimiter(now func() time.Time) *limiter {
	entries, err := simplelru.NewLRU[string, *failures](maxEntries, nil)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &limiter{now: now, entries: entries}
}

// attempt is a reserved sign-in attempt.
type attempt struct{ pair, user string }

// reserve counts an attempt of user from source before its password is
// checked, or says how long the pair must wait first.
func (l *limiter) reserve(source, user string) (attempt, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	a := attempt{pair: "pair:" + sourceKey(source) + "|" + user, user: "user:" + user}
	p := l.get(a.pair)
	if wait := p.until.Sub(now); wait > 0 {
		return attempt{}, wait
	}
	u := l.get(a.user)
	if now.Sub(u.last) > quietPeriod {
		u.count = 0
	}
	free := freeAttempts
	if u.count >= attackThreshold {
		free = 1
	}
	u.count++
	u.last = now
	p.count++
	p.last = now
	if p.count >= free {
		d := maxDelay
		if n := p.count - free; n < 20 {
			d = min(firstDelay<<n, maxDelay)
		}
		p.until = now.Add(d)
	}
	return a, 0
}

// release forgives a reserved attempt whose password was right: the
// pair's failures are forgotten, the user's count loses this attempt
// (the attack on the user goes on being counted).
func (l *limiter) release(a attempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries.Remove(a.pair)
	if u, ok := l.entries.Peek(a.user); ok && u.count > 0 {
		u.count--
	}
}

func (l *limiter) get(key string) *failures {
	f, ok := l.entries.Get(key)
	if !ok {
		f = &failures{}
		l.entries.Add(key, f)
	}
	return f
}

// sourceKey is an IPv4 address as it is, an IPv6 address by its /64.
func sourceKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}
