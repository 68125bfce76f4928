package controllers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// DefaultCheckEvery is how often a platform's components are checked for
// newer versions unless the manager is told otherwise.
const DefaultCheckEvery = 6 * time.Hour

// checkSchedules keeps each platform's CheckUpdates Schedule as the spec
// wants it. What it last wrote is remembered in memory, so an unchanged
// platform costs no Temporal call; after a restart each platform's
// schedule is written once more (create, or update if it exists).
type checkSchedules struct {
	Schedules client.ScheduleClient
	Every     time.Duration

	mu      sync.Mutex
	written map[string]string // namespace/name → what was written
	checked map[string]string // namespace/name → installed versions last checked
}

func (s *checkSchedules) options(p *v1alpha1.Platform) client.ScheduleOptions {
	every := s.Every
	if every <= 0 {
		every = DefaultCheckEvery
	}
	return client.ScheduleOptions{
		ID:   workflows.CheckUpdatesID(p.Name),
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}},
		// A check asked for while one runs runs after it, not never.
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE,
		Note:    "checks platform " + p.Name + " for component upgrades (openova manager)",
		Action: &client.ScheduleWorkflowAction{
			ID:        workflows.CheckUpdatesID(p.Name),
			Workflow:  workflows.CheckUpdatesWorkflow,
			TaskQueue: workflows.TaskQueueManager,
			Args: []any{workflows.CheckUpdatesInput{
				Platform: p.Name, Namespace: p.Namespace, IndexURL: p.Spec.CatalogIndexURL,
			}},
			TypedSearchAttributes: temporal.NewSearchAttributes(
				workflows.SearchAttrPlatform.ValueSet(p.Name), workflows.SearchAttrOperation.ValueSet(workflows.OperationCheckUpdates)),
		},
	}
}

// ensure creates or updates the platform's schedule when what it should
// say changed since this process last wrote it.
func (s *checkSchedules) ensure(ctx context.Context, p *v1alpha1.Platform) error {
	if s == nil || s.Schedules == nil {
		return nil
	}
	key, want := p.Namespace+"/"+p.Name, fmt.Sprintf("%s|%s|%s", s.Every, p.Spec.CatalogIndexURL, p.Namespace)
	s.mu.Lock()
	done := s.written[key] == want
	s.mu.Unlock()
	if done {
		return nil
	}
	o := s.options(p)
	_, err := s.Schedules.Create(ctx, o)
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		err = s.Schedules.GetHandle(ctx, o.ID).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				sched := in.Description.Schedule
				sched.Spec, sched.Action = &o.Spec, o.Action
				return &client.ScheduleUpdate{Schedule: &sched}, nil
			},
		})
	}
	if err != nil {
		return fmt.Errorf("schedule update checks of platform %s: %w", p.Name, err)
	}
	s.mu.Lock()
	if s.written == nil {
		s.written = map[string]string{}
	}
	s.written[key] = want
	s.mu.Unlock()
	return nil
}

// installedChanged runs the platform's check now when its installed
// components or their versions changed since this process last asked (and
// once after a start), so new installs and upgrades show their upgrades
// without waiting for the next interval.
func (s *checkSchedules) installedChanged(ctx context.Context, p *v1alpha1.Platform, installed map[string]Installed) error {
	if s == nil || s.Schedules == nil {
		return nil
	}
	names := make([]string, 0, len(installed))
	for n, c := range installed {
		names = append(names, n+"@"+c.Version)
	}
	sort.Strings(names)
	key, now := p.Namespace+"/"+p.Name, strings.Join(names, ",")
	s.mu.Lock()
	last, seen := s.checked[key]
	s.mu.Unlock()
	if seen && last == now {
		return nil
	}
	if err := s.Schedules.GetHandle(ctx, workflows.CheckUpdatesID(p.Name)).Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		return fmt.Errorf("check platform %s for updates: %w", p.Name, err)
	}
	s.mu.Lock()
	if s.checked == nil {
		s.checked = map[string]string{}
	}
	s.checked[key] = now
	s.mu.Unlock()
	return nil
}

// remove deletes the schedule of a platform that is gone.
func (s *checkSchedules) remove(ctx context.Context, namespace, name string) error {
	if s == nil || s.Schedules == nil {
		return nil
	}
	s.mu.Lock()
	delete(s.written, namespace+"/"+name)
	delete(s.checked, namespace+"/"+name)
	s.mu.Unlock()
	err := s.Schedules.GetHandle(ctx, workflows.CheckUpdatesID(name)).Delete(ctx)
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("delete update checks of platform %s: %w", name, err)
	}
	return nil
}
