package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// leftoverWait is how long a resume waits for a tofu run a stopped openova
// left (an apply runs detached and goes on) to end by itself; stopGrace
// is how long it then gets to release its lock after SIGTERM before it is
// killed.
var (
	leftoverWait = 15 * time.Minute
	stopGrace    = 30 * time.Second
)

// Leftovers lists the processes running in dir (tofu and the provider
// plugins it started): after openova was killed, its tofu may still hold
// the state lock or be writing state. They are found by their working
// directory in /proc, which cannot go stale the way a pid file can.
func Leftovers(dir string) ([]int, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	self := os.Getpid()
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && cwd == abs {
			out = append(out, pid)
		}
	}
	return out, nil
}

// StopLeftovers waits up to leftoverWait for the processes left running
// in dir to end (a detached apply finishes and records what it created),
// then asks the rest to stop (SIGTERM: tofu releases its lock and writes
// its state), waits up to stopGrace, and kills what is left.
func StopLeftovers(ctx context.Context, dir string) error {
	pids, err := waitGone(ctx, dir, leftoverWait)
	if err != nil || len(pids) == 0 {
		return err
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	left, err := waitGone(ctx, dir, stopGrace)
	for _, pid := range left {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return err
}

// waitGone waits up to d until no process runs in dir and returns those
// still running.
func waitGone(ctx context.Context, dir string, d time.Duration) ([]int, error) {
	deadline := time.Now().Add(d)
	for {
		left, err := Leftovers(dir)
		if err != nil || len(left) == 0 || !time.Now().Before(deadline) {
			return left, err
		}
		select {
		case <-ctx.Done():
			return left, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
