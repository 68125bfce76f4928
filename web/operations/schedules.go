package operations

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/worker/schedules"
)

// Schedules reads and acts on the platform's scheduled upgrades (Temporal
// Schedules), the calls `temporal schedule list|toggle|delete` make. Its
// lists are visibility queries: with a TTL, pages that ask at once share
// one, and it serves for TTL, so fifty Upgrades pages do not queue fifty
// identical queries on the embedded server's one SQLite connection until
// they time out (BENCHMARKS.md, "Every page under load"). A schedule the
// reconciler creates after a spec change shows within the TTL, as it
// shows once visibility has it without one.
type Schedules struct {
	Client client.ScheduleClient
	TTL    time.Duration

	lists Shared[[]schedules.Scheduled]
	once  sync.Once
}

// List is the platform's scheduled upgrades.
func (s *Schedules) List(ctx context.Context, platform string) ([]schedules.Scheduled, error) {
	if s.TTL <= 0 {
		return schedules.List(ctx, s.Client, platform)
	}
	// Served stale while one refresh runs: a page never waits on the
	// query once the platform's list was read; its own changes (pause,
	// resume, cancel) forget the lists, so the next page waits for them.
	s.once.Do(func() { s.lists.Stale = true })
	return s.lists.Get(ctx, platform, s.TTL, func(ctx context.Context) ([]schedules.Scheduled, error) {
		return schedules.List(ctx, s.Client, platform)
	})
}

// Pause holds a scheduled upgrade, with a note saying who and why.
func (s *Schedules) Pause(ctx context.Context, id, note string) error {
	defer s.lists.ForgetAll() // the next page shows the change
	if err := s.Client.GetHandle(ctx, id).Pause(ctx, client.SchedulePauseOptions{Note: note}); err != nil {
		return fmt.Errorf("pause %s: %w", id, err)
	}
	return nil
}

// Resume lets a paused scheduled upgrade run at its time again.
func (s *Schedules) Resume(ctx context.Context, id, note string) error {
	defer s.lists.ForgetAll()
	if err := s.Client.GetHandle(ctx, id).Unpause(ctx, client.ScheduleUnpauseOptions{Note: note}); err != nil {
		return fmt.Errorf("resume %s: %w", id, err)
	}
	return nil
}

// Cancel deletes a scheduled upgrade.
func (s *Schedules) Cancel(ctx context.Context, id string) error {
	defer s.lists.ForgetAll()
	return schedules.Cancel(ctx, s.Client, id)
}
