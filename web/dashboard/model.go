package dashboard

import (
	"net/url"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/ui"
)

// PageVM is the dashboard.
type PageVM struct {
	Platform string
	// Healthy of Enabled components (installed, or enabled in the spec),
	// and its percentage.
	Healthy, Enabled, Percent int
	Installed                 int
	Upgrades                  int
	Alerts                    int
	ComponentsURL             string
	UpgradesURL               string
	Links                     []LinkVM
	Running                   []ui.LiveVM
	// Missing are the mandatory components the platform does not run (a
	// platform not built by the bootstrap, or one whose core was removed):
	// counted as enabled and not healthy, and named with where to fix it.
	Missing    []string
	MissingURL string
}

// LinkVM is a quick link to an installed service.
type LinkVM struct {
	Label string
	URL   string
}

type state struct {
	platform   *v1alpha1.Platform
	components []v1alpha1.Component
	catalog    *catalog.Catalog
	running    []operations.Snapshot
}

func build(s state) PageVM {
	p := s.platform
	base := "/platforms/" + url.PathEscape(p.Name)
	vm := PageVM{Platform: p.Name, ComponentsURL: base + "/components", UpgradesURL: base + "/upgrades"}
	// Health counts what runs and what the spec asks for: every installed
	// component (dependencies the spec does not name included, as the
	// Components tile counts them) and every enabled one not installed yet.
	// The spec names a few; a platform may run hundreds, so only the few
	// go in a set (a map of every component was a tenth of the page).
	asked := map[string]bool{}
	for _, ref := range p.Spec.Components {
		if ref.IsEnabled() {
			asked[ref.Name] = true
		}
	}
	vm.Enabled = len(asked)
	for i := range s.components {
		cr := &s.components[i]
		if !asked[cr.Name] {
			vm.Enabled++
		}
		if cr.Status.Health == v1alpha1.HealthHealthy {
			vm.Healthy++
		}
	}
	for _, comp := range s.catalog.InCategory(catalog.Mandatory) {
		if !asked[comp.Name] && !installed(s.components, comp.Name) {
			vm.Enabled++
			vm.Missing = append(vm.Missing, comp.Title)
		}
	}
	if len(vm.Missing) > 0 {
		vm.MissingURL = vm.ComponentsURL + "?category=mandatory&installed=0"
	}
	if vm.Enabled > 0 {
		vm.Percent = vm.Healthy * 100 / vm.Enabled
	}
	for i := range s.components {
		cr := &s.components[i] // by pointer: a Component is a large struct, and 500 were copied per page
		vm.Installed++
		if upgradable(cr) {
			vm.Upgrades++
		}
		if c := meta.FindStatusCondition(cr.Status.Conditions, v1alpha1.ConditionRolledBack); c != nil && c.Status == "True" {
			vm.Alerts++
		}
		vm.Links = append(vm.Links, links(s.catalog, p.Spec.Organization.Domain, cr)...)
	}
	sort.Slice(vm.Links, func(i, j int) bool { return vm.Links[i].Label < vm.Links[j].Label })
	vm.Running = runningOps(p.Name, s.running)
	return vm
}

// runningOps are the operations running now, each followed live.
func runningOps(platform string, running []operations.Snapshot) []ui.LiveVM {
	var out []ui.LiveVM
	for _, op := range running {
		out = append(out, ui.LiveVM{ID: "op-" + sanitize(op.ID),
			StreamURL: "/operations/stream?" + url.Values{"id": {op.ID}, "title": {op.ID}}.Encode(),
			DoneURL:   "/platforms/" + url.PathEscape(platform) + "/", Timeline: operations.Timeline(op.ID, op)})
	}
	return out
}

// installed: a Component of that name runs. A platform has a handful of
// mandatory components and may run hundreds, so each is looked for
// rather than every Component put in a set.
func installed(crs []v1alpha1.Component, name string) bool {
	for i := range crs {
		if crs[i].Name == name {
			return true
		}
	}
	return false
}

// upgradable: a catalog version newer than the installed one is known.
func upgradable(cr *v1alpha1.Component) bool {
	for _, v := range cr.Status.AvailableVersions {
		if v.Source != v1alpha1.SourceHelmRepository {
			return true
		}
	}
	return false
}

// links are the component's quick links: the endpoints its status
// reports, else the catalog's, with the platform's domain filled in.
func links(cat *catalog.Catalog, domain string, cr *v1alpha1.Component) []LinkVM {
	title := cr.Name
	comp, ok := cat.Get(cr.Name)
	if ok && comp.Title != "" {
		title = comp.Title
	}
	var out []LinkVM
	if len(cr.Status.Endpoints) > 0 {
		for _, e := range cr.Status.Endpoints {
			if web(e.URL) {
				out = append(out, LinkVM{Label: label(title, e.Name, len(cr.Status.Endpoints)), URL: e.URL})
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	if !ok || domain == "" {
		return nil
	}
	for _, e := range comp.Endpoints {
		out = append(out, LinkVM{Label: label(title, e.Name, len(comp.Endpoints)), URL: e.URLFor(domain)})
	}
	return out
}

// web: only http(s) endpoints are links a browser can follow (a status
// may also list in-cluster addresses such as svc:5432).
func web(u string) bool { return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") }

func label(title, endpoint string, n int) string {
	if n == 1 {
		return title
	}
	return title + " " + endpoint
}

// sanitize makes a workflow ID usable as an element ID.
func sanitize(id string) string {
	b := []byte(id)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}
