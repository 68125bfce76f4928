package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

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
	if a.OIDC != nil {
		e.GET("/login/oidc", a.oidcStart)
		e.GET("/login/oidc/callback", a.oidcCallback)
	}
}

// public paths need no session: sign-in itself, static files, probes,
// metrics and the codec endpoint (which has its own token).
func public(path string) bool {
	switch path {
	case "/login", "/healthz", "/readyz", "/metrics":
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
			to := "/login?next=" + r.URL.RequestURI()
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

func (a *Auth) login(c echo.Context) error {
	user, password := strings.TrimSpace(c.FormValue("user")), c.FormValue("password")
	v := loginVM{User: user, Next: safeNext(c.FormValue("next")), OIDC: a.OIDC != nil}
	keys := []string{"addr:" + clientAddr(c.Request()), "user:" + user}
	if wait := a.limit.wait(keys...); wait > 0 {
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		v.Problem = fmt.Sprintf("Too many failed sign-ins: wait %s, then try again.", wait.Round(time.Second)+time.Second)
		return a.render(c, http.StatusTooManyRequests, v)
	}
	if user == "" || password == "" {
		v.Error = "Enter your user name and password."
		return a.render(c, http.StatusUnprocessableEntity, v)
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
		a.limit.fail(keys...)
		a.Log.Warn("sign-in failed", "user", user, "addr", clientAddr(c.Request()))
		v.Error = "Wrong user name or password."
		return a.render(c, http.StatusUnauthorized, v)
	}
	a.limit.succeed(keys...)
	if err := a.Sessions.Issue(c.Response(), User{Name: user, Method: "password"}); err != nil {
		return err
	}
	a.Log.Info("signed in", "user", user, "method", "password")
	return c.Redirect(http.StatusSeeOther, v.Next)
}

func (a *Auth) logout(c echo.Context) error {
	a.Sessions.Clear(c.Response())
	return c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps a redirect target on this site: a local path, never
// //host or a scheme.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.HasPrefix(next, "/login") {
		return "/"
	}
	return next
}

// clientAddr is the peer's IP: a proxy's forwarding headers are not
// trusted, so they cannot be used to dodge the limiter.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
