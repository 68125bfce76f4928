// Package auth signs operators in: a first-run admin password stored only as
// an argon2id hash, sessions as signed JWT cookies, a slowed-down login, and
// the middleware that keeps every page behind a session.
package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/openova-io/core/secret/passhash"
)

// AdminUser is the name of the first-run account.
const AdminUser = "admin"

// PasswordFile is the file in the data dir that holds the admin password's
// hash (PHC string format); deleting it makes the next start generate and
// print a new password.
const PasswordFile = "admin.argon2id"

// Hash returns the PHC string of password under a fresh salt
// (passhash.Hash: the bootstrap hashes the manager's first password
// the same way).
func Hash(password string) (string, error) { return passhash.Hash(password) }

// Verify reports whether password matches the PHC string, in constant time
// (passhash.Verify).
func Verify(phc, password string) (bool, error) { return passhash.Verify(phc, password) }

// ReadAdminHash reads the admin password's hash from file instead of the
// data dir: a mounted Secret in the manager's pod, which the bootstrap
// writes after it generated the password and showed it once, so the
// cluster holds only the hash. The file must hold a PHC string Verify
// accepts; anything else stops the start with what to write there.
func ReadAdminHash(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read the admin password hash: %w", err)
	}
	phc := strings.TrimSpace(string(b))
	if _, err := Verify(phc, ""); err != nil {
		return "", fmt.Errorf("%s holds no usable argon2id hash (%v): write the PHC string $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key> there, or drop the flag to generate a password", file, err)
	}
	return phc, nil
}

// EnsureAdmin returns the admin password's hash from dataDir, generating a
// password on first start: it is printed once to the log (the only place it
// ever appears) and only its hash is written.
func EnsureAdmin(dataDir string, log *slog.Logger) (string, error) {
	path := filepath.Join(dataDir, PasswordFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate admin password: %w", err)
	}
	password := base64.RawURLEncoding.EncodeToString(raw)
	phc, err := Hash(password)
	if err != nil {
		return "", err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(phc+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	log.Warn("first start: generated the admin password; it is shown this once and stored only as an argon2id hash (delete "+PasswordFile+" in the data dir to generate a new one)",
		"user", AdminUser, "password", password, "hashFile", path)
	return phc, nil
}
