// Package activities holds all I/O that workflows ask for, grouped by the
// external system it touches. Activities run at least once: each one is safe
// to run again after a crash.
package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// SelfCheck proves the engine end to end on the machine it runs on: durable
// timers and retries, heartbeats, encryption of inputs and failures, and a
// side effect that happens exactly once however often its activity runs. Its
// journal lives in the data dir so that the check survives a restart.
type SelfCheck struct {
	// Dir is the journal directory (<data-dir>/selfcheck).
	Dir string
}

// StepInput is one self-check step.
type StepInput struct {
	Index int
	// Note is operator-supplied text carried through the step; it is treated
	// as secret (it is what the encryption check looks for).
	Note string
	// Hold keeps the step running (heartbeating) after its side effect, so a
	// crash can land in the middle of it.
	Hold time.Duration
	// FailFirstAttempt makes the first attempt fail with an error that quotes
	// Note, to check retries and failure encryption.
	FailFirstAttempt bool
}

// StepReceipt is the record of a step's one side effect.
type StepReceipt struct {
	Index          int
	IdempotencyKey string
	// Attempt is the attempt that performed the side effect.
	Attempt int32
	At      time.Time
}

// Step records the step's receipt once (keyed by workflow, run and activity
// ID, which stay the same across retries), then holds with heartbeats.
func (s *SelfCheck) Step(ctx context.Context, in StepInput) (StepReceipt, error) {
	info := activity.GetInfo(ctx)
	key := fmt.Sprintf("%s/%s/%s", info.WorkflowExecution.ID, info.WorkflowExecution.RunID, info.ActivityID)
	if err := s.logAttempt(key, info.Attempt); err != nil {
		return StepReceipt{}, err
	}
	if in.FailFirstAttempt && info.Attempt == 1 {
		return StepReceipt{}, temporal.NewApplicationError(
			fmt.Sprintf("step %d: injected failure for %q", in.Index, in.Note), ErrSelfCheckInjected)
	}
	receipt, err := s.recordOnce(StepReceipt{Index: in.Index, IdempotencyKey: key, Attempt: info.Attempt, At: time.Now().UTC()})
	if err != nil {
		return StepReceipt{}, err
	}
	if err := hold(ctx, in.Hold); err != nil {
		return StepReceipt{}, err
	}
	return receipt, nil
}

// hold waits d, heartbeating every second so a dead worker is noticed fast.
func hold(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		activity.RecordHeartbeat(ctx)
		select {
		case <-ctx.Done():
			return fmt.Errorf("hold step: %w", ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// recordOnce creates the receipt file exclusively; when it already exists (an
// earlier attempt got that far) it returns the stored receipt instead.
func (s *SelfCheck) recordOnce(r StepReceipt) (StepReceipt, error) {
	dir := filepath.Join(s.Dir, "effects")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return StepReceipt{}, fmt.Errorf("create self-check journal: %w", err)
	}
	path := filepath.Join(dir, KeyFile(r.IdempotencyKey))
	data, err := json.Marshal(r)
	if err != nil {
		return StepReceipt{}, fmt.Errorf("encode receipt: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readReceipt(path)
	}
	if err != nil {
		return StepReceipt{}, fmt.Errorf("record receipt: %w", err)
	}
	// Write to a fresh file and fsync, so a crash leaves either no receipt or
	// a whole one; an empty file after a crash is repaired by rewriting it.
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return StepReceipt{}, fmt.Errorf("record receipt: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return StepReceipt{}, fmt.Errorf("sync receipt: %w", err)
	}
	return r, f.Close()
}

func readReceipt(path string) (StepReceipt, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return StepReceipt{}, fmt.Errorf("read receipt: %w", err)
	}
	var r StepReceipt
	if err := json.Unmarshal(data, &r); err != nil {
		// A torn write from a crash between create and sync: the side effect
		// is the receipt itself, so removing it lets the retry redo it.
		_ = os.Remove(path)
		return StepReceipt{}, fmt.Errorf("receipt %s is incomplete, will be rewritten: %w", filepath.Base(path), err)
	}
	return r, nil
}

// logAttempt appends one line per attempt, so a reader can tell an activity
// ran again after a crash.
func (s *SelfCheck) logAttempt(key string, attempt int32) error {
	dir := filepath.Join(s.Dir, "attempts")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create self-check journal: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, KeyFile(key)), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("log attempt: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%d\n", attempt); err != nil {
		_ = f.Close()
		return fmt.Errorf("log attempt: %w", err)
	}
	return f.Close()
}

// KeyFile maps an idempotency key to its journal file name (IDs may hold
// slashes); tests and tools that inspect the journal use it too.
func KeyFile(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}
