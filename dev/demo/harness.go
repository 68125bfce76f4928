package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// harness lets the demo run the stand-ins the end-to-end tests use
// (dev/testenv/standin and its players), which take a testing.TB, outside
// `go test`: what they log goes to the demo's log, a failure ends the
// goroutine that failed (as in a test) and the demo with it, and the
// cleanups run, newest first, when the demo stops.
//
// It embeds a nil testing.TB only for the interface's unexported method,
// which nothing outside package testing calls; every exported method is
// its own.
type harness struct {
	testing.TB

	log      *slog.Logger
	ctx      context.Context
	stop     context.CancelFunc
	root     string
	failed   atomic.Bool
	failures chan string

	mu       sync.Mutex
	cleanups []func()
	dirs     int
}

func newHarness(log *slog.Logger, root string) *harness {
	ctx, stop := context.WithCancel(context.Background())
	return &harness{log: log, ctx: ctx, stop: stop, root: root, failures: make(chan string, 16)}
}

func (h *harness) Helper()                         {}
func (h *harness) Name() string                    { return "demo" }
func (h *harness) Context() context.Context        { return h.ctx }
func (h *harness) Output() io.Writer               { return os.Stderr }
func (h *harness) ArtifactDir() string             { return h.TempDir() }
func (h *harness) Attr(key, value string)          { h.log.Info("attr", key, value) }
func (h *harness) Log(args ...any)                 { h.log.Info(fmt.Sprint(args...)) }
func (h *harness) Logf(format string, args ...any) { h.log.Info(fmt.Sprintf(format, args...)) }
func (h *harness) Failed() bool                    { return h.failed.Load() }
func (h *harness) Skipped() bool                   { return false }
func (h *harness) Chdir(dir string) {
	h.Fatalf("the demo does not change its folder (asked for %s)", dir)
}

// Setenv sets the variable for the demo's whole run, as the harness
// users only set what every process they start needs.
func (h *harness) Setenv(key, value string) {
	if err := os.Setenv(key, value); err != nil {
		h.Fatalf("set %s: %v", key, err)
	}
}

// Cleanup runs fn when the demo stops.
func (h *harness) Cleanup(fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cleanups = append(h.cleanups, fn)
}

// TempDir is a new folder under the demo's run folder.
func (h *harness) TempDir() string {
	h.mu.Lock()
	h.dirs++
	dir := filepath.Join(h.root, strconv.Itoa(h.dirs))
	h.mu.Unlock()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		h.Fatalf("make a folder: %v", err)
	}
	return dir
}

// Fail marks the demo failed: it stops (the main goroutine waits for
// failures).
func (h *harness) Fail() {
	if h.failed.CompareAndSwap(false, true) {
		h.failures <- "a stand-in failed (the log above says why)"
	}
}

func (h *harness) Error(args ...any) { h.log.Error(fmt.Sprint(args...)); h.Fail() }
func (h *harness) Errorf(format string, args ...any) {
	h.log.Error(fmt.Sprintf(format, args...))
	h.Fail()
}

// FailNow ends the calling goroutine, as in a test.
func (h *harness) FailNow()                          { h.Fail(); runtime.Goexit() }
func (h *harness) Fatal(args ...any)                 { h.Error(args...); runtime.Goexit() }
func (h *harness) Fatalf(format string, args ...any) { h.Errorf(format, args...); runtime.Goexit() }

// A stand-in that would skip in a test (an asset is missing) fails here.
func (h *harness) Skip(args ...any)                 { h.Fatal(args...) }
func (h *harness) SkipNow()                         { h.Fatal("skipped") }
func (h *harness) Skipf(format string, args ...any) { h.Fatalf(format, args...) }

// close ends the demo's context and runs the cleanups, newest first.
func (h *harness) close() {
	h.stop()
	h.mu.Lock()
	fns := slices.Clone(h.cleanups)
	h.cleanups = nil
	h.mu.Unlock()
	slices.Reverse(fns)
	for _, fn := range fns {
		fn()
	}
}
