package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// Bad flags and broken environments exit non-zero with one line that says
// what is wrong and what to do, and never a stack trace.
func TestBadInputExitsWithOneClearLine(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = busy.Close() })
	busyAddr := busy.Addr().String()

	tmp := t.TempDir()
	aFile := writeFixture(t, tmp, "a-file", "x")
	corruptKey := writeFixture(t, tmp, "corrupt.key", "this is not a key\n")
	shortKey := writeFixture(t, tmp, "short.key", "c2hvcnQ=\n")

	fresh := func() string { return filepath.Join(t.TempDir(), "data") }
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"no command", nil, nil, exitUsage, "name a command"},
		{"unknown command", nil, []string{"bootstrp"}, exitError, "unknown command"},
		{"unknown flag", nil, []string{"bootstrap", "--lisen", ":1"}, exitUsage, "unknown flag: --lisen"},
		{"stray argument", nil, []string{"bootstrap", "now"}, exitUsage, `unexpected argument "now"`},
		{"listen not host:port", nil, []string{"bootstrap", "--listen", "8080"}, exitUsage, `--listen "8080" is not HOST:PORT`},
		{"listen port out of range", nil, []string{"bootstrap", "--listen", "127.0.0.1:99999"}, exitUsage, "port must be a number from 1 to 65535"},
		{"bad log level", nil, []string{"bootstrap", "--log-level", "loud"}, exitUsage, `--log-level "loud"`},
		{"bad namespace", nil, []string{"bootstrap", "--temporal-namespace", "a b"}, exitUsage, "not a valid namespace name"},
		{"db conns out of range", nil, []string{"bootstrap", "--temporal-db-conns", "0"}, exitUsage, "--temporal-db-conns 0 is out of range"},
		{"listen flag with external temporal", nil, []string{"bootstrap", "--temporal-address", "127.0.0.1:1", "--temporal-listen", "127.0.0.1:2"}, exitUsage, "--temporal-listen applies to the embedded server only"},
		{"bad env value", []string{"OPENOVA_TEMPORAL_DB_CONNS=many"}, []string{"bootstrap"}, exitUsage, "environment variable OPENOVA_TEMPORAL_DB_CONNS"},
		{"env sets a bad listen", []string{"OPENOVA_LISTEN=nowhere"}, []string{"bootstrap"}, exitUsage, `--listen "nowhere" is not HOST:PORT`},
		{"unwritable data dir", nil, []string{"bootstrap", "--data-dir", filepath.Join(aFile, "data")}, exitError, "cannot be created (not a directory): choose another with --data-dir"},
		{"http port in use", nil, []string{"bootstrap", "--data-dir", fresh(), "--listen", busyAddr}, exitError, "--listen " + busyAddr + " is already in use"},
		{"temporal port in use", nil, []string{"bootstrap", "--data-dir", fresh(), "--listen", testenv.FreeAddr(t), "--temporal-listen", busyAddr}, exitError, "--temporal-listen " + busyAddr + " is already in use"},
		{"missing codec key", nil, []string{"bootstrap", "--data-dir", fresh(), "--listen", testenv.FreeAddr(t), "--temporal-listen", testenv.FreeAddr(t), "--codec-key-file", filepath.Join(tmp, "nope.key")}, exitError, "does not exist: create it"},
		{"corrupt codec key", nil, []string{"bootstrap", "--data-dir", fresh(), "--listen", testenv.FreeAddr(t), "--temporal-listen", testenv.FreeAddr(t), "--codec-key-file", corruptKey}, exitError, "is corrupt: line 1 is not base64"},
		{"short codec key", nil, []string{"bootstrap", "--data-dir", fresh(), "--listen", testenv.FreeAddr(t), "--temporal-listen", testenv.FreeAddr(t), "--codec-key-file", shortKey}, exitError, "holds a 5-byte key, want 32"},
		{"unreachable external temporal", nil, []string{"bootstrap", "--data-dir", fresh(), "--listen", testenv.FreeAddr(t), "--temporal-address", testenv.FreeAddr(t)}, exitError, "cannot reach Temporal at"},
		{"tls cert without key", nil, []string{"bootstrap", "--data-dir", fresh(), "--listen", testenv.FreeAddr(t), "--temporal-address", testenv.FreeAddr(t), "--temporal-tls-cert", aFile}, exitError, "--temporal-tls-cert and --temporal-tls-key go together"},
		{"tls ca missing", nil, []string{"bootstrap", "--data-dir", fresh(), "--listen", testenv.FreeAddr(t), "--temporal-address", testenv.FreeAddr(t), "--temporal-tls-ca", filepath.Join(tmp, "no-ca.pem")}, exitError, "read --temporal-tls-ca"},
		{"tls ca not pem", nil, []string{"bootstrap", "--data-dir", fresh(), "--listen", testenv.FreeAddr(t), "--temporal-address", testenv.FreeAddr(t), "--temporal-tls-ca", aFile}, exitError, "holds no PEM certificate"},
		{"terraform bin missing", nil, []string{"bootstrap", "--terraform-bin", filepath.Join(tmp, "no-tofu")}, exitUsage, "cannot be run"},
		{"hetzner api not a URL", nil, []string{"bootstrap", "--hetzner-api-url", "api.hetzner.cloud"}, exitUsage, `--hetzner-api-url "api.hetzner.cloud": give an http(s) URL`},
		{"bad db sync", nil, []string{"bootstrap", "--temporal-db-sync", "off"}, exitUsage, "--temporal-db-sync \"off\": use full or normal"},
		{"manager checks too often", nil, []string{"manager", "--data-dir", fresh(), "--check-updates-every", "10s"}, exitUsage, "--check-updates-every 10s is too short"},
		{"manager ready timeout zero", nil, []string{"manager", "--data-dir", fresh(), "--ready-timeout", "0s"}, exitUsage, "--ready-timeout 0s must be positive"},
		{"manager alertmanager not a URL", nil, []string{"manager", "--data-dir", fresh(), "--alertmanager-url", "alertmanager:9093"}, exitUsage, `--alertmanager-url "alertmanager:9093" is not an http(s) URL`},
		{"manager webhook not http", nil, []string{"manager", "--data-dir", fresh(), "--alert-webhook-url", "ftp://hooks"}, exitUsage, `--alert-webhook-url "ftp://hooks" is not an http(s) URL`},
		{"manager without cluster", nil, []string{"manager", "--data-dir", fresh(), "--listen", testenv.FreeAddr(t), "--kubeconfig", filepath.Join(tmp, "no-kubeconfig")}, exitError, "no Kubernetes cluster configured"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := run(t, append([]string{"KUBECONFIG=", "XDG_DATA_HOME=" + t.TempDir(), tofuOnPath()}, tc.env...), tc.args...)
			require.Equal(t, tc.code, code, "stderr: %s", stderr)
			require.Empty(t, stdout)
			requireOneLine(t, stderr, tc.want)
		})
	}
}

// A data dir that holds history but lost its codec key is refused: a new key
// would make that history unreadable.
func TestLostCodecKeyIsRefused(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	dataDir := t.TempDir()
	p := startOpenova(t, "bootstrap", dataDir)
	require.NoError(t, p.stop())
	require.NoError(t, os.Remove(filepath.Join(dataDir, "codec.key")))
	code, _, stderr := run(t, []string{tofuOnPath()}, "bootstrap", "--data-dir", dataDir, "--listen", testenv.FreeAddr(t), "--temporal-listen", testenv.FreeAddr(t))
	require.Equal(t, exitError, code)
	requireOneLine(t, stderr, "is missing but "+dataDir+" holds history encrypted with it: restore the key file")
}

// A second process on the same data dir is refused instead of sharing SQLite.
func TestDataDirInUseIsRefused(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	dataDir := t.TempDir()
	startOpenova(t, "bootstrap", dataDir)
	code, _, stderr := run(t, []string{tofuOnPath()}, "bootstrap", "--data-dir", dataDir, "--listen", testenv.FreeAddr(t), "--temporal-listen", testenv.FreeAddr(t))
	require.Equal(t, exitError, code)
	requireOneLine(t, stderr, "is in use by another openova process")
}

func requireOneLine(t *testing.T, stderr, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	require.Len(t, lines, 1, "want one line, got:\n%s", stderr)
	require.True(t, strings.HasPrefix(lines[0], "openova: "), lines[0])
	require.Contains(t, lines[0], want)
	require.NotContains(t, stderr, "goroutine ")
	require.NotContains(t, stderr, "panic")
}

// tofuOnPath is a PATH on which OpenTofu (from the tool cache) is found,
// as on an operator's machine: without it openova bootstrap warns at start
// (a Terraform elsewhere on PATH cannot encrypt the state), a second line.
func tofuOnPath() string {
	return "PATH=" + filepath.Join(testenv.RepoRoot(), ".cache", "bin") + string(os.PathListSeparator) + os.Getenv("PATH")
}
