package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Schedules removes the Temporal Schedules of scheduled upgrades once they
// have done their work, so a maintenance window upgrades once: a backfill
// or a catch-up cannot fire a schedule that is gone.
type Schedules struct {
	// Temporal is the worker's client (its ScheduleClient is asked at run
	// time, so a replayer may register this with a nil client).
	Temporal client.Client
}

// ForgetScheduleInput names the schedule.
type ForgetScheduleInput struct {
	ID string
}

// ForgetScheduleResult is empty: the schedule being gone is the result.
type ForgetScheduleResult struct{}

// ForgetSchedule deletes the schedule; one already gone (deleted by the
// UI, the reconciler, an operator, or this activity's earlier attempt) is
// no error.
func (s *Schedules) ForgetSchedule(ctx context.Context, in ForgetScheduleInput) (ForgetScheduleResult, error) {
	err := s.Temporal.ScheduleClient().GetHandle(ctx, in.ID).Delete(ctx)
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		return ForgetScheduleResult{}, fmt.Errorf("delete schedule %s: %w", in.ID, err)
	}
	return ForgetScheduleResult{}, nil
}
