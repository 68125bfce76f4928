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
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/worker/schedules"
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

// client is the schedule client, or nil when the manager runs without one
// (controller tests): then there is nothing to schedule.
func (s *checkSchedules) client() client.ScheduleClient {
	if s == nil {
		return nil
	}
	return s.Schedules
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
			TypedSearchAttributes: workflows.OperationAttributes(p.Name, "", workflows.OperationCheckUpdates),
		},
	}
}

// ensure creates or updates the platform's schedule when what it should
// say changed since this process last wrote it.
func (s *checkSchedules) ensure(ctx context.Context, p *v1alpha1.Platform) error {
	if s.client() == nil {
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
	if s.client() == nil {
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
	if s.client() == nil {
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

// scheduledUpgrades lists the platform's upgrades that wait for its
// maintenance window, by component. It asks Temporal only when the
// platform has a window or had one (its UpgradeScheduled condition), so a
// platform without one costs nothing.
func (r *PlatformReconciler) scheduledUpgrades(ctx context.Context, p *v1alpha1.Platform) (map[string]Scheduled, error) {
	if r.Checks.client() == nil ||
		(p.Spec.MaintenanceWindow == nil && !upgradesAt(p) && meta.FindStatusCondition(p.Status.Conditions, v1alpha1.ConditionUpgradeScheduled) == nil) {
		return nil, nil
	}
	list, err := schedules.List(ctx, r.Checks.client(), p.Name)
	if err != nil {
		return nil, err
	}
	out := map[string]Scheduled{}
	for _, s := range list {
		if !s.Next.IsZero() { // fired ones are followed through their upgrade
			out[s.Component] = Scheduled{ID: s.ID, To: s.To, Next: s.Next}
		}
	}
	return out, nil
}

// scheduleUpgrade creates the scheduled upgrade of a version bump: at the
// component's upgradeAt, else in the platform's maintenance window.
func (r *PlatformReconciler) scheduleUpgrade(ctx context.Context, p *v1alpha1.Platform, s Start) error {
	if r.Checks.client() == nil {
		return fmt.Errorf("schedule upgrade of %s: no Temporal schedule client", s.Component)
	}
	u := schedules.Upgrade{Upgrade: r.upgradeInput(p, s), Generation: p.Generation, At: s.At}
	if s.At.IsZero() {
		window, err := maintenanceWindow(p)
		if err != nil || window == nil {
			return fmt.Errorf("schedule upgrade of %s: %v", s.Component, err)
		}
		u.Window = window
	}
	_, err := schedules.Create(ctx, r.Checks.client(), u, time.Now())
	return err
}
