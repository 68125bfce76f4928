package embedded

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// PKIDir is the data dir's folder of the frontend's mutual TLS files,
// written when --temporal-listen is not on loopback.
const PKIDir = "temporal-tls"

// Files of PKIDir. The operator's pair is for the temporal CLI; openova's
// own pair is used by its client and worker and by the server's system
// worker.
const (
	CAFile           = "ca.pem"
	caKeyFile        = "ca-key.pem"
	ServerCertFile   = "server.pem"
	serverKeyFile    = "server-key.pem"
	OpenovaCertFile  = "openova.pem"
	OpenovaKeyFile   = "openova-key.pem"
	OperatorCertFile = "operator.pem"
	OperatorKeyFile  = "operator-key.pem"
)

// ServerName is the name every client checks the frontend's certificate
// against, whatever address it dials (a wildcard bind has no name of its
// own).
const ServerName = "localhost"

// Lifetimes: a leaf is issued again on a start that finds it within renewBefore
// of its end, so a restart within a year keeps everything valid.
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 365 * 24 * time.Hour
	renewBefore  = 30 * 24 * time.Hour
)

// PKI is the frontend's certificate authority and the files it signed.
type PKI struct {
	Dir string
}

// Path is the full path of one of PKIDir's files.
func (p PKI) Path(name string) string { return filepath.Join(p.Dir, name) }

// ClientTLS is openova's own client configuration for the frontend.
func (p PKI) ClientTLS() (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(p.Path(OpenovaCertFile), p.Path(OpenovaKeyFile))
	if err != nil {
		return nil, fmt.Errorf("load openova's temporal client certificate: %w", err)
	}
	pool := x509.NewCertPool()
	b, err := os.ReadFile(p.Path(CAFile))
	if err != nil || !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("read temporal CA %s: %v", p.Path(CAFile), err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, ServerName: ServerName, MinVersion: tls.VersionTLS12}, nil
}

// EnsurePKI makes dir hold a CA, a server certificate valid for host (the
// listen host), localhost and loopback, and client certificates for openova
// and the operator, all 0600. What is there and still good at now is kept,
// so the operator's files stay valid across restarts; a leaf that is
// missing, near its end, not signed by the CA or (the server's) without a
// name it needs is issued again. It returns what it issued.
func EnsurePKI(dir, host string, now time.Time) (PKI, []string, error) {
	p := PKI{Dir: dir}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return p, nil, fmt.Errorf("create %s: %w", dir, err)
	}
	ca, caKey, err := loadPair(p.Path(CAFile), p.Path(caKeyFile))
	var issued []string
	if err != nil || !validAt(ca, now) {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return p, nil, fmt.Errorf("temporal CA in %s: %w: move the %s folder away to start a new CA (then hand the operator the new %s)", dir, err, PKIDir, OperatorCertFile)
		}
		if ca, caKey, err = issue(nil, nil, pkix.Name{CommonName: "openova temporal CA"}, nil, now, caLifetime); err != nil {
			return p, nil, err
		}
		if err := writePair(p.Path(CAFile), p.Path(caKeyFile), ca, caKey); err != nil {
			return p, nil, err
		}
		issued = append(issued, CAFile)
	}
	names := serverNames(host)
	leaves := []struct {
		cert, key string
		name      string
		dns       []string
		ips       []net.IP
		usage     x509.ExtKeyUsage
	}{
		{ServerCertFile, serverKeyFile, "openova temporal frontend", names.dns, names.ips, x509.ExtKeyUsageServerAuth},
		{OpenovaCertFile, OpenovaKeyFile, "openova", nil, nil, x509.ExtKeyUsageClientAuth},
		{OperatorCertFile, OperatorKeyFile, "operator", nil, nil, x509.ExtKeyUsageClientAuth},
	}
	for _, l := range leaves {
		cert, _, err := loadPair(p.Path(l.cert), p.Path(l.key))
		if err == nil && validAt(cert, now) && signedBy(cert, ca, now, l.usage) && covers(cert, l.dns, l.ips) {
			continue
		}
		tmpl := &x509.Certificate{DNSNames: l.dns, IPAddresses: l.ips, ExtKeyUsage: []x509.ExtKeyUsage{l.usage}}
		cert, key, err := issue(ca, caKey, pkix.Name{CommonName: l.name}, tmpl, now, leafLifetime)
		if err != nil {
			return p, nil, err
		}
		if err := writePair(p.Path(l.cert), p.Path(l.key), cert, key); err != nil {
			return p, nil, err
		}
		issued = append(issued, l.cert)
	}
	return p, issued, nil
}

type altNames struct {
	dns []string
	ips []net.IP
}

// serverNames are the frontend certificate's names: the listen host (a
// wildcard names nothing), localhost and both loopback addresses.
func serverNames(host string) altNames {
	n := altNames{dns: []string{ServerName}, ips: []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback}}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsUnspecified() && !slices.ContainsFunc(n.ips, ip.Equal) {
			n.ips = append(n.ips, ip)
		}
	} else if host != "" && host != ServerName {
		n.dns = append(n.dns, host)
	}
	return n
}

func validAt(c *x509.Certificate, now time.Time) bool {
	return !now.Before(c.NotBefore) && now.Add(renewBefore).Before(c.NotAfter)
}

func signedBy(c, ca *x509.Certificate, now time.Time, usage x509.ExtKeyUsage) bool {
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	_, err := c.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{usage}})
	return err == nil
}

func covers(c *x509.Certificate, dns []string, ips []net.IP) bool {
	for _, d := range dns {
		if !slices.Contains(c.DNSNames, d) {
			return false
		}
	}
	for _, ip := range ips {
		if !slices.ContainsFunc(c.IPAddresses, ip.Equal) {
			return false
		}
	}
	return true
}

// issue creates a key and a certificate for it, signed by ca (self-signed
// as a CA when ca is nil), valid from an hour before now (clocks differ a
// little) for lifetime.
func issue(ca *x509.Certificate, caKey *ecdsa.PrivateKey, subject pkix.Name, tmpl *x509.Certificate, now time.Time, lifetime time.Duration) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key for %s: %w", subject.CommonName, err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("serial for %s: %w", subject.CommonName, err)
	}
	if tmpl == nil {
		tmpl = &x509.Certificate{}
	}
	tmpl.SerialNumber, tmpl.Subject = serial, subject
	tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(lifetime)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	signer, signerKey := tmpl, key
	if ca == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign|x509.KeyUsageCRLSign
	} else {
		signer, signerKey = ca, caKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate for %s: %w", subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse certificate for %s: %w", subject.CommonName, err)
	}
	return cert, key, nil
}

func writePair(certPath, keyPath string, cert *x509.Certificate, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode key %s: %w", keyPath, err)
	}
	// The key first: a certificate without its key would be kept and fail.
	if err := writeFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})); err != nil {
		return err
	}
	return writeFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

// writeFile replaces path atomically with a 0600 file.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// loadPair reads a PEM certificate and its EC key; fs.ErrNotExist when
// either file is missing.
func loadPair(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		if _, serr := os.Stat(certPath); errors.Is(serr, fs.ErrNotExist) {
			return nil, nil, serr
		}
		if _, serr := os.Stat(keyPath); errors.Is(serr, fs.ErrNotExist) {
			return nil, nil, serr
		}
		return nil, nil, fmt.Errorf("%s with %s cannot be loaded: %w", filepath.Base(certPath), filepath.Base(keyPath), err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("%s is not an EC key", filepath.Base(keyPath))
	}
	return pair.Leaf, key, nil
}
