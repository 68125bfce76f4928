package terraform

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// planHolds reports whether a saved plan holds s: in clear, or in one of
// its files (a plan in clear is a zip archive, its files deflated, so s
// is not in its bytes as they are).
func planHolds(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if strings.Contains(string(b), s) {
		return true
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return false
	}
	for _, f := range z.File {
		rc, err := f.Open()
		require.NoError(t, err)
		c, err := io.ReadAll(rc)
		require.NoError(t, err)
		_ = rc.Close()
		if strings.Contains(string(c), s) {
			return true
		}
	}
	return false
}

// requireEncryptedPlan: the saved plan is OpenTofu's encrypted envelope
// (JSON with encrypted_data), not a zip, and holds no canary.
func requireEncryptedPlan(t *testing.T, path, canary string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var env map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &env), "an encrypted plan is a JSON envelope")
	require.Contains(t, env, "encrypted_data")
	require.False(t, planHolds(t, path, canary), "the saved plan holds no canary")
}

// The control of requireEncryptedPlan: a plan saved without encryption
// holds the canary (in a deflated file of its zip), so the check above can
// fail.
func TestPlanInClearHoldsTheCanary(t *testing.T) {
	const canary = "canary-node-0c77e1"
	ctx := context.Background()
	r, _ := runner(t, t.TempDir(), map[string]any{"names": []string{canary}})
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, nil))
	_, err := r.Plan(ctx)
	require.NoError(t, err)
	path := filepath.Join(r.Dir, PlanFile)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotContains(t, string(b), canary, "deflated: not in the bytes as they are")
	require.True(t, planHolds(t, path, canary))
}

// Encryption is OpenTofu's: Prepare refuses a binary that is not OpenTofu
// (Terraform would ignore TF_ENCRYPTION and write the state in clear;
// here the temporal CLI stands in for any other binary) and a key command
// tofu could not run from the working directory.
func TestEncryptionRefusals(t *testing.T) {
	ctx := context.Background()
	enc, err := NewEncryption(keyFile(t), "acme")
	require.NoError(t, err)
	cases := []struct {
		name, bin string
		enc       Encryption
		errHas    string
	}{
		{"not OpenTofu", testenv.Bin(t, "temporal"), *enc, "state encryption needs OpenTofu"},
		{"relative key command", testenv.Bin(t, "tofu"), Encryption{Command: []string{"openova", KeyCommand}, KeyFile: enc.KeyFile, Org: "acme"}, "not an absolute path"},
		{"no key file", testenv.Bin(t, "tofu"), Encryption{Command: enc.Command, Org: "acme"}, "no codec key file"},
		{"no organization", testenv.Bin(t, "tofu"), Encryption{Command: enc.Command, KeyFile: enc.KeyFile}, "no organization"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &Runner{Bin: tc.bin, Dir: t.TempDir(), Module: os.DirFS("testdata/nodes"), Encryption: &tc.enc}
			require.ErrorContains(t, r.Prepare(ctx), tc.errHas)
		})
	}
	r := &Runner{Bin: testenv.Bin(t, "tofu"), Dir: t.TempDir(), Module: os.DirFS("testdata/nodes"), Encryption: enc}
	require.NoError(t, r.Prepare(ctx), "OpenTofu with a complete configuration")
}

// The bootstrap names the OpenTofu it runs: the real tofu's version line;
// another binary is refused as Prepare refuses it.
func TestOpenTofuVersion(t *testing.T) {
	v, err := OpenTofuVersion(context.Background(), testenv.Bin(t, "tofu"))
	require.NoError(t, err)
	require.Regexp(t, `^OpenTofu v1\.\d+\.\d+`, v)
	_, err = OpenTofuVersion(context.Background(), testenv.Bin(t, "temporal"))
	require.ErrorContains(t, err, "state encryption needs OpenTofu")
}
