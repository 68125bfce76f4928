// Package pages holds what every page area shares beyond the templ
// components: the shell's view model (navigation, user, flash messages)
// and loading the platform a URL names, with a 404 page when it is unknown.
package pages

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/auth"
	"github.com/openova-io/core/web/platforms"
	"github.com/openova-io/core/web/ui"
)

// Sections of the manager's sidebar.
const (
	Dashboard  = "dashboard"
	Components = "components"
	Upgrades   = "upgrades"
	Settings   = "settings"
	Audit      = "audit"
	Wizard     = "wizard"
)

// Shell builds the shell's view model for a page.
type Shell struct {
	// Bootstrap is the bootstrap mode's shell (its wizard and audit).
	Bootstrap bool
}

// Meta is the shell of a page about platform (empty: none) in section.
func (s Shell) Meta(c echo.Context, platform, section, title string, live bool) ui.Meta {
	m := ui.Meta{Title: title, Live: live, Flashes: TakeFlashes(c)}
	if u, ok := auth.UserFrom(c.Request().Context()); ok {
		m.User = u.Name
	}
	switch {
	case s.Bootstrap:
		m.Context = "Bootstrap"
		m.Nav = []ui.NavItem{{Label: "Bootstrap", URL: "/wizard", Active: section == Wizard}, {Label: "Audit", URL: "/audit", Active: section == Audit}}
	case platform == "" && m.User != "":
		m.Nav = []ui.NavItem{{Label: "Platforms", URL: "/"}, {Label: "Audit", URL: "/audit", Active: section == Audit}}
	case platform != "":
		m.Context = "Platform: " + platform
		base := "/platforms/" + url.PathEscape(platform)
		for _, n := range []struct{ id, label, url string }{
			{Dashboard, "Dashboard", base + "/"},
			{Components, "Components", base + "/components"},
			{Upgrades, "Upgrades", base + "/upgrades"},
			{Settings, "Settings", base + "/settings"},
			{Audit, "Audit", "/audit?platform=" + url.QueryEscape(platform)},
		} {
			m.Nav = append(m.Nav, ui.NavItem{Label: n.label, URL: n.url, Active: n.id == section})
		}
	}
	return m
}

// User is who is signed in, as every change the UI makes carries it into
// the operation it starts (and as the wizard keys its drafts): the name,
// and for a user of an OpenID provider their issuer and subject too, since
// two accounts may show the same name.
func User(c echo.Context) string {
	u, _ := auth.UserFrom(c.Request().Context())
	if u.Identity != "" {
		return u.Name + " (" + u.Identity + ")"
	}
	return u.Name
}

// PlatformReader reads one platform.
type PlatformReader interface {
	Platform(ctx context.Context, name string) (*v1alpha1.Platform, error)
}

// LoadPlatform reads the platform a URL names; an unknown one is a 404
// that says where the platforms are.
func LoadPlatform(ctx context.Context, r PlatformReader, name string) (*v1alpha1.Platform, error) {
	p, err := r.Platform(ctx, name)
	if errors.Is(err, platforms.ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("There is no platform %q: the start page lists the platforms.", name))
	}
	return p, err
}

const flashCookie = "openova_flash"

// SetFlash keeps a message for the next page the browser loads (after a
// form's redirect).
func SetFlash(c echo.Context, f ui.Flash) {
	fs := append(peek(c), f)
	b, _ := json.Marshal(fs)
	http.SetCookie(c.Response(), &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: 60})
}

// TakeFlashes reads and clears the pending messages.
func TakeFlashes(c echo.Context) []ui.Flash {
	fs := peek(c)
	if len(fs) > 0 {
		http.SetCookie(c.Response(), &http.Cookie{Name: flashCookie, Value: "", Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, MaxAge: -1})
	}
	return fs
}

func peek(c echo.Context) []ui.Flash {
	ck, err := c.Request().Cookie(flashCookie)
	if err != nil {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return nil
	}
	var fs []ui.Flash
	if json.Unmarshal(b, &fs) != nil || len(fs) > 5 {
		return nil
	}
	for i := range fs {
		if fs[i].Kind != "ok" && fs[i].Kind != "error" {
			fs[i].Kind = "info"
		}
	}
	return fs
}
