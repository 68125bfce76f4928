package gitea

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/worker/ports"
)

// Server says how to start one server when the test, not the harness,
// decides where it listens, who its admin is and what certificate it
// serves: a player standing in for the Gitea chart's pod serves at the
// address of the region's load balancer, with the admin and certificate
// of the Secrets the bootstrap wrote. Zero fields take the harness's
// defaults.
type Server struct {
	Name string
	// IP is the address it listens on (default 127.0.0.1). All of
	// 127.0.0.0/8 is loopback on Linux, so each region's Gitea can have
	// an address of its own.
	IP string
	// Port defaults to a free one.
	Port int
	// Username and Password are the site admin's (default openova-admin
	// and a random password).
	Username string
	Password secret.Text
	// TLS makes it serve HTTPS (nil: HTTP).
	TLS *TLS
	// AppIni is appended to its app.ini: sections the harness does not
	// write (e.g. [git.config] and [proxy], which a chart's values set).
	AppIni string
}

// StartServers is Start with each server as described; they stop when the
// test ends.
func StartServers(t testing.TB, servers ...Server) []*Instance {
	t.Helper()
	bin := testenv.Bin(t, "gitea")
	static := StaticRoot(t)
	out, err := startServers(bin, static, servers)
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

// Launch starts one server and waits until it answers with its admin, like
// StartServers, but returns an error instead of failing a test: for a
// player that starts it from a goroutine of its own, where a test must not
// be failed with FailNow. bin is testenv.Bin(t, "gitea") and static
// StaticRoot(t), looked up beforehand on the test's goroutine (so a
// missing binary skips the test there). The caller Removes the instance,
// also after an error when it is not nil.
func Launch(bin, static string, s Server) (*Instance, error) {
	out, err := startServers(bin, static, []Server{s})
	if len(out) == 0 {
		return nil, err
	}
	return out[0], err
}

// Remove stops the server and deletes its folder.
func (i *Instance) Remove() error { return i.remove() }

// startServers starts the servers side by side and waits for each; on an
// error the ones it returns are still to be removed (they may be running).
func startServers(bin, static string, servers []Server) ([]*Instance, error) {
	out := make([]*Instance, 0, len(servers))
	picked := make([]int, 0, len(servers))
	for _, s := range servers {
		inst, port, err := newInstance(s)
		if err != nil {
			return out, err
		}
		out = append(out, inst)
		picked = append(picked, port)
	}
	errs := make(chan error, len(out))
	for i, inst := range out {
		go func() { errs <- inst.start(bin, static, picked[i]) }()
	}
	var first error
	for range out { // every start returns before any is removed
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return out, first
	}
	for _, inst := range out {
		if err := inst.waitReady(); err != nil {
			return out, err
		}
		if err := inst.createAdmin(bin); err != nil {
			return out, err
		}
	}
	return out, nil
}

// newInstance fills in the defaults of s and makes its folder.
func newInstance(s Server) (*Instance, int, error) {
	if s.IP == "" {
		s.IP = "127.0.0.1"
	}
	if s.Username == "" {
		s.Username = "openova-admin"
	}
	if s.Password == "" {
		p, err := random(16)
		if err != nil {
			return nil, 0, err
		}
		s.Password = secret.Text(p)
	}
	port := s.Port
	if port == 0 {
		p, err := ports.Pick()
		if err != nil {
			return nil, 0, err
		}
		port = p
	}
	client := http.DefaultClient
	if s.TLS != nil {
		cfg, err := clientTLS(s.Name, *s.TLS)
		if err != nil {
			return nil, 0, err
		}
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	}
	dir, err := os.MkdirTemp("", "gitea-"+s.Name+"-")
	if err != nil {
		return nil, 0, err
	}
	return &Instance{Name: s.Name, Dir: dir, Username: s.Username, Password: s.Password, tls: s.TLS, client: client, ip: s.IP, appIni: s.AppIni}, port, nil
}

// clientTLS is how the harness verifies the server while it waits for it:
// by the CA, or, without one, by the certificate itself (exactly those
// bytes: a pin, not a skipped check).
func clientTLS(name string, c TLS) (*tls.Config, error) {
	if c.CA != "" {
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(c.CA)) {
			return nil, fmt.Errorf("gitea %s: the TLS CA is not a PEM certificate", name)
		}
		return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, nil
	}
	b, _ := pem.Decode([]byte(c.Cert))
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("gitea %s: the TLS certificate is not PEM", name)
	}
	leaf := b.Bytes
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, //nolint:gosec // VerifyPeerCertificate pins the exact certificate
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || !bytes.Equal(raw[0], leaf) {
				return errors.New("the server does not present the certificate it was given")
			}
			return nil
		},
	}, nil
}
