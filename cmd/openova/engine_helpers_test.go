package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/worker/codec"
	"github.com/openova-io/core/worker/embedded"
)

// engineListen is where a test's openova puts its Temporal frontend: host
// for --temporal-listen, and whether to turn the HTTP API on (next to it).
type engineListen struct {
	host string
	http bool
}

// startOpenovaListening starts `openova bootstrap` with its frontend on
// l.host (startOpenova always puts it on 127.0.0.1) and waits until it is
// ready, on other ports when a picked one was taken before the bind. The
// process's temporalAddr is the address a client dials; httpAPI is the HTTP
// API's ("" when off).
func startOpenovaListening(t *testing.T, dataDir string, l engineListen) (p *proc, httpAPI string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port := strconv.Itoa(testenv.FreePort(t))
		p = &proc{t: t, dataDir: dataDir, httpAddr: testenv.FreeAddr(t), temporalAddr: net.JoinHostPort("127.0.0.1", port),
			logPath: filepath.Join(t.TempDir(), "openova.log"), exited: make(chan struct{})}
		if ip := net.ParseIP(l.host); ip != nil && !ip.IsUnspecified() {
			p.temporalAddr = net.JoinHostPort(l.host, port)
		}
		args := []string{"bootstrap", "--data-dir", dataDir, "--listen", p.httpAddr, "--temporal-listen", net.JoinHostPort(l.host, port)}
		httpAPI = ""
		if l.http {
			httpPort := strconv.Itoa(testenv.FreePort(t))
			args = append(args, "--temporal-http-listen", net.JoinHostPort(l.host, httpPort))
			httpAPI = net.JoinHostPort("127.0.0.1", httpPort)
			if ip := net.ParseIP(l.host); ip != nil && !ip.IsUnspecified() {
				httpAPI = net.JoinHostPort(l.host, httpPort)
			}
		}
		logFile, err := os.Create(p.logPath)
		require.NoError(t, err)
		p.cmd = openovaCmd(context.Background(), nil, args...)
		p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
		require.NoError(t, p.cmd.Start())
		go func(p *proc) {
			p.exitErr = p.cmd.Wait()
			_ = logFile.Close()
			close(p.exited)
		}(p)
		t.Cleanup(func() { _ = p.stop() })
		err = p.waitReady()
		if err == nil {
			return p, httpAPI
		}
		if attempt < portAttempts && p.exitedOnBusyPort() {
			t.Logf("openova start %d: a port was taken before it bound it; starting again on other ports", attempt)
			continue
		}
		t.Fatal(err)
	}
}

// pkiPath is a file of the data dir's Temporal TLS folder.
func pkiPath(p *proc, name string) string {
	return filepath.Join(p.dataDir, embedded.PKIDir, name)
}

// certClient dials the process's frontend as a holder of the codec key, over
// TLS with the client pair cert/key (none when cert is "") when the data dir
// has a Temporal CA, in clear otherwise.
func certClient(t testing.TB, p *proc, cert, key string) (client.Client, error) {
	t.Helper()
	keys, err := codec.LoadKeyFile(filepath.Join(p.dataDir, "codec.key"))
	require.NoError(t, err)
	cd := codec.New(keys)
	opts := client.Options{HostPort: p.temporalAddr, Namespace: "default", DataConverter: cd.DataConverter(), FailureConverter: cd.FailureConverter()}
	if ca, err := os.ReadFile(pkiPath(p, embedded.CAFile)); err == nil {
		roots := x509.NewCertPool()
		require.True(t, roots.AppendCertsFromPEM(ca))
		conf := &tls.Config{RootCAs: roots, ServerName: embedded.ServerName, MinVersion: tls.VersionTLS12}
		if cert != "" {
			pair, err := tls.LoadX509KeyPair(cert, key)
			require.NoError(t, err)
			conf.Certificates = []tls.Certificate{pair}
		}
		opts.ConnectionOptions.TLS = conf
	}
	c, err := client.Dial(opts)
	if err == nil {
		t.Cleanup(c.Close)
	}
	return c, err
}

// operatorClient is certClient with the operator's generated pair.
func operatorClient(t testing.TB, p *proc) client.Client {
	t.Helper()
	c, err := certClient(t, p, pkiPath(p, embedded.OperatorCertFile), pkiPath(p, embedded.OperatorKeyFile))
	require.NoError(t, err)
	return c
}
