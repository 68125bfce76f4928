// Package auth signs operators in: a first-run admin password stored only as
// an argon2id hash, sessions as signed JWT cookies, a slowed-down login, and
// the middleware that keeps every page behind a session.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/argon2"
)

// AdminUser is the name of the first-run account.
const AdminUser = "admin"

// PasswordFile is the file in the data dir that holds the admin password's
// hash (PHC string format); deleting it makes the next start generate and
// print a new password.
const PasswordFile = "admin.argon2id"

// argon2id parameters: RFC 9106's second recommended option (64 MiB, 3
// passes), with the machine's two lanes.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

var b64 = base64.RawStdEncoding

// Hash returns the PHC string of password under a fresh salt.
func Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string, in constant time.
func Verify(phc, password string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("not an argon2id hash")
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("argon2 parameters: %w", err)
	}
	if t < 1 || p < 1 { // argon2.IDKey panics on these
		return false, errors.New("argon2 parameters: t and p must be at least 1")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("argon2 salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("argon2 key: %w", err)
	}
	if len(want) < 16 { // an empty key panics argon2.IDKey; a short one matches many passwords
		return false, errors.New("argon2 key: shorter than 16 bytes")
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

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
