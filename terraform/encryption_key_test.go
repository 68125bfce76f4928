package terraform

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/worker/codec"
)

// The test binary is also the key command tofu runs in this package's
// tests: started as `<test binary> tofu-key` it does what `openova
// tofu-key` does (read the codec key file named in its environment, serve
// one request) and exits, before any test runs. An init, not a TestMain,
// so the package stays free to have one.
func init() {
	if len(os.Args) == 2 && os.Args[1] == KeyCommand {
		os.Exit(serveKeyFromEnv())
	}
}

func serveKeyFromEnv() int {
	keys, err := readKeys(os.Getenv(EnvKeyFile))
	if err == nil {
		err = serveWithRecovered(keys)
	}
	if err != nil {
		_, _ = os.Stderr.WriteString("openova: " + err.Error() + "\n")
		return 1
	}
	return 0
}

func readKeys(path string) ([]secret.Bytes, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	raw, err := codec.ParseKeys(b)
	if err != nil {
		return nil, err
	}
	keys := make([]secret.Bytes, len(raw))
	for i, k := range raw {
		keys[i] = secret.Bytes(k)
	}
	return keys, nil
}

// keyFile writes a fresh codec key file in a data directory of its own,
// as openova generates it on first start, and returns its path.
func keyFile(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "codec.key")
	require.NoError(t, codec.GenerateKeyFile(p))
	return p
}

// serve runs one request and returns the header line and the answer.
func serve(t *testing.T, in string, keys []secret.Bytes, org string) (string, keyOutput, error) {
	t.Helper()
	var out bytes.Buffer
	err := ServeKey(strings.NewReader(in), &out, keys, org, nil)
	sc := bufio.NewScanner(&out)
	require.True(t, sc.Scan(), "a header line")
	header := sc.Text()
	var res keyOutput
	if err == nil {
		require.True(t, sc.Scan(), "an answer")
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields() // as tofu reads it
		require.NoError(t, dec.Decode(&res))
	}
	return header, res, err
}

func b64(k secret.Bytes) string { return base64.StdEncoding.EncodeToString(k.Reveal()) }

// The key command's answers, request by request: the header comes first
// every time; encrypting uses the active (last) codec key and records its
// ID; decrypting uses the key the stored metadata names, so state written
// before a rotation still opens; a key the file lacks is refused with
// KeyNotHeld; each organization has its own key.
func TestServeKey(t *testing.T) {
	old, active := secret.Bytes(bytes.Repeat([]byte{1}, 32)), secret.Bytes(bytes.Repeat([]byte{2}, 32))
	stranger := secret.Bytes(bytes.Repeat([]byte{3}, 32))
	keys := []secret.Bytes{old, active}
	derive := func(k secret.Bytes, org string) string {
		d, err := DeriveStateKey(k, org)
		require.NoError(t, err)
		return b64(d)
	}
	meta := func(k secret.Bytes) string {
		return `{"external_data":{"key_id":"` + KeyID(k) + `","scheme":"` + keyScheme + `"}}`
	}
	cases := []struct {
		name, in, org   string
		keys            []secret.Bytes
		decrypt, errHas string
	}{
		{name: "encrypt only (tofu 1.10)", in: `{"external_data":null}`, org: "acme", keys: keys},
		{name: "encrypt only (null)", in: `null`, org: "acme", keys: keys},
		{name: "decrypt state of the active key", in: meta(active), org: "acme", keys: keys, decrypt: derive(active, "acme")},
		{name: "decrypt state written before a rotation", in: meta(old), org: "acme", keys: keys, decrypt: derive(old, "acme")},
		{name: "another organization", in: meta(active), org: "globex", keys: keys, decrypt: derive(active, "globex")},
		{name: "a key the file lacks", in: meta(stranger), org: "acme", keys: keys, errHas: KeyNotHeld},
		{name: "another scheme", in: `{"external_data":{"key_id":"` + KeyID(active) + `","scheme":"v9"}}`, org: "acme", keys: keys, errHas: KeyNotHeld},
		{name: "no key", in: `null`, org: "acme", errHas: "no codec key"},
		{name: "no organization", in: `null`, keys: keys, errHas: "no organization"},
		{name: "not JSON", in: `{`, org: "acme", keys: keys, errHas: "read the key request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			header, res, err := serve(t, tc.in, tc.keys, tc.org)
			require.Equal(t, `{"magic":"OpenTofu-External-Key-Provider","version":1}`, header)
			if tc.errHas != "" {
				require.ErrorContains(t, err, tc.errHas)
				for _, k := range []secret.Bytes{old, active, stranger} {
					require.NotContains(t, err.Error(), b64(k), "the error carries no key")
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, derive(active, tc.org), res.Keys.Encryption)
			require.Equal(t, tc.decrypt, res.Keys.Decryption)
			require.Equal(t, keyMeta{KeyID: KeyID(active), Scheme: keyScheme}, res.Meta.ExternalData)
		})
	}
}

// The derived key is AES-256, is not the codec key, differs per
// organization and per codec key, and the key ID is the payload codec's
// (so the operator sees the same ID in both places).
func TestDeriveStateKey(t *testing.T) {
	a, b := secret.Bytes(bytes.Repeat([]byte{7}, 32)), secret.Bytes(bytes.Repeat([]byte{8}, 32))
	ka, err := DeriveStateKey(a, "acme")
	require.NoError(t, err)
	require.Len(t, ka.Reveal(), 32)
	require.NotEqual(t, a.Reveal(), ka.Reveal())
	kg, _ := DeriveStateKey(a, "globex")
	kb, _ := DeriveStateKey(b, "acme")
	again, _ := DeriveStateKey(a, "acme")
	require.NotEqual(t, ka.Reveal(), kg.Reveal())
	require.NotEqual(t, ka.Reveal(), kb.Reveal())
	require.Equal(t, ka.Reveal(), again.Reveal(), "the same inputs give the same key: a restart reads its own state")
	require.Equal(t, codec.KeyID(a.Reveal()), KeyID(a))
}

// TF_ENCRYPTION quotes the command so any path is taken literally.
func TestHCLString(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/local/bin/openova":  `"/usr/local/bin/openova"`,
		`/opt/my "dir"/openova`:   `"/opt/my \"dir\"/openova"`,
		`/tmp/${HOME}/%{x}/a\b`:   `"/tmp/$${HOME}/%%{x}/a\\b"`,
		"/tmp/with space/openova": `"/tmp/with space/openova"`,
	} {
		require.Equal(t, want, hclString(in), in)
	}
}

// serveWithRecovered serves the key as `openova tofu-key` does, with the
// organization's recovered key if the key file's folder holds one.
func serveWithRecovered(keys []secret.Bytes) error {
	org := os.Getenv(EnvOrg)
	rec, err := LoadRecoveredKey(os.Getenv(EnvKeyFile), org)
	if err != nil {
		return err
	}
	return ServeKey(os.Stdin, os.Stdout, keys, org, rec)
}

// A recovered key is kept whole, beside the codec key file, for a named
// organization only, and read back; a malformed one is refused.
func TestRecoveredKeyFile(t *testing.T) {
	kf := filepath.Join(t.TempDir(), "codec.key")
	key := secret.Bytes(strings.Repeat("k", 32))
	none, err := LoadRecoveredKey(kf, "acme")
	require.NoError(t, err)
	require.Nil(t, none)
	require.NoError(t, SaveRecoveredKey(kf, "acme", RecoveredKey{ID: "0011223344556677", Key: key}))
	got, err := LoadRecoveredKey(kf, "acme")
	require.NoError(t, err)
	require.Equal(t, &RecoveredKey{ID: "0011223344556677", Key: key}, got)
	info, err := os.Stat(filepath.Join(filepath.Dir(kf), "recovered-state-keys", "acme"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	for name, tc := range map[string]struct {
		org string
		k   RecoveredKey
		err string
	}{
		"a path":    {"../acme", RecoveredKey{ID: "0011223344556677", Key: key}, "not an organization's name"},
		"short key": {"acme", RecoveredKey{ID: "0011223344556677", Key: key[:16]}, "32-byte key"},
		"no key ID": {"acme", RecoveredKey{Key: key}, "16 hex digits"},
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorContains(t, SaveRecoveredKey(kf, tc.org, tc.k), tc.err)
		})
	}
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(kf), "recovered-state-keys", "globex"), []byte("nonsense"), 0o600))
	_, err = LoadRecoveredKey(kf, "globex")
	require.ErrorContains(t, err, "malformed: restore the recovery bundle again")
}
