package activities

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/openova-io/core/secret"
)

// Certificate lifetimes: CAs for ten years, the admin certificate for one
// (a platform rotates it through the manager).
const (
	caLifetime    = 10 * 365 * 24 * time.Hour
	adminLifetime = 365 * 24 * time.Hour
)

// NewClusterPKI generates the CAs and the admin certificate of one cluster.
func NewClusterPKI(cluster string, now time.Time) (ClusterPKI, error) {
	serverCA, serverKey, err := newCA(cluster+"-server-ca", now)
	if err != nil {
		return ClusterPKI{}, err
	}
	clientCA, clientKey, err := newCA(cluster+"-client-ca", now)
	if err != nil {
		return ClusterPKI{}, err
	}
	p := ClusterPKI{ServerCA: certPEM(serverCA), ServerCAKey: secret.Text(keyPEM(serverKey)), ClientCA: certPEM(clientCA), ClientCAKey: secret.Text(keyPEM(clientKey))}
	if p.Admin, p.AdminKey, err = adminCert(p, now); err != nil {
		return ClusterPKI{}, err
	}
	return p, nil
}

// adminCert signs a cluster-admin client certificate (system:masters)
// with p's client CA, valid for adminLifetime from now.
func adminCert(p ClusterPKI, now time.Time) (string, secret.Text, error) {
	ca, caKey, err := parsePair(p.ClientCA, p.ClientCAKey.Reveal())
	if err != nil {
		return "", "", err
	}
	admin, key, err := sign(ca, caKey, &x509.Certificate{
		Subject:   pkix.Name{CommonName: "openova-admin", Organization: []string{"system:masters"}},
		NotBefore: now.Add(-time.Minute), NotAfter: now.Add(adminLifetime),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return "", "", err
	}
	return certPEM(admin), secret.Text(keyPEM(key)), nil
}

// ServingCert signs an API server certificate for the addresses with p's
// server CA (k3s does this itself on the node; tests standing in for it
// use this).
func ServingCert(p ClusterPKI, hosts []string, now time.Time) (certPEMText, keyPEMText string, err error) {
	return servingCert(p, "kube-apiserver", hosts, now)
}

// servingCert signs a serving certificate named cn for the hosts (IP
// addresses and DNS names) with p's server CA, valid for a year.
func servingCert(p ClusterPKI, cn string, hosts []string, now time.Time) (certPEMText, keyPEMText string, err error) {
	ca, caKey, err := parsePair(p.ServerCA, p.ServerCAKey.Reveal())
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(adminLifetime),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	cert, key, err := sign(ca, caKey, tmpl)
	if err != nil {
		return "", "", err
	}
	return certPEM(cert), keyPEM(key), nil
}

// Kubeconfig is the admin kubeconfig of the cluster at endpoint
// (https://host:port), trusting p's server CA.
func Kubeconfig(p ClusterPKI, cluster, endpoint string) ([]byte, error) {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[cluster] = &clientcmdapi.Cluster{Server: endpoint, CertificateAuthorityData: []byte(p.ServerCA)}
	cfg.AuthInfos["openova-admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: []byte(p.Admin), ClientKeyData: []byte(p.AdminKey)}
	cfg.Contexts[cluster] = &clientcmdapi.Context{Cluster: cluster, AuthInfo: "openova-admin"}
	cfg.CurrentContext = cluster
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig of %s: %w", cluster, err)
	}
	return b, nil
}

func newCA(name string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("CA key: %w", err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: name}, NotBefore: now.Add(-time.Minute),
		NotAfter: now.Add(caLifetime), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("CA %s: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func sign(ca *x509.Certificate, caKey *ecdsa.PrivateKey, tmpl *x509.Certificate) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("key: %w", err)
	}
	tmpl.SerialNumber = serial()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("certificate %s: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func certPEM(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

func keyPEM(k *ecdsa.PrivateKey) string {
	der, _ := x509.MarshalECPrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}

func parsePair(certText, keyText string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cb, _ := pem.Decode([]byte(certText))
	kb, _ := pem.Decode([]byte(keyText))
	if cb == nil || kb == nil {
		return nil, nil, fmt.Errorf("not a PEM certificate and key")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	return cert, key, err
}
