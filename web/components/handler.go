// Package components is the Components page: the catalog by category with
// what is installed, the install dialog (the resolver's plan), and install
// and uninstall, which change the Platform spec.
package components

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/platforms"
	"github.com/openova-io/core/web/ui"
)

// Platforms is what the page reads and changes on the Kubernetes side.
type Platforms interface {
	Platform(ctx context.Context, name string) (*v1alpha1.Platform, error)
	Components(ctx context.Context, platform string) ([]v1alpha1.Component, error)
	Catalog(ctx context.Context, p *v1alpha1.Platform) (*catalog.Catalog, error)
	ApplyComponent(ctx context.Context, platform string, ch platforms.Change, actor string) (platforms.Applied, error)
}

// Operations reads the operations the cards follow.
type Operations interface {
	Snapshot(ctx context.Context, id string) (operations.Snapshot, error)
}

// Handler serves the page.
type Handler struct {
	Platforms  Platforms
	Operations Operations
	Shell      pages.Shell

	// models keep each list's page, rendered, while nothing it shows
	// changed: no operation to follow, the same Platform, Components and
	// catalog.
	models pages.Memo[pages.Rendered[PageVM]]
}

// Routes adds the page's routes.
func (h *Handler) Routes(e *echo.Echo) {
	e.GET("/platforms/:platform/components", h.list)
	e.GET("/platforms/:platform/components/:component/install", h.installDialog)
	e.POST("/platforms/:platform/components/:component/install", h.install)
	e.POST("/platforms/:platform/components/:component/uninstall", h.uninstall)
}

// load reads everything a view of the platform's components needs. A
// remote index that cannot be read is no error: the page goes on with the
// embedded catalog and says why (indexProblem).
func (h *Handler) load(c echo.Context) (state, error) {
	ctx := c.Request().Context()
	p, err := pages.LoadPlatform(ctx, h.Platforms, c.Param("platform"))
	if err != nil {
		return state{}, err
	}
	cat, catErr := h.Platforms.Catalog(ctx, p)
	comps, err := h.Platforms.Components(ctx, p.Name)
	if err != nil {
		return state{}, err
	}
	s := state{platform: p, components: comps, catalog: cat, ops: map[string]operations.Snapshot{}}
	if catErr != nil {
		s.indexProblem = catErr.Error()
	}
	for _, id := range opIDs(p, cat, newIndex(comps)) {
		if s.ops[id], err = h.Operations.Snapshot(ctx, id); err != nil {
			return state{}, err
		}
	}
	return s, nil
}

// loadComponent is load plus the catalog entry the URL names (404 when
// the catalog has none).
func (h *Handler) loadComponent(c echo.Context) (state, *catalog.Component, error) {
	s, err := h.load(c)
	if err != nil {
		return state{}, nil, err
	}
	comp, err := h.component(s, c.Param("component"))
	return s, comp, err
}

func (h *Handler) list(c echo.Context) error {
	s, err := h.load(c)
	if err != nil {
		return err
	}
	s.filter, s.filterProblem = parseFilter(c.QueryParams())
	var from []any
	if len(s.ops) == 0 { // an operation's card changes as it runs
		from = pages.PlatformInputs(s.platform, s.components, s.catalog, s.indexProblem)
	}
	m := pages.KeepRendered(&h.models, s.platform.Name+"?"+c.QueryString(), from, func() PageVM { return build(s) }, page)
	body := m.Body(c.Request(), page(m.VM))
	return ui.Render(c, http.StatusOK, h.Shell.Meta(c, s.platform.Name, pages.Components, "Components", live(m.VM)), body)
}

func live(vm PageVM) bool {
	for _, s := range vm.Sections {
		for _, c := range s.Cards {
			if c.Live != nil {
				return true
			}
		}
	}
	return false
}

func (h *Handler) component(s state, name string) (*catalog.Component, error) {
	comp, ok := s.catalog.Get(name)
	if !ok {
		return nil, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("The catalog of platform %s has no component %q: see the Components page for what can be installed.", s.platform.Name, name))
	}
	return comp, nil
}

func (h *Handler) installDialog(c echo.Context) error {
	s, comp, err := h.loadComponent(c)
	if err != nil {
		return err
	}
	chosen, err := h.chosenOptionals(c, comp)
	if err != nil {
		return err
	}
	vm := h.plan(s, comp, chosen)
	return ui.Render(c, http.StatusOK, h.Shell.Meta(c, s.platform.Name, pages.Components, "Install "+comp.Title, false), dialog(vm))
}

// chosenOptionals reads the optional checkboxes, refusing names that are
// not optional dependencies of the component.
func (h *Handler) chosenOptionals(c echo.Context, comp *catalog.Component) ([]string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	allowed := map[string]bool{}
	for _, d := range comp.Optional {
		allowed[d.Name] = true
	}
	var out []string
	for _, o := range form["optional"] {
		if !allowed[o] {
			return nil, echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("%q is not an optional component of %s.", o, comp.Title))
		}
		if !slices.Contains(out, o) { // the spec's list is a set: a duplicate is refused
			out = append(out, o)
		}
	}
	return out, nil
}

func (h *Handler) plan(s state, comp *catalog.Component, chosen []string) DialogVM {
	installed := catalog.Installed(v1alpha1.InstalledVersions(s.components))
	pinned := map[string]string{}
	for _, ref := range s.platform.Spec.Components {
		if ref.Version != "" {
			pinned[ref.Name] = ref.Version
		}
	}
	plan, err := s.catalog.Resolve(installed, catalog.Request{Component: comp.Name, Optional: chosen, Prefer: pinned})
	if err != nil {
		return DialogVM{Platform: s.platform.Name, Component: comp.Name, Title: comp.Title, Problem: err.Error(),
			CancelURL: "/platforms/" + url.PathEscape(s.platform.Name) + "/components?installed=0"}
	}
	installing := map[string]bool{}
	for _, cr := range s.components {
		if cr.Status.InstalledVersion == "" { // never Ready yet
			installing[cr.Name] = true
		}
	}
	return dialogOf(s.platform.Name, comp, s.catalog, plan, chosen, installing)
}

func (h *Handler) install(c echo.Context) error {
	s, comp, err := h.loadComponent(c)
	if err != nil {
		return err
	}
	chosen, err := h.chosenOptionals(c, comp)
	if err != nil {
		return err
	}
	if vm := h.plan(s, comp, chosen); vm.Problem != "" {
		return ui.Render(c, http.StatusUnprocessableEntity, h.Shell.Meta(c, s.platform.Name, pages.Components, "Install "+comp.Title, false), dialog(vm))
	}
	enabled := true
	applied, err := h.Platforms.ApplyComponent(c.Request().Context(), s.platform.Name, platforms.Change{Component: comp.Name, Enabled: &enabled, Optional: chosen}, pages.User(c))
	if err != nil {
		return err
	}
	pages.SetFlash(c, ui.Flash{Kind: "ok", Text: "Installing " + comp.Title + ": its progress is shown below." + applied.Note()})
	return ui.Redirect(c, "/platforms/"+url.PathEscape(s.platform.Name)+"/components?installed=0#component-"+comp.Name)
}

func (h *Handler) uninstall(c echo.Context) error {
	s, comp, err := h.loadComponent(c)
	if err != nil {
		return err
	}
	back := "/platforms/" + url.PathEscape(s.platform.Name) + "/components#component-" + comp.Name
	if comp.Category == catalog.Mandatory {
		pages.SetFlash(c, ui.Flash{Kind: "error", Text: comp.Title + " is mandatory: the platform cannot run without it."})
		return ui.Redirect(c, back)
	}
	installed := catalog.Installed(v1alpha1.InstalledVersions(s.components))
	if deps := s.catalog.Dependents(installed, comp.Name); len(deps) > 0 {
		pages.SetFlash(c, ui.Flash{Kind: "error", Text: fmt.Sprintf("%s is still required by %v: uninstall those first.", comp.Title, deps)})
		return ui.Redirect(c, back)
	}
	disabled := false
	applied, err := h.Platforms.ApplyComponent(c.Request().Context(), s.platform.Name, platforms.Change{Component: comp.Name, Enabled: &disabled}, pages.User(c))
	if err != nil {
		return err
	}
	pages.SetFlash(c, ui.Flash{Kind: "ok", Text: "Uninstalling " + comp.Title + "." + applied.Note()})
	return ui.Redirect(c, back)
}
