// Package gitea starts real Gitea servers (built from source by dev/dev.sh
// into the tool cache) on loopback, each with its own folder, SQLite
// database and site admin, as the regions' Gitea of a bootstrap. A missing
// binary or module folder skips the test on a laptop and fails it when
// CI=true (testenv.Missing).
//
// The binary is built without Gitea's bindata tag (its embedded assets are
// generated, not part of the module), so it reads its templates and options
// (licences, .gitignore and README templates, locales) from
// [server] STATIC_ROOT_PATH. That is this version's folder in the module
// cache, `$(go env GOMODCACHE)/code.gitea.io/gitea@<version>`, the version
// being the one dev/tools/gitea/go.mod pins; `dev/dev.sh assets` downloads
// it on a fresh machine (go mod download) before it builds the binary.
package gitea

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/secret"
)

// Instance is one running Gitea server.
type Instance struct {
	// Name is what the test called it (a region's name).
	Name string
	// URL is its root URL, http(s)://<IP>:<port>/ without the slash.
	URL string
	// Username and Password are the site admin's.
	Username string
	Password secret.Text
	// Dir holds its app.ini, database, repositories and log.
	Dir string
	// Started is how long it took from exec to the API answering.
	Started time.Duration

	cmd    *exec.Cmd
	appIni string
	begin  time.Time
	done   chan error
	tls    *TLS
	client *http.Client // trusts tls.CA (or pins tls.Cert) when it serves HTTPS
	ip     string
}

// TLS makes a server serve HTTPS, as a region's Gitea does, with Cert and
// Key (PEM). CA is what the harness verifies it by while it waits for the
// server to answer; without CA it accepts exactly Cert (a player that
// serves a certificate from a Secret knows no CA).
type TLS struct {
	Cert string
	Key  string
	CA   string
}

// Start starts one Gitea server per name, in parallel, and stops them when
// the test ends. Each is ready (the API answers, the admin exists) on return.
// Tests that can share servers (each in its own organization) use Shared.
func Start(t testing.TB, names ...string) []*Instance {
	t.Helper()
	return startWith(t, nil, names)
}

// StartTLS is Start with servers on HTTPS (URL https://127.0.0.1:<port>).
func StartTLS(t testing.TB, cfg TLS, names ...string) []*Instance {
	t.Helper()
	return startWith(t, &cfg, names)
}

func startWith(t testing.TB, cfg *TLS, names []string) []*Instance {
	t.Helper()
	bin := testenv.Bin(t, "gitea")
	static := StaticRoot(t)
	out, err := start(bin, static, names, cfg)
	t.Cleanup(func() {
		for _, inst := range out {
			if err := inst.remove(); err != nil {
				t.Errorf("stop gitea %s: %v", inst.Name, err)
			}
		}
	})
	require.NoError(t, err)
	return out
}

// start starts a server per name on 127.0.0.1 (see startServers).
func start(bin, static string, names []string, cfg *TLS) ([]*Instance, error) {
	servers := make([]Server, len(names))
	for i, name := range names {
		servers[i] = Server{Name: name, TLS: cfg}
	}
	return startServers(bin, static, servers)
}

// StaticRoot is the module folder of the Gitea version dev/tools/gitea
// pins, where the binary finds its templates and options.
func StaticRoot(t testing.TB) string {
	t.Helper()
	modFile := filepath.Join(testenv.RepoRoot(), "dev", "tools", "gitea", "go.mod")
	b, err := os.ReadFile(modFile)
	require.NoError(t, err)
	var version string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "require" && f[1] == "code.gitea.io/gitea" {
			version = f[2]
		}
	}
	require.NotEmpty(t, version, "%s pins code.gitea.io/gitea", modFile)
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	require.NoError(t, err, "go env GOMODCACHE")
	dir := filepath.Join(strings.TrimSpace(string(cache)), "code.gitea.io", "gitea@"+version)
	if _, err := os.Stat(filepath.Join(dir, "templates")); err != nil {
		testenv.Missing(t, "gitea %s's module folder (its templates) is not in the module cache: run dev/dev.sh assets", version)
	}
	return dir
}

func (i *Instance) start(bin, static string, port int) error {
	host := net.JoinHostPort(i.ip, strconv.Itoa(port))
	i.URL = "http://" + host
	var tlsFiles []string
	if i.tls != nil {
		i.URL = "https://" + host
		tlsFiles = []string{filepath.Join(i.Dir, "tls.crt"), filepath.Join(i.Dir, "tls.key")}
		if err := os.WriteFile(tlsFiles[0], []byte(i.tls.Cert), 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(tlsFiles[1], []byte(i.tls.Key), 0o600); err != nil {
			return err
		}
	}
	ini, err := appIni(i.Dir, static, i.ip, port, tlsFiles...)
	if err != nil {
		return err
	}
	if i.appIni != "" {
		ini += "\n" + i.appIni + "\n"
	}
	if err := os.WriteFile(i.config(), []byte(ini), 0o600); err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(i.Dir, "stdout.log"))
	if err != nil {
		return err
	}
	i.cmd = exec.Command(bin, "web", "--config", i.config())
	i.cmd.Env = i.env()
	i.cmd.Stdout, i.cmd.Stderr = logFile, logFile
	// The server dies with the test binary even if it is killed before
	// its cleanups run.
	i.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	i.begin = time.Now()
	if err := i.cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("start gitea %s: %w", i.Name, err)
	}
	i.done = make(chan error, 1)
	go func() { i.done <- i.cmd.Wait(); _ = logFile.Close() }()
	return nil
}

func (i *Instance) config() string { return filepath.Join(i.Dir, "app.ini") }

// env runs Gitea as the test's user; a test run as root (CI here) must say
// so, or Gitea refuses to start. The machine's GIT_* variables are left
// out, as a pod has none: this machine sets GIT_SSL_CAINFO, which would
// override the http.sslCAInfo of the chart's [git.config].
func (i *Instance) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	env = append(env, "GITEA_WORK_DIR="+i.Dir, "HOME="+filepath.Join(i.Dir, "home"))
	if os.Geteuid() == 0 {
		env = append(env, "GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true")
	}
	return env
}

// waitReady waits for the API to answer (SQLite migrated, routes up), or
// fails at once with the log if the server exits.
func (i *Instance) waitReady() error {
	deadline := time.Now().Add(2 * time.Minute)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for time.Now().Before(deadline) {
		select {
		case err := <-i.done:
			i.done <- err
			return fmt.Errorf("gitea %s exited before answering (%v); its log:\n%s", i.Name, err, i.Log())
		case <-tick.C:
		}
		resp, err := i.client.Get(i.URL + "/api/v1/version")
		if err != nil {
			last = err
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			i.Started = time.Since(i.begin)
			return nil
		}
		last = fmt.Errorf("GET /api/v1/version: %s", resp.Status)
	}
	return fmt.Errorf("gitea %s did not answer on %s within 2 minutes (%v); its log:\n%s", i.Name, i.URL, last, i.Log())
}

// createAdmin makes the site admin the way an operator (or the chart's
// init container) does: the gitea CLI against the instance's database.
func (i *Instance) createAdmin(bin string) error {
	cmd := exec.Command(bin, "admin", "user", "create", "--config", i.config(), "--admin",
		"--username", i.Username, "--password", i.Password.Reveal(), "--email", i.Username+"@example.invalid",
		"--must-change-password=false")
	cmd.Env = i.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("gitea admin user create on %s: %w: %s", i.Name, err, strings.ReplaceAll(string(out), i.Password.Reveal(), secret.Masked))
	}
	return nil
}

// Stop ends the server (SIGTERM, then SIGKILL if it has not exited within
// 30 s) and waits for it.
func (i *Instance) Stop() error {
	if i.cmd == nil || i.cmd.Process == nil {
		return nil
	}
	_ = i.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-i.done:
	case <-time.After(30 * time.Second):
		_ = i.cmd.Process.Kill()
		<-i.done
	}
	i.cmd = nil
	return nil
}

// Get reads an API path (e.g. /api/v1/version) as the site admin, with a
// client that trusts the server's TLS; it returns the status and body.
func (i *Instance) Get(path string) (int, string, error) { return i.Do(http.MethodGet, path, "") }

// Do sends a JSON body (none when empty) to an API path as the site admin,
// as Get does.
func (i *Instance) Do(method, path, body string) (int, string, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, i.URL+path, r)
	if err != nil {
		return 0, "", err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth(i.Username, i.Password.Reveal())
	resp, err := i.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// Log is the server's log so far (its stdout and the file log).
func (i *Instance) Log() string {
	var b strings.Builder
	for _, name := range []string{"stdout.log", filepath.Join("log", "gitea.log")} {
		f, err := os.Open(filepath.Join(i.Dir, name))
		if err != nil {
			continue
		}
		s := bufio.NewScanner(f)
		s.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for s.Scan() {
			b.WriteString(s.Text() + "\n")
		}
		_ = f.Close()
	}
	return b.String()
}

// remove stops the server and deletes its folder.
func (i *Instance) remove() error {
	err := i.Stop()
	if rmErr := os.RemoveAll(i.Dir); err == nil {
		err = rmErr
	}
	return err
}

func random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
