package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/web/ui"
)

// Auth is sign-in: the login form, logout, and the middleware that keeps
// every other page behind a session.
type Auth struct {
	Sessions *Sessions
	// AdminHash is the PHC string of the admin password.
	AdminHash string
	Log       *slog.Logger
	// OIDC, when set, offers sign-in with an OpenID provider.
	OIDC *OIDC

	limit *limiter
	// hashing bounds concurrent argon2id computations (64 MiB each), so a
	// burst of sign-ins cannot exhaust memory.
	hashing chan struct{}
}

// New builds Auth.
func New(s *Sessions, adminHash string, log *slog.Logger) *Auth {
	return &Auth{Sessions: s, AdminHash: adminHash, Log: log, limit: newLimiter(time.Now), hashing: make(chan struct{}, 2)}
}

type userKey struct{}

// UserFrom is the signed-in user of a request's context.
func UserFrom(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(userKey{}).(User)
	return u, ok
}

// WithUser puts u in ctx (for tests of handlers behind the middleware).
func WithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// Routes adds the sign-in routes.
func (a *Auth) Routes(e *echo.Echo) {
	e.GET("/login", a.loginPage)
	e.POST("/login", a.login)
	e.POST("/logout", a.logout)
	e.POST("/logout/everywhere", a.logoutEverywhere)
	if a.OIDC != nil {
		e.GET("/login/oidc", a.oidcStart)
		e.GET("/login/oidc/callback", a.oidcCallback)
	}
}

// public paths need no session: sign-in itself, static files and the
// favicon, probes, metrics and the codec endpoint (which has its own token).
func public(path string) bool {
	switch path {
	case "/login", "/healthz", "/readyz", "/metrics", "/favicon.ico":
		return true
	}
	for _, p := range []string{"/static/", "/codec/", "/login/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// Require lets a request through with a valid session (renewing it past
// half its idle time); without one, a page load goes to the login form and
// a state-changing request is refused with 403.
func (a *Auth) Require(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if public(r.URL.Path) {
			return next(c)
		}
		u, renew, err := a.Sessions.Read(r)
		if err != nil {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				return echo.NewHTTPError(http.StatusForbidden, "You are not signed in (or your session ended): sign in again, then repeat the action.")
			}
			to := "/login?next=" + url.QueryEscape(r.URL.RequestURI())
			if ui.IsFragmentRequest(r) {
				c.Response().Header().Set("HX-Redirect", to)
				return c.NoContent(http.StatusUnauthorized)
			}
			return c.Redirect(http.StatusSeeOther, to)
		}
		if renew {
			if err := a.Sessions.Issue(c.Response(), u); err != nil {
				return err
			}
		}
		c.SetRequest(r.WithContext(WithUser(r.Context(), u)))
		return next(c)
	}
}

func (a *Auth) loginPage(c echo.Context) error {
	return a.render(c, http.StatusOK, loginVM{Next: safeNext(c.QueryParam("next")), OIDC: a.OIDC != nil})
}

func (a *Auth) render(c echo.Context, code int, v loginVM) error {
	return ui.Render(c, code, ui.Meta{Title: "Sign in"}, loginForm(v))
}

// Bounds of what the sign-in form takes, checked before anything is
// counted or logged: a longer name is no one's, a longer password no
// generated one's.
const (
	maxUserLen     = 256
	maxPasswordLen = 1024
)

func (a *Auth) login(c echo.Context) error {
	user, password := strings.TrimSpace(c.FormValue("user")), c.FormValue("password")
	v := loginVM{User: user, Next: safeNext(c.FormValue("next")), OIDC: a.OIDC != nil}
	source := c.RealIP()
	switch {
	case len(user) > maxUserLen:
		a.Log.Warn("sign-in refused: user name too long", "user", truncate(user), "bytes", len(user), "addr", source)
		v.User, v.Error = "", fmt.Sprintf("A user name has at most %d characters: check what you typed.", maxUserLen)
		return a.render(c, http.StatusUnprocessableEntity, v)
	case len(password) > maxPasswordLen:
		v.Error = fmt.Sprintf("A password has at most %d characters: check what you typed.", maxPasswordLen)
		return a.render(c, http.StatusUnprocessableEntity, v)
	case user == "" || password == "":
		v.Error = "Enter your user name and password."
		return a.render(c, http.StatusUnprocessableEntity, v)
	}
	att, wait := a.limit.reserve(source, limitedAs(user))
	if wait > 0 {
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		v.Problem = fmt.Sprintf("Too many failed sign-ins from your address: wait %s, then try again.", wait.Round(time.Second)+time.Second)
		return a.render(c, http.StatusTooManyRequests, v)
	}
	ok := false
	if user == AdminUser {
		a.hashing <- struct{}{}
		var err error
		ok, err = Verify(a.AdminHash, password)
		<-a.hashing
		if err != nil {
			a.Log.Error("admin password hash unreadable", "error", err.Error(), "file", PasswordFile)
			return echo.NewHTTPError(http.StatusInternalServerError, "The stored admin password hash is unreadable: delete "+PasswordFile+" in the data dir and restart to generate a new password.")
		}
	}
	if !ok {
		a.Log.Warn("sign-in failed", "user", truncate(user), "addr", source)
		v.Error = "Wrong user name or password."
		return a.render(c, http.StatusUnauthorized, v)
	}
	a.limit.release(att)
	if err := a.Sessions.Issue(c.Response(), User{Name: user, Method: "password"}); err != nil {
		return err
	}
	a.Log.Info("signed in", "user", user, "method", "password", "addr", source)
	return c.Redirect(http.StatusSeeOther, v.Next)
}

// limitedAs is the name an attempt is counted under: its own for a name
// with a password, one for all others, which are refused without a check
// (see the limiter).
func limitedAs(user string) string {
	if user == AdminUser {
		return user
	}
	return ""
}

// logout ends this session on the server and in the browser.
func (a *Auth) logout(c echo.Context) error {
	if u, ok := UserFrom(c.Request().Context()); ok {
		if err := a.Sessions.Revoke(u); err != nil {
			return err
		}
		a.Log.Info("signed out", "user", u.Name)
	}
	a.Sessions.Clear(c.Response())
	return c.Redirect(http.StatusSeeOther, "/login")
}

// logoutEverywhere ends every session of the user, in every browser.
func (a *Auth) logoutEverywhere(c echo.Context) error {
	if u, ok := UserFrom(c.Request().Context()); ok {
		if err := a.Sessions.RevokeAll(u); err != nil {
			return err
		}
		a.Log.Info("signed out everywhere", "user", u.Name)
	}
	a.Sessions.Clear(c.Response())
	return c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps a redirect target on this site: a path here, with its
// query, and never another host however it is spelled. No scheme, host or
// user; one leading '/'; no backslash and no control character, in the
// value and decoded (browsers drop tabs and newlines and read '\' as '/',
// so "/\t/evil.example" would become "//evil.example"); never the sign-in
// page itself.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	decoded, err := url.PathUnescape(next)
	if err != nil {
		return "/"
	}
	for _, s := range []string{next, decoded, u.Path} {
		if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') || strings.ContainsFunc(s, unicode.IsControl) {
			return "/"
		}
	}
	if u.Path == "/login" || strings.HasPrefix(u.Path, "/login/") {
		return "/"
	}
	return next
}

// truncate shortens what a client typed for the log.
func truncate(s string) string {
	const keep = 64
	if len(s) <= keep {
		return s
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
