package upgrades

import (
	"net/url"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/ui"
	"github.com/openova-io/core/worker/schedules"
	"github.com/openova-io/core/workflows"
)

// PageVM is the Upgrades page.
type PageVM struct {
	Platform  string
	Window    string
	Available []AvailableVM
	Scheduled []ScheduledVM
	Running   []ui.LiveVM
	Rollbacks []RollbackVM
	// Problems are errors of a form the page cannot show (a component
	// with nothing to upgrade to).
	Problems []string
	// Unchecked are the components whose last update check could not
	// read their index, with why: "up to date" is not known for them.
	Unchecked []string
}

func offered(list []AvailableVM, name string) bool {
	for _, a := range list {
		if a.Component == name {
			return true
		}
	}
	return false
}

// AvailableVM is one component with newer versions.
type AvailableVM struct {
	Component string
	Title     string
	From      string
	Targets   []TargetVM
	// Upstream are chart releases the catalog does not list yet, read from
	// the chart's Helm repository when the platform asks for them
	// (spec.checkUpstreamCharts): offered with their notes, behind a
	// confirmation that names their risk.
	Upstream  []TargetVM
	ActionURL string
	HasWindow bool
	Form      Form
	// NotByManager says why the manager does not upgrade it (a component
	// the bootstrap installed where its change would not last): the offer
	// shows why instead of a form.
	NotByManager string
}

// TargetVM is one version the component can go to.
type TargetVM struct {
	Version     string
	Changelog   string
	ForwardOnly bool
}

// ScheduledVM is one scheduled upgrade.
type ScheduledVM struct {
	ID        string
	Component string
	To        string
	Next      string
	Paused    bool
	Note      string
	PauseURL  string
	CancelURL string
}

// RollbackVM is a past upgrade that failed and was rolled back.
type RollbackVM struct {
	Component string
	From, To  string
	Reason    string
	At        string
	Alert     string
	AuditURL  string
	// RetryURL runs the upgrade again; empty when the platform no longer
	// asks for that version, or it runs.
	RetryURL string
}

type state struct {
	platform   *v1alpha1.Platform
	components []v1alpha1.Component
	catalog    *catalog.Catalog
	scheduled  []schedules.Scheduled
	ops        map[string]operations.Snapshot
	forms      map[string]Form
}

// runningID is the upgrade a component's card follows: to the version the
// spec asks for, when it differs from the installed one.
func runningID(p *v1alpha1.Platform, cr *v1alpha1.Component) string {
	for _, ref := range p.Spec.Components {
		if ref.Name == cr.Name && ref.Version != "" && cr.Status.InstalledVersion != "" && !catalog.SameVersion(ref.Version, cr.Status.InstalledVersion) {
			return workflows.UpgradeID(p.Name, cr.Name, ref.Version)
		}
	}
	return ""
}

// starting: the spec asks for the version now (no time, no window, not
// scheduled) and no run of it exists yet.
func starting(s state, cr *v1alpha1.Component, id string) bool {
	if s.ops[id].Found() || s.platform.Spec.MaintenanceWindow != nil || scheduledFor(s.scheduled, cr.Name) {
		return false
	}
	for _, ref := range s.platform.Spec.Components {
		if ref.Name == cr.Name && ref.UpgradeAt != nil {
			return false
		}
	}
	return true
}

// rolledBack reads the component's last rollback, when its condition is on.
func rolledBack(cr *v1alpha1.Component) (v1alpha1.RolledBack, bool) {
	if !meta.IsStatusConditionTrue(cr.Status.Conditions, v1alpha1.ConditionRolledBack) {
		return v1alpha1.RolledBack{}, false
	}
	return v1alpha1.ParseRolledBack(cr.Annotations[v1alpha1.AnnotationRolledBack])
}

// opIDs lists the operations the page reads: running upgrades and the
// runs that rolled back (for their alert step).
func opIDs(p *v1alpha1.Platform, comps []v1alpha1.Component) []string {
	var ids []string
	for i := range comps {
		cr := &comps[i]
		if id := runningID(p, cr); id != "" {
			ids = append(ids, id)
		}
		if rb, ok := rolledBack(cr); ok {
			ids = append(ids, workflows.UpgradeID(p.Name, cr.Name, rb.To))
		}
	}
	return ids
}

func build(s state) PageVM {
	p := s.platform
	base := "/platforms/" + url.PathEscape(p.Name) + "/upgrades"
	vm := PageVM{Platform: p.Name, Window: windowText(p.Spec.MaintenanceWindow)}
	for i := range s.components {
		cr := &s.components[i] // by pointer: 500 large structs were copied per page
		title := cr.Name
		if c, ok := s.catalog.Get(cr.Name); ok {
			title = c.Title
		}
		id := runningID(p, cr)
		live := id != "" && (s.ops[id].State == operations.StateRunning || starting(s, cr, id))
		if live {
			vm.Running = append(vm.Running, ui.LiveVM{ID: "upgrade-live-" + cr.Name,
				StreamURL: "/operations/stream?" + url.Values{"id": {id}, "title": {"upgrade " + title}}.Encode(),
				DoneURL:   base, Timeline: operations.Timeline("upgrade "+title, s.ops[id])})
		}
		if rb, ok := rolledBack(cr); ok {
			rid := workflows.UpgradeID(p.Name, cr.Name, rb.To)
			r := RollbackVM{Component: title, From: rb.From, To: rb.To, Reason: rb.Reason,
				At: rb.At.UTC().Format("2006-01-02 15:04 MST"), Alert: alertOf(s.ops[rid]),
				AuditURL: "/audit/operation?" + url.Values{"id": {rid}}.Encode()}
			if id == rid && s.ops[rid].State != operations.StateRunning {
				r.RetryURL = base + "/" + url.PathEscape(cr.Name) + "/retry"
			}
			vm.Rollbacks = append(vm.Rollbacks, r)
		}
		if c := meta.FindStatusCondition(cr.Status.Conditions, v1alpha1.ConditionUpdatesChecked); c != nil && c.Status == metav1.ConditionFalse {
			vm.Unchecked = append(vm.Unchecked, title+": "+c.Message)
		}
		// An upgrade that is scheduled or running shows there, not also as
		// one to start.
		if a, ok := available(s, cr, title, base); ok && !live && !scheduledFor(s.scheduled, cr.Name) {
			vm.Available = append(vm.Available, a)
		}
	}
	for name, f := range s.forms {
		if len(f.Errors) > 0 && !offered(vm.Available, name) {
			for _, msg := range f.Errors {
				vm.Problems = append(vm.Problems, name+": "+msg)
			}
		}
	}
	sort.Strings(vm.Problems)
	for _, sc := range s.scheduled {
		next := "fired"
		if !sc.Next.IsZero() {
			next = sc.Next.UTC().Format("Mon 2006-01-02 15:04 MST")
		}
		vm.Scheduled = append(vm.Scheduled, ScheduledVM{ID: sc.ID, Component: sc.Component, To: sc.To, Next: next,
			Paused: sc.Paused, Note: sc.Note, PauseURL: base + "/scheduled/pause?" + url.Values{"id": {sc.ID}}.Encode(),
			CancelURL: base + "/" + url.PathEscape(sc.Component) + "/cancel"})
	}
	sort.Slice(vm.Available, func(i, j int) bool { return vm.Available[i].Title < vm.Available[j].Title })
	return vm
}

func scheduledFor(scheduled []schedules.Scheduled, component string) bool {
	for _, sc := range scheduled {
		if sc.Component == component {
			return true
		}
	}
	return false
}

// available is the component's upgrade offer: catalog versions newer than
// the installed one (newest first) with their changelogs.
func available(s state, cr *v1alpha1.Component, title, base string) (AvailableVM, bool) {
	if len(cr.Status.AvailableVersions) == 0 {
		return AvailableVM{}, false // most components, most days: no offer to build
	}
	a := AvailableVM{Component: cr.Name, Title: title, From: cr.Status.InstalledVersion, HasWindow: s.platform.Spec.MaintenanceWindow != nil,
		ActionURL: base + "/" + url.PathEscape(cr.Name), Form: s.forms[cr.Name], NotByManager: v1alpha1.ManagerCannotUpgrade(cr.Annotations)}
	for _, v := range cr.Status.AvailableVersions {
		if v.Source == v1alpha1.SourceHelmRepository {
			a.Upstream = append(a.Upstream, TargetVM{Version: v.Version, Changelog: v.Changelog})
			continue
		}
		a.Targets = append(a.Targets, TargetVM{Version: v.Version, Changelog: v.Changelog, ForwardOnly: v.ForwardOnly})
	}
	sort.SliceStable(a.Targets, func(i, j int) bool { return catalog.NewerThan(a.Targets[i].Version, a.Targets[j].Version, false) })
	if a.Form.To == "" && len(a.Targets) > 0 {
		a.Form.To = a.Targets[0].Version
	}
	return a, len(a.Targets) > 0 || len(a.Upstream) > 0
}

// alertOf says where the rollback's alert went, from its run's progress.
func alertOf(op operations.Snapshot) string {
	for _, st := range op.Progress.Steps {
		if st.Name == "raise alert" {
			if st.State == workflows.StepFailed {
				return "the alert could not be sent: " + st.Message
			}
			return st.Message
		}
	}
	return ""
}

func windowText(w *v1alpha1.MaintenanceWindow) string {
	if w == nil {
		return ""
	}
	zone := w.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	return strings.Join(w.Days, ", ") + " at " + w.Start + " (" + zone + ")"
}
