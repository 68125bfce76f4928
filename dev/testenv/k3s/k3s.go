// Package k3s stands in for the k3s cluster a bootstrap's servers would
// boot: it reads the cloud-init a control-plane server was created with
// (from the fake cloud API), takes the CAs it writes where k3s looks for
// pre-created ones (/var/lib/rancher/k3s/server/tls) and the names of its
// k3s tls-san, and starts envtest's kube-apiserver with a serving
// certificate signed by that CA for those names and the client CA it
// trusts, as k3s would. openova then reaches it with nothing but the
// kubeconfig it built itself.
package k3s

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

// tlsDir is where k3s finds pre-created CAs.
const tlsDir = "/var/lib/rancher/k3s/server/tls/"

// Node is what a server's cloud-init gives k3s.
type Node struct {
	Files  map[string]string
	TLSSAN []string
}

// ParseCloudInit reads the files a cloud-init writes and the k3s tls-san.
func ParseCloudInit(t testing.TB, userData string) Node {
	t.Helper()
	var ci struct {
		WriteFiles []struct{ Path, Encoding, Content string } `yaml:"write_files"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(userData), &ci))
	n := Node{Files: map[string]string{}}
	for _, f := range ci.WriteFiles {
		b, err := base64.StdEncoding.DecodeString(f.Content)
		require.NoError(t, err)
		n.Files[f.Path] = string(b)
	}
	var cfg struct {
		TLSSAN []string `yaml:"tls-san"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(n.Files["/etc/rancher/k3s/config.yaml"]), &cfg))
	n.TLSSAN = cfg.TLSSAN
	return n
}

// Start starts the API server the node would run, on ip:port. envtest's
// own clients sign in with an admin certificate it signs with the node's
// client CA, as k3s makes its own admin kubeconfig. It returns that admin
// config, for the players (dev/testenv/k3s/players) that do what k3s's
// Helm controller and the charts would on the node. Its HelmChart CRD is
// installed, as k3s's Helm controller registers it.
func Start(t testing.TB, userData, ip string, port int) *rest.Config {
	t.Helper()
	n := ParseCloudInit(t, userData)
	serverCA, clientCA := n.Files[tlsDir+"server-ca.crt"], n.Files[tlsDir+"client-ca.crt"]
	require.NotEmpty(t, serverCA, "the cloud-init writes the server CA")
	require.NotEmpty(t, clientCA, "the cloud-init writes the client CA")
	cert, key := sign(t, serverCA, n.Files[tlsDir+"server-ca.key"], server(n.TLSSAN))
	adminCert, adminKey := sign(t, clientCA, n.Files[tlsDir+"client-ca.key"], &x509.Certificate{
		Subject:     pkix.Name{CommonName: "k3s-admin", Organization: []string{"system:masters"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	saCert, saKey := serviceAccountSigner(t)
	dir := t.TempDir()
	for name, content := range map[string]string{"apiserver.crt": cert, "apiserver.key": key, "client-ca.crt": clientCA,
		"sa-signer.crt": saCert, "sa-signer.key": saKey} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
	env := kubeenv.Environment(filepath.Dir(testenv.Bin(t, "kube-apiserver")))
	srv := env.ControlPlane.GetAPIServer()
	srv.CertDir = dir
	srv.SecureServing.CA = []byte(serverCA)
	srv.SecureServing.Authn = &authn{caFile: filepath.Join(dir, "client-ca.crt"), cert: adminCert, key: adminKey}
	srv.SecureServing.ListenAddr.Address = ip
	srv.SecureServing.ListenAddr.Port = strconv.Itoa(port)
	// What the API server printed is the only account of why it stopped
	// before it was ready; envtest's error does not carry it.
	var stderr tail
	srv.Err = &stderr
	cfg, err := env.Start()
	require.NoError(t, err, "the API server's last output:\n%s", stderr.String())
	t.Cleanup(func() { _ = env.Stop() })
	// k3s's Helm controller registers HelmChart when the server starts.
	_, err = envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{CRDs: []*apiextv1.CustomResourceDefinition{HelmChartCRD(t)}, ErrorIfPathMissing: true})
	require.NoError(t, err)
	return cfg
}

// server is the API server's certificate for names, which k3s signs with
// the server CA on its first start.
func server(names []string) *x509.Certificate {
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "kube-apiserver"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, n := range append(names, "localhost") {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	return tmpl
}

// sign issues tmpl, with a new key, from the CA in PEM.
func sign(t testing.TB, caPEM, caKeyPEM string, tmpl *x509.Certificate) (certPEM, keyPEM string) {
	t.Helper()
	cb, _ := pem.Decode([]byte(caPEM))
	kb, _ := pem.Decode([]byte(caKeyPEM))
	require.NotNil(t, cb, "server CA certificate")
	require.NotNil(t, kb, "server CA key")
	ca, err := x509.ParseCertificate(cb.Bytes)
	require.NoError(t, err)
	caKey, err := x509.ParseECPrivateKey(kb.Bytes)
	require.NoError(t, err)
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
	require.NoError(t, err)
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
}

// serviceAccountSigner is the key pair k3s makes itself on the node.
func serviceAccountSigner(t testing.TB) (certPEM, keyPEM string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "service-accounts"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
}

// authn makes the API server trust the node's client CA and envtest's
// own clients sign in with the admin certificate.
type authn struct{ caFile, cert, key string }

func (a *authn) Configure(_ string, args *envtest.Arguments) error {
	args.Set("client-ca-file", a.caFile)
	return nil
}

func (a *authn) Start() error { return nil }

func (a *authn) AddUser(_ envtest.User, base *rest.Config) (*rest.Config, error) {
	cfg := rest.CopyConfig(base)
	cfg.CertData, cfg.KeyData = []byte(a.cert), []byte(a.key)
	return cfg, nil
}

func (a *authn) Stop() error { return nil }

// tail keeps the last 4 KiB written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (w *tail) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - 4096; over > 0 {
		w.buf = w.buf[over:]
	}
	return len(p), nil
}

func (w *tail) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
