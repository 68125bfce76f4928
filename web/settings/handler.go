// Package settings is the Settings page: what lives in the Platform spec
// (catalog index, maintenance window, delivery and its repository) is
// edited here, validated field by field on the server; what comes from the
// manager's flags is shown with the flag that sets it.
package settings

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/catalogindex"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/netguard"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/platforms"
	"github.com/openova-io/core/web/ui"
)

// Platforms reads a platform and writes its settings.
type Platforms interface {
	Platform(ctx context.Context, name string) (*v1alpha1.Platform, error)
	ApplySettings(ctx context.Context, platform string, s platforms.Settings, actor string) (platforms.Applied, error)
}

// Flags are the manager's settings that come from its command line.
type Flags struct {
	CheckEvery      time.Duration
	ReadyTimeout    time.Duration
	AlertmanagerURL string
	WebhookURL      string
}

// PageVM is the Settings page.
type PageVM struct {
	ActionURL string
	Form      Form
	Flags     []FlagVM
}

// FlagVM is one flag-set setting.
type FlagVM struct{ Label, Value, Flag string }

// Handler serves the page.
type Handler struct {
	Platforms Platforms
	Flags     Flags
	Shell     pages.Shell
	// Fetch is where the manager may fetch from (--allow-http-fetch): the
	// form refuses a catalog index or repository it would not fetch.
	Fetch netguard.Policy
}

// Routes adds the page's routes.
func (h *Handler) Routes(e *echo.Echo) {
	e.GET("/platforms/:platform/settings", h.page)
	e.POST("/platforms/:platform/settings", h.save)
}

func (h *Handler) render(c echo.Context, code int, p *v1alpha1.Platform, f Form) error {
	vm := PageVM{ActionURL: "/platforms/" + url.PathEscape(p.Name) + "/settings", Form: f, Flags: h.flags()}
	return ui.Render(c, code, h.Shell.Meta(c, p.Name, pages.Settings, "Settings", false), page(vm))
}

func (h *Handler) flags() []FlagVM {
	orNone := func(u string) string {
		if u == "" {
			return "none"
		}
		return catalogindex.RedactURL(u)
	}
	return []FlagVM{
		{"Update check every", h.Flags.CheckEvery.String(), "--check-updates-every"},
		{"Ready timeout of an install or upgrade", h.Flags.ReadyTimeout.String(), "--ready-timeout"},
		{"Alertmanager receiving rollback alerts", orNone(h.Flags.AlertmanagerURL), "--alertmanager-url"},
		{"Webhook receiving rollback alerts", orNone(h.Flags.WebhookURL), "--alert-webhook-url"},
	}
}

func (h *Handler) page(c echo.Context) error {
	p, err := pages.LoadPlatform(c.Request().Context(), h.Platforms, c.Param("platform"))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, p, formOf(p))
}

func (h *Handler) save(c echo.Context) error {
	p, err := pages.LoadPlatform(c.Request().Context(), h.Platforms, c.Param("platform"))
	if err != nil {
		return err
	}
	f := readForm(c)
	f.check()
	f.checkFetch(h.Fetch)
	if file, ok := p.Annotations[v1alpha1.AnnotationGitFile]; ok && len(f.Errors) == 0 {
		// Flux applies this Platform from its file: the catalog index and
		// the window are committed there; the delivery and the repository
		// are where Flux applies it from, changed in the file only.
		if cur := formOf(p); f.Delivery != cur.Delivery || f.GitURL != cur.GitURL || f.Branch != cur.Branch || f.Path != cur.Path || f.SecretName != cur.SecretName {
			f.Errors["delivery"] = fmt.Sprintf("This platform is kept in Git (%s): its delivery and repository are where Flux applies it from. Change them in that file; the catalog settings and the maintenance window are committed there for you.", file)
		}
	}
	if len(f.Errors) > 0 {
		return h.render(c, http.StatusUnprocessableEntity, p, f)
	}
	set := platforms.Settings{IndexURL: f.IndexURL, Delivery: f.Delivery, CheckUpstream: f.Upstream}
	if f.WindowOn {
		set.Window = &v1alpha1.MaintenanceWindow{Days: f.Days, Start: f.Start, TimeZone: f.TimeZone}
	}
	if f.GitURL != "" {
		set.Git = &v1alpha1.GitRepository{URL: f.GitURL, Branch: f.Branch, Path: f.Path, SecretRef: f.SecretName}
	}
	applied, err := h.Platforms.ApplySettings(c.Request().Context(), p.Name, set, pages.User(c))
	if err != nil {
		return err
	}
	pages.SetFlash(c, ui.Flash{Kind: "ok", Text: "Settings saved." + applied.Note()})
	return ui.Redirect(c, "/platforms/"+url.PathEscape(p.Name)+"/settings")
}
