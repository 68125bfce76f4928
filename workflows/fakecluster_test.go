package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"

	"github.com/openova-io/core/crds/v1alpha1"
)

// fakeCluster stands in for the activities in workflow tests: it keeps the
// set of releases and Components and the order of every call, and fails the
// releases it is told to. (Activities themselves are tested against a real
// API server and Git server in package activities.)
type fakeCluster struct {
	mu          sync.Mutex
	plan        catalog.Plan
	plans       map[string]catalog.Plan // per requested component, else plan
	resolveErr  error
	dependents  map[string][]string
	neverReady  map[string]bool
	releases    map[string]string // component → version
	applied     []activities.ApplyReleaseInput
	components  map[string]bool
	commits     int
	readyAfter  time.Duration     // mock time WaitReleaseReady takes
	failChart   map[string]string // component → chart version that never gets Ready
	upgrade     activities.CheckUpgradeResult
	upgrades    map[string]activities.CheckUpgradeResult // per component, else upgrade
	upgradeErr  error
	order       []string      // what OrderUpgrades answers
	backupErr   error         // what RunBackup answers
	backupAfter time.Duration // mock time RunBackup takes
	alerts      []activities.RaiseAlertInput
	// installed, when set, tracks the version each Component runs: the
	// spec's once its release is Ready, as the Component reconciler
	// reports it; CheckUpgrade then refuses the version that runs, as the
	// catalog does.
	installed map[string]string
	specs     map[string]string // component → version of its last upsert
	// adopted lists the components the bootstrap installed (ReadComponent
	// returns them adopted; upgrade_adopted_test.go mocks their activities).
	adopted map[string]*v1alpha1.Adopted
	calls   []string
}

func newFakeCluster(plan catalog.Plan) *fakeCluster {
	return &fakeCluster{plan: plan, dependents: map[string][]string{}, neverReady: map[string]bool{},
		releases: map[string]string{}, components: map[string]bool{}, specs: map[string]string{}}
}

func (f *fakeCluster) log(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeCluster) callsOf(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if len(c) > len(prefix) && c[:len(prefix)] == prefix {
			out = append(out, c[len(prefix):])
		}
	}
	return out
}

// newEnv registers the manager workflows and mocks every activity with f.
func (f *fakeCluster) newEnv() *testsuite.TestWorkflowEnvironment {
	env := newWorkflowEnv()
	for name, fn := range ManagerWorkflows() {
		env.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
	for _, a := range []any{&activities.Crossplane{}, &activities.Kubernetes{}, &activities.Catalog{}, &activities.Git{},
		&activities.Alerts{}, &activities.Schedules{}} {
		env.RegisterActivity(a)
	}
	var (
		c  *activities.Crossplane
		k  *activities.Kubernetes
		a  *activities.Catalog
		g  *activities.Git
		al *activities.Alerts
		sc *activities.Schedules
	)
	env.OnActivity(sc.ForgetSchedule, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ForgetScheduleInput) (activities.ForgetScheduleResult, error) {
			f.log("forget " + in.ID)
			return activities.ForgetScheduleResult{}, nil
		})
	env.OnActivity(a.CheckUpgrade, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CheckUpgradeInput) (activities.CheckUpgradeResult, error) {
			f.log("check " + in.Request.Component)
			f.mu.Lock()
			runs, tracked := f.installed[in.Request.Component]
			f.mu.Unlock()
			if tracked && catalog.SameVersion(runs, in.Request.To) {
				return activities.CheckUpgradeResult{}, temporal.NewNonRetryableApplicationError(
					in.Request.Component+": "+in.Request.To+" is already installed: nothing to upgrade", catalog.ErrAlreadyInstalled, nil)
			}
			if u, ok := f.upgrades[in.Request.Component]; ok {
				return u, nil
			}
			return f.upgrade, f.upgradeErr
		})
	env.OnActivity(k.RunBackup, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RunBackupInput) (activities.RunBackupResult, error) {
			f.log("backup " + activities.BackupName(in.Component, in.Version))
			return activities.RunBackupResult{Kind: in.Backup.Kind, Name: activities.BackupName(in.Component, in.Version)}, f.backupErr
		}).After(f.backupAfter)
	env.OnActivity(a.OrderUpgrades, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.OrderUpgradesInput) (activities.OrderUpgradesResult, error) {
			return activities.OrderUpgradesResult{Order: f.order}, nil
		})
	env.OnActivity(k.ReadComponent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReadComponentInput) (activities.ReadComponentResult, error) {
			from := "v1.30.0"
			if u, ok := f.upgrades[in.Name]; ok {
				from = u.Plan.From.Version
			}
			if a := f.adopted[in.Name]; a != nil {
				return activities.ReadComponentResult{ComponentSpec: activities.ComponentSpec{Version: a.Version, ChartVersion: a.ChartVersion,
					Chart: a.Chart, Repository: a.Repository, Category: "mandatory"}, Adopted: a}, nil
			}
			return activities.ReadComponentResult{ComponentSpec: activities.ComponentSpec{
				Version: from, Chart: in.Name, Repository: "https://charts.example/", Values: []byte(`{"replicas":2}`)}}, nil
		})
	env.OnActivity(k.MarkRolledBack, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MarkRolledBackInput) (activities.MarkRolledBackResult, error) {
			f.log("mark " + in.Name + " " + in.To)
			return activities.MarkRolledBackResult{}, nil
		})
	env.OnActivity(al.RaiseAlert, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RaiseAlertInput) (activities.RaiseAlertResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.alerts = append(f.alerts, in)
			return activities.RaiseAlertResult{Alertmanager: true}, nil
		})
	env.OnActivity(a.ResolvePlan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ResolvePlanInput) (activities.ResolvePlanResult, error) {
			if p, ok := f.plans[in.Request.Component]; ok {
				return activities.ResolvePlanResult{Plan: p}, nil
			}
			return activities.ResolvePlanResult{Plan: f.plan}, f.resolveErr
		})
	env.OnActivity(a.Dependents, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DependentsInput) (activities.DependentsResult, error) {
			return activities.DependentsResult{Dependents: f.dependents[in.Component]}, nil
		})
	env.OnActivity(k.UpsertComponent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.UpsertComponentInput) (activities.UpsertComponentResult, error) {
			f.log("component " + in.Name)
			f.mu.Lock()
			f.components[in.Name] = true
			f.specs[in.Name] = in.Version
			f.mu.Unlock()
			return activities.UpsertComponentResult{Generation: 1}, nil
		})
	env.OnActivity(k.DeleteComponent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DeleteComponentInput) (activities.DeleteComponentResult, error) {
			f.log("remove component " + in.Name)
			f.mu.Lock()
			delete(f.components, in.Name)
			f.mu.Unlock()
			return activities.DeleteComponentResult{Deleted: true}, nil
		})
	env.OnActivity(k.RecordEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordEventInput) (activities.RecordEventResult, error) {
			f.log("event " + in.Reason + ": " + in.Message)
			return activities.RecordEventResult{}, nil
		})
	env.OnActivity(c.ApplyRelease, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyReleaseInput) (activities.ApplyReleaseResult, error) {
			f.log("apply " + in.Component)
			f.mu.Lock()
			f.releases[in.Component] = in.Version
			f.applied = append(f.applied, in)
			f.mu.Unlock()
			return activities.ApplyReleaseResult{Generation: 1}, nil
		})
	env.OnActivity(g.CommitRelease, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitReleaseInput) (activities.CommitManifestResult, error) {
			f.log("commit " + in.Release.Component)
			f.mu.Lock()
			defer f.mu.Unlock()
			f.releases[in.Release.Component] = in.Release.Version
			f.commits++
			return activities.CommitManifestResult{Commit: "c0ffee", Changed: true}, nil
		})
	env.OnActivity(g.RemoveRelease, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RemoveReleaseInput) (activities.RemoveManifestResult, error) {
			f.log("uncommit " + in.Component)
			f.mu.Lock()
			delete(f.releases, in.Component)
			f.mu.Unlock()
			return activities.RemoveManifestResult{Changed: true}, nil
		})
	env.OnActivity(c.WaitReleaseExists, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WaitReleaseExistsInput) (activities.WaitReleaseExistsResult, error) {
			f.log("exists " + in.Name)
			return activities.WaitReleaseExistsResult{}, nil
		})
	env.OnActivity(c.WaitReleaseReady, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WaitReleaseReadyInput) (activities.WaitReleaseReadyResult, error) {
			f.log("ready " + in.Name)
			f.mu.Lock()
			failing := f.failChart[in.Name] != "" && f.failChart[in.Name] == f.releases[in.Name]
			f.mu.Unlock()
			if f.neverReady[in.Name] || failing {
				return activities.WaitReleaseReadyResult{}, temporal.NewNonRetryableApplicationError(
					in.Name+" not Ready by the deadline: Ready=False ReconcileError: image pull failed", activities.ErrReleaseNotReady, nil)
			}
			f.mu.Lock()
			if f.installed != nil {
				f.installed[in.Name] = f.specs[in.Name]
			}
			f.mu.Unlock()
			return activities.WaitReleaseReadyResult{Endpoints: []v1alpha1.Endpoint{{Name: "ui", URL: "https://" + in.Name}}}, nil
		}).After(f.readyAfter)
	env.OnActivity(c.DeleteRelease, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DeleteReleaseInput) (activities.DeleteReleaseResult, error) {
			f.log("delete " + in.Name)
			f.mu.Lock()
			defer f.mu.Unlock()
			_, ok := f.releases[in.Name]
			delete(f.releases, in.Name)
			return activities.DeleteReleaseResult{Deleted: ok}, nil
		})
	env.OnActivity(c.WaitReleaseGone, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WaitReleaseGoneInput) (activities.WaitReleaseGoneResult, error) {
			f.log("gone " + in.Name)
			return activities.WaitReleaseGoneResult{}, nil
		})
	return env
}

// progressOf queries the workflow's progress.
func progressOf(t *testing.T, env *testsuite.TestWorkflowEnvironment) Progress {
	t.Helper()
	v, err := env.QueryWorkflow(QueryProgress)
	require.NoError(t, err)
	var p Progress
	require.NoError(t, v.Get(&p))
	return p
}

// stepNamed finds a progress step by its name.
func stepNamed(t *testing.T, p Progress, name string) ProgressStep {
	t.Helper()
	for _, s := range p.Steps {
		if s.Name == name {
			return s
		}
	}
	require.Failf(t, "no such step", "%q not in %+v", name, p.Steps)
	return ProgressStep{}
}

// planStep builds a plan entry.
func planStep(name string, state catalog.StepState) catalog.Step {
	return catalog.Step{Name: name, Version: "v1.0.0", State: state, Chart: catalog.Chart{Name: name, Repository: "https://charts.example/" + name}}
}
