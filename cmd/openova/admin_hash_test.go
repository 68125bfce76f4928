package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/web/auth"
)

// With --admin-password-hash-file (the manager's mounted Secret, which
// the bootstrap writes), the admin signs in with the password whose hash
// the file holds; none is generated, printed or written to the data dir,
// and a wrong password is refused as ever.
func TestAdminPasswordFromAHashFile(t *testing.T) {
	dataDir := t.TempDir()
	hashFile := filepath.Join(t.TempDir(), "admin.argon2id")
	require.NoError(t, os.WriteFile(hashFile, []byte(adminHash(t, "canary-handed-over-password")+"\n"), 0o600))
	p := startOpenova(t, "bootstrap", dataDir, "--admin-password-hash-file", hashFile)

	signIn := func(password string) (*http.Response, string) {
		jar, err := cookiejar.New(nil)
		require.NoError(t, err)
		c := &uiClient{t: t, base: p.url(""), hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
		return c.post("/login", url.Values{"user": {auth.AdminUser}, "password": {password}})
	}
	resp, body := signIn("canary-handed-over-password")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `data-testid="user"`, "signed in with the handed-over password")
	resp, body = signIn("not-the-password")
	require.NotContains(t, body, `data-testid="user"`, "a wrong password is refused (%d)", resp.StatusCode)

	require.NoFileExists(t, filepath.Join(dataDir, auth.PasswordFile), "no password was generated")
	require.NotContains(t, p.log(), "generated the admin password")
	require.NotContains(t, p.log(), "canary-handed-over-password")
}
