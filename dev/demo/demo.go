package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	"github.com/openova-io/core/dev/testenv/standin"
	"github.com/openova-io/core/kube"
	"github.com/openova-io/core/web/auth"
)

// demo is a running `openova bootstrap` and its stand-ins.
type demo struct {
	h        *harness
	cloud    *standin.Cloud
	dir      string
	url      string
	password string
	logPath  string
	exited   chan error
}

// startOpenova starts `openova bootstrap` on a new data folder with a
// password the demo chose (its hash given as the admin password file, as
// a mounted Secret would be), the real OpenTofu from the provider mirror
// dev/dev.sh builds, the fake API and the S3 on loopback (plain http:
// --allow-http-fetch), and waits until it is ready.
func startOpenova(h *harness, c *standin.Cloud, bin, dir, listen, temporal string) (*demo, error) {
	d := &demo{h: h, cloud: c, dir: dir, url: "http://" + listen, logPath: filepath.Join(dir, "openova.log"), exited: make(chan error, 1)}
	pw := make([]byte, 18)
	_, _ = rand.Read(pw)
	d.password = base64.RawURLEncoding.EncodeToString(pw)
	phc, err := auth.Hash(d.password)
	if err != nil {
		return nil, fmt.Errorf("hash the admin password: %w", err)
	}
	hashFile := filepath.Join(dir, "admin.argon2id")
	if err := os.WriteFile(hashFile, []byte(phc+"\n"), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(d.logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "bootstrap", "--data-dir", filepath.Join(dir, "data"), "--listen", listen, "--temporal-listen", temporal,
		"--admin-password-hash-file", hashFile, "--terraform-bin", testenv.Bin(h, "tofu"), "--hetzner-api-url", c.API.URL(), "--allow-http-fetch")
	cmd.Env = os.Environ()
	for k, v := range testenv.TofuEnv(h) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	// The executable is also the manager's image the bootstrap pushes.
	cmd.Env = append(cmd.Env, "OPENOVA_BIN="+bin)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	done := make(chan struct{})
	go func() { d.exited <- cmd.Wait(); _ = logFile.Close(); close(done) }()
	h.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	for range 600 {
		select {
		case err := <-d.exited:
			return nil, fmt.Errorf("openova stopped before it was ready: %v; its log:\n%s", err, tail(d.logPath))
		default:
		}
		if resp, err := http.Get(d.url + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil, fmt.Errorf("openova was not ready after 2 minutes; its log: %s", d.logPath)
}

// banner says where to go and what to type.
func (d *demo) banner(w io.Writer) {
	fmt.Fprintf(w, `
openova demo: bootstrap mode with no cloud account; everything runs on this machine.

  Open            %s
  Sign in         user admin, password %s

  In the wizard:
  Hetzner token   %s
                  (the fake Hetzner Cloud API on loopback accepts only this one)
  Regions         any one or two of fsn1, nbg1, hel1, ash, hil, sin; keep the API port 6443
  State bucket    endpoint %s, bucket %s, region us-east-1,
                  access key %s, secret key %s

Each region's servers boot as API servers standing in for k3s, with real
Gitea and Flux; Crossplane and the kubelet are played. Once the clusters are
ready, the final page links the manager at https://127.0.0.1 (its CA is on
that page). openova's log: %s; each region's admin kubeconfig:
%s/clusters/<region>/kubeconfig
Stop with Ctrl-C.
`, d.url, d.password, d.cloud.API.Token(), d.cloud.S3URL, demoBucket, demoAccessKey, demoSecretKey, d.logPath, d.dir)
}

// watch boots each region once its first control-plane server exists.
func (d *demo) watch() {
	booted := map[string]bool{}
	for d.h.Context().Err() == nil {
		for r := range regions {
			if cp0 := d.cloud.ControlPlane(r); cp0 != "" && !booted[r] {
				booted[r] = true
				go d.boot(r, cp0)
			}
		}
		select {
		case <-d.h.Context().Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// boot stands in for region r's cluster: its API server, Ready nodes as
// their servers appear (the worker count is the user's), the substrate's
// charts, the manager's kubelet (which plays only where Flux applies the
// manager: the primary), and Crossplane's releases of the components the
// manager installs, Ready a few seconds after they appear.
func (d *demo) boot(r, cp0 string) {
	cfg := d.cloud.StartAPI(d.h, r, cp0)
	// The stand-in's admin kubeconfig, for a look from outside (kubectl).
	kdir := filepath.Join(d.dir, "clusters", r)
	if err := os.MkdirAll(kdir, 0o700); err != nil {
		d.h.Fatalf("make %s: %v", kdir, err)
	}
	if _, err := players.WriteKubeconfig(cfg, kdir); err != nil {
		d.h.Fatalf("write %s's kubeconfig: %v", r, err)
	}
	go d.cloud.PlaySubstrate(d.h, r, cfg)
	go d.cloud.PlayManager(d.h, r, cfg)
	kc, err := kube.NewClient(cfg)
	if err != nil {
		d.h.Fatalf("a client of %s's API server: %v", r, err)
	}
	players.PlayReleases(d.h, kc, activities.ManagerNamespace, 3*time.Second)
	var nodes []string
	for d.h.Context().Err() == nil {
		if now := d.cloud.Nodes(cp0); !slices.Equal(now, nodes) {
			nodes = now
			players.PlayCilium(d.h, cfg, nodes)
		}
		select {
		case <-d.h.Context().Done():
		case <-time.After(time.Second):
		}
	}
}

// tail is the end of a log file.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
