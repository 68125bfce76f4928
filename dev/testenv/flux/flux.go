// Package flux runs Flux's source-controller and kustomize-controller,
// built from source by dev/dev.sh, against an envtest API server: what
// Flux does in a region's cluster (fetch the platform repository from the
// region's Gitea, apply clusters/<region>/) happens for real in the tests.
//
// Each API server gets its own pair of controllers, as each region runs
// its own Flux. The controllers run as the API server's admin (the
// kubeconfig envtest wrote), with the sync objects in flux-system.
package flux

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/openova-io/core/dev/testenv"
)

// Namespace is where Flux runs and keeps its sync objects (RUNTIME_NAMESPACE).
const Namespace = "flux-system"

// Flux is one region's running pair of controllers.
type Flux struct {
	// StorageAddr is where source-controller serves artifacts (loopback).
	StorageAddr string
	controllers []*controller
}

// controller is one running controller process.
type controller struct {
	name       string
	cmd        *exec.Cmd
	log        string
	healthAddr string
	exited     chan struct{}
}

// CRDDirs are the folders of Flux's CRDs that dev/dev.sh links from the
// controllers' modules (config/crd/bases of each).
func CRDDirs(t testing.TB) []string {
	t.Helper()
	var dirs []string
	for _, name := range []string{"flux-source", "flux-kustomize"} {
		dir := filepath.Join(testenv.RepoRoot(), ".cache", "crds", name)
		if _, err := os.Stat(dir); err != nil {
			testenv.Missing(t, "Flux's CRDs are not linked (%s): run dev/dev.sh assets", dir)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// Start installs Flux's CRDs and the flux-system namespace into the API
// server of cfg (kubeconfig is a kubeconfig file for the same server, which
// the controllers read), starts source-controller and kustomize-controller
// against it, and returns once both report healthy. They stop when the test
// ends; a failed test gets the tail of their logs.
func Start(t testing.TB, cfg *rest.Config, kubeconfig string) *Flux {
	t.Helper()
	source, kustomize := testenv.Bin(t, "source-controller"), testenv.Bin(t, "kustomize-controller")
	_, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{Paths: CRDDirs(t), ErrorIfPathMissing: true})
	require.NoError(t, err, "install Flux's CRDs")
	c, err := client.New(cfg, client.Options{})
	require.NoError(t, err)
	err = c.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}})
	if !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err, "create %s", Namespace)
	}

	f := &Flux{StorageAddr: testenv.FreeAddr(t)}
	f.controllers = append(f.controllers,
		start(t, "source-controller", source, kubeconfig,
			"--storage-path="+t.TempDir(),
			"--storage-addr="+f.StorageAddr,
			"--storage-adv-addr="+f.StorageAddr),
		start(t, "kustomize-controller", kustomize, kubeconfig,
			"--no-remote-bases=true"))
	for _, ctl := range f.controllers {
		ctl.waitHealthy(t)
	}
	return f
}

// start runs one controller with free loopback ports for its metrics and
// health endpoints and its log in a file, stopped (SIGTERM, then kill) at
// cleanup.
func start(t testing.TB, name, bin, kubeconfig string, args ...string) *controller {
	t.Helper()
	ctl := &controller{name: name, healthAddr: testenv.FreeAddr(t), log: filepath.Join(t.TempDir(), name+".log"),
		exited: make(chan struct{})}
	logFile, err := os.Create(ctl.log)
	require.NoError(t, err)
	args = append(args,
		"--metrics-addr="+testenv.FreeAddr(t),
		"--health-addr="+ctl.healthAddr,
		"--log-level=info")
	ctl.cmd = exec.Command(bin, args...)
	ctl.cmd.Env = append(os.Environ(), "RUNTIME_NAMESPACE="+Namespace, "KUBECONFIG="+kubeconfig)
	ctl.cmd.Stdout, ctl.cmd.Stderr = logFile, logFile
	require.NoError(t, ctl.cmd.Start(), "start %s", name)
	go func() {
		_ = ctl.cmd.Wait()
		_ = logFile.Close()
		close(ctl.exited)
	}()
	t.Cleanup(func() {
		if err := ctl.stop(); err != nil {
			t.Errorf("stop %s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, tail(ctl.log, 40))
		}
	})
	return ctl
}

// waitHealthy waits until the controller's readiness endpoint answers 200,
// failing at once if the process exits. Two minutes is generous: both
// controllers are ready in seconds, but a loaded 2-core machine runs two
// API servers and four controllers at once.
func (c *controller) waitHealthy(t testing.TB) {
	t.Helper()
	url := "http://" + c.healthAddr + "/readyz"
	deadline := time.After(2 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last := "no answer yet"
	for {
		select {
		case <-c.exited:
			t.Fatalf("%s exited before it was ready:\n%s", c.name, tail(c.log, 40))
		case <-deadline:
			t.Fatalf("%s was not ready at %s after 2 minutes (last: %s):\n%s", c.name, url, last, tail(c.log, 40))
		case <-tick.C:
		}
		resp, err := http.Get(url) //nolint:gosec // a loopback address the test chose
		if err != nil {
			last = err.Error()
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return
		}
		last = resp.Status
	}
}

// stop ends the controller as Kubernetes would (SIGTERM) and waits for
// it; one that has not exited 30 s later is killed. A controller that
// crashed, exits non-zero or has to be killed is an error: it did not
// stop cleanly.
func (c *controller) stop() error {
	select {
	case <-c.exited:
		return c.exitErr()
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
		return c.exitErr()
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
		return fmt.Errorf("%s did not stop within 30 s of SIGTERM and was killed", c.name)
	}
}

func (c *controller) exitErr() error {
	if code := c.cmd.ProcessState.ExitCode(); code != 0 {
		return fmt.Errorf("%s exited with %s", c.name, c.cmd.ProcessState)
	}
	return nil
}

// Stop stops both controllers (SIGTERM) and says if one did not stop
// cleanly; the test's cleanup does it too (a second Stop returns the same).
func (f *Flux) Stop() error {
	var errs []error
	for _, c := range f.controllers {
		errs = append(errs, c.stop())
	}
	return errors.Join(errs...)
}

// Logs returns what both controllers have logged so far (for a test that
// checks no secret reached them in clear, or to explain a failure).
func (f *Flux) Logs(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, c := range f.controllers {
		data, err := os.ReadFile(c.log)
		require.NoError(t, err)
		fmt.Fprintf(&b, "== %s\n%s", c.name, data)
	}
	return b.String()
}

// Running reports whether both controllers are still running.
func (f *Flux) Running() bool {
	for _, c := range f.controllers {
		select {
		case <-c.exited:
			return false
		default:
		}
	}
	return true
}

// tail is the last n lines of a file.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// Pause stops both controllers in place (SIGSTOP), as a node under load
// or a controller restarting would: nothing Flux does happens until
// Resume. A test uses it to hold a bootstrap in its wait for Flux.
func (f *Flux) Pause() error { return f.signal(syscall.SIGSTOP) }

// Resume lets paused controllers go on (SIGCONT).
func (f *Flux) Resume() error { return f.signal(syscall.SIGCONT) }

func (f *Flux) signal(sig syscall.Signal) error {
	var errs []error
	for _, c := range f.controllers {
		errs = append(errs, c.cmd.Process.Signal(sig))
	}
	return errors.Join(errs...)
}
