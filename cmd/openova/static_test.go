package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// staticBuild is one release-like build of openova (static, stripped)
// per test binary: what a bootstrap must run to be the manager's image,
// and what `openova image` is tested with. TestMain removes it.
var staticBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// staticOpenova builds it once (30 s to minutes) and returns its path.
// Its flags are image/real_test.go's, so the two packages' tests, run side
// by side, share one compile of every package in the build cache.
func staticOpenova(t testing.TB) string {
	t.Helper()
	staticBuild.once.Do(func() {
		staticBuild.dir, staticBuild.err = os.MkdirTemp("", "openova-static-")
		if staticBuild.err != nil {
			return
		}
		bin := filepath.Join(staticBuild.dir, "openova")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		// -trimpath, as dev/release.sh builds: the two share the build cache.
		build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		staticBuild.out, staticBuild.err = build.CombinedOutput()
		staticBuild.bin = bin
	})
	if staticBuild.err != nil {
		t.Fatalf("go build a static openova: %v\n%s", staticBuild.err, staticBuild.out)
	}
	return staticBuild.bin
}

// removeStaticBuild deletes the build (TestMain, after the tests).
func removeStaticBuild() {
	if staticBuild.dir != "" {
		_ = os.RemoveAll(staticBuild.dir)
	}
}
