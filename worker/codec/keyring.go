// Package codec encrypts every Temporal payload with AES-256-GCM, so that
// secrets in workflow inputs, results and failures never reach the history,
// the SQLite file, the CLI's output or logs in plain text. It imports no
// Temporal server code: the web codec endpoint and tests use it cheaply.
package codec

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// KeySize is the AES-256 key length in bytes.
const KeySize = 32

// Keyring holds every key that may have encrypted a stored payload, and the
// one that encrypts new ones. Rotation appends a key to the key file: the last
// key encrypts, all keys decrypt, so old histories stay readable.
type Keyring struct {
	aeads    map[string]cipher.AEAD
	activeID string
}

// ErrKeyFileMissing is returned by LoadKeyFile when the file does not exist.
var ErrKeyFileMissing = errors.New("codec key file is missing")

// KeyID names a key without revealing it: the first 8 bytes of its SHA-256.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

// NewKeyring builds a keyring from raw keys; the last one is active.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("no codec key given")
	}
	kr := &Keyring{aeads: make(map[string]cipher.AEAD, len(keys))}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("key %d is %d bytes, want %d (AES-256)", i+1, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		id := KeyID(k)
		kr.aeads[id] = aead
		kr.activeID = id
	}
	return kr, nil
}

// ActiveKeyID is the ID of the key that encrypts new payloads.
func (k *Keyring) ActiveKeyID() string { return k.activeID }

// ParseKeys reads a key file's content: one base64 AES-256 key per line,
// blank lines and lines starting with # ignored. Errors name the line, never
// its content.
func ParseKeys(data []byte) ([][]byte, error) {
	var keys [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			return nil, fmt.Errorf("line %d is not base64", n)
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("line %d holds a %d-byte key, want %d (AES-256)", n, len(k), KeySize)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("it holds no key")
	}
	return keys, nil
}

// LoadKeyFile reads a key file (a file in the data dir, or a mounted
// Kubernetes Secret) into a keyring.
func LoadKeyFile(path string) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrKeyFileMissing
	}
	if err != nil {
		return nil, fmt.Errorf("read codec key file: %w", err)
	}
	keys, err := ParseKeys(data)
	if err != nil {
		return nil, fmt.Errorf("codec key file %s is corrupt: %w", path, err)
	}
	return NewKeyring(keys...)
}

// GenerateKeyFile writes a new random key to path with mode 0600; it never
// overwrites an existing file.
func GenerateKeyFile(path string) error {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return fmt.Errorf("generate codec key: %w", err)
	}
	return writeNew(path, "# openova payload codec keys: base64 AES-256, one per line; the last one encrypts\n"+
		base64.StdEncoding.EncodeToString(k)+"\n")
}

// GenerateToken writes a new random bearer token for the codec endpoint.
func GenerateToken(path string) error {
	t := make([]byte, 32)
	if _, err := rand.Read(t); err != nil {
		return fmt.Errorf("generate codec token: %w", err)
	}
	return writeNew(path, hex.EncodeToString(t)+"\n")
}

// LoadToken reads the codec endpoint's bearer token.
func LoadToken(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(data))
	if len(tok) < 16 {
		return "", fmt.Errorf("codec token file %s holds %d characters, want at least 16", path, len(tok))
	}
	return tok, nil
}

func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
