package terraform

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// k3sVersion is the contract's default release; its URL spells + as %2B.
const (
	k3sVersion     = "v1.34.1+k3s1"
	k3sVersionPath = "/v1.34.1%2Bk3s1/"
)

// fakeRelease serves a k3s release on loopback as GitHub's release
// downloads do: <version>/k3s, <version>/k3s-arm64 and the published
// sha256sum-<arch>.txt. The binaries are stand-ins; sums holds each
// sha256sum file's content, which a case may doctor.
type fakeRelease struct {
	*httptest.Server
	binaries map[string][]byte
	sums     map[string]string

	mu       sync.Mutex
	requests []string
}

func newFakeRelease(t *testing.T) *fakeRelease {
	t.Helper()
	r := &fakeRelease{binaries: map[string][]byte{
		"k3s": []byte("#!/bin/sh\necho k3s amd64\n"), "k3s-arm64": []byte("#!/bin/sh\necho k3s arm64\n"),
	}}
	r.sums = map[string]string{
		"amd64": sumLine(r.binaries["k3s"], "k3s") + sumLine([]byte("images"), "k3s-airgap-images-amd64.tar"),
		"arm64": sumLine([]byte("images"), "k3s-airgap-images-arm64.tar") + sumLine(r.binaries["k3s-arm64"], "k3s-arm64"),
	}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, req.RequestURI)
		r.mu.Unlock()
		// RequestURI as sent: the version must be escaped the way GitHub's URL is.
		name, ok := strings.CutPrefix(req.RequestURI, k3sVersionPath)
		if !ok {
			http.NotFound(w, req)
			return
		}
		if arch, ok := strings.CutPrefix(strings.TrimSuffix(name, ".txt"), "sha256sum-"); ok && r.sums[arch] != "" {
			_, _ = w.Write([]byte(r.sums[arch]))
			return
		}
		if b, ok := r.binaries[name]; ok {
			_, _ = w.Write(b)
			return
		}
		http.NotFound(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *fakeRelease) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...)
}

// sumLine is one line of sha256sum's output, as the release publishes it.
func sumLine(b []byte, name string) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]) + "  " + name + "\n"
}

// node is a temporary root for install-k3s.sh: a bin dir it installs into
// (OPENOVA_K3S_BIN_DIR) and stand-ins for uname -m (the architecture the
// case asks for, whatever the machine's) and systemctl (which logs its
// arguments), first on PATH.
type node struct {
	bin, fakes, systemctlLog string
}

func newNode(t *testing.T, machine string) node {
	t.Helper()
	dir := t.TempDir()
	n := node{bin: filepath.Join(dir, "usr-local-bin"), fakes: filepath.Join(dir, "fakes"), systemctlLog: filepath.Join(dir, "systemctl.log")}
	require.NoError(t, os.Mkdir(n.fakes, 0o755))
	for name, script := range map[string]string{
		"uname":     "#!/bin/sh\necho " + machine + "\n",
		"systemctl": "#!/bin/sh\necho \"$*\" >> '" + n.systemctlLog + "'\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(n.fakes, name), []byte(script), 0o755))
	}
	return n
}

// run runs the script as cloud-init would (bash SCRIPT ARGS...), in the node.
func (n node) run(t *testing.T, script string, args ...string) (exit int, stderr string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	cmd.Env = []string{"PATH=" + n.fakes + ":/usr/local/bin:/usr/bin:/bin", "OPENOVA_K3S_BIN_DIR=" + n.bin, "TMPDIR=" + t.TempDir()}
	var errb strings.Builder
	cmd.Stderr = &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), errb.String()
	}
	require.NoError(t, err)
	return 0, errb.String()
}

func (n node) systemctl(t *testing.T) []string {
	b, err := os.ReadFile(n.systemctlLog)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// installScript is the module's install-k3s.sh, as cloud-init writes it.
func installScript(t *testing.T) string {
	t.Helper()
	fsys, err := Module(Hetzner)
	require.NoError(t, err)
	b, err := fs.ReadFile(fsys, "install-k3s.sh")
	require.NoError(t, err, "the contract has an install script")
	path := filepath.Join(t.TempDir(), "install-k3s.sh")
	require.NoError(t, os.WriteFile(path, b, 0o755))
	return path
}

// install-k3s.sh run with bash against a release on loopback: it installs
// the binary of the node's architecture only when its SHA-256 is the one
// the release's sha256sum-<arch>.txt gives for that file, and starts the
// role's unit; otherwise it exits non-zero, says why, and leaves nothing
// installed and nothing started.
func TestInstallK3sScript_ChecksTheReleaseSHA256(t *testing.T) {
	script := installScript(t)
	tests := []struct {
		name, machine, role, version string
		url                          func(r *fakeRelease) string
		doctor                       func(r *fakeRelease)
		installs                     string // the binary installed as k3s; "" for none
		unit                         string
		requests                     []string
		refusal                      string
	}{
		{name: "amd64 server", machine: "x86_64", role: "server", installs: "k3s", unit: "k3s.service",
			requests: []string{k3sVersionPath + "sha256sum-amd64.txt", k3sVersionPath + "k3s"}},
		{name: "arm64 agent (Hetzner cax)", machine: "aarch64", role: "agent", installs: "k3s-arm64", unit: "k3s-agent.service",
			requests: []string{k3sVersionPath + "sha256sum-arm64.txt", k3sVersionPath + "k3s-arm64"}},
		{name: "binary is not the published one", machine: "x86_64", role: "server",
			doctor:  func(r *fakeRelease) { r.binaries["k3s"] = []byte("#!/bin/sh\necho tampered\n") },
			refusal: "is not the one sha256sum-amd64.txt of v1.34.1+k3s1 publishes"},
		{name: "published sum is another file's", machine: "x86_64", role: "server",
			doctor:  func(r *fakeRelease) { r.sums["amd64"] = sumLine(r.binaries["k3s"], "k3s-airgap-images-amd64.tar") },
			refusal: "has no single line for k3s"},
		{name: "two lines for the binary", machine: "x86_64", role: "server",
			doctor:  func(r *fakeRelease) { r.sums["amd64"] += sumLine([]byte("other"), "k3s") },
			refusal: "has no single line for k3s"},
		{name: "arm64 node checked against the amd64 line", machine: "aarch64", role: "agent",
			doctor:  func(r *fakeRelease) { r.sums["arm64"] = sumLine(r.binaries["k3s-arm64"], "k3s") },
			refusal: "has no single line for k3s-arm64"},
		{name: "binary missing", machine: "x86_64", role: "server",
			doctor:  func(r *fakeRelease) { delete(r.binaries, "k3s") },
			refusal: "the download of"},
		{name: "not a release tag", machine: "x86_64", role: "server", version: "v1.34.1+k3s1; reboot",
			refusal: "is not a k3s release tag"},
		{name: "not https", machine: "x86_64", role: "server", url: func(*fakeRelease) string { return "http://example.com/k3s" },
			refusal: "is not https"},
		{name: "unknown architecture", machine: "riscv64", role: "server", refusal: "architecture riscv64 is not supported"},
		{name: "unknown role", machine: "x86_64", role: "etcd", refusal: "role etcd is neither server nor agent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel := newFakeRelease(t)
			if tc.doctor != nil {
				tc.doctor(rel)
			}
			url, version := rel.URL, k3sVersion
			if tc.url != nil {
				url = tc.url(rel)
			}
			if tc.version != "" {
				version = tc.version
			}
			n := newNode(t, tc.machine)
			exit, stderr := n.run(t, script, tc.role, version, url)
			if tc.installs == "" {
				require.NotZero(t, exit, "refused: %s", stderr)
				require.Contains(t, stderr, "was NOT installed")
				require.Contains(t, stderr, tc.refusal)
				_, err := os.Stat(n.bin)
				require.True(t, os.IsNotExist(err), "nothing is installed")
				require.Empty(t, n.systemctl(t), "nothing is started")
				return
			}
			require.Zero(t, exit, stderr)
			require.Equal(t, tc.requests, rel.seen(), "the pinned release's checksums, then its binary")
			got, err := os.ReadFile(filepath.Join(n.bin, "k3s"))
			require.NoError(t, err)
			require.Equal(t, rel.binaries[tc.installs], got)
			st, err := os.Stat(filepath.Join(n.bin, "k3s"))
			require.NoError(t, err)
			require.Equal(t, fs.FileMode(0o755), st.Mode().Perm())
			link, err := os.Readlink(filepath.Join(n.bin, "kubectl"))
			require.NoError(t, err)
			require.Equal(t, "k3s", link)
			require.Equal(t, []string{"daemon-reload", "enable --now --no-block " + tc.unit}, n.systemctl(t))
		})
	}
}
