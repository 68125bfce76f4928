package main

import (
	"bytes"
	"context"
	"crypto/tls"
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
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/worker/codec"
)

// The test binary doubles as the openova binary: run with this variable set
// it is exactly `openova`, so process tests exec the real main (kill -9,
// signals, exit codes) without linking a second 200 MB binary.
const execMainEnv = "OPENOVA_TEST_EXEC_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(execMainEnv) == "1" {
		os.Exit(Main(os.Args[1:]))
	}
	// The e2e tests share one API server, each in a namespace of its own.
	code := kubeenv.Run(m)
	removeStaticBuild()
	os.Exit(code)
}

// proc is a running openova process.
type proc struct {
	t            testing.TB
	cmd          *exec.Cmd
	dataDir      string
	httpAddr     string
	temporalAddr string
	logPath      string
	exited       chan struct{}
	exitErr      error
}

// openovaCmd builds a command that runs openova with args: this test binary
// as openova, or the binary named by OPENOVA_BIN (benchmarks use the release
// build, so that resident memory is the product's, not the test binary's),
// in the environment or in env (a bootstrap that deploys the manager runs
// staticOpenova, which can be the manager's image).
func openovaCmd(ctx context.Context, env []string, args ...string) *exec.Cmd {
	bin := os.Args[0]
	if b := os.Getenv("OPENOVA_BIN"); b != "" {
		bin = b
	}
	for _, e := range env {
		if b, ok := strings.CutPrefix(e, "OPENOVA_BIN="); ok {
			bin = b
		}
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(append(os.Environ(), execMainEnv+"=1"), env...)
	return cmd
}

// run runs openova to completion and returns its exit code and output.
func run(t testing.TB, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := openovaCmd(ctx, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, stdout.String(), stderr.String()
}

// startOpenova starts `openova <mode>` on dataDir with fresh ports and waits
// until /readyz answers 200. A port is picked free and bound a moment
// later by the child, so another process of the suite (a parallel package
// picking ports of its own) may take it in between: a start that exits
// because its port is in use starts again on other ports.
func startOpenova(t testing.TB, mode, dataDir string, extra ...string) *proc {
	t.Helper()
	return startOpenovaEnv(t, nil, mode, dataDir, extra...)
}

// startOpenovaEnv is startOpenova with env (KEY=value) added to the
// process's environment.
func startOpenovaEnv(t testing.TB, env []string, mode, dataDir string, extra ...string) *proc {
	t.Helper()
	for attempt := 1; ; attempt++ {
		p := launchOpenova(t, env, mode, dataDir, extra...)
		err := p.waitReady()
		if err == nil {
			return p
		}
		if attempt < portAttempts && p.exitedOnBusyPort() {
			t.Logf("openova start %d: a port was taken before it bound it; starting again on other ports", attempt)
			continue
		}
		t.Fatal(err)
	}
}

// portAttempts bounds the starts of startOpenova.
const portAttempts = 3

func launchOpenova(t testing.TB, env []string, mode, dataDir string, extra ...string) *proc {
	t.Helper()
	p := &proc{t: t, dataDir: dataDir, httpAddr: testenv.FreeAddr(t), temporalAddr: testenv.FreeAddr(t),
		logPath: filepath.Join(t.TempDir(), "openova.log"), exited: make(chan struct{})}
	args := append([]string{mode, "--data-dir", dataDir, "--listen", p.httpAddr}, extra...)
	if !hasFlag(extra, "--temporal-address") {
		args = append(args, "--temporal-listen", p.temporalAddr)
	}
	logFile, err := os.Create(p.logPath)
	require.NoError(t, err)
	p.cmd = openovaCmd(context.Background(), env, args...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	require.NoError(t, p.cmd.Start())
	go func() {
		p.exitErr = p.cmd.Wait()
		_ = logFile.Close()
		close(p.exited)
	}()
	t.Cleanup(func() { p.stop() })
	return p
}

// exitedOnBusyPort: the process ended, saying a port it was given or
// picked was in use.
func (p *proc) exitedOnBusyPort() bool {
	select {
	case <-p.exited:
		log := p.log()
		return strings.Contains(log, "is already in use") || strings.Contains(log, "address already in use")
	default:
		return false
	}
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

func (p *proc) waitReady() error {
	p.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("openova exited before ready (%v); log:\n%s", p.exitErr, p.log())
		default:
		}
		resp, err := readyClient.Get(p.scheme() + "://" + p.httpAddr + "/readyz")
		if err == nil {
			body := new(bytes.Buffer)
			_, _ = body.ReadFrom(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = body.String()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("openova not ready after 90s (last: %s); log:\n%s", last, p.log())
}

// readyClient asks /readyz, over HTTPS too (the test's self-signed
// certificate is not verified).
var readyClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
	TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // test certificates

// scheme is https when the process serves --tls-cert.
func (p *proc) scheme() string {
	if hasFlag(p.cmd.Args, "--tls-cert") {
		return "https"
	}
	return "http"
}

func (p *proc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop() error {
	select {
	case <-p.exited:
		return p.exitErr
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.exitErr
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("openova did not stop within 60s after SIGTERM")
	}
}

// kill9 kills the process the hard way.
func (p *proc) kill9() {
	require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGKILL))
	<-p.exited
}

// client dials the process's Temporal with the data dir's codec key, as a
// holder of that key would.
func (p *proc) client(t testing.TB, hostPort string) client.Client {
	t.Helper()
	keyFile := filepath.Join(p.dataDir, "codec.key")
	for i, a := range p.cmd.Args {
		if a == "--codec-key-file" && i+1 < len(p.cmd.Args) {
			keyFile = p.cmd.Args[i+1]
		}
	}
	keys, err := codec.LoadKeyFile(keyFile)
	require.NoError(t, err)
	cd := codec.New(keys)
	if hostPort == "" {
		hostPort = p.temporalAddr
	}
	c, err := client.Dial(client.Options{HostPort: hostPort, Namespace: "default",
		DataConverter: cd.DataConverter(), FailureConverter: cd.FailureConverter()})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// temporalCLI runs the Temporal CLI built from source.
func temporalCLI(t testing.TB, args ...string) (string, error) {
	t.Helper()
	bin := testenv.Bin(t, "temporal")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	return string(out), err
}

// writeFixture writes content to dir/name and returns the path.
func writeFixture(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}
