package embedded

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A fixed instant: nothing here reads the clock.
var pkiNow = time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC)

var pkiFiles = []string{CAFile, caKeyFile, ServerCertFile, serverKeyFile, OpenovaCertFile, OpenovaKeyFile, OperatorCertFile, OperatorKeyFile}

// readPKI reads every file of dir ("" for a missing one).
func readPKI(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range pkiFiles {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if !os.IsNotExist(err) {
			require.NoError(t, err)
		}
		out[f] = string(b)
	}
	return out
}

// EnsurePKI writes everything once, keeps what is good, and issues again
// only what a start cannot use; the operator's files survive restarts.
func TestEnsurePKI(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, dir string) // after a first start on 0.0.0.0 at pkiNow
		host    string
		at      time.Time
		issued  []string
		err     string
	}{
		{name: "restart keeps every file", host: "0.0.0.0", at: pkiNow.Add(24 * time.Hour)},
		{name: "new listen host: a server certificate with its name", host: "10.1.2.3", at: pkiNow, issued: []string{ServerCertFile}},
		{name: "a name as host", host: "temporal.internal", at: pkiNow, issued: []string{ServerCertFile}},
		{name: "a month before the end: leaves renewed, the CA kept", host: "0.0.0.0", at: pkiNow.Add(leafLifetime - 20*24*time.Hour),
			issued: []string{ServerCertFile, OpenovaCertFile, OperatorCertFile}},
		{name: "near the CA's end: all new", host: "0.0.0.0", at: pkiNow.Add(caLifetime - 24*time.Hour),
			issued: []string{CAFile, ServerCertFile, OpenovaCertFile, OperatorCertFile}},
		{name: "lost operator key", host: "0.0.0.0", at: pkiNow, issued: []string{OperatorCertFile},
			prepare: func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, OperatorKeyFile))) }},
		{name: "leaf of another CA", host: "0.0.0.0", at: pkiNow, issued: []string{OpenovaCertFile},
			prepare: func(t *testing.T, dir string) {
				other := t.TempDir()
				_, _, err := EnsurePKI(other, "0.0.0.0", pkiNow)
				require.NoError(t, err)
				for _, f := range []string{OpenovaCertFile, OpenovaKeyFile} {
					b, err := os.ReadFile(filepath.Join(other, f))
					require.NoError(t, err)
					require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o600))
				}
			}},
		{name: "corrupt CA is an error, never silently replaced", host: "0.0.0.0", at: pkiNow,
			prepare: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, CAFile), []byte("not PEM"), 0o600))
			}, err: "move the temporal-tls folder away to start a new CA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), PKIDir)
			_, issued, err := EnsurePKI(dir, "0.0.0.0", pkiNow)
			require.NoError(t, err)
			require.Equal(t, []string{CAFile, ServerCertFile, OpenovaCertFile, OperatorCertFile}, issued, "a first start issues all")
			if tc.prepare != nil {
				tc.prepare(t, dir)
			}
			before := readPKI(t, dir)
			p, issued, err := EnsurePKI(dir, tc.host, tc.at)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.issued, issued)
			after := readPKI(t, dir)
			for _, f := range pkiFiles {
				if f == CAFile || f == ServerCertFile || f == OpenovaCertFile || f == OperatorCertFile {
					require.Equal(t, !slices.Contains(tc.issued, f), before[f] == after[f], "%s kept", f)
				}
				st, err := os.Stat(filepath.Join(dir, f))
				require.NoError(t, err)
				require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
			}
			requireHandshake(t, p, tc.host, tc.at)
		})
	}
}

// requireHandshake checks the files fit together: the server certificate
// verifies for every name a client may dial, and a TLS handshake that
// requires a client certificate of the CA succeeds with openova's and the
// operator's pairs and fails without one.
func requireHandshake(t *testing.T, p PKI, host string, at time.Time) {
	t.Helper()
	roots := x509.NewCertPool()
	b, err := os.ReadFile(p.Path(CAFile))
	require.NoError(t, err)
	require.True(t, roots.AppendCertsFromPEM(b))
	server, err := tls.LoadX509KeyPair(p.Path(ServerCertFile), p.Path(serverKeyFile))
	require.NoError(t, err)
	names := []string{"localhost", "127.0.0.1", "::1"}
	if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
		names = append(names, host)
	}
	for _, n := range names {
		_, err := server.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: n, CurrentTime: at})
		require.NoError(t, err, "server certificate for %s", n)
	}
	serverConf := &tls.Config{Certificates: []tls.Certificate{server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: roots, Time: func() time.Time { return at }}
	for _, pair := range [][2]string{{OpenovaCertFile, OpenovaKeyFile}, {OperatorCertFile, OperatorKeyFile}, {}} {
		client := &tls.Config{RootCAs: roots, ServerName: ServerName, Time: func() time.Time { return at }}
		if pair[0] != "" {
			c, err := tls.LoadX509KeyPair(p.Path(pair[0]), p.Path(pair[1]))
			require.NoError(t, err)
			client.Certificates = []tls.Certificate{c}
		}
		err := handshake(t, serverConf, client)
		if pair[0] == "" {
			require.Error(t, err, "a client without a certificate is refused")
		} else {
			require.NoError(t, err, pair[0])
		}
	}
}

// handshake runs a TLS handshake over loopback TCP and returns the
// server's error (TLS 1.3 tells the client of a refusal only later).
func handshake(t *testing.T, server, client *tls.Config) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := tls.Dial("tcp", ln.Addr().String(), client)
		if err == nil {
			_, _ = c.Read(make([]byte, 1)) // until the server closes
			_ = c.Close()
		}
	}()
	conn, err := ln.Accept()
	require.NoError(t, err)
	s := tls.Server(conn, server)
	err = s.Handshake()
	_ = s.Close()
	<-done
	return err
}
