package terraform

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
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

// TestSecondInitKeepsTheCachedProvider: the hcloud provider (from the
// mirror dev/dev.sh builds) is installed into the shared cache by the
// first working directory's init; a second, fresh directory's init links
// that file instead of writing it again, so a plan running from the first
// directory never sees it half-written.
func TestSecondInitKeepsTheCachedProvider(t *testing.T) {
	cache := t.TempDir()
	module := fstest.MapFS{"main.tf": {Data: []byte(`terraform {
  required_providers {
    hcloud = { source = "hetznercloud/hcloud" }
  }
}
`)}}
	env := testenv.TofuEnv(t)
	init := func() {
		r := &Runner{Bin: testenv.Bin(t, "tofu"), Dir: t.TempDir(), Module: module, PluginCache: cache, Env: env}
		require.NoError(t, r.Prepare(t.Context()))
		require.NoError(t, r.Init(t.Context(), nil))
	}
	// The cache entry is the platform's folder (a link to the mirror's
	// when the mirror is unpacked): replacing it gives a new inode.
	cached := func() os.FileInfo {
		entries, err := filepath.Glob(filepath.Join(cache, "registry.opentofu.org", "hetznercloud", "hcloud", "*", runtime.GOOS+"_"+runtime.GOARCH))
		require.NoError(t, err)
		require.Len(t, entries, 1, "the provider is in the cache")
		fi, err := os.Lstat(entries[0])
		require.NoError(t, err)
		return fi
	}
	init()
	first := cached()
	init()
	second := cached()
	require.True(t, os.SameFile(first, second), "the second init did not replace the cached provider")
	require.Equal(t, first.ModTime(), second.ModTime(), "nor rewrite it")
}
