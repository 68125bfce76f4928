// Package terraform runs OpenTofu (or Terraform) for the bootstrap through
// hashicorp/terraform-exec: one working directory per platform and region,
// the module written out of an embed.FS, init → plan to a saved plan file
// → a summary of what it will do → apply exactly that plan. Output is
// streamed line by line with secrets redacted; failures are classified so
// a workflow can tell a held lock (with its ID) from bad credentials.
package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Files in the working directory: the saved plan apply runs exactly, and
// the variables file that exists only while a plan runs.
const (
	PlanFile = "openova.tfplan"
	VarsFile = "openova.tfvars.json"
)

// Runner is one working directory.
type Runner struct {
	// Bin is the tofu or terraform binary (FindBinary).
	Bin string
	// Dir is the working directory; Module's files are written into it.
	Dir    string
	Module fs.FS
	// PluginCache is shared by every working directory, so a provider is
	// unpacked once; Init holds it alone (lockPluginCache).
	PluginCache string
	// Env adds to the environment of every run: provider credentials go
	// here (HCLOUD_TOKEN, ...), so they are in no file and not in the plan.
	Env map[string]string
	// Vars are the module's input variables: written to VarsFile (0600)
	// for the plan and removed when it ends.
	Vars map[string]any
	// Output receives every line tofu prints, redacted.
	Output func(line string)
	// Secrets are redacted from the output and from errors.
	Secrets []string
	// Encryption, when set, has OpenTofu encrypt the state and the saved
	// plan (OpenTofu only: Prepare refuses another binary).
	Encryption *Encryption
	// Targets, when set, limit Plan (and so the Apply of its saved plan)
	// to these resource addresses and what they depend on (-target): the
	// bootstrap creates both regions' gateway addresses first, to write
	// each into the other's WireGuard configuration before any server
	// boots. Empty plans everything.
	Targets []string

	// handle is kept across commands: terraform-exec asks the binary for
	// its version once per handle (about 35 ms a command otherwise).
	handle *tfexec.Terraform
}

// FindBinary is the binary to run: flag when set, else tofu, else
// terraform on PATH. Its error says what to install.
func FindBinary(flag string) (string, error) {
	if flag != "" {
		p, err := exec.LookPath(flag)
		if err != nil {
			return "", fmt.Errorf("--terraform-bin %s cannot be run (%v): give the path of a tofu or terraform binary", flag, err)
		}
		return p, nil
	}
	for _, name := range []string{"tofu", "terraform"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("neither tofu nor terraform is on PATH: install OpenTofu (https://opentofu.org/docs/intro/install/) or name a binary with --terraform-bin")
}

// Prepare writes the module into the working directory (replacing what an
// earlier run wrote) and stops a tofu a killed openova left running there.
func (r *Runner) Prepare(ctx context.Context) error {
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return fmt.Errorf("working directory %s: %w", r.Dir, err)
	}
	if err := StopLeftovers(ctx, r.Dir); err != nil {
		return err
	}
	if r.Encryption != nil {
		if err := r.Encryption.prepare(ctx, r.Bin); err != nil {
			return err
		}
	}
	return fs.WalkDir(r.Module, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(r.Module, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(r.Dir, p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
}

// tf is a terraform-exec handle whose output goes to Output, redacted;
// the lines are also kept so a failure can be classified.
func (r *Runner) tf() (*tfexec.Terraform, *lines, error) {
	if r.handle == nil || r.handle.WorkingDir() != r.Dir || r.handle.ExecPath() != r.Bin {
		tf, err := tfexec.NewTerraform(r.Dir, r.Bin)
		if err != nil {
			return nil, nil, fmt.Errorf("terraform in %s: %w", r.Dir, err)
		}
		r.handle = tf
	}
	tf := r.handle
	env, err := r.environ()
	if err != nil {
		return nil, nil, err
	}
	if err := tf.SetEnv(env); err != nil {
		return nil, nil, err
	}
	l := &lines{redact: r.redact, out: r.Output}
	tf.SetStdout(l)
	tf.SetStderr(l)
	return tf, l, nil
}

// environ is tofu's environment: the process's (PATH, HOME, proxies, a CLI
// configuration) without what terraform-exec sets itself, the plugin
// cache, then r.Env, then Encryption's. A terraform-exec handle given an environment does not
// inherit the process's.
func (r *Runner) environ() (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	env = tfexec.CleanEnv(env)
	if r.PluginCache != "" {
		if err := os.MkdirAll(r.PluginCache, 0o700); err != nil {
			return nil, err
		}
		env["TF_PLUGIN_CACHE_DIR"] = r.PluginCache
		// A fresh working directory has no dependency lock file, and
		// without one init installs the provider into the cache again,
		// over the file another region's plan or apply is running (seen:
		// "Required plugins are not installed"). With this, init links the
		// copy already in the cache, which an earlier init installed and
		// verified; the cache is openova's own (0700 in its data directory).
		env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "1"
	}
	for k, v := range r.Env {
		env[k] = v
	}
	if r.Encryption != nil {
		enc, err := r.Encryption.env()
		if err != nil {
			return nil, err
		}
		maps.Copy(env, enc)
	}
	return env, nil
}

// Init runs init with the backend configuration (key = value).
func (r *Runner) Init(ctx context.Context, backend map[string]string) error {
	tf, l, err := r.tf()
	if err != nil {
		return err
	}
	if r.PluginCache != "" {
		unlock, err := lockPluginCache(ctx, r.PluginCache)
		if err != nil {
			return err
		}
		defer unlock()
	}
	opts := []tfexec.InitOption{tfexec.Upgrade(false), tfexec.Reconfigure(true)}
	for k, v := range backend {
		opts = append(opts, tfexec.BackendConfig(k+"="+v))
	}
	if err := tf.Init(ctx, opts...); err != nil {
		return r.classify("init", err, l)
	}
	return nil
}

// Plan writes the saved plan and summarises it; with Targets, only what
// they need.
func (r *Runner) Plan(ctx context.Context) (Summary, error) {
	tf, l, err := r.tf()
	if err != nil {
		return Summary{}, err
	}
	done, err := r.writeVars()
	if err != nil {
		return Summary{}, err
	}
	defer done()
	opts := []tfexec.PlanOption{tfexec.Out(PlanFile), tfexec.Lock(true), tfexec.VarFile(VarsFile)}
	for _, t := range r.Targets {
		opts = append(opts, tfexec.Target(t))
	}
	if _, err := tf.Plan(ctx, opts...); err != nil {
		return Summary{}, r.classify("plan", err, l)
	}
	// The saved plan holds the variables' values: owner only.
	if err := os.Chmod(filepath.Join(r.Dir, PlanFile), 0o600); err != nil {
		return Summary{}, err
	}
	plan, err := tf.ShowPlanFile(ctx, PlanFile)
	if err != nil {
		return Summary{}, r.classify("show plan", err, l)
	}
	return summarize(plan), nil
}

// writeVars writes VarsFile (0600) for one run; done removes it.
func (r *Runner) writeVars() (done func(), err error) {
	vars, err := json.Marshal(r.Vars)
	if err != nil {
		return nil, fmt.Errorf("variables: %w", err)
	}
	path := filepath.Join(r.Dir, VarsFile)
	if err := os.WriteFile(path, vars, 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", VarsFile, err)
	}
	return func() { _ = os.Remove(path) }, nil
}

// Apply applies the saved plan, exactly what Plan summarised. It runs
// detached (runDetached), so a killed openova never cuts it short.
func (r *Runner) Apply(ctx context.Context) error {
	return r.runDetached(ctx, "apply", "apply", "-input=false", "-no-color", "-lock=true", PlanFile)
}

// Outputs are the module's outputs as JSON values.
func (r *Runner) Outputs(ctx context.Context) (map[string][]byte, error) {
	tf, l, err := r.tf()
	if err != nil {
		return nil, err
	}
	out, err := tf.Output(ctx)
	if err != nil {
		return nil, r.classify("output", err, l)
	}
	res := make(map[string][]byte, len(out))
	for k, v := range out {
		res[k] = v.Value
	}
	return res, nil
}

// Destroy destroys everything the state holds (the abort of a bootstrap),
// detached like Apply.
func (r *Runner) Destroy(ctx context.Context) error {
	done, err := r.writeVars()
	if err != nil {
		return err
	}
	defer done()
	return r.runDetached(ctx, "destroy", "destroy", "-input=false", "-no-color", "-lock=true", "-auto-approve", "-var-file="+VarsFile)
}

// Clean removes what a finished run leaves in the working directory that
// holds secrets: the saved plan (it carries the variables' values) and the
// variables file. The state is in the backend; .terraform keeps only the
// providers and the backend settings.
func (r *Runner) Clean() error {
	for _, f := range []string{PlanFile, VarsFile} {
		if err := os.Remove(filepath.Join(r.Dir, f)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// ForceUnlock releases the state lock with this ID: a resume releases the
// lock its own killed run left (Prepare stopped that run first).
func (r *Runner) ForceUnlock(ctx context.Context, lockID string) error {
	tf, l, err := r.tf()
	if err != nil {
		return err
	}
	if err := tf.ForceUnlock(ctx, lockID); err != nil {
		return r.classify("force-unlock", err, l)
	}
	return nil
}
