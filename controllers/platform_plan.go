package controllers

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/worker/schedules"
)

// OpState is what Temporal says about a component's last operation.
type OpState string

// Operation states, as the plan needs them.
const (
	OpNone      OpState = ""          // never started, or started for an older generation and done
	OpRunning   OpState = "running"   // a workflow is running
	OpFailed    OpState = "failed"    // failed, cancelled, terminated or timed out
	OpSucceeded OpState = "succeeded" // completed
)

// OpKind is what a component's workflow does.
type OpKind string

// Operation kinds.
const (
	KindInstall   OpKind = "install"
	KindUninstall OpKind = "uninstall"
	KindUpgrade   OpKind = "upgrade"
)

// Op is the last workflow of one component: install, uninstall, or
// upgrade to the version the spec asks for.
type Op struct {
	Kind       OpKind
	State      OpState
	Generation int64  // platform generation the workflow was started for
	Message    string // failure message, or the running step
	// RolledBack: the upgrade failed and rolled the component back.
	RolledBack bool
	// Started is when the workflow started.
	Started time.Time
}

// Installed is what the Platform reconciler knows of one Component resource.
type Installed struct {
	Ready   bool
	Health  string
	Version string
	// Upgradable is true when a newer version is available.
	Upgradable bool
	// AdoptedBy, for a component the bootstrap installed and the manager
	// adopted, names what installed it.
	AdoptedBy string
	// NotUpgradable says why the manager does not upgrade the adopted
	// component (v1alpha1.ManagerCannotUpgrade; "" when it does).
	NotUpgradable string
}

// Start is a workflow the plan wants started.
type Start struct {
	Component string
	Kind      OpKind
	// To is the target version of an upgrade.
	To string `json:",omitempty"`
	// InWindow schedules the upgrade: at At when set, else for the
	// maintenance window.
	InWindow bool      `json:",omitempty"`
	At       time.Time `json:",omitzero"`
}

// Scheduled is an upgrade waiting for the maintenance window.
type Scheduled struct {
	ID   string
	To   string
	Next time.Time
}

// PlatformPlan is what the Platform reconciler must do and the status it
// must show. It is computed by a pure function so every case is a table row.
type PlatformPlan struct {
	Starts []Start
	// Cancel lists scheduled upgrades the spec no longer asks for.
	Cancel []string
	Status v1alpha1.PlatformStatus
	// Busy is true while a workflow runs: the reconciler polls progress.
	Busy bool
}

// wantedKind says which operation brings the component to the spec, or ""
// when it is there: an install, an uninstall, or an upgrade when the spec
// pins a version other than the installed one (a lower one too: the
// upgrade refuses it with a clear message).
func wantedKind(ref v1alpha1.ComponentRef, inst Installed, exists bool) OpKind {
	switch {
	case ref.IsEnabled() && !exists:
		return KindInstall
	case !ref.IsEnabled() && exists:
		return KindUninstall
	case exists && ref.Version != "" && inst.Version != "" && !sameVersion(ref.Version, inst.Version):
		return KindUpgrade
	}
	return ""
}

func sameVersion(a, b string) bool { return catalog.SameVersion(a, b) }

// planPlatform compares the spec with the installed components and the
// last operation of each, and decides what to start. A failed operation
// stands (the platform shows Stalled) until the operator acts: a
// rolled-back upgrade until a Retry or another version, whatever else
// changes in the spec; any other failure until the spec changes. A
// completed upgrade is not started again for its generation either, while
// the Component's status catches up with it.
func planPlatform(p *v1alpha1.Platform, installed map[string]Installed, ops map[string]Op, scheduled map[string]Scheduled, now time.Time) PlatformPlan {
	var plan PlatformPlan
	var stalled, running, waiting []string
	window, windowErr := maintenanceWindow(p)
	keep := map[string]bool{}
	for _, ref := range p.Spec.Components {
		inst, exists := installed[ref.Name]
		op, kind := ops[ref.Name], wantedKind(ref, inst, exists)
		switch {
		case op.State == OpRunning:
			running = append(running, describeOp(ref.Name, op))
		case kind == "":
			// in the desired state
		case adoptedProblem(ref.Name, inst, kind) != "":
			stalled = append(stalled, adoptedProblem(ref.Name, inst, kind))
		case op.kind() == kind && op.stands(p, ref.Name):
			if msg := failed(ref.Name, op) + retryProblem(p, ref.Name); !slices.Contains(stalled, msg) {
				stalled = append(stalled, msg) // a multi-component upgrade fails several with one message
			}
		case kind == KindUpgrade && op.kind() == kind && op.State == OpSucceeded && op.Generation == p.Generation:
			running = append(running, fmt.Sprintf("upgrade %s: waiting for its status", ref.Name))
		case kind == KindUpgrade && ref.UpgradeAt != nil && ref.UpgradeAt.After(now):
			at := ref.UpgradeAt.UTC()
			if s, ok := scheduled[ref.Name]; ok && sameVersion(s.To, ref.Version) && s.Next.Equal(at) {
				keep[s.ID] = true
				waiting = append(waiting, fmt.Sprintf("%s → %s at %s", ref.Name, ref.Version, at.Format("Mon 2006-01-02 15:04 MST")))
				continue
			}
			plan.Starts = append(plan.Starts, Start{Component: ref.Name, Kind: kind, To: ref.Version, InWindow: true, At: at})
			running = append(running, fmt.Sprintf("upgrade %s: scheduling it for %s", ref.Name, at.Format(time.RFC3339)))
		case kind == KindUpgrade && windowErr != nil:
			stalled = append(stalled, fmt.Sprintf("upgrade %s to %s: %v", ref.Name, ref.Version, windowErr))
		case kind == KindUpgrade && window != nil:
			if s, ok := scheduled[ref.Name]; ok && sameVersion(s.To, ref.Version) {
				keep[s.ID] = true
				waiting = append(waiting, fmt.Sprintf("%s → %s at %s", ref.Name, ref.Version, inZone(s.Next, window.TimeZone)))
				continue
			}
			plan.Starts = append(plan.Starts, Start{Component: ref.Name, Kind: kind, To: ref.Version, InWindow: true})
			running = append(running, fmt.Sprintf("upgrade %s: scheduling it for the maintenance window", ref.Name))
		default:
			s := Start{Component: ref.Name, Kind: kind}
			if kind == KindUpgrade {
				s.To = ref.Version
			}
			plan.Starts = append(plan.Starts, s)
			running = append(running, fmt.Sprintf("%s %s: starting", kind, ref.Name))
		}
	}
	for _, s := range scheduled {
		if !keep[s.ID] {
			plan.Cancel = append(plan.Cancel, s.ID)
		}
	}
	sort.Strings(plan.Cancel)
	plan.Busy = len(running) > 0
	plan.Status = platformStatus(p, installed, running, stalled)
	if window != nil || upgradesAt(p) || meta.FindStatusCondition(p.Status.Conditions, v1alpha1.ConditionUpgradeScheduled) != nil {
		set := conditionSetter(&plan.Status.Conditions, p.Generation)
		sort.Strings(waiting)
		if len(waiting) > 0 {
			set(v1alpha1.ConditionUpgradeScheduled, true, "MaintenanceWindow", strings.Join(waiting, "; "))
		} else {
			set(v1alpha1.ConditionUpgradeScheduled, false, "NothingScheduled", "no upgrade waits for a maintenance window")
		}
	}
	return plan
}

// upgradesAt reports whether a component's version change is held until a time.
func upgradesAt(p *v1alpha1.Platform) bool {
	for _, c := range p.Spec.Components {
		if c.UpgradeAt != nil {
			return true
		}
	}
	return false
}

// maintenanceWindow turns the spec's window into a schedule's, checking
// what the CRD cannot (the time zone).
func maintenanceWindow(p *v1alpha1.Platform) (*schedules.Window, error) {
	mw := p.Spec.MaintenanceWindow
	if mw == nil {
		return nil, nil
	}
	w := &schedules.Window{Start: mw.Start, TimeZone: mw.TimeZone}
	for _, d := range mw.Days {
		wd, ok := schedules.Weekday(d)
		if !ok {
			return nil, fmt.Errorf("maintenance window: %q is not a day of the week", d)
		}
		w.Days = append(w.Days, wd)
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return w, nil
}

// inZone shows a time in the window's zone, as the operator wrote it.
func inZone(t time.Time, zone string) string {
	if t.IsZero() {
		return "the window now open"
	}
	if loc, err := time.LoadLocation(zone); err == nil {
		t = t.In(loc)
	}
	return t.Format("Mon 2006-01-02 15:04 MST")
}

// stands reports whether a failed operation still holds its component
// back: not once a retry was asked for after it started; a rolled-back
// upgrade until then (it must not run again because another component
// changed the spec); any other failure for the generation it ran for.
func (op Op) stands(p *v1alpha1.Platform, component string) bool {
	switch {
	case op.State != OpFailed:
		return false
	case retryAsked(p, component).After(op.Started):
		return false
	case op.RolledBack:
		return true
	}
	return op.Generation == p.Generation
}

// retryAsked is when a retry of the component's operation was asked for
// (zero when never, or when the annotation is not a time).
func retryAsked(p *v1alpha1.Platform, component string) time.Time {
	at, _ := time.Parse(time.RFC3339, p.Annotations[v1alpha1.AnnotationRetryPrefix+component])
	return at
}

// retryProblem says what is wrong with a retry annotation that is not a
// time, so the operator sees why the retry did nothing.
func retryProblem(p *v1alpha1.Platform, component string) string {
	v, ok := p.Annotations[v1alpha1.AnnotationRetryPrefix+component]
	if !ok {
		return ""
	}
	if _, err := time.Parse(time.RFC3339, v); err != nil {
		return fmt.Sprintf(" (annotation %s%s=%q is not a time such as 2026-12-05T08:00:00Z, so no retry)", v1alpha1.AnnotationRetryPrefix, component, v)
	}
	return ""
}

// failed says why an operation failed; workflow messages already name the
// component and the operation.
func failed(name string, op Op) string {
	if op.Message == "" {
		return fmt.Sprintf("%s %s failed", op.kind(), name)
	}
	return op.Message
}

func (op Op) kind() OpKind {
	if op.Kind == "" {
		return KindInstall
	}
	return op.Kind
}

func describeOp(name string, op Op) string {
	msg := fmt.Sprintf("%s %s", op.kind(), name)
	if op.Message != "" {
		msg += ": " + op.Message
	}
	return msg
}

// platformStatus builds the status: the summary of every Component of the
// platform (dependencies too) and the Ready / Reconciling / Stalled conditions.
func platformStatus(p *v1alpha1.Platform, installed map[string]Installed, running, stalled []string) v1alpha1.PlatformStatus {
	st := v1alpha1.PlatformStatus{
		ObservedGeneration: p.Generation,
		Conditions:         append([]metav1.Condition(nil), p.Status.Conditions...),
		LastReconciled:     p.Status.LastReconciled,
	}
	names := make([]string, 0, len(installed))
	for n := range installed {
		names = append(names, n)
	}
	sort.Strings(names)
	ready := 0
	for _, n := range names {
		c := installed[n]
		if c.Ready {
			ready++
		}
		if c.Upgradable {
			st.UpgradesAvailable++
		}
		st.Components = append(st.Components, v1alpha1.ComponentSummary{Name: n, Status: c.Health, Version: c.Version})
	}
	st.ComponentsReady = fmt.Sprintf("%d/%d", ready, len(names))
	allReady := ready == len(names)
	set := conditionSetter(&st.Conditions, p.Generation)
	switch {
	case len(stalled) > 0:
		st.Phase, st.Health = v1alpha1.PhaseFailed, v1alpha1.HealthDegraded
		set(v1alpha1.ConditionStalled, true, "OperationFailed", strings.Join(stalled, "; "))
		set(v1alpha1.ConditionReady, false, "OperationFailed", strings.Join(stalled, "; "))
	case len(running) > 0:
		st.Phase, st.Health = v1alpha1.PhaseInstalling, v1alpha1.HealthProgressing
		set(v1alpha1.ConditionStalled, false, "NoFailure", "no operation failed")
		set(v1alpha1.ConditionReady, false, "Reconciling", strings.Join(running, "; "))
	case !allReady:
		st.Phase, st.Health = v1alpha1.PhaseRunning, v1alpha1.HealthDegraded
		set(v1alpha1.ConditionStalled, false, "NoFailure", "no operation failed")
		set(v1alpha1.ConditionReady, false, "ComponentsNotReady", fmt.Sprintf("%d of %d components ready", ready, len(names)))
	default:
		st.Phase, st.Health = v1alpha1.PhaseRunning, v1alpha1.HealthHealthy
		set(v1alpha1.ConditionStalled, false, "NoFailure", "no operation failed")
		set(v1alpha1.ConditionReady, true, "Reconciled", fmt.Sprintf("%d components ready", len(names)))
	}
	if len(running) > 0 {
		set(v1alpha1.ConditionReconciling, true, "Progressing", strings.Join(running, "; "))
	} else {
		set(v1alpha1.ConditionReconciling, false, "Idle", "no operation running")
	}
	return st
}
