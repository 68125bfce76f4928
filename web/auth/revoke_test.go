package auth

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Sign-out ends a session on the server: the cookie and every copy of it,
// also one taken before a renewal (the session's ID stays); sign out
// everywhere ends every session of the user and none of another's; both
// survive a restart.
func TestSignOutEndsSessionsOnTheServer(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	load := func() *Sessions {
		s, err := LoadSessions(dir, false)
		require.NoError(t, err)
		s.now, s.revoked.now = func() time.Time { return now }, func() time.Time { return now }
		return s
	}
	s := load()
	issue := func(u User) *http.Cookie {
		rec := httptest.NewRecorder()
		require.NoError(t, s.Issue(rec, u))
		return rec.Result().Cookies()[0]
	}
	read := func(ck *http.Cookie) (User, error) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(ck)
		u, _, err := s.Read(r)
		return u, err
	}
	copied := issue(User{Name: "admin", Method: "password"})
	u, err := read(copied)
	require.NoError(t, err)
	now = now.Add(7 * time.Hour)
	renewed := issue(u) // the middleware renews past half of Idle
	ru, err := read(renewed)
	require.NoError(t, err)
	require.Equal(t, u.Session, ru.Session, "a renewal keeps the session's ID")

	other, alice := issue(User{Name: "admin"}), issue(User{Name: "alice"})
	// Two OpenID accounts that show the same name are two accounts.
	oidcA := issue(User{Name: "sam", Method: "oidc", Identity: "https://idp.example#111"})
	oidcB := issue(User{Name: "sam", Method: "oidc", Identity: "https://idp.example#222"})
	require.NoError(t, s.Revoke(ru))
	for name, ck := range map[string]*http.Cookie{"the cookie": renewed, "a copy from before the renewal": copied} {
		_, err := read(ck)
		require.ErrorContains(t, err, "signed out", name)
	}
	_, err = read(other)
	require.NoError(t, err, "another session of the same user goes on")

	s = load() // a restart
	_, err = read(copied)
	require.ErrorContains(t, err, "signed out", "the sign-out survives a restart")
	require.NoError(t, s.RevokeAll(User{Name: "admin"}))
	_, err = read(other)
	require.ErrorContains(t, err, "signed out everywhere")
	require.NoError(t, s.RevokeAll(User{Name: "sam", Identity: "https://idp.example#111"}))
	_, err = read(oidcA)
	require.ErrorContains(t, err, "signed out everywhere")
	_, err = read(oidcB)
	require.NoError(t, err, "the other account named sam goes on")
	_, err = read(alice)
	require.NoError(t, err, "another user's session goes on")
	fresh := issue(User{Name: "admin"})
	s = load()
	_, err = read(other)
	require.ErrorContains(t, err, "signed out everywhere", "survives a restart")
	_, err = read(fresh)
	require.NoError(t, err, "a session begun after sign out everywhere is valid")

	// A signed-out ID is kept only as long as its session could be valid.
	now = now.Add(Max)
	require.NoError(t, s.Revoke(User{Name: "alice", Session: "later", Since: now}))
	s = load()
	require.Equal(t, map[string]int64{"later": now.Add(Max).Unix()}, s.revoked.state.Sessions)
}

// A cookie issued before sessions had IDs cannot be signed out, so it is
// refused; a damaged record stops the start with what to do.
func TestSessionRecordsAreChecked(t *testing.T) {
	dir := t.TempDir()
	s, err := LoadSessions(dir, false)
	require.NoError(t, err)
	require.ErrorContains(t, s.revoked.ended("", "admin", 0), "has no ID")
	require.NoError(t, os.WriteFile(filepath.Join(dir, RevokedFile), []byte("{nope"), 0o600))
	_, err = LoadSessions(dir, false)
	require.ErrorContains(t, err, "delete it together with "+KeyFile)
}
