package worker

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/openova-io/core/worker/embedded"
)

// tlsConfig builds client TLS from the flags; an API key implies TLS.
func tlsConfig(cfg Config) (*tls.Config, error) {
	if cfg.TLSCert == "" && cfg.TLSKey == "" && cfg.TLSCA == "" && cfg.TLSServerName == "" && cfg.APIKey == "" {
		return nil, nil
	}
	conf := &tls.Config{ServerName: cfg.TLSServerName, MinVersion: tls.VersionTLS12}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("--temporal-tls-cert and --temporal-tls-key go together: give both or neither")
	}
	if cfg.TLSCert != "" {
		pair, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("load Temporal client certificate: %w", err)
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	if cfg.TLSCA != "" {
		pem, err := os.ReadFile(cfg.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("read --temporal-tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--temporal-tls-ca %s holds no PEM certificate", cfg.TLSCA)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// logAccess says how the embedded frontend can be reached: the client
// certificates it asks for off loopback (and the files the operator hands
// the temporal CLI), and the HTTP API when it is on.
func logAccess(log *slog.Logger, cfg Config, s *embedded.Server) {
	if pki := s.PKI(); pki != nil {
		log.Info("temporal frontend requires client certificates", "listen", cfg.Listen, "serverName", embedded.ServerName,
			"ca", pki.Path(embedded.CAFile), "operatorCert", pki.Path(embedded.OperatorCertFile), "operatorKey", pki.Path(embedded.OperatorKeyFile),
			"issuedNow", s.Issued())
	}
	if cfg.HTTPListen != "" {
		log.Info("temporal HTTP API listening", "addr", cfg.HTTPListen)
	}
}
