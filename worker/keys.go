package worker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/openova-io/core/worker/codec"
	"github.com/openova-io/core/worker/embedded"
)

// loadOrCreateKey loads the codec key. A missing default key is generated
// only on a first start: if the data dir already holds history, a new key
// would make that history unreadable, so openova refuses and asks for the key.
func loadOrCreateKey(cfg Config) (*codec.Keyring, error) {
	kr, err := codec.LoadKeyFile(cfg.CodecKeyFile)
	if err == nil {
		return kr, nil
	}
	if !errors.Is(err, codec.ErrKeyFileMissing) {
		return nil, fmt.Errorf("%w: restore the key file from your backup or Secret", err)
	}
	if cfg.CodecKeyFileExplicit {
		return nil, fmt.Errorf("codec key file %s does not exist: create it (32 random bytes, base64, one line) or mount the Secret that holds it", cfg.CodecKeyFile)
	}
	if cfg.Embedded() {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, embedded.DBFile)); err == nil {
			return nil, fmt.Errorf("codec key file %s is missing but %s holds history encrypted with it: restore the key file, or start with an empty --data-dir", cfg.CodecKeyFile, cfg.DataDir)
		}
	}
	if err := codec.GenerateKeyFile(cfg.CodecKeyFile); err != nil {
		return nil, fmt.Errorf("generate codec key %s: %w", cfg.CodecKeyFile, err)
	}
	return codec.LoadKeyFile(cfg.CodecKeyFile)
}

// loadOrCreateToken returns the codec endpoint's bearer token, generating it
// on first start.
func loadOrCreateToken(path string) (string, error) {
	tok, err := codec.LoadToken(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := codec.GenerateToken(path); err != nil {
			return "", fmt.Errorf("generate codec token %s: %w", path, err)
		}
		tok, err = codec.LoadToken(path)
	}
	if err != nil {
		return "", fmt.Errorf("codec token: %w", err)
	}
	return tok, nil
}
