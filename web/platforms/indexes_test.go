package platforms

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/catalog"
)

// A clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestIndexesFetchOnceForPagesThatWaitTogether(t *testing.T) {
	release := make(chan struct{})
	var loads atomic.Int32
	x := &indexes{now: time.Now, load: func(context.Context, string) (*catalog.Catalog, error) {
		loads.Add(1)
		<-release
		return catalog.Default(), nil
	}}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cat, err := x.get(context.Background(), "https://index.example/catalog.yaml")
			assert.NoError(t, err)
			assert.NotNil(t, cat)
		}()
	}
	require.EventuallyWithT(t, func(ct *assert.CollectT) { assert.Equal(ct, int32(1), loads.Load()) }, 10*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	require.Equal(t, int32(1), loads.Load(), "twenty pages, one fetch")
}

func TestIndexesServeTheKeptIndexWhileOneRefreshRuns(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	first, second := catalog.Default(), &catalog.Catalog{}
	release := make(chan struct{})
	var loads atomic.Int32
	x := &indexes{now: clk.now, load: func(context.Context, string) (*catalog.Catalog, error) {
		if loads.Add(1) == 1 {
			return first, nil
		}
		<-release
		return second, nil
	}}
	ctx := context.Background()
	const url = "https://index.example/catalog.yaml"
	got, err := x.get(ctx, url)
	require.NoError(t, err)
	require.Same(t, first, got)

	clk.add(indexTTL / 2)
	got, _ = x.get(ctx, url)
	require.Same(t, first, got, "fresh: kept")
	require.Equal(t, int32(1), loads.Load())

	clk.add(indexTTL)
	for range 10 {
		got, _ = x.get(ctx, url)
		require.Same(t, first, got, "past its TTL, pages get the kept index at once")
	}
	require.EventuallyWithT(t, func(ct *assert.CollectT) { assert.Equal(ct, int32(2), loads.Load()) }, 10*time.Second, time.Millisecond)
	close(release)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		got, _ := x.get(ctx, url)
		assert.Same(ct, second, got, "the refresh is served once it came")
	}, 10*time.Second, time.Millisecond)
	require.Equal(t, int32(2), loads.Load(), "ten pages past the TTL, one refresh")
}

func TestIndexesKeepAFailedFetchSoPagesSayWhy(t *testing.T) {
	x := &indexes{now: time.Now, load: func(context.Context, string) (*catalog.Catalog, error) {
		return nil, errors.New("catalog index https://index.example/catalog.yaml: 404 Not Found")
	}}
	_, err := x.get(context.Background(), "https://index.example/catalog.yaml")
	require.ErrorContains(t, err, "404")
	_, err = x.get(context.Background(), "https://index.example/catalog.yaml")
	require.ErrorContains(t, err, "404", "kept until the next fetch")
}

func TestIndexesAPageThatGivesUpDoesNotEndTheFetch(t *testing.T) {
	release := make(chan struct{})
	x := &indexes{now: time.Now, load: func(ctx context.Context, _ string) (*catalog.Catalog, error) {
		<-release
		return catalog.Default(), ctx.Err()
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := x.get(ctx, "https://index.example/catalog.yaml"); done <- err }()
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	close(release)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		cat, err := x.get(context.Background(), "https://index.example/catalog.yaml")
		assert.NoError(ct, err)
		assert.NotNil(ct, cat)
	}, 10*time.Second, time.Millisecond)
}
