package auth

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
)

// The limiter throttles pairs of source and user: a stranger's failures
// never keep the owner waiting at another source, an attack on the user
// from many sources leaves each of them one free attempt, and a clean
// source always has its attempt.
func TestLimiterThrottlesPairsNotUsers(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	type step struct {
		source   string
		right    bool // the password was right: the attempt is released
		waits    bool // the attempt must wait
		advance  time.Duration
		describe string
	}
	fail := func(source string, n int) []step {
		var s []step
		for range n {
			s = append(s, step{source: source})
		}
		return s
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"five free attempts, then waits that double", append(fail("192.0.2.1", 5),
			step{source: "192.0.2.1", waits: true, describe: "the sixth waits"},
			step{source: "192.0.2.1", advance: 2 * time.Second, describe: "after 2s it may try again"},
			step{source: "192.0.2.1", advance: 2 * time.Second, waits: true, describe: "then it waits 4s"},
			step{source: "192.0.2.1", advance: 2 * time.Second})},
		{"a stranger's failures do not hold up another source", append(fail("192.0.2.1", 5),
			step{source: "192.0.2.1", waits: true}, step{source: "192.0.2.1", waits: true},
			step{source: "198.51.100.7", right: true, describe: "the owner gets in"})},
		{"a right password forgives the pair", append(fail("192.0.2.1", 4),
			step{source: "192.0.2.1", right: true},
			step{source: "192.0.2.1"}, step{source: "192.0.2.1"}, step{source: "192.0.2.1"}, step{source: "192.0.2.1"},
			step{source: "192.0.2.1"}, step{source: "192.0.2.1", waits: true})},
		{"under attack a failed source waits from its first failure, a clean one does not",
			append(append(fail("192.0.2.1", 5), fail("192.0.2.2", 5)...),
				step{source: "192.0.2.3"}, step{source: "192.0.2.3", waits: true, describe: "one free attempt"},
				step{source: "198.51.100.7", right: true, describe: "a clean source gets in"})},
		{"an attack is forgotten after a quiet period",
			append(append(fail("192.0.2.1", 5), fail("192.0.2.2", 5)...),
				step{source: "192.0.2.3", advance: quietPeriod + time.Minute}, step{source: "192.0.2.3"})},
		{"an IPv6 host is one source by its /64",
			append(fail("2001:db8::1", 3), step{source: "2001:db8::2"}, step{source: "2001:db8::ffff"},
				step{source: "2001:db8::3", waits: true}, step{source: "2001:db8:0:1::1"})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := now
			l := newLimiter(func() time.Time { return clock })
			for i, s := range tc.steps {
				clock = clock.Add(s.advance)
				a, wait := l.reserve(s.source, AdminUser)
				require.Equal(t, s.waits, wait > 0, "step %d (%s from %s): wait %s", i, s.describe, s.source, wait)
				if s.right && wait == 0 {
					l.release(a)
				}
			}
		})
	}
}

// However many sources try, the table stays within maxEntries.
func TestLimiterIsBounded(t *testing.T) {
	l := newLimiter(time.Now)
	for i := range 3 * maxEntries {
		l.reserve(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), AdminUser)
	}
	require.Equal(t, maxEntries, l.entries.Len())
	_, wait := l.reserve("10.0.0.0", AdminUser)
	require.Zero(t, wait, "the oldest pairs were evicted")
}

// Thirty guesses at once from one source: five are checked, the rest are
// refused before argon2 (each attempt is counted before the check).
func TestConcurrentGuessesAreCountedBeforeTheCheck(t *testing.T) {
	_, login := testLogin(t)
	codes := make(chan int, 30)
	for range 30 {
		go func() { codes <- login("admin", "wrong", "192.0.2.9").Code }()
	}
	count := map[int]int{}
	for range 30 {
		count[<-codes]++
	}
	require.Equal(t, map[int]int{http.StatusUnauthorized: freeAttempts, http.StatusTooManyRequests: 30 - freeAttempts}, count)
}

// Bad form values are refused with a message before anything is counted
// or logged in full.
func TestLoginRefusesOversizedFields(t *testing.T) {
	a, login := testLogin(t)
	var log bytes.Buffer
	a.Log = slog.New(slog.NewJSONHandler(&log, nil))
	cases := []struct {
		name, user, password string
		code                 int
		says                 string
	}{
		{"a long name", strings.Repeat("é", 1<<19), "x", http.StatusUnprocessableEntity, "A user name has at most 256 characters"},
		{"a long password", "admin", strings.Repeat("x", 2000), http.StatusUnprocessableEntity, "A password has at most 1024 characters"},
		{"nothing", "", "", http.StatusUnprocessableEntity, "Enter your user name and password."},
		{"an unknown name", "root", "x", http.StatusUnauthorized, "Wrong user name or password."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log.Reset()
			rec := login(tc.user, tc.password, "192.0.2.10")
			require.Equal(t, tc.code, rec.Code)
			require.Contains(t, rec.Body.String(), tc.says)
			require.Less(t, rec.Body.Len(), 16<<10, "the name is not echoed back")
			require.Less(t, log.Len(), 1024, "the name is logged truncated")
		})
	}
	require.Equal(t, []string{"pair:192.0.2.10|", "user:"}, a.limit.entries.Keys(),
		"only the unknown name was counted, as every name without a password")

	for i := range freeAttempts + 1 {
		rec := login(fmt.Sprintf("made-up-%d", i), "x", "192.0.2.11")
		if i < freeAttempts {
			require.Equal(t, http.StatusUnauthorized, rec.Code)
		} else {
			require.Equal(t, http.StatusTooManyRequests, rec.Code, "a flood of made-up names is slowed down")
		}
	}
	require.Equal(t, http.StatusSeeOther, login("admin", "right-password", "192.0.2.11").Code, "but not the admin's sign-in")
}

// testLogin is Auth with a known admin password, and a sign-in from an
// address.
func testLogin(t *testing.T) (*Auth, func(user, password, addr string) *httptest.ResponseRecorder) {
	phc, err := Hash("right-password")
	require.NoError(t, err)
	s, err := LoadSessions(t.TempDir(), false)
	require.NoError(t, err)
	a := New(s, phc, slog.New(slog.DiscardHandler))
	e := echo.New()
	e.IPExtractor = echo.ExtractIPDirect()
	a.Routes(e)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a.limit.now = func() time.Time { return now }
	return a, func(user, password, addr string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"user": {user}, "password": {password}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = addr + ":4321"
		e.ServeHTTP(rec, r)
		return rec
	}
}
