package terraform

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"
)

// LogFile is where a detached run writes its output, in the working
// directory (0600); it is rewritten by every detached run.
const LogFile = "tofu.log"

// runDetached runs a command that changes the cloud (apply, destroy) so
// that it outlives openova. terraform-exec starts tofu with Pdeathsig
// SIGKILL and reads its output through pipes, so a killed openova would
// take tofu down mid-apply: what the provider had just created would be
// in the cloud but not in the state, and the resume would create it
// again. Here tofu runs in a session of its own, writing to LogFile, which
// is followed line by line; a resume waits for a run that openova's death
// left behind (Prepare) before it touches the state. A cancelled ctx
// interrupts tofu, which then stops gracefully and saves its state.
func (r *Runner) runDetached(ctx context.Context, command string, args ...string) error {
	env, err := r.environ()
	if err != nil {
		return err
	}
	env["TF_IN_AUTOMATION"] = "1"
	path := filepath.Join(r.Dir, LogFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("tofu log: %w", err)
	}
	cmd := exec.Command(r.Bin, args...)
	cmd.Dir = r.Dir
	cmd.Env = envList(env)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	_ = f.Close() // tofu holds its own descriptor
	if err != nil {
		return fmt.Errorf("start tofu %s: %w", command, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	l := &lines{redact: r.redact, out: r.Output}
	in, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("tofu log: %w", err)
	}
	defer in.Close()
	interrupted := false
	for {
		_, _ = io.Copy(l, in)
		select {
		case err := <-exited:
			_, _ = io.Copy(l, in)
			if err != nil {
				return r.classify(command, err, l)
			}
			return nil
		case <-ctx.Done():
			if !interrupted {
				_ = cmd.Process.Signal(os.Interrupt)
				interrupted = true
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
