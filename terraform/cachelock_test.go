package terraform

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLockPluginCache: a second init waits while the first holds the
// cache, gets it once the first lets go, and gives up with ctx, saying
// why.
func TestLockPluginCache(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockPluginCache(t.Context(), dir)
	require.NoError(t, err)

	got := make(chan func(), 1)
	go func() {
		u, err := lockPluginCache(t.Context(), dir)
		if err == nil {
			got <- u
		}
		close(got)
	}()

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = lockPluginCache(ctx, dir)
	require.ErrorContains(t, err, "another init holds")
	require.ErrorIs(t, err, context.Canceled)
	select {
	case <-got:
		t.Fatal("the second init took the cache while the first held it")
	default:
	}

	unlock()
	second, ok := <-got
	require.True(t, ok, "the second init gets the cache once the first lets go")
	second()
}
