package terraform

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// benchEncryption is the encryption the benchmarks use: the key command is
// this test binary, or the openova binary OPENOVA_BIN names (the release
// build: its start-up, not the test binary's, is what tofu pays for).
func benchEncryption(b *testing.B) *Encryption {
	b.Helper()
	enc, err := NewEncryption(keyFile(b), "acme")
	require.NoError(b, err)
	if bin := os.Getenv("OPENOVA_BIN"); bin != "" {
		enc.Command = []string{bin, KeyCommand}
	}
	return enc
}

// BenchmarkStateEncryption is the cost of encryption per command: a plan
// (to a saved plan, with its summary: plan and show) of testdata/nodes on
// an applied local state, with and without encryption, in the same run.
// With it tofu runs the key command about twice per state or plan it
// reads or writes.
func BenchmarkStateEncryption(b *testing.B) {
	ctx := context.Background()
	cache := b.TempDir()
	vars := map[string]any{"names": []string{"cp-1", "worker-1", "worker-2"}}
	for _, c := range []struct {
		name string
		enc  *Encryption
	}{{"plain", nil}, {"encrypted", benchEncryption(b)}} {
		b.Run("plan/"+c.name, func(b *testing.B) {
			r := &Runner{Bin: testenv.Bin(b, "tofu"), Dir: b.TempDir(), Module: os.DirFS("testdata/nodes"), PluginCache: cache, Vars: vars, Encryption: c.enc}
			require.NoError(b, r.Prepare(ctx))
			require.NoError(b, r.Init(ctx, nil))
			_, err := r.Plan(ctx)
			require.NoError(b, err)
			require.NoError(b, r.Apply(ctx))
			for b.Loop() {
				_, err := r.Plan(ctx)
				require.NoError(b, err)
			}
		})
	}
}

// BenchmarkKeyCommand is one run of the key command as tofu makes it
// (encrypting only): the start-up of the binary dominates.
func BenchmarkKeyCommand(b *testing.B) {
	enc := benchEncryption(b)
	env, err := enc.env()
	require.NoError(b, err)
	for b.Loop() {
		cmd := exec.Command(enc.Command[0], enc.Command[1:]...)
		cmd.Env = append(os.Environ(), envList(env)...)
		cmd.Stdin = bytes.NewReader([]byte(`{"external_data":null}`))
		out, err := cmd.Output()
		require.NoError(b, err)
		require.Contains(b, string(out), "encryption_key")
	}
}
