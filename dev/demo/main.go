// Command demo is `./dev/dev.sh demo`: openova's bootstrap mode with no
// cloud account. It runs `openova bootstrap` against what the end-to-end
// tests stand in for the outside world (dev/testenv/standin): the fake
// Hetzner Cloud API on loopback with the real OpenTofu and hcloud
// provider, S3 on loopback for the state, and, once the servers exist, an
// API server per region standing in for k3s with real Gitea and Flux and
// a played kubelet that runs the manager image the bootstrap pushed. It
// prints what to type in the wizard, then stands by until Ctrl-C.
//
// Each region's load balancer is a loopback address (fsn1 127.0.0.1,
// nbg1 127.0.0.2, ...) on the wizard's default ports: the API on 6443,
// Gitea on 3000 and the manager on 443.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv/standin"
)

// regions are the fake API's locations, each with its load balancer's
// loopback address.
var regions = map[string]string{"fsn1": "127.0.0.1", "nbg1": "127.0.0.2", "hel1": "127.0.0.3",
	"ash": "127.0.0.4", "hil": "127.0.0.5", "sin": "127.0.0.6"}

// The state bucket the demo's S3 holds, and its keys (any key is accepted).
const (
	demoBucket    = "openova-demo"
	demoAccessKey = "demo"
	demoSecretKey = "demo-secret"
)

func main() {
	openova := flag.String("openova", "", "the openova binary to run: a static Linux build, as it is also the manager's image")
	dir := flag.String("dir", filepath.Join(".cache", "demo"), "folder for the demo's run (emptied at start: the fake cloud starts empty too)")
	listen := flag.String("listen", "127.0.0.1:8080", "openova's HTTP address")
	temporal := flag.String("temporal-listen", "127.0.0.1:7233", "openova's embedded Temporal frontend")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := run(log, *openova, *dir, *listen, *temporal); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, openova, dir, listen, temporal string) error {
	if openova == "" {
		return errors.New("--openova is required: the openova binary to run (./dev/dev.sh demo builds it)")
	}
	if err := portsFree(); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("empty %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("make %s: %w", dir, err)
	}
	h := newHarness(log, filepath.Join(dir, "standins"))
	defer h.close()
	started := make(chan error, 1)
	var d *demo
	go func() { // stand-ins fail as tests do: by ending their goroutine
		defer func() {
			if d == nil {
				started <- errors.New("the stand-ins did not start (the log above says why)")
			}
		}()
		c := standin.New(h, standin.Options{Cloud: fakehcloud.Options{Token: newToken()}, LoadBalancers: regions,
			Bucket: demoBucket, APIPort: 6443, GiteaPort: activities.GiteaPort, ManagerPort: bootstrap.ManagerPort})
		dd, err := startOpenova(h, c, openova, dir, listen, temporal)
		if err != nil {
			started <- err
			return
		}
		d = dd
		started <- nil
		d.watch()
	}()
	if err := <-started; err != nil {
		return err
	}
	d.banner(os.Stdout)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	select {
	case <-stop:
		fmt.Println("stopping the demo")
		return nil
	case why := <-h.failures:
		return errors.New(why)
	case err := <-d.exited:
		return fmt.Errorf("openova stopped: %v (its log: %s)", err, d.logPath)
	}
}

// portsFree checks, before anything starts, that the load balancers'
// ports are free on their addresses, so a busy port is named up front
// instead of failing a region halfway through.
func portsFree() error {
	for _, ip := range regions {
		for _, port := range []int{6443, activities.GiteaPort, bootstrap.ManagerPort} {
			addr := net.JoinHostPort(ip, strconv.Itoa(port))
			l, err := net.Listen("tcp", addr)
			if err != nil {
				if errors.Is(err, syscall.EACCES) {
					return fmt.Errorf("the demo serves the manager on %s, as a load balancer would, and may not bind it: "+
						"run it as root, or allow ports from 443 up with sudo sysctl net.ipv4.ip_unprivileged_port_start=443", addr)
				}
				return fmt.Errorf("%s is taken (%v): the demo's load balancers use ports 6443, %d and %d on 127.0.0.1-6; stop what listens there",
					addr, err, activities.GiteaPort, bootstrap.ManagerPort)
			}
			_ = l.Close()
		}
	}
	return nil
}

// newToken is the one Hetzner API token the fake accepts: 64 characters,
// as the wizard checks.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
