package activities

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/terraform"
)

// Terraform runs the bootstrap's provider modules: one working directory
// per organization and region under Dir, state in the customer's bucket
// (or local for development). Every method prepares the directory first,
// which stops a tofu a killed openova left running there, so a retried
// activity never races the run it replaces.
type Terraform struct {
	// Bin is the tofu or terraform binary (terraform.FindBinary).
	Bin string
	// Dir holds the working directories and the shared plugin cache.
	Dir string
	// Env is added to every run: a provider mirror's CLI configuration
	// (TF_CLI_CONFIG_FILE) or a provider's API endpoint (HCLOUD_ENDPOINT).
	Env map[string]string
	// Vars are added to every module's variables (the module's own
	// prefixed ones, e.g. hcloud_poll_interval).
	Vars map[string]any
	// StateKeyFile is the codec key file each organization's state and
	// plan key is derived from (terraform.NewEncryption): set, OpenTofu
	// encrypts both, enforced. Empty only in tests whose executable is
	// not openova (the key provider is the running executable).
	StateKeyFile string
}

// Plan plans the region and returns what it will do; nothing is created.
func (t *Terraform) Plan(ctx context.Context, in TerraformInput) (PlanResult, error) {
	var res PlanResult
	err := t.run(ctx, in, func(r *terraform.Runner) error {
		s, err := r.Plan(ctx)
		res.Summary = s
		return err
	})
	return res, err
}

// Apply plans again and applies that plan, if it stays within the approved
// one: on a first run the two are the same; on a retry after a crash or a
// failure the new plan holds only what is still missing. A plan that wants
// more than was approved (the cloud changed underneath) is refused.
func (t *Terraform) Apply(ctx context.Context, in TerraformInput) error {
	if in.Approved == nil {
		return temporal.NewNonRetryableApplicationError("apply without an approved plan", ErrPlanNotApproved, nil)
	}
	return t.run(ctx, in, func(r *terraform.Runner) error {
		s, err := r.Plan(ctx)
		if err != nil {
			return err
		}
		if extra := outside(s, *in.Approved); len(extra) > 0 {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"the plan for %s now also wants %v, which was not approved: abort, or start the bootstrap again to review a new plan", in.Region, extra),
				ErrPlanChanged, nil)
		}
		if err := r.Apply(ctx); err != nil {
			return err
		}
		return r.Clean()
	})
}

// outside lists the changes of s that the approved plan does not have.
func outside(s, approved terraform.Summary) []string {
	var extra []string
	for _, c := range s.Resources {
		if !slices.ContainsFunc(approved.Resources, func(a terraform.Change) bool { return a.Address == c.Address && a.Action == c.Action }) {
			extra = append(extra, c.Action+" "+c.Address)
		}
	}
	return extra
}

// Outputs reads the region's outputs from the state. After a targeted
// apply (in.Targets set) the state holds only the outputs of what was
// targeted: the others are left empty rather than refused.
func (t *Terraform) Outputs(ctx context.Context, in TerraformInput) (ClusterOutputs, error) {
	var out ClusterOutputs
	err := t.run(ctx, in, func(r *terraform.Runner) error {
		raw, err := r.Outputs(ctx)
		if err != nil {
			return err
		}
		return decodeOutputs(raw, &out, len(in.Targets) > 0)
	})
	return out, err
}

// Destroy destroys everything the region's state holds.
func (t *Terraform) Destroy(ctx context.Context, in TerraformInput) error {
	return t.run(ctx, in, func(r *terraform.Runner) error {
		if err := r.Destroy(ctx); err != nil {
			return err
		}
		return r.Clean()
	})
}

// run prepares and initialises the region's working directory, then runs
// fn, heartbeating with the last line tofu printed. A lock this machine
// holds while no tofu runs in the working directory (Prepare stopped any;
// openova was killed) is one its own earlier run left: it is released and
// the command tried once more. Another machine's lock is left alone.
func (t *Terraform) run(ctx context.Context, in TerraformInput, fn func(*terraform.Runner) error) error {
	r, backend, err := t.runner(ctx, in)
	if err != nil {
		return err
	}
	stop := heartbeatLines(ctx, r)
	defer stop()
	if err := r.Prepare(ctx); err != nil {
		return fmt.Errorf("prepare %s: %w", in.Region, err)
	}
	if err := r.Init(ctx, backend); err != nil {
		return terraformError(in, err)
	}
	err = fn(r)
	var te *terraform.Error
	if errors.As(err, &te) && te.Kind == terraform.ErrStateNotEncrypted && r.Encryption != nil && !r.Encryption.Migrate {
		// A bootstrap begun before its state was encrypted: this one run
		// reads the clear state and writes it back encrypted.
		activity.GetLogger(ctx).Warn("encrypting the state a run before state encryption wrote in clear", "region", in.Region)
		r.Encryption.Migrate = true
		err = fn(r)
	}
	if errors.As(err, &te) && te.Kind == terraform.ErrLockHeld && te.LockID != "" && te.LockWho == terraform.LockHolder() {
		activity.GetLogger(ctx).Warn("releasing the state lock a stopped run left", "region", in.Region, "lock", te.LockID)
		if uerr := r.ForceUnlock(ctx, te.LockID); uerr != nil {
			return terraformError(in, uerr)
		}
		err = fn(r)
	}
	return terraformError(in, err)
}

// heartbeatLines makes every line tofu prints the activity's heartbeat
// (and a log line), and heartbeats every few seconds while tofu is quiet.
func heartbeatLines(ctx context.Context, r *terraform.Runner) (stop func()) {
	var mu sync.Mutex
	last := "starting"
	r.Output = func(line string) {
		mu.Lock()
		last = line
		mu.Unlock()
		activity.GetLogger(ctx).Info("tofu", "line", line)
		activity.RecordHeartbeat(ctx, line)
	}
	return beatEvery(ctx, 5*time.Second, func() any {
		mu.Lock()
		defer mu.Unlock()
		return last
	})
}

// workDir is the region's working directory.
func (t *Terraform) workDir(in TerraformInput) string {
	return filepath.Join(t.Dir, in.Organization, in.Region)
}
