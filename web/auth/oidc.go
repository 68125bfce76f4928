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
// signed cookie a password sign-in gets.
type OIDC struct {
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	config   oauth2.Config
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

// NewOIDC discovers the provider at issuer.
func NewOIDC(ctx context.Context, issuer, clientID, clientSecret, redirectURL string) (*OIDC, error) {
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("OpenID provider %s cannot be discovered (%v): check --oidc-issuer", issuer, err)
	}
	return &OIDC{provider: p, verifier: p.Verifier(&oidc.Config{ClientID: clientID}), RedirectURL: redirectURL,
		config: oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, Endpoint: p.Endpoint(),
			Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}}, nil
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

// oidcCallback checks the provider's answer and signs the user in.
func (a *Auth) oidcCallback(c echo.Context) error {
	user, next, err := a.oidcUser(c)
	http.SetCookie(c.Response(), &http.Cookie{Name: oidcFlowCookie, Value: "", Path: "/login/oidc", HttpOnly: true, MaxAge: -1})
	if err != nil {
		a.Log.Warn("OIDC sign-in failed", "error", err.Error())
		return a.render(c, http.StatusUnauthorized, loginVM{OIDC: true, Next: "/", Problem: "Sign-in with your identity provider failed: " + err.Error() + ". Try again."})
	}
	if err := a.Sessions.Issue(c.Response(), User{Name: user, Method: "oidc"}); err != nil {
		return err
	}
	a.Log.Info("signed in", "user", user, "method", "oidc")
	// A page, not a redirect: the SameSite=Strict session cookie is sent on
	// a navigation this site starts, not on the provider's redirect chain.
	return ui.Render(c, http.StatusOK, ui.Meta{Title: "Signed in", Refresh: next}, signedIn(next))
}

func (a *Auth) oidcUser(c echo.Context) (string, string, error) {
	o := a.OIDC
	ck, err := c.Request().Cookie(oidcFlowCookie)
	if err != nil {
		return "", "", errors.New("the sign-in took too long or began in another browser")
	}
	var f flowClaims
	if _, err := jwt.ParseWithClaims(ck.Value, &f, func(*jwt.Token) (any, error) { return a.Sessions.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(),
		jwt.WithAudience("openova-oidc"), jwt.WithTimeFunc(a.Sessions.now)); err != nil {
		return "", "", errors.New("the sign-in took too long or began in another browser")
	}
	if e := c.QueryParam("error"); e != "" {
		return "", "", fmt.Errorf("the provider answered %q", e)
	}
	if c.QueryParam("state") != f.State {
		return "", "", errors.New("the answer does not belong to this sign-in")
	}
	cfg := o.config
	cfg.RedirectURL = o.redirect(c)
	tok, err := cfg.Exchange(c.Request().Context(), c.QueryParam("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return "", "", errors.New("the provider refused the code")
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", "", errors.New("the provider sent no ID token")
	}
	id, err := o.verifier.Verify(c.Request().Context(), raw)
	if err != nil || id.Nonce != f.Nonce {
		return "", "", errors.New("the provider's ID token did not verify")
	}
	var claims struct {
		PreferredUsername string `json:"preferred_username"`
		Email             string `json:"email"`
	}
	_ = id.Claims(&claims)
	name := claims.PreferredUsername
	if name == "" {
		name = claims.Email
	}
	if name == "" {
		name = id.Subject
	}
	return name, f.Next, nil
}
