package auth

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
)

func TestFirstRunPasswordIsStoredOnlyAsAHash(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&log, nil))
	phc, err := EnsureAdmin(dir, logger)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(phc, "$argon2id$v=19$m=65536,t=3,p=2$"), phc)
	var line struct{ Password string }
	require.NoError(t, json.Unmarshal(log.Bytes(), &line))
	require.Len(t, line.Password, 24)
	stored, err := os.ReadFile(filepath.Join(dir, PasswordFile))
	require.NoError(t, err)
	require.NotContains(t, string(stored), line.Password, "the password is not stored in plain text")
	st, err := os.Stat(filepath.Join(dir, PasswordFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	ok, err := Verify(phc, line.Password)
	require.NoError(t, err)
	require.True(t, ok)
	ok, _ = Verify(phc, line.Password+"x")
	require.False(t, ok)

	log.Reset()
	again, err := EnsureAdmin(dir, logger)
	require.NoError(t, err)
	require.Equal(t, phc, again)
	require.Empty(t, log.String(), "the password is printed on the first start only")
}

func TestSessionsExpireAndRenew(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s, err := LoadSessions(t.TempDir(), false)
	require.NoError(t, err)
	s.now = func() time.Time { return now }
	rec := httptest.NewRecorder()
	require.NoError(t, s.Issue(rec, User{Name: "alice", Method: "password"}))
	ck := rec.Result().Cookies()[0]
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(ck)
		return r
	}
	cases := []struct {
		name      string
		after     time.Duration
		ok, renew bool
	}{
		{"fresh", time.Minute, true, false},
		{"past half its idle time: renewed", 7 * time.Hour, true, true},
		{"idle too long: signed out", Idle + time.Minute, false, false},
	}
	start := now
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now = start.Add(tc.after)
			u, renew, err := s.Read(req())
			require.Equal(t, tc.ok, err == nil, "%v", err)
			require.Equal(t, tc.renew, renew)
			if tc.ok {
				require.Equal(t, "alice", u.Name)
			}
		})
	}
	// Renewed every few hours, a session still ends after Max.
	now = start
	for now.Before(start.Add(Max + time.Hour)) {
		now = now.Add(6 * time.Hour)
		if _, _, err := s.Read(req()); err != nil {
			break
		}
		rec := httptest.NewRecorder()
		require.NoError(t, s.Issue(rec, User{Name: "alice", Since: start}))
		ck = rec.Result().Cookies()[0]
	}
	require.False(t, now.Before(start.Add(Max-6*time.Hour)), "renewal never ends the session before Max")
	_, _, err = s.Read(req())
	require.Error(t, err, "no session outlives Max")

	other, err := LoadSessions(t.TempDir(), false)
	require.NoError(t, err)
	_, _, err = other.Read(req())
	require.Error(t, err, "a cookie signed with another key is refused")
}

func TestWrongPasswordFiveTimesIsSlowedDown(t *testing.T) {
	phc, err := Hash("right-password")
	require.NoError(t, err)
	s, err := LoadSessions(t.TempDir(), false)
	require.NoError(t, err)
	a := New(s, phc, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	e := echo.New()
	a.Routes(e)
	login := func(pw string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"user": {"admin"}, "password": {pw}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = "192.0.2.7:4321"
		e.ServeHTTP(rec, r)
		return rec
	}
	// The limiter's clock stands still: the wait after the fifth failure
	// is there however long the attempts took.
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a.limit.now = func() time.Time { return now }
	for i := range 5 {
		rec := login("wrong")
		require.Equal(t, http.StatusUnauthorized, rec.Code, "attempt %d", i+1)
		require.Contains(t, rec.Body.String(), "Wrong user name or password.")
		require.Contains(t, rec.Body.String(), `value="admin"`, "what was typed is kept (never the password)")
		require.NotContains(t, rec.Body.String(), "wrong\"")
	}
	rec := login("right-password")
	require.Equal(t, http.StatusTooManyRequests, rec.Code, "after five failures even the right password waits")
	require.Contains(t, rec.Body.String(), "Too many failed sign-ins")
	require.NotEmpty(t, rec.Header().Get("Retry-After"))

	now = now.Add(time.Minute)
	rec = login("right-password")
	require.Equal(t, http.StatusSeeOther, rec.Code, "after the wait the right password works")
	ck := rec.Result().Cookies()[0]
	require.Equal(t, "openova_session", ck.Name)
	require.True(t, ck.HttpOnly)
	require.Equal(t, http.SameSiteStrictMode, ck.SameSite)
	require.Equal(t, "/", ck.Path)
	require.False(t, ck.Secure, "Secure only over TLS")
}

func TestSecureCookieOverTLS(t *testing.T) {
	s, err := LoadSessions(t.TempDir(), true)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	require.NoError(t, s.Issue(rec, User{Name: "admin"}))
	ck := rec.Result().Cookies()[0]
	require.Equal(t, "__Host-openova_session", ck.Name)
	require.True(t, ck.Secure)
	require.True(t, ck.HttpOnly)
	require.Equal(t, http.SameSiteStrictMode, ck.SameSite)
}

// A redirect after sign-in stays on this site, however the other host is
// spelled (browsers drop tabs and newlines and read a backslash as '/').
func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/platforms/acme/": "/platforms/acme/", "/audit?kind=upgrade&page=2": "/audit?kind=upgrade&page=2",
		"//evil.example/": "/", "https://evil.example": "/", "http:evil": "/", "/\\evil.example": "/", "/\\/evil": "/",
		"/\t/evil.example": "/", "/%09/evil.example": "/", "/\n/evil": "/", "/%0a/evil": "/", "/%2F%2Fevil": "/", "/%2f/evil": "/",
		"/%5Cevil": "/", " //evil": "/", "\t//evil": "/", "evil.example": "/", "//user@evil": "/", "/%zz": "/",
		"": "/", "/login?next=/x": "/", "/login/oidc": "/",
	} {
		require.Equal(t, want, safeNext(in), "%q", in)
	}
}

// ReadAdminHash takes the hash the bootstrap wrote (a mounted Secret) and
// refuses anything Verify could not use, saying what to write.
func TestReadAdminHash(t *testing.T) {
	dir := t.TempDir()
	phc, err := Hash("correct horse")
	require.NoError(t, err)
	cases := []struct{ name, content, err string }{
		{"hash with a newline", phc + "\n", ""},
		{"a password, not its hash", "correct horse\n", "not an argon2id hash"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "not an argon2id hash"},
		{"key too short", "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0$a2V5", "shorter than 16 bytes"},
		{"empty", "", "not an argon2id hash"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			require.NoError(t, os.WriteFile(file, []byte(tc.content), 0o600))
			got, err := ReadAdminHash(file)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.ErrorContains(t, err, "write the PHC string")
				return
			}
			require.NoError(t, err)
			ok, err := Verify(got, "correct horse")
			require.NoError(t, err)
			require.True(t, ok)
		})
	}
	_, err = ReadAdminHash(filepath.Join(dir, "missing"))
	require.ErrorContains(t, err, "read the admin password hash")
}
