package terraform

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// BenchmarkRunnerOverhead measures each step of the runner (init, plan to
// a saved plan with its summary, apply of that plan) against the bare
// tofu commands on the same module (testdata/nodes, no provider, so the
// difference is the runner's own cost) in the same run. Every iteration
// gets a fresh working directory, prepared outside the timer.
func BenchmarkRunnerOverhead(b *testing.B) {
	tofu := testenv.Bin(b, "tofu")
	vars := map[string]any{"names": []string{"cp-1", "worker-1", "worker-2"}}
	cache := b.TempDir()
	ctx := context.Background()
	fresh := func(b *testing.B, upTo string) *Runner {
		b.Helper()
		r := &Runner{Bin: tofu, Dir: b.TempDir(), Module: os.DirFS("testdata/nodes"), PluginCache: cache, Vars: vars}
		require.NoError(b, r.Prepare(ctx))
		if upTo == "init" {
			return r
		}
		require.NoError(b, r.Init(ctx, nil))
		if upTo == "plan" {
			return r
		}
		_, err := r.Plan(ctx)
		require.NoError(b, err)
		return r
	}
	bare := func(b *testing.B, dir string, args ...string) {
		b.Helper()
		cmd := exec.Command(tofu, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "TF_PLUGIN_CACHE_DIR="+cache)
		out, err := cmd.CombinedOutput()
		require.NoError(b, err, "%s", out)
	}
	steps := []struct {
		name   string
		setup  string
		runner func(*Runner) error
		tofu   func(*testing.B, *Runner)
	}{
		{"init", "init", func(r *Runner) error { return r.Init(ctx, nil) },
			func(b *testing.B, r *Runner) { bare(b, r.Dir, "init", "-input=false", "-no-color") }},
		{"plan", "plan", func(r *Runner) error { _, err := r.Plan(ctx); return err },
			func(b *testing.B, r *Runner) {
				require.NoError(b, os.WriteFile(filepath.Join(r.Dir, "v.tfvars.json"), []byte(`{"names":["cp-1","worker-1","worker-2"]}`), 0o600))
				bare(b, r.Dir, "plan", "-input=false", "-no-color", "-out=bare.tfplan", "-var-file=v.tfvars.json")
				bare(b, r.Dir, "show", "-json", "bare.tfplan")
			}},
		{"apply", "apply", func(r *Runner) error { return r.Apply(ctx) },
			func(b *testing.B, r *Runner) { bare(b, r.Dir, "apply", "-input=false", "-no-color", PlanFile) }},
	}
	for _, s := range steps {
		b.Run(s.name+"/runner", func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				r := fresh(b, s.setup)
				b.StartTimer()
				require.NoError(b, s.runner(r))
			}
		})
		b.Run(s.name+"/tofu", func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				r := fresh(b, s.setup)
				b.StartTimer()
				s.tofu(b, r)
			}
		})
	}
}
