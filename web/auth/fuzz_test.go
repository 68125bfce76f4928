package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
)

// browserTarget is where a browser goes for a Location header value: the
// server turns CR and LF into spaces (net/http), and the WHATWG URL parser
// drops leading and trailing C0 controls and spaces, removes every tab and
// newline, and reads '\' as '/' in an http(s) URL.
func browserTarget(location string) string {
	s := strings.NewReplacer("\r", " ", "\n", " ").Replace(location)
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	return strings.ReplaceAll(s, `\`, "/")
}

// sameSite reports whether a browser resolves the Location header value to
// a path on this site: it starts with one '/', never "//" (another host).
func sameSite(location string) bool {
	s := browserTarget(location)
	return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//")
}

var nextSeeds = []string{"/", "/platforms/acme/components", "//evil.example", `/\evil.example`, "https://evil.example/",
	"/login?next=/x", "/\t/evil.example", "/\n/evil.example", " //evil.example", "/%2F/evil.example", "javascript:alert(1)", ""}

// FuzzSafeNext: the redirect target after sign-in, taken from the login
// form or the query, is always a path on this site however a browser reads
// it, and never the login page again.
func FuzzSafeNext(f *testing.F) {
	for _, s := range nextSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		require.True(t, sameSite(got), "safeNext(%q) = %q leaves the site (a browser goes to %q)", next, got, browserTarget(got))
		u, err := url.Parse(got)
		require.NoError(t, err)
		require.False(t, u.Path == "/login" || strings.HasPrefix(u.Path, "/login/"), "safeNext(%q) = %q: the login page again", next, got)
		if got != "/" {
			require.Equal(t, next, got, "a safe target is kept as given")
		}
	})
}

// cheapHash is a PHC string like Hash's with parameters small enough to
// check thousands of passwords a second.
func cheapHash(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, 1, 8, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=8,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// FuzzLoginForm posts the login form (user, password, next) to the real
// handler. It holds: the answer is a sign-in (303 with a session cookie, to
// a path on this site) only for the admin's password; anything else is
// refused with a page and no session.
func FuzzLoginForm(f *testing.F) {
	const password = "correct horse battery staple"
	f.Add("admin", password, "/platforms/acme")
	f.Add(" admin ", password, "/\t/evil.example")
	f.Add("admin", password+"x", "/")
	f.Add("", "", "")
	f.Add("root", password, "//evil.example")
	f.Add("admin", "", "/login")
	hash := cheapHash(password)
	f.Fuzz(func(t *testing.T, user, pass, next string) {
		s, err := LoadSessions(t.TempDir(), false)
		require.NoError(t, err)
		a := New(s, hash, slog.New(slog.NewTextHandler(io.Discard, nil)))
		e := echo.New()
		a.Routes(e)
		form := url.Values{"user": {user}, "password": {pass}, "next": {next}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)

		signedIn := strings.TrimSpace(user) == AdminUser && pass == password
		if !signedIn {
			require.Contains(t, []int{http.StatusUnprocessableEntity, http.StatusUnauthorized, http.StatusTooManyRequests}, rec.Code)
			require.Empty(t, rec.Result().Cookies(), "no session without the password")
			return
		}
		require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
		loc := rec.Header().Get(echo.HeaderLocation)
		require.True(t, sameSite(loc), "sign-in redirects off the site: next %q, Location %q", next, loc)
		ck := rec.Result().Cookies()
		require.Len(t, ck, 1)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(ck[0])
		u, _, err := s.Read(r)
		require.NoError(t, err)
		require.Equal(t, AdminUser, u.Name)
	})
}

// FuzzSessionCookie reads a session cookie's value as it came from the
// browser: a value the server did not sign is refused, and a signed one
// altered anywhere is refused or still names the same user.
func FuzzSessionCookie(f *testing.F) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s, err := LoadSessions(f.TempDir(), false)
	require.NoError(f, err)
	s.now = func() time.Time { return now }
	rec := httptest.NewRecorder()
	require.NoError(f, s.Issue(rec, User{Name: "alice", Method: "password"}))
	valid := rec.Result().Cookies()[0].Value
	f.Add(valid, 0, byte(0))
	f.Add(valid, len(valid)/2, byte('A'))
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiJ9.", -1, byte(0))
	f.Add("", -1, byte(0))
	f.Add("a.b.c", -1, byte(0))
	f.Fuzz(func(t *testing.T, value string, at int, b byte) {
		forged := value != valid
		if at >= 0 && at < len(valid) {
			// Alter the signed value at one place.
			v := []byte(valid)
			v[at] = b
			value, forged = string(v), false
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", s.CookieName()+"="+value)
		u, _, err := s.Read(r)
		if err != nil {
			return
		}
		require.False(t, forged, "a cookie the server did not sign is accepted: %q", value)
		require.Equal(t, "alice", u.Name)
		require.Equal(t, "password", u.Method)
	})
}

// FuzzVerify reads the stored admin hash (a PHC string in the data dir,
// which an operator may edit) with a password: a malformed one is an error,
// never a panic, and a well-formed one accepts exactly its password.
// Memory and time parameters above a few KiB and passes are left out: they
// would only make each input slow.
func FuzzVerify(f *testing.F) {
	f.Add(cheapHash("pw"), "pw")
	f.Add("$argon2id$v=19$m=8,t=0,p=1$c2FsdHNhbHQ$a2V5", "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=0$c2FsdHNhbHQ$a2V5", "pw")
	f.Add("$argon2id$v=19$m=0,t=1,p=1$$", "")
	f.Add("$argon2i$v=19$m=8,t=1,p=1$c2FsdA$a2V5", "pw")
	f.Add("$argon2id$v=16$m=8,t=1,p=1$c2FsdA$a2V5", "pw")
	f.Add("not a hash", "pw")
	f.Fuzz(func(t *testing.T, phc, password string) {
		parts := strings.Split(phc, "$")
		if len(parts) == 6 {
			var m, tt uint32
			var p uint8
			if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &tt, &p); err == nil && (m > 64 || tt > 2) {
				t.Skip("costly parameters: the parsing is what is fuzzed")
			}
		}
		ok, err := Verify(phc, password)
		if err != nil {
			require.False(t, ok)
		}
	})
}
