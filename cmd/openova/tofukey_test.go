package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/worker/codec"
)

// tofuKey runs `openova tofu-key` in process with stdin and returns its
// stdout, stderr and error.
func tofuKey(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	root := newRoot(&stdout, &stderr)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append([]string{terraform.KeyCommand}, args...))
	err := root.Execute()
	return stdout.String(), stderr.String(), err
}

// The hidden subcommand speaks OpenTofu's external key provider protocol
// with the key derived from the codec key file its environment names;
// without that environment, or with an argument, it says what is wrong;
// it is not listed in the help.
func TestTofuKeyCommand(t *testing.T) {
	kf := filepath.Join(t.TempDir(), "codec.key")
	require.NoError(t, codec.GenerateKeyFile(kf))
	raw, err := codec.ParseKeys(must(os.ReadFile(kf)))
	require.NoError(t, err)
	want, err := terraform.DeriveStateKey(secret.Bytes(raw[0]), "acme")
	require.NoError(t, err)

	t.Setenv(terraform.EnvKeyFile, kf)
	t.Setenv(terraform.EnvOrg, "acme")
	out, _, err := tofuKey(t, `{"external_data":null}`)
	require.NoError(t, err)
	header, body, ok := strings.Cut(out, "\n")
	require.True(t, ok)
	require.JSONEq(t, `{"magic":"OpenTofu-External-Key-Provider","version":1}`, header)
	var res struct {
		Keys map[string]string `json:"keys"`
		Meta struct {
			ExternalData map[string]string `json:"external_data"`
		} `json:"meta"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &res))
	require.Equal(t, base64.StdEncoding.EncodeToString(want.Reveal()), res.Keys["encryption_key"])
	require.Equal(t, codec.KeyID(raw[0]), res.Meta.ExternalData["key_id"])

	_, _, err = tofuKey(t, `null`, "extra")
	require.ErrorContains(t, err, `unexpected argument "extra"`)
	t.Setenv(terraform.EnvKeyFile, "")
	_, _, err = tofuKey(t, `null`)
	require.ErrorContains(t, err, terraform.EnvKeyFile+" is not set")
	t.Setenv(terraform.EnvKeyFile, filepath.Join(t.TempDir(), "missing.key"))
	_, _, err = tofuKey(t, `null`)
	require.ErrorContains(t, err, "read the codec key file")

	var help bytes.Buffer
	root := newRoot(&help, &help)
	root.SetArgs([]string{"--help"})
	require.NoError(t, root.Execute())
	require.Contains(t, help.String(), "bootstrap")
	require.NotContains(t, help.String(), terraform.KeyCommand, "hidden")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// The real OpenTofu runs the real openova main (this test binary run as
// openova) as its key provider, detached apply included: the state and
// the saved plan are encrypted and read back, and a second plan finds
// nothing to do.
func TestTofuRunsOpenovaAsKeyProvider(t *testing.T) {
	const canary = "canary-node-8d41b7"
	kf := filepath.Join(t.TempDir(), "codec.key")
	require.NoError(t, codec.GenerateKeyFile(kf))
	enc, err := terraform.NewEncryption(kf, "acme")
	require.NoError(t, err)
	require.Equal(t, []string{must(filepath.EvalSymlinks(must(os.Executable()))), terraform.KeyCommand}, enc.Command)
	dir := t.TempDir()
	r := &terraform.Runner{Bin: testenv.Bin(t, "tofu"), Dir: dir,
		Module: os.DirFS(filepath.Join(testenv.RepoRoot(), "terraform", "testdata", "nodes")), PluginCache: t.TempDir(),
		Vars: map[string]any{"names": []string{canary}},
		// What makes this test binary openova when tofu runs it.
		Env:        map[string]string{execMainEnv: "1"},
		Encryption: enc}
	ctx := context.Background()
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, nil))
	s, err := r.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, s.Add)
	plan := must(os.ReadFile(filepath.Join(dir, terraform.PlanFile)))
	require.True(t, json.Valid(plan), "an encrypted plan is a JSON envelope, not a zip")
	require.Contains(t, string(plan), `"encrypted_data"`)
	require.NoError(t, r.Apply(ctx))
	state := string(must(os.ReadFile(filepath.Join(dir, "terraform.tfstate"))))
	require.Contains(t, state, `"encrypted_data"`)
	require.NotContains(t, state, canary)
	s, err = r.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, terraform.Summary{}, s)
}
