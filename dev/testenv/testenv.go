// Package testenv finds the test assets that dev/dev.sh builds from source
// and hands out loopback ports. A missing asset skips a test on a laptop,
// with the command that builds it, but fails it when CI=true: CI must never
// pass by skipping.
package testenv

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/openova-io/core/worker/ports"
)

// Bin returns the path of a built asset (temporal, kube-apiserver, etcd).
func Bin(t testing.TB, name string) string {
	t.Helper()
	for _, dir := range []string{os.Getenv("OPENOVA_TEST_BIN"), filepath.Join(RepoRoot(), ".cache", "bin")} {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	Missing(t, "test asset %s is not built: run dev/dev.sh assets", name)
	return ""
}

// Missing skips the test, or fails it under CI.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// RepoRoot is the checkout's top folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// FreePort returns a loopback port that was free a moment ago, below the
// kernel's ephemeral range (ports.Pick), so no outgoing connection takes it
// before the process under test binds it.
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := ports.Pick()
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	return p
}

// FreeAddr returns 127.0.0.1:<free port>.
func FreeAddr(t testing.TB) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t)))
}

// TofuEnv is the environment under which OpenTofu installs providers from
// the mirror dev/dev.sh builds from source (.cache/providers, named by
// .cache/tofurc) instead of the registry, which is not reachable here.
func TofuEnv(t testing.TB) map[string]string {
	t.Helper()
	rc := filepath.Join(RepoRoot(), ".cache", "tofurc")
	if _, err := os.Stat(rc); err != nil {
		Missing(t, "the provider mirror is not built: run dev/dev.sh assets")
	}
	return map[string]string{"TF_CLI_CONFIG_FILE": rc}
}
