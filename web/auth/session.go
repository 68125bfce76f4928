package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Session lifetimes: a session ends after Idle without a request (each
// request past half of it renews the cookie) and after Max in any case.
const (
	Idle = 12 * time.Hour
	Max  = 7 * 24 * time.Hour
)

const (
	issuer   = "openova"
	audience = "openova-ui"
	// KeyFile is the data dir's session-signing key; deleting it signs
	// everyone out.
	KeyFile = "session.key"
)

// Sessions issues and reads the signed session cookie.
type Sessions struct {
	key []byte
	// Secure marks cookies Secure and gives them the __Host- prefix (served over TLS).
	Secure  bool
	now     func() time.Time
	revoked *revocations
}

// claims are a session's JWT claims: the user, how they signed in, and
// when the session began (for Max).
type claims struct {
	jwt.RegisteredClaims
	Since  int64  `json:"since"`
	Method string `json:"amr,omitempty"`
	// Session is the session's ID, the same across renewals, and Gen the
	// user's generation when it was issued: sign-out ends either.
	Session string `json:"sid"`
	Gen     int    `json:"gen,omitempty"`
	// Identity is User.Identity.
	Identity string `json:"idn,omitempty"`
}

// User is a signed-in operator.
type User struct {
	Name string
	// Method is "password" or "oidc".
	Method string
	Since  time.Time
	// Session is the session's ID (kept across renewals).
	Session string
	// Identity, for a user of an OpenID provider, is the provider's issuer
	// and the user's subject ("<issuer>#<sub>"): who they are, stable and
	// not of their choosing, unlike Name.
	Identity string
}

// Account is whose sessions "sign out everywhere" ends: the identity of an
// OpenID user (two accounts may show the same name), else the name.
func (u User) Account() string {
	if u.Identity != "" {
		return u.Identity
	}
	return u.Name
}

// LoadSessions reads (or on first start creates) the signing key in dataDir.
func LoadSessions(dataDir string, secure bool) (*Sessions, error) {
	path := filepath.Join(dataDir, KeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("generate session key: %w", err)
		}
		if err := os.WriteFile(path, key, 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(key) < 32 {
		return nil, fmt.Errorf("%s holds %d bytes, want 32: delete it to generate a new key", path, len(key))
	}
	revoked, err := loadRevocations(dataDir, time.Now)
	if err != nil {
		return nil, err
	}
	return &Sessions{key: key, Secure: secure, now: time.Now, revoked: revoked}, nil
}

// CookieName is the session cookie's name; over TLS it carries the
// __Host- prefix, which browsers accept only Secure, host-only and on /.
func (s *Sessions) CookieName() string {
	if s.Secure {
		return "__Host-openova_session"
	}
	return "openova_session"
}

// Issue sets a session cookie for u.
func (s *Sessions) Issue(w http.ResponseWriter, u User) error {
	now := s.now()
	if u.Since.IsZero() {
		u.Since = now
	}
	if u.Session == "" {
		u.Session = newSessionID()
	}
	exp := now.Add(Idle)
	if limit := u.Since.Add(Max); exp.After(limit) {
		exp = limit
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		RegisteredClaims: jwt.RegisteredClaims{Issuer: issuer, Subject: u.Name, Audience: jwt.ClaimStrings{audience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp)},
		Since: u.Since.Unix(), Method: u.Method, Session: u.Session, Gen: s.revoked.generation(u.Account()), Identity: u.Identity,
	})
	signed, err := tok.SignedString(s.key)
	if err != nil {
		return fmt.Errorf("sign session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: s.CookieName(), Value: signed, Path: "/", HttpOnly: true,
		Secure: s.Secure, SameSite: http.SameSiteStrictMode, Expires: exp})
	return nil
}

// Read returns the session's user, and whether the cookie should be
// renewed (more than half of Idle has passed).
func (s *Sessions) Read(r *http.Request) (User, bool, error) {
	ck, err := r.Cookie(s.CookieName())
	if err != nil {
		return User{}, false, errors.New("no session")
	}
	var c claims
	_, err = jwt.ParseWithClaims(ck.Value, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(),
		jwt.WithAudience(audience), jwt.WithIssuer(issuer), jwt.WithTimeFunc(s.now))
	if err != nil {
		return User{}, false, fmt.Errorf("session: %w", err)
	}
	since := time.Unix(c.Since, 0)
	if s.now().After(since.Add(Max)) || c.Subject == "" {
		return User{}, false, errors.New("session expired")
	}
	u := User{Name: c.Subject, Method: c.Method, Since: since, Identity: c.Identity, Session: c.Session}
	if err := s.revoked.ended(c.Session, u.Account(), c.Gen); err != nil {
		return User{}, false, err
	}
	renew := c.ExpiresAt.Sub(s.now()) < Idle/2
	return u, renew, nil
}

// Revoke ends u's session on the server: its cookie, and any copy of it,
// no longer signs anyone in.
func (s *Sessions) Revoke(u User) error { return s.revoked.revoke(u.Session, u.Since) }

// RevokeAll ends every session of u's account (User.Account) on the
// server, in every browser.
func (s *Sessions) RevokeAll(u User) error { return s.revoked.revokeAll(u.Account()) }

// Clear removes the session cookie.
func (s *Sessions) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.CookieName(), Value: "", Path: "/", HttpOnly: true,
		Secure: s.Secure, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}
