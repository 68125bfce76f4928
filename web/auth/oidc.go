package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/openova-io/core/web/ui"
)

// OIDC signs operators in with an OpenID provider (authorization code
// flow with PKCE, state and nonce); the session it ends in is the same
// signed cookie a password sign-in gets, for the accounts Allow names.
type OIDC struct {
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	config   oauth2.Config
	allow    Allow
	http     *http.Client
	// RedirectURL, when empty, is this server's /login/oidc/callback as
	// the browser reached it.
	RedirectURL string
}

// oidcFlowCookie carries one sign-in's state, nonce and PKCE verifier,
// signed, from the redirect to the callback (SameSite=Lax: the callback
// arrives from the provider's site).
const (
	oidcFlowCookie = "openova_oidc"
	oidcFlowTTL    = 10 * time.Minute
)

// OIDCConfig is the provider, the client registered with it, and whom it
// admits.
type OIDCConfig struct {
	Issuer, ClientID, ClientSecret string
	// RedirectURL is registered with the provider ("": this server's
	// /login/oidc/callback as the browser reached it).
	RedirectURL string
	Allow       Allow
	// HTTP talks to the provider (discovery, signing keys, the code
	// exchange): a netguard client, so a discovery document cannot send
	// openova to a metadata address.
	HTTP *http.Client
}

// NewOIDC discovers the provider at c.Issuer.
func NewOIDC(ctx context.Context, c OIDCConfig) (*OIDC, error) {
	if c.Allow.Empty() {
		return nil, errors.New("sign-in with an OpenID provider admits nobody: name who may sign in with --oidc-allowed-users, --oidc-allowed-email-domains or --oidc-allowed-groups")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, hc), c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OpenID provider %s cannot be discovered (%v): check --oidc-issuer", c.Issuer, err)
	}
	scopes := []string{oidc.ScopeOpenID, "profile", "email"}
	if len(c.Allow.Groups) > 0 {
		// Dex sends groups only when asked; other providers (Google) refuse
		// a sign-in that asks for a scope they do not know.
		scopes = append(scopes, "groups")
	}
	return &OIDC{provider: p, verifier: p.Verifier(&oidc.Config{ClientID: c.ClientID}), RedirectURL: c.RedirectURL,
		allow: c.Allow, http: hc,
		config: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: p.Endpoint(), Scopes: scopes}}, nil
}

type flowClaims struct {
	jwt.RegisteredClaims
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next"`
}

func (o *OIDC) redirect(c echo.Context) string {
	if o.RedirectURL != "" {
		return o.RedirectURL
	}
	scheme := "http"
	if c.Request().TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host + "/login/oidc/callback"
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// start sends the browser to the provider.
func (a *Auth) oidcStart(c echo.Context) error {
	o := a.OIDC
	f := flowClaims{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Next: safeNext(c.QueryParam("next")),
		RegisteredClaims: jwt.RegisteredClaims{Issuer: issuer, Audience: jwt.ClaimStrings{"openova-oidc"},
			ExpiresAt: jwt.NewNumericDate(a.Sessions.now().Add(oidcFlowTTL))}}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, f).SignedString(a.Sessions.key)
	if err != nil {
		return err
	}
	http.SetCookie(c.Response(), &http.Cookie{Name: oidcFlowCookie, Value: signed, Path: "/login/oidc", HttpOnly: true,
		Secure: a.Sessions.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int(oidcFlowTTL.Seconds())})
	cfg := o.config
	cfg.RedirectURL = o.redirect(c)
	return c.Redirect(http.StatusFound, cfg.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)))
}

// errRefused is an account that signed in with the provider but is not
// one Allow names; its message is the page's.
type errRefused struct{ msg string }

func (e *errRefused) Error() string { return e.msg }

// oidcCallback checks the provider's answer and signs the user in if
// the allow list names them.
func (a *Auth) oidcCallback(c echo.Context) error {
	id, next, err := a.oidcUser(c)
	http.SetCookie(c.Response(), &http.Cookie{Name: oidcFlowCookie, Value: "", Path: "/login/oidc", HttpOnly: true, MaxAge: -1})
	var refused *errRefused
	if errors.As(err, &refused) {
		a.Log.Warn("OIDC sign-in refused: the account is not in --oidc-allowed-users, --oidc-allowed-email-domains or --oidc-allowed-groups",
			"issuer", id.Issuer, "sub", id.Subject, "preferredUsername", id.PreferredUsername, "email", id.Email,
			"emailVerified", id.EmailVerified, "groups", id.Groups)
		return a.render(c, http.StatusForbidden, loginVM{OIDC: true, Next: "/", Problem: refused.msg})
	}
	if err != nil {
		a.Log.Warn("OIDC sign-in failed", "error", err.Error())
		return a.render(c, http.StatusUnauthorized, loginVM{OIDC: true, Next: "/", Problem: "Sign-in with your identity provider failed: " + err.Error() + ". Try again."})
	}
	name := id.PreferredUsername
	if name == "" {
		name = id.Email
	}
	if name == "" {
		name = id.Subject
	}
	if err := a.Sessions.Issue(c.Response(), User{Name: name, Method: "oidc", Identity: id.ID()}); err != nil {
		return err
	}
	a.Log.Info("signed in", "user", name, "method", "oidc", "issuer", id.Issuer, "sub", id.Subject)
	// A page, not a redirect: the SameSite=Strict session cookie is sent on
	// a navigation this site starts, not on the provider's redirect chain.
	return ui.Render(c, http.StatusOK, ui.Meta{Title: "Signed in", Refresh: next}, signedIn(next))
}

// oidcUser checks the flow cookie and the provider's answer, exchanges
// the code and verifies the ID token; it returns the token's user, and
// an *errRefused when Allow does not name them.
func (a *Auth) oidcUser(c echo.Context) (identity, string, error) {
	o := a.OIDC
	ck, err := c.Request().Cookie(oidcFlowCookie)
	if err != nil {
		return identity{}, "", errors.New("the sign-in took too long or began in another browser")
	}
	var f flowClaims
	if _, err := jwt.ParseWithClaims(ck.Value, &f, func(*jwt.Token) (any, error) { return a.Sessions.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(),
		jwt.WithAudience("openova-oidc"), jwt.WithTimeFunc(a.Sessions.now)); err != nil {
		return identity{}, "", errors.New("the sign-in took too long or began in another browser")
	}
	if e := c.QueryParam("error"); e != "" {
		return identity{}, "", fmt.Errorf("the provider answered %q", e)
	}
	if c.QueryParam("state") != f.State {
		return identity{}, "", errors.New("the answer does not belong to this sign-in")
	}
	cfg := o.config
	cfg.RedirectURL = o.redirect(c)
	ctx := oidc.ClientContext(c.Request().Context(), o.http)
	tok, err := cfg.Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return identity{}, "", errors.New("the provider refused the code")
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return identity{}, "", errors.New("the provider sent no ID token")
	}
	tokID, err := o.verifier.Verify(ctx, raw)
	if err != nil || tokID.Nonce != f.Nonce || tokID.Subject == "" {
		return identity{}, "", errors.New("the provider's ID token did not verify")
	}
	var claims map[string]any
	if err := tokID.Claims(&claims); err != nil {
		return identity{}, "", errors.New("the provider's ID token did not verify")
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	id := identity{Issuer: tokID.Issuer, Subject: tokID.Subject, PreferredUsername: str("preferred_username"), Email: str("email"),
		EmailVerified: verified(claims["email_verified"]), Groups: stringsClaim(claims[o.allow.groupsClaim()])}
	if ok, msg := o.allow.admits(id); !ok {
		return id, f.Next, &errRefused{msg: msg}
	}
	return id, f.Next, nil
}
