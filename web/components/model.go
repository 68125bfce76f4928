package components

import (
	"net/url"
	"slices"
	"sort"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/ui"
	"github.com/openova-io/core/workflows"
)

// PageVM is the Components page.
type PageVM struct {
	Platform string
	Filter   Filter
	// FilterProblem says which part of the URL's filter was left out.
	FilterProblem string
	Categories    []CategoryVM
	Sections      []SectionVM
	Pager         PagerVM
	// IndexProblem says why the platform's remote index could not be read
	// (the page then shows the embedded catalog).
	IndexProblem string
	// RefreshURL, when set, is the list the page reads again every few
	// seconds: a card is Pending or Progressing with no run to follow (its
	// Component exists, its release has not started, or another run moves
	// it), so nothing else would tell the page when that changes.
	RefreshURL string
}

// SectionVM is one category of components.
type SectionVM struct {
	ID    string
	Title string
	Cards []ui.CardVM
	Empty string
}

// state is everything the page is built from.
type state struct {
	platform      *v1alpha1.Platform
	components    []v1alpha1.Component
	catalog       *catalog.Catalog
	ops           map[string]operations.Snapshot
	filter        Filter
	filterProblem string
	// indexProblem says why the remote index could not be read.
	indexProblem string
}

// section is one of the page's categories.
type section struct {
	cat   catalog.Category
	id    string
	title string
}

// CategoryVM is one choice of the category filter.
type CategoryVM struct {
	ID, Title string
	Selected  bool
}

// sections are the page's categories, in the product's order.
var sections = []section{
	{catalog.Mandatory, "mandatory", "Mandatory (core platform)"},
	{catalog.ALaCarte, "a-la-carte", "À la carte (optional)"},
	{catalog.MetaPlatform, "meta-platforms", "Meta-platforms"},
}

// operationOf is the operation a component's card follows: the one that
// brings it to what the spec asks (install, uninstall, upgrade), if any.
func operationOf(p *v1alpha1.Platform, name string, cr *v1alpha1.Component) (id, kind string) {
	ref, inSpec := specEntry(p, name)
	switch {
	case inSpec && ref.IsEnabled() && cr == nil:
		return workflows.InstallID(p.Name, name), workflows.OperationInstall
	case inSpec && !ref.IsEnabled() && cr != nil:
		return workflows.UninstallID(p.Name, name), workflows.OperationUninstall
	case inSpec && cr != nil && ref.Version != "" && cr.Status.InstalledVersion != "" && !catalog.SameVersion(ref.Version, cr.Status.InstalledVersion):
		return workflows.UpgradeID(p.Name, name, ref.Version), workflows.OperationUpgrade
	}
	return "", ""
}

func specEntry(p *v1alpha1.Platform, name string) (v1alpha1.ComponentRef, bool) {
	for _, c := range p.Spec.Components {
		if c.Name == name {
			return c, true
		}
	}
	return v1alpha1.ComponentRef{}, false
}

// opIDs lists the operations the page needs to read. A component has one
// only when the spec names it (operationOf), so the spec's few entries are
// read rather than the catalog's hundreds.
func opIDs(p *v1alpha1.Platform, cat *catalog.Catalog, crs index) []string {
	var ids []string
	for _, ref := range p.Spec.Components {
		if _, ok := cat.Get(ref.Name); !ok {
			continue
		}
		if id, _ := operationOf(p, ref.Name, crs.get(ref.Name)); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// index finds a Component by name in a list sorted by name, the Store's
// order, without building a map per page: a map of 500 Components, built
// twice per page, was a tenth of the Components page's time
// (BENCHMARKS.md). A list in another order is sorted first.
type index []v1alpha1.Component

func newIndex(items []v1alpha1.Component) index {
	for i := 1; i < len(items); i++ {
		if items[i-1].Name > items[i].Name {
			items = slices.Clone(items)
			sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
			break
		}
	}
	return index(items)
}

// get is the named Component, or nil.
func (x index) get(name string) *v1alpha1.Component {
	i := sort.Search(len(x), func(i int) bool { return x[i].Name >= name })
	if i < len(x) && x[i].Name == name {
		return &x[i]
	}
	return nil
}

// build turns the state into the page. It picks and orders the
// components first and builds cards for the page's only: a catalog of
// hundreds built every card per request (BENCHMARKS.md).
func build(s state) PageVM {
	crs := newIndex(s.components)
	f := s.filter
	words := f.words()
	vm := PageVM{Platform: s.platform.Name, Filter: f, FilterProblem: s.filterProblem, IndexProblem: s.indexProblem}
	var secs []SectionVM
	var picked [][]*catalog.Component
	for _, sec := range sections {
		vm.Categories = append(vm.Categories, CategoryVM{ID: sec.id, Title: sec.title, Selected: sec.id == f.Category})
		if f.Category != "" && sec.id != f.Category {
			continue
		}
		var comps []*catalog.Component
		for _, comp := range s.catalog.ByTitle(sec.cat) {
			if comp.Matches(words) && (!f.InstalledOnly || listedAsInstalled(s, comp, crs.get(comp.Name))) {
				comps = append(comps, comp)
			}
		}
		out := SectionVM{ID: sec.id, Title: sec.title}
		if len(comps) == 0 {
			switch {
			case f.Query != "":
				out.Empty = "No component matches \u201c" + f.Query + "\u201d."
			case f.InstalledOnly:
				out.Empty = "None installed."
			default:
				out.Empty = "The catalog has none."
			}
		}
		secs = append(secs, out)
		picked = append(picked, comps)
	}
	counts := make([]int, len(picked))
	for i, comps := range picked {
		counts[i] = len(comps)
	}
	windows, pager := paginate(s.platform.Name, f, counts)
	vm.Pager = pager
	for _, w := range windows {
		sec := secs[w.Sec]
		for _, comp := range picked[w.Sec][w.Lo:w.Hi] {
			c := card(s, comp, crs.get(comp.Name))
			if c.Installed && c.Live == nil && (c.Status == v1alpha1.PhasePending || c.Status == v1alpha1.HealthProgressing) {
				vm.RefreshURL = f.URL(s.platform.Name, pager.Page)
			}
			sec.Cards = append(sec.Cards, c)
		}
		vm.Sections = append(vm.Sections, sec)
	}
	return vm
}

// listedAsInstalled says whether the installed-only view lists the
// component: installed, or with an operation running or failed. Only a
// component not installed with an operation needs its card to tell.
func listedAsInstalled(s state, comp *catalog.Component, cr *v1alpha1.Component) bool {
	if cr != nil {
		return true
	}
	if id, _ := operationOf(s.platform, comp.Name, cr); id == "" {
		return false
	}
	c := card(s, comp, cr)
	return c.Installed || c.Live != nil || c.Problem != ""
}

// card is one component's line.
func card(s state, comp *catalog.Component, cr *v1alpha1.Component) ui.CardVM {
	p := s.platform
	base := "/platforms/" + url.PathEscape(p.Name) + "/components/" + url.PathEscape(comp.Name)
	c := ui.CardVM{Name: comp.Name, Title: comp.Title, Description: comp.Description}
	ref, inSpec := specEntry(p, comp.Name)
	if cr != nil {
		c.Installed = true
		c.Version = cr.Status.InstalledVersion
		if c.Version == "" {
			c.Version = cr.Spec.Version
		}
		c.Status = statusOf(cr)
		if up := firstCatalogUpgrade(cr); up != "" {
			c.Upgrade = up
			c.UpgradeURL = "/platforms/" + url.PathEscape(p.Name) + "/upgrades#upgrade-" + comp.Name
		}
		if comp.Category != catalog.Mandatory && (!inSpec || ref.IsEnabled()) {
			c.UninstallURL = base + "/uninstall"
		}
	} else if !inSpec || !ref.IsEnabled() {
		c.InstallURL = base + "/install"
		if comp.Category == catalog.Mandatory {
			// The platform needs it: not an option the operator may skip.
			c.Status = statusMissing
			c.Required = true
		}
	}
	id, kind := operationOf(p, comp.Name, cr)
	if id == "" {
		return c
	}
	op := s.ops[id]
	switch {
	case op.State == operations.StateRunning || !op.Found():
		c.Status = map[string]string{workflows.OperationInstall: "Installing", workflows.OperationUninstall: "Uninstalling",
			workflows.OperationUpgrade: "Upgrading"}[kind]
		// When it ends, the whole list is read again: an install adds its
		// dependencies too, an uninstall may free others.
		c.Live = &ui.LiveVM{ID: "live-" + comp.Name, StreamURL: streamURL(id, kind+" "+comp.Title),
			DoneURL: s.filter.URL(p.Name, s.filter.Page), DoneTarget: "#component-list",
			Timeline: operations.Timeline(kind+" "+comp.Title, op)}
		c.InstallURL, c.UninstallURL = "", ""
	case op.State == operations.StateFailed || op.State == operations.StateCancelled:
		c.Status = "Failed"
		c.Problem = problemOf(kind, op)
		if kind == workflows.OperationInstall {
			c.InstallURL, c.UninstallURL = "", base+"/uninstall"
		}
	}
	return c
}

func streamURL(id, title string) string {
	return "/operations/stream?" + url.Values{"id": {id}, "title": {title}}.Encode()
}

// problemOf says what failed and what to do.
func problemOf(kind string, op operations.Snapshot) string {
	switch kind {
	case workflows.OperationInstall:
		return "The install failed and was undone: " + op.Error + " Fix the cause, then remove the component from the platform (Uninstall) and install it again."
	case workflows.OperationUninstall:
		if op.ErrorType == workflows.ErrStillRequired {
			return "The uninstall was refused: " + op.Error + " Uninstall those first."
		}
		return "The uninstall failed: " + op.Error
	}
	return "The upgrade failed: " + op.Error + " See the Upgrades page."
}

// statusMissing is the badge of a mandatory component the platform does
// not run.
const statusMissing = "Missing"

// statusOf is the component's badge.
func statusOf(cr *v1alpha1.Component) string {
	switch {
	case cr.Status.Phase == v1alpha1.PhasePending:
		// No release yet, so its health is not known: the component waits
		// for its install to start ("Pending", not "Unknown").
		return v1alpha1.PhasePending
	case cr.Status.Health != "":
		return cr.Status.Health
	case cr.Status.Phase != "":
		return cr.Status.Phase
	}
	return v1alpha1.PhasePending
}

// firstCatalogUpgrade is the newest catalog version the component can be
// upgraded to ("" when none); Helm-only versions cannot be upgraded to.
func firstCatalogUpgrade(cr *v1alpha1.Component) string {
	best := ""
	for _, v := range cr.Status.AvailableVersions {
		if v.Source == v1alpha1.SourceHelmRepository {
			continue
		}
		if best == "" || catalog.NewerThan(v.Version, best, false) {
			best = v.Version
		}
	}
	return best
}
