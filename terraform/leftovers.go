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

// stopGrace is how long a left-over tofu gets to release its lock after
// SIGTERM before it is killed.
var stopGrace = 30 * time.Second

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

// StopLeftovers asks every process left running in dir to stop (SIGTERM:
// tofu then releases its lock and writes its state), waits up to
// stopGrace, then kills what is left.
func StopLeftovers(ctx context.Context, dir string) error {
	pids, err := Leftovers(dir)
	if err != nil || len(pids) == 0 {
		return err
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	deadline := time.Now().Add(stopGrace)
	for time.Now().Before(deadline) {
		left, err := Leftovers(dir)
		if err != nil {
			return err
		}
		if len(left) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	left, _ := Leftovers(dir)
	for _, pid := range left {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return nil
}
