package terraform

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/openova-io/core/secret"
)

// RecoveredKey is an organization's state key brought by a recovery
// bundle to an openova whose codec key did not derive it: the key itself
// and the ID the state's metadata names it by (the ID of the codec key it
// was derived from). ServeKey uses it for that organization's state, to
// read it and to write it back, so the bundle keeps opening the state.
type RecoveredKey struct {
	ID  string
	Key secret.Bytes
}

// recoveredDir is where an openova keeps the recovered keys: beside its
// codec key file, one file per organization, as closely held as it.
func recoveredDir(keyFile string) string {
	return filepath.Join(filepath.Dir(keyFile), "recovered-state-keys")
}

var (
	orgName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)
	keyIDRE = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

// SaveRecoveredKey keeps org's recovered key beside the codec key file
// (mode 0600, written whole or not at all).
func SaveRecoveredKey(keyFile, org string, k RecoveredKey) error {
	if !orgName.MatchString(org) {
		return fmt.Errorf("recovered state key: %q is not an organization's name", org)
	}
	if !keyIDRE.MatchString(k.ID) || len(k.Key) != 32 {
		return errors.New("recovered state key: it needs a 32-byte key and the 16 hex digits of its ID")
	}
	dir := recoveredDir(keyFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("recovered state key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, org+".tmp*")
	if err != nil {
		return fmt.Errorf("recovered state key: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	line := k.ID + " " + base64.StdEncoding.EncodeToString(k.Key.Reveal()) + "\n"
	if _, err := tmp.WriteString(line); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("recovered state key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("recovered state key: %w", err)
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, org))
}

// LoadRecoveredKey is org's recovered key, nil when this openova has none.
func LoadRecoveredKey(keyFile, org string) (*RecoveredKey, error) {
	if !orgName.MatchString(org) {
		return nil, fmt.Errorf("recovered state key: %q is not an organization's name", org)
	}
	data, err := os.ReadFile(filepath.Join(recoveredDir(keyFile), org))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("recovered state key of %s: %w", org, err)
	}
	id, enc, ok := strings.Cut(strings.TrimSpace(string(data)), " ")
	key, derr := base64.StdEncoding.DecodeString(enc)
	if !ok || derr != nil || !keyIDRE.MatchString(id) || len(key) != 32 {
		return nil, fmt.Errorf("recovered state key of %s: the file is malformed: restore the recovery bundle again", org)
	}
	return &RecoveredKey{ID: id, Key: key}, nil
}
