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
