package terraform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// cacheLockFile sits in the plugin cache; holding an exclusive flock on it
// is holding the cache.
const cacheLockFile = ".openova-init.lock"

// lockPluginCache takes the plugin cache for one init. OpenTofu's cache is
// not safe for concurrent inits ("the provider installer's behavior in
// environments with multiple tofu init calls is undefined", its docs;
// opentofu/opentofu#1483): two regions' inits at once failed here with
// "Failed to install provider". flock locks an open file description, so
// it excludes other goroutines of this process (each opens the file anew)
// as well as another openova on the same data directory, and the kernel
// drops it when a holder dies (kill -9). It waits for ctx, polling, as a
// blocking flock cannot be cancelled.
func lockPluginCache(ctx context.Context, dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, cacheLockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("lock the plugin cache %s: %w", dir, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("wait for the plugin cache %s, which another init holds: %w", dir, ctx.Err())
		case <-tick.C:
		}
	}
}
