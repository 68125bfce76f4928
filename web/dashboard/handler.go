// Package dashboard is the start page: the platform's health, counts,
// quick links to its services and the operations running now.
package dashboard

import (
	"context"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/ui"
)

// Platforms is what the dashboard reads on the Kubernetes side.
type Platforms interface {
	Platforms(ctx context.Context) ([]v1alpha1.Platform, error)
	Platform(ctx context.Context, name string) (*v1alpha1.Platform, error)
	Components(ctx context.Context, platform string) ([]v1alpha1.Component, error)
	Catalog(ctx context.Context, p *v1alpha1.Platform) (*catalog.Catalog, error)
}

// Operations lists what runs now.
type Operations interface {
	Running(ctx context.Context, platform string) ([]operations.Snapshot, error)
}

// Handler serves the dashboard.
type Handler struct {
	Platforms  Platforms
	Operations Operations
	Shell      pages.Shell

	// models keep each platform's dashboard less its running operations,
	// and its rendering with none running, while its Platform, Components
	// and catalog are the same.
	models pages.Memo[pages.Rendered[PageVM]]
}

// Routes adds the dashboard's routes.
func (h *Handler) Routes(e *echo.Echo) {
	e.GET("/", h.start)
	e.GET("/platforms/:platform", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/platforms/"+url.PathEscape(c.Param("platform"))+"/")
	})
	e.GET("/platforms/:platform/", h.dashboard)
}

// start opens the only platform's dashboard, or lists the platforms.
func (h *Handler) start(c echo.Context) error {
	ps, err := h.Platforms.Platforms(c.Request().Context())
	if err != nil {
		return err
	}
	if len(ps) == 1 {
		return c.Redirect(http.StatusSeeOther, "/platforms/"+url.PathEscape(ps[0].Name)+"/")
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return ui.Render(c, http.StatusOK, h.Shell.Meta(c, "", "", "Platforms", false), choose(names))
}

func (h *Handler) dashboard(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := pages.LoadPlatform(ctx, h.Platforms, c.Param("platform"))
	if err != nil {
		return err
	}
	comps, err := h.Platforms.Components(ctx, p.Name)
	if err != nil {
		return err
	}
	cat, _ := h.Platforms.Catalog(ctx, p) // on an index error, the embedded catalog's links
	running, err := h.Operations.Running(ctx, p.Name)
	if err != nil {
		return err
	}
	m := pages.KeepRendered(&h.models, p.Name, pages.PlatformInputs(p, comps, cat),
		func() PageVM { return build(state{platform: p, components: comps, catalog: cat}) }, page)
	vm := m.VM
	vm.Running = runningOps(p.Name, running)
	body := page(vm)
	if len(vm.Running) == 0 {
		body = m.Body(c.Request(), body)
	}
	return ui.Render(c, http.StatusOK, h.Shell.Meta(c, p.Name, pages.Dashboard, "Dashboard", len(vm.Running) > 0), body)
}
