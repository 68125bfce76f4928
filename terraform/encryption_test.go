package terraform

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/secret"
)

// encS3 is a real S3 implementation on loopback with a "state" bucket.
type encS3 struct {
	be  *s3mem.Backend
	url string
}

func newEncS3(t *testing.T) *encS3 {
	t.Helper()
	be := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(srv.Close)
	require.NoError(t, be.CreateBucket("state"))
	return &encS3{be: be, url: srv.URL}
}

func (s *encS3) object(t *testing.T, key string) []byte {
	t.Helper()
	o, err := s.be.GetObject("state", key, nil)
	require.NoError(t, err)
	defer o.Contents.Close()
	b, err := io.ReadAll(o.Contents)
	require.NoError(t, err)
	return b
}

const encStateKey = "acme/fsn1/terraform.tfstate"

// encRunner is a runner on the S3 state of encStateKey, initialised, whose
// output lines are collected; enc nil is a runner without encryption.
func encRunner(t *testing.T, s3 *encS3, enc *Encryption, names ...string) (*Runner, *[]string) {
	t.Helper()
	r, out := encPrepared(t, s3, enc, names...)
	require.NoError(t, encInit(r))
	return r, out
}

func encInit(r *Runner) error {
	return r.Init(context.Background(), S3Backend{Bucket: "state", Key: encStateKey, Region: "us-east-1"}.Config())
}

// encPrepared is encRunner before init.
func encPrepared(t *testing.T, s3 *encS3, enc *Encryption, names ...string) (*Runner, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var out []string
	r := &Runner{Bin: testenv.Bin(t, "tofu"), Dir: t.TempDir(), Module: withS3Backend(t), PluginCache: t.TempDir(),
		Vars:       map[string]any{"names": names},
		Env:        map[string]string{"AWS_ACCESS_KEY_ID": "openova", "AWS_SECRET_ACCESS_KEY": "s3-secret", "AWS_ENDPOINT_URL_S3": s3.url},
		Secrets:    []string{"s3-secret"},
		Encryption: enc,
		Output:     func(l string) { mu.Lock(); out = append(out, l); mu.Unlock() }}
	require.NoError(t, r.Prepare(context.Background()))
	return r, &out
}

// spellings are the ways a key could leak: raw, base64 and hex, of the
// codec keys in the file and of the state keys derived from them.
func spellings(t *testing.T, keyFile, org string) []string {
	t.Helper()
	keys, err := readKeys(keyFile)
	require.NoError(t, err)
	var out []string
	for _, k := range keys {
		d, err := DeriveStateKey(k, org)
		require.NoError(t, err)
		for _, b := range [][]byte{k.Reveal(), d.Reveal()} {
			out = append(out, string(b), base64.StdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), hex.EncodeToString(b))
		}
	}
	return out
}

// requireNoKey fails if any spelling is in s.
func requireNoKey(t *testing.T, spell []string, s, where string) {
	t.Helper()
	for _, k := range spell {
		require.NotContains(t, s, k, "a key is in %s", where)
	}
}

// requireNoKeyIn fails if any spelling is in a runner's output or in a
// file of its working directory.
func requireNoKeyIn(t *testing.T, spell []string, dir string, out []string) {
	t.Helper()
	requireNoKey(t, spell, strings.Join(out, "\n"), "the output")
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		requireNoKey(t, spell, string(b), p)
		return nil
	}))
}

// storedKeyID is the codec key ID the state object's metadata names.
func storedKeyID(t *testing.T, state []byte) string {
	t.Helper()
	var obj struct {
		Meta map[string]string `json:"meta"`
	}
	require.NoError(t, json.Unmarshal(state, &obj))
	raw, err := base64.StdEncoding.DecodeString(obj.Meta["key_provider.external.openova"])
	require.NoError(t, err, "the metadata of openova's key provider is stored: %s", state)
	var m keyInput
	require.NoError(t, json.Unmarshal(raw, &m))
	require.NotNil(t, m.ExternalData)
	return m.ExternalData.KeyID
}

// The real OpenTofu, its S3 backend on a real S3 server, and this test
// binary as the key command (what `openova tofu-key` runs): the saved plan
// and the stored state are encrypted (no resource attribute in clear,
// here a canary node name), yet the runner reads both (the summary, the
// outputs, a second plan from another working directory with the same
// key file). Another data directory's key, or none, is refused as
// StateEncrypted with what to do. After a rotation (a key appended to the
// file) the state is rewritten under the new key and still read. No
// spelling of any key is in the output, the errors, a file of any working
// directory (the detached apply's log among them), the state object or
// tofu's environment.
func TestEncryptedStateAndPlan(t *testing.T) {
	const canary = "canary-node-5f1c9e2a"
	ctx := context.Background()
	s3 := newEncS3(t)
	kf := keyFile(t)
	enc, err := NewEncryption(kf, "acme")
	require.NoError(t, err)
	require.True(t, filepath.IsAbs(enc.Command[0]))
	r, out := encRunner(t, s3, enc, canary, "cp-1")
	var dirs []string
	var outputs []*[]string
	track := func(r *Runner, out *[]string) { dirs = append(dirs, r.Dir); outputs = append(outputs, out) }
	track(r, out)

	s, err := r.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, s.Add, "tofu read its encrypted plan back for the summary")
	requireEncryptedPlan(t, filepath.Join(r.Dir, PlanFile), canary)
	require.NoError(t, r.Apply(ctx), "the detached apply runs the key command too")

	state := s3.object(t, encStateKey)
	require.NotContains(t, string(state), canary, "the state object is encrypted")
	var obj map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(state, &obj))
	require.Contains(t, obj, "encrypted_data")
	require.NotContains(t, obj, "resources")
	keys, err := readKeys(kf)
	require.NoError(t, err)
	require.Equal(t, KeyID(keys[0]), storedKeyID(t, state))
	res, err := r.Outputs(ctx)
	require.NoError(t, err)
	require.Contains(t, string(res["nodes"]), canary, "the runner decrypts what it wrote")

	again, out2 := encRunner(t, s3, enc, canary, "cp-1")
	track(again, out2)
	s, err = again.Plan(ctx)
	require.NoError(t, err, "another working directory with the same key reads the state")
	require.Equal(t, Summary{}, s)

	for name, other := range map[string]*Encryption{
		"another data directory's key": {Command: enc.Command, KeyFile: keyFile(t), Org: "acme"},
		"no encryption configured":     nil,
	} {
		t.Run(name, func(t *testing.T) {
			o, oout := encPrepared(t, s3, other, canary, "cp-1")
			err := encInit(o) // init reads the S3 state already
			var te *Error
			require.True(t, errors.As(err, &te), "%v", err)
			require.Equal(t, ErrStateEncrypted, te.Kind, te.Output)
			require.Contains(t, err.Error(), StateEncryptedHint)
			require.Equal(t, state, s3.object(t, encStateKey), "the refused run wrote nothing")
			spell := spellings(t, kf, "acme")
			if other != nil {
				spell = append(spell, spellings(t, other.KeyFile, "acme")...)
			}
			requireNoKey(t, spell, err.Error(), "the error")
			requireNoKeyIn(t, spell, o.Dir, *oout)
		})
	}

	// A recovery bundle's key: another data directory that holds it for
	// acme (SaveRecoveredKey, as a restore does) reads the state and
	// writes it back under that key, so the bundle keeps opening it.
	other := &Encryption{Command: enc.Command, KeyFile: keyFile(t), Org: "acme"}
	derived, err := DeriveStateKey(keys[0], "acme")
	require.NoError(t, err)
	require.NoError(t, SaveRecoveredKey(other.KeyFile, "acme", RecoveredKey{ID: KeyID(keys[0]), Key: derived}))
	restored, out4 := encRunner(t, s3, other, canary, "cp-1", "cp-9")
	track(restored, out4)
	s, err = restored.Plan(ctx)
	require.NoError(t, err, "the recovered key reads the state")
	require.Equal(t, 1, s.Add)
	require.NoError(t, restored.Apply(ctx))
	require.Equal(t, KeyID(keys[0]), storedKeyID(t, s3.object(t, encStateKey)), "written back under the bundle's key")

	// Rotation: a new key appended to the file encrypts from now on; the
	// state written under the old one still opens.
	f, err := os.OpenFile(kf, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	newKey := make([]byte, 32)
	for i := range newKey {
		newKey[i] = byte(i * 7)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(newKey) + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	rotated, out3 := encRunner(t, s3, enc, canary, "cp-1", "cp-2")
	track(rotated, out3)
	s, err = rotated.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, s.Add)
	require.NoError(t, rotated.Apply(ctx))
	require.Equal(t, KeyID(secret.Bytes(newKey)), storedKeyID(t, s3.object(t, encStateKey)), "rewritten under the active key")

	spell := spellings(t, kf, "acme")
	requireNoKey(t, spell, string(s3.object(t, encStateKey)), "the state object")
	for i, dir := range dirs {
		requireNoKeyIn(t, spell, dir, *outputs[i])
	}
	env, err := rotated.environ()
	require.NoError(t, err)
	require.Equal(t, kf, env[EnvKeyFile])
	require.Contains(t, env["TF_ENCRYPTION"], `enforced = true`)
	for k, v := range env {
		requireNoKey(t, spell, k+"="+v, "tofu's environment")
	}
	for _, a := range enc.Command {
		requireNoKey(t, spell, a, "the key command's arguments")
	}
}

// A state written in clear (a bootstrap begun before encryption was on) is
// refused by an enforced run as StateNotEncrypted, saying what to do; a
// run with Migrate reads it and writes it back encrypted, after which the
// enforced runs read it.
func TestMigrateStateInClear(t *testing.T) {
	const canary = "canary-node-4a90c3"
	ctx := context.Background()
	s3 := newEncS3(t)
	plain, _ := encRunner(t, s3, nil, canary)
	_, err := plain.Plan(ctx)
	require.NoError(t, err)
	require.NoError(t, plain.Apply(ctx))
	require.Contains(t, string(s3.object(t, encStateKey)), canary, "the state is in clear")

	enc, err := NewEncryption(keyFile(t), "acme")
	require.NoError(t, err)
	refused, _ := encPrepared(t, s3, enc, canary)
	err = encInit(refused)
	var te *Error
	require.True(t, errors.As(err, &te), "%v", err)
	require.Equal(t, ErrStateNotEncrypted, te.Kind, te.Output)
	require.Contains(t, err.Error(), StateNotEncryptedHint)

	migrate := *enc
	migrate.Migrate = true
	m, _ := encRunner(t, s3, &migrate, canary, "cp-1")
	s, err := m.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, s.Add)
	requireEncryptedPlan(t, filepath.Join(m.Dir, PlanFile), canary)
	require.NoError(t, m.Apply(ctx))
	state := s3.object(t, encStateKey)
	require.NotContains(t, string(state), canary, "written back encrypted")
	require.Contains(t, string(state), `"encrypted_data"`)

	after, _ := encRunner(t, s3, enc, canary, "cp-1")
	s, err = after.Plan(ctx)
	require.NoError(t, err, "the enforced runs read the migrated state")
	require.Equal(t, Summary{}, s)
}
