// Package upgrades is the Upgrades page: each available upgrade with its
// changelog, Upgrade now, scheduling at a time or in the maintenance
// window (both held in the Platform spec, which the reconciler turns into
// Temporal Schedules), the scheduled list with pause and cancel, running
// upgrades live, and past rollbacks with their reason and alert.
package upgrades

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/platforms"
	"github.com/openova-io/core/web/ui"
	"github.com/openova-io/core/worker/schedules"
	"github.com/openova-io/core/workflows"
)

// Platforms is what the page reads and changes on the Kubernetes side.
type Platforms interface {
	Platform(ctx context.Context, name string) (*v1alpha1.Platform, error)
	Components(ctx context.Context, platform string) ([]v1alpha1.Component, error)
	Catalog(ctx context.Context, p *v1alpha1.Platform) (*catalog.Catalog, error)
	ApplyComponent(ctx context.Context, platform string, ch platforms.Change, actor string) (platforms.Applied, error)
	RetryComponent(ctx context.Context, platform, component string, at time.Time, actor string) error
}

// Operations reads upgrade runs.
type Operations interface {
	Snapshot(ctx context.Context, id string) (operations.Snapshot, error)
}

// Schedules are the platform's scheduled upgrades.
type Schedules interface {
	List(ctx context.Context, platform string) ([]schedules.Scheduled, error)
	Pause(ctx context.Context, id, note string) error
	Resume(ctx context.Context, id, note string) error
	Cancel(ctx context.Context, id string) error
}

// Handler serves the page.
type Handler struct {
	Platforms  Platforms
	Operations Operations
	Schedules  Schedules
	Shell      pages.Shell
	Now        func() time.Time
}

// Routes adds the page's routes.
func (h *Handler) Routes(e *echo.Echo) {
	e.GET("/platforms/:platform/upgrades", h.page)
	e.POST("/platforms/:platform/upgrades/scheduled/pause", h.pause)
	e.POST("/platforms/:platform/upgrades/:component", h.upgrade)
	e.POST("/platforms/:platform/upgrades/:component/cancel", h.cancel)
	e.POST("/platforms/:platform/upgrades/:component/retry", h.retry)
}

func (h *Handler) load(c echo.Context) (state, error) {
	ctx := c.Request().Context()
	p, err := pages.LoadPlatform(ctx, h.Platforms, c.Param("platform"))
	if err != nil {
		return state{}, err
	}
	cat, _ := h.Platforms.Catalog(ctx, p) // the embedded catalog's titles when the index fails
	comps, err := h.Platforms.Components(ctx, p.Name)
	if err != nil {
		return state{}, err
	}
	sched, err := h.Schedules.List(ctx, p.Name)
	if err != nil {
		return state{}, err
	}
	s := state{platform: p, components: comps, catalog: cat, scheduled: sched, ops: map[string]operations.Snapshot{}, forms: map[string]Form{}}
	for _, id := range opIDs(p, comps) {
		if s.ops[id], err = h.Operations.Snapshot(ctx, id); err != nil {
			return state{}, err
		}
	}
	return s, nil
}

func (h *Handler) render(c echo.Context, code int, s state) error {
	vm := build(s)
	return ui.Render(c, code, h.Shell.Meta(c, s.platform.Name, pages.Upgrades, "Upgrades", len(vm.Running) > 0), page(vm))
}

func (h *Handler) page(c echo.Context) error {
	s, err := h.load(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, s)
}

// loadInstalled is load plus the installed component the URL names (404
// when the platform has none).
func (h *Handler) loadInstalled(c echo.Context) (state, *v1alpha1.Component, error) {
	s, err := h.load(c)
	if err != nil {
		return state{}, nil, err
	}
	name := c.Param("component")
	for i := range s.components {
		if s.components[i].Name == name {
			return s, &s.components[i], nil
		}
	}
	return state{}, nil, echo.NewHTTPError(http.StatusNotFound,
		fmt.Sprintf("Platform %s has no installed component %q: only installed components can be upgraded.", s.platform.Name, name))
}

func (h *Handler) upgrade(c echo.Context) error {
	s, cr, err := h.loadInstalled(c)
	if err != nil {
		return err
	}
	f := readForm(c)
	installed := catalog.Installed(v1alpha1.InstalledVersions(s.components))
	var upstream *catalog.Version
	if v, ok := cr.Status.UpstreamRelease(f.To); ok {
		upstream = &catalog.Version{Version: v.Version, ChartVersion: v.ChartVersion, Changelog: v.Changelog}
	}
	at := f.check(s.catalog, installed, cr.Name, upstream, s.platform.Spec.MaintenanceWindow != nil, h.Now())
	if why := v1alpha1.ManagerCannotUpgrade(cr.Annotations); why != "" {
		f.Errors["to"] = fmt.Sprintf("The manager does not upgrade %s: %s.", cr.Name, why)
	}
	if len(f.Errors) > 0 {
		s.forms[cr.Name] = f
		return h.render(c, http.StatusUnprocessableEntity, s)
	}
	ch := platforms.Change{Component: cr.Name, Version: f.To, ConfirmForwardOnly: f.Confirm,
		ConfirmUpstream: f.ConfirmUpstream && upstream != nil, UpgradeAt: at, ClearUpgradeAt: at.IsZero()}
	applied, err := h.Platforms.ApplyComponent(c.Request().Context(), s.platform.Name, ch, pages.User(c))
	if err != nil {
		return err
	}
	// Asking again for the version that was rolled back is the operator's
	// word to try it again (now, at a time or in the window).
	if rb, ok := rolledBack(cr); ok && catalog.SameVersion(rb.To, f.To) {
		if err := h.Platforms.RetryComponent(c.Request().Context(), s.platform.Name, cr.Name, h.Now(), pages.User(c)); err != nil {
			return err
		}
	}
	msg := fmt.Sprintf("Upgrading %s to %s.", cr.Name, f.To)
	switch f.Action {
	case actionAt:
		msg = fmt.Sprintf("The upgrade of %s to %s is scheduled for %s.", cr.Name, f.To, at.UTC().Format("Mon 2006-01-02 15:04 MST"))
	case actionWindow:
		msg = fmt.Sprintf("The upgrade of %s to %s waits for the maintenance window.", cr.Name, f.To)
	}
	pages.SetFlash(c, ui.Flash{Kind: "ok", Text: msg + applied.Note()})
	return ui.Redirect(c, "/platforms/"+url.PathEscape(s.platform.Name)+"/upgrades")
}

// cancel puts the component's version back to the installed one, so the
// spec no longer asks for the upgrade (the reconciler would otherwise
// schedule it again), and deletes the schedule at once.
func (h *Handler) cancel(c echo.Context) error {
	s, cr, err := h.loadInstalled(c)
	if err != nil {
		return err
	}
	ch := platforms.Change{Component: cr.Name, Version: cr.Status.InstalledVersion, ClearUpgradeAt: true}
	applied, err := h.Platforms.ApplyComponent(c.Request().Context(), s.platform.Name, ch, pages.User(c))
	if err != nil {
		return err
	}
	for _, sc := range s.scheduled {
		if sc.Component == cr.Name {
			if err := h.Schedules.Cancel(c.Request().Context(), sc.ID); err != nil {
				return err
			}
		}
	}
	pages.SetFlash(c, ui.Flash{Kind: "ok", Text: fmt.Sprintf("The scheduled upgrade of %s was cancelled; it stays at %s.", cr.Name, cr.Status.InstalledVersion) + applied.Note()})
	return ui.Redirect(c, "/platforms/"+url.PathEscape(s.platform.Name)+"/upgrades")
}

// retry runs a rolled-back upgrade again: the spec still asks for the
// version that failed, and the reconciler waits for the operator's word.
func (h *Handler) retry(c echo.Context) error {
	s, cr, err := h.loadInstalled(c)
	if err != nil {
		return err
	}
	rb, ok := rolledBack(cr)
	if !ok || runningID(s.platform, cr) != workflows.UpgradeID(s.platform.Name, cr.Name, rb.To) {
		return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf(
			"%s has no rolled-back upgrade that the platform still asks for: choose a version under Available upgrades.", cr.Name))
	}
	if s.ops[runningID(s.platform, cr)].State == operations.StateRunning {
		return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("The upgrade of %s to %s is running already.", cr.Name, rb.To))
	}
	if err := h.Platforms.RetryComponent(c.Request().Context(), s.platform.Name, cr.Name, h.Now(), pages.User(c)); err != nil {
		return err
	}
	pages.SetFlash(c, ui.Flash{Kind: "ok", Text: fmt.Sprintf("Retrying the upgrade of %s to %s.", cr.Name, rb.To)})
	return ui.Redirect(c, "/platforms/"+url.PathEscape(s.platform.Name)+"/upgrades")
}

// pause needs only the platform and its schedules, not the whole page.
func (h *Handler) pause(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := pages.LoadPlatform(ctx, h.Platforms, c.Param("platform"))
	if err != nil {
		return err
	}
	sched, err := h.Schedules.List(ctx, p.Name)
	if err != nil {
		return err
	}
	id := c.QueryParam("id")
	var found bool
	for _, sc := range sched {
		found = found || sc.ID == id
	}
	if !found {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("Platform %s has no scheduled upgrade %q.", p.Name, id))
	}
	note := "paused by " + pages.User(c) + " in the UI"
	if c.FormValue("pause") == "no" {
		err = h.Schedules.Resume(c.Request().Context(), id, "resumed by "+pages.User(c)+" in the UI")
	} else {
		err = h.Schedules.Pause(c.Request().Context(), id, note)
	}
	if err != nil {
		return err
	}
	return ui.Redirect(c, "/platforms/"+url.PathEscape(p.Name)+"/upgrades#scheduled")
}
