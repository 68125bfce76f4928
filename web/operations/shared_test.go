package operations

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Twenty pages asking for one run at once share one reading; a reading
// serves the next page too; a decision (Forget) makes the next page read
// again.
func TestRunReadingsAreShared(t *testing.T) {
	still := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	s := Shared[string]{Now: func() time.Time { return still }} // the readings never expire here
	var reads atomic.Int32
	release := make(chan struct{})
	read := func(context.Context) (string, error) {
		reads.Add(1)
		<-release
		return "running", nil
	}
	var wg sync.WaitGroup
	got := make([]string, 20)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.Get(context.Background(), "acme", time.Second, read)
			require.NoError(t, err)
			got[i] = r
		}()
	}
	close(release)
	wg.Wait()
	for _, r := range got {
		require.Equal(t, "running", r)
	}
	require.Equal(t, int32(1), reads.Load(), "twenty pages, one reading: shared while in flight, then served fresh")

	before := reads.Load()
	s.Forget("acme")
	_, err := s.Get(context.Background(), "acme", time.Second, read)
	require.NoError(t, err)
	require.Equal(t, before+1, reads.Load(), "after a decision the next page reads again")
}

// ForgetAll: after a change the caller cannot key (a schedule paused by
// its ID), every key reads anew.
func TestForgetAllReadsEveryKeyAgain(t *testing.T) {
	still := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	s := Shared[int]{Now: func() time.Time { return still }}
	var reads atomic.Int32
	read := func(context.Context) (int, error) { return int(reads.Add(1)), nil }
	for _, key := range []string{"acme", "beta", "acme"} {
		_, err := s.Get(context.Background(), key, time.Second, read)
		require.NoError(t, err)
	}
	require.Equal(t, int32(2), reads.Load(), "one reading per key while fresh")
	s.ForgetAll()
	for _, key := range []string{"acme", "beta"} {
		_, err := s.Get(context.Background(), key, time.Second, read)
		require.NoError(t, err)
	}
	require.Equal(t, int32(4), reads.Load(), "both keys read again")
}

// Stale: past its TTL a kept reading is served at once while one reading
// refreshes it; with Stale off the callers wait for that reading. A key
// never read is waited for either way.
func TestStaleServesTheKeptReadingWhileOneRefreshRuns(t *testing.T) {
	for _, stale := range []bool{true, false} {
		var mu sync.Mutex
		now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		s := Shared[int]{Now: clock, Stale: stale}
		var reads atomic.Int32
		release := make(chan struct{}, 1)
		read := func(context.Context) (int, error) {
			n := int(reads.Add(1))
			if n > 1 {
				<-release
			}
			return n, nil
		}
		got, err := s.Get(context.Background(), "acme", time.Second, read)
		require.NoError(t, err)
		require.Equal(t, 1, got, "a key never read is waited for")

		mu.Lock()
		now = now.Add(2 * time.Second)
		mu.Unlock()
		answers := make(chan int, 10)
		for range 10 {
			go func() {
				v, err := s.Get(context.Background(), "acme", time.Second, read)
				require.NoError(t, err)
				answers <- v
			}()
		}
		if stale {
			for range 10 {
				require.Equal(t, 1, <-answers, "past the TTL, the kept reading at once")
			}
			release <- struct{}{}
			require.Eventually(t, func() bool {
				v, _ := s.Get(context.Background(), "acme", time.Second, read)
				return v == 2
			}, 10*time.Second, time.Millisecond, "the refresh serves later callers")
		} else {
			release <- struct{}{}
			for range 10 {
				require.Equal(t, 2, <-answers, "without Stale, every caller waits for the refresh")
			}
		}
		require.Equal(t, int32(2), reads.Load(), "one refresh for ten callers (stale=%v)", stale)
	}
}
