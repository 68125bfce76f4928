package terraform

import (
	"bufio"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/openova-io/core/secret"
)

// The external key provider protocol of OpenTofu (1.10): the program
// prints a header line, reads the stored metadata on stdin
// ({"external_data":null} when tofu only encrypts) and prints the keys
// (base64) and the metadata to store beside the ciphertext.
const (
	keyHeader = `{"magic":"OpenTofu-External-Key-Provider","version":1}`
	// keyScheme names the derivation in the stored metadata, so a later
	// scheme can still read state written under this one.
	keyScheme = "hkdf-sha256-v1"
	// KeyNotHeld is how the key command says it lacks the key a state
	// was encrypted with; classify recognises it in tofu's output.
	KeyNotHeld = "is encrypted with a key openova does not hold"
)

// keyMeta is what the state carries beside its ciphertext: which codec
// key its key was derived from (its ID, not the key) and how. A key
// rotation appends a codec key; state written before it names the old
// one and is still read.
type keyMeta struct {
	KeyID  string `json:"key_id"`
	Scheme string `json:"scheme"`
}

type keyInput struct {
	ExternalData *keyMeta `json:"external_data"`
}

type keyOutput struct {
	Keys struct {
		Encryption string `json:"encryption_key"`
		Decryption string `json:"decryption_key,omitempty"`
	} `json:"keys"`
	Meta struct {
		ExternalData keyMeta `json:"external_data"`
	} `json:"meta"`
}

// ServeKey answers one request of OpenTofu's external key provider: the
// encryption key derives from the active (last) codec key, the decryption
// key from the codec key the stored metadata names. Keys are the codec
// key file's keys, in order; org is the organization whose state it is.
// A state encrypted under a codec key not among keys is refused with
// KeyNotHeld in the error, which the caller prints on stderr for tofu.
// A recovered key (an organization restored from a recovery bundle) is
// org's key instead: the state is read and written back with it.
func ServeKey(in io.Reader, out io.Writer, keys []secret.Bytes, org string, recovered *RecoveredKey) error {
	w := bufio.NewWriter(out)
	// The header goes first, before the input is read: tofu checks it as
	// soon as the line is complete.
	if _, err := w.WriteString(keyHeader + "\n"); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return errors.New("no codec key to derive the state key from")
	}
	if org == "" {
		return errors.New("no organization to derive the state key for")
	}
	var req *keyInput
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("read the key request from tofu: %w", err)
	}
	active := keys[len(keys)-1]
	enc, err := DeriveStateKey(active, org)
	if err != nil {
		return err
	}
	var res keyOutput
	res.Keys.Encryption = base64.StdEncoding.EncodeToString(enc.Reveal())
	res.Meta.ExternalData = keyMeta{KeyID: KeyID(active), Scheme: keyScheme}
	if recovered != nil {
		res.Keys.Encryption = base64.StdEncoding.EncodeToString(recovered.Key.Reveal())
		res.Meta.ExternalData = keyMeta{KeyID: recovered.ID, Scheme: keyScheme}
	}
	if req != nil && req.ExternalData != nil {
		stored := *req.ExternalData
		if stored.Scheme != keyScheme {
			return fmt.Errorf("the state %s (its key scheme is %q, this openova derives %q)", KeyNotHeld, stored.Scheme, keyScheme)
		}
		if recovered != nil && stored.KeyID == recovered.ID {
			res.Keys.Decryption = base64.StdEncoding.EncodeToString(recovered.Key.Reveal())
			return writeKeys(w, res)
		}
		codecKey, ok := findKey(keys, stored.KeyID)
		if !ok {
			return fmt.Errorf("the state %s (derived from codec key %s, not in the codec key file): run openova with the data directory or --codec-key-file that created it, or restore its recovery bundle", KeyNotHeld, stored.KeyID)
		}
		dec, err := DeriveStateKey(codecKey, org)
		if err != nil {
			return err
		}
		res.Keys.Decryption = base64.StdEncoding.EncodeToString(dec.Reveal())
	}
	return writeKeys(w, res)
}

// writeKeys prints the key provider's answer.
func writeKeys(w *bufio.Writer, res keyOutput) error {
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return err
	}
	return w.Flush()
}

// DeriveStateKey is the AES-256 key of org's state and plans: HKDF-SHA256
// of a codec key, with an info string naming the purpose and the
// organization, so it reveals nothing of the codec key and differs from
// any other key derived from it.
func DeriveStateKey(codecKey secret.Bytes, org string) (secret.Bytes, error) {
	k, err := hkdf.Key(sha256.New, codecKey.Reveal(), nil, "openova opentofu state and plan encryption "+keyScheme+" org="+org, 32)
	if err != nil {
		return nil, fmt.Errorf("derive the state key: %w", err)
	}
	return secret.Bytes(k), nil
}

// KeyID names a codec key without revealing it, as the payload codec
// does (worker/codec.KeyID): the first 8 bytes of its SHA-256, in hex.
func KeyID(key secret.Bytes) string {
	sum := sha256.Sum256(key.Reveal())
	return hex.EncodeToString(sum[:8])
}

func findKey(keys []secret.Bytes, id string) (secret.Bytes, bool) {
	for _, k := range keys {
		if KeyID(k) == id {
			return k, true
		}
	}
	return nil, false
}
