package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

func runner(t *testing.T, dir string, vars map[string]any, secrets ...string) (*Runner, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var out []string
	return &Runner{Bin: testenv.Bin(t, "tofu"), Dir: dir, Module: os.DirFS("testdata/nodes"),
		PluginCache: t.TempDir(), Vars: vars, Secrets: secrets,
		Output: func(l string) { mu.Lock(); out = append(out, l); mu.Unlock() }}, &out
}

// The real OpenTofu: the saved plan's summary lists exactly what apply
// then creates, the outputs come back, and a second plan has nothing to do.
func TestPlanIsWhatApplyDoes(t *testing.T) {
	ctx := context.Background()
	r, out := runner(t, t.TempDir(), map[string]any{"names": []string{"cp-1", "worker-1"}})
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, nil))
	s, err := r.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, Summary{Add: 3, Resources: []Change{
		{Address: `terraform_data.node["cp-1"]`, Type: "terraform_data", Name: "node", Action: "create"},
		{Address: `terraform_data.node["worker-1"]`, Type: "terraform_data", Name: "node", Action: "create"},
		{Address: "terraform_data.slow", Type: "terraform_data", Name: "slow", Action: "create"},
	}}, s)
	require.NotEmpty(t, *out, "output is streamed line by line")
	_, err = os.Stat(filepath.Join(r.Dir, VarsFile))
	require.True(t, os.IsNotExist(err), "the variables file is gone once the plan ends")

	require.NoError(t, r.Apply(ctx))
	outputs, err := r.Outputs(ctx)
	require.NoError(t, err)
	var nodes []string
	require.NoError(t, json.Unmarshal(outputs["nodes"], &nodes))
	require.Equal(t, []string{"cp-1", "worker-1"}, nodes)

	again, err := r.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, Summary{}, again, "nothing left to do")
}

// A targeted plan holds only its targets, its apply creates only them,
// and the next full plan holds the rest and not them again.
func TestTargetedPlanAndApply(t *testing.T) {
	ctx := context.Background()
	r, _ := runner(t, t.TempDir(), map[string]any{"names": []string{"cp-1", "worker-1"}})
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, nil))
	for _, step := range []struct {
		name    string
		targets []string
		want    []string
	}{
		{"targeted", []string{`terraform_data.node["cp-1"]`}, []string{`terraform_data.node["cp-1"]`}},
		{"the rest", nil, []string{`terraform_data.node["worker-1"]`, "terraform_data.slow"}},
		{"nothing left", nil, nil},
	} {
		t.Run(step.name, func(t *testing.T) {
			r.Targets = step.targets
			s, err := r.Plan(ctx)
			require.NoError(t, err)
			var got []string
			for _, c := range s.Resources {
				require.Equal(t, "create", c.Action, c.Address)
				got = append(got, c.Address)
			}
			require.Equal(t, step.want, got)
			require.NoError(t, r.Apply(ctx))
		})
	}
}

// Secrets never reach the output stream or an error.
func TestOutputIsRedacted(t *testing.T) {
	ctx := context.Background()
	const canary = "hcloud-token-canary-7b2e"
	r, out := runner(t, t.TempDir(), map[string]any{"names": []string{canary}}, canary)
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, nil))
	_, err := r.Plan(ctx)
	require.NoError(t, err)
	joined := strings.Join(*out, "\n")
	require.NotContains(t, joined, canary)
	require.Contains(t, joined, "[redacted]", "the plan printed the value, redacted")
}

// A run killed mid-apply leaves its tofu holding the state lock: the next
// command fails as StateLockHeld with the lock's ID, and Prepare stops
// the left-over process so the resume goes through.
func TestHeldLockAndLeftoverTofu(t *testing.T) {
	leftoverWait, stopGrace = time.Second, 3*time.Second
	t.Cleanup(func() { leftoverWait, stopGrace = 15*time.Minute, 30*time.Second })
	dir := t.TempDir()
	env := map[string]any{"names": []string{"a"}, "hold": "60"}
	first, _ := runner(t, dir, env)
	ctx := context.Background()
	require.NoError(t, first.Prepare(ctx))
	require.NoError(t, first.Init(ctx, nil))
	_, err := first.Plan(ctx)
	require.NoError(t, err)
	applied := make(chan error, 1)
	go func() { applied <- first.Apply(context.Background()) }()
	require.Eventually(t, func() bool { p, _ := Leftovers(dir); return len(p) > 0 }, 30*time.Second, 100*time.Millisecond)
	// The apply holds the lock while it sleeps: OpenTofu's local state
	// lock writes its info beside the state once it is taken.
	require.Eventually(t, func() bool {
		_, err := os.Stat(filepath.Join(dir, ".terraform.tfstate.lock.info"))
		return err == nil
	}, 30*time.Second, 100*time.Millisecond, "the apply takes the state lock")

	second, _ := runner(t, dir, env)
	_, err = second.Plan(ctx)
	var te *Error
	require.True(t, errors.As(err, &te), "%v", err)
	require.Equal(t, ErrLockHeld, te.Kind)
	require.NotEmpty(t, te.LockID, "the error names the lock")

	require.NoError(t, second.Prepare(ctx), "a resume stops what the killed run left")
	left, err := Leftovers(dir)
	require.NoError(t, err)
	require.Empty(t, left, "no tofu left running")
	<-applied
	_, err = second.Plan(ctx)
	require.NoError(t, err, "the lock is free again")
}

func TestFindBinary(t *testing.T) {
	_, err := FindBinary("/nonexistent/tofu")
	require.ErrorContains(t, err, "--terraform-bin /nonexistent/tofu cannot be run")
	t.Setenv("PATH", t.TempDir())
	_, err = FindBinary("")
	require.ErrorContains(t, err, "neither tofu nor terraform is on PATH: install OpenTofu")
}
