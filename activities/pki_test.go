package activities

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/openova-io/core/dev/testenv"
)

func parseCert(t *testing.T, text string) *x509.Certificate {
	b, _ := pem.Decode([]byte(text))
	require.NotNil(t, b)
	c, err := x509.ParseCertificate(b.Bytes)
	require.NoError(t, err)
	return c
}

// The generated PKI holds together: the admin certificate chains to the
// client CA as a system:masters client, a serving certificate for the
// endpoint chains to the server CA, and the kubeconfig built from them
// reaches an HTTPS server that trusts exactly these CAs (client-go's
// discovery over mutual TLS). The real kube-apiserver standing in for the
// new cluster comes with the Bootstrap workflow's end-to-end test.
func TestClusterPKIAndKubeconfig(t *testing.T) {
	now := time.Now()
	p, err := NewClusterPKI("acme-eu", now)
	require.NoError(t, err)
	serverCA, clientCA, admin := parseCert(t, p.ServerCA), parseCert(t, p.ClientCA), parseCert(t, p.Admin)
	require.True(t, serverCA.IsCA)
	require.True(t, clientCA.IsCA)
	require.NotEqual(t, serverCA.Subject, clientCA.Subject)
	require.Equal(t, []string{"system:masters"}, admin.Subject.Organization)
	clients := x509.NewCertPool()
	clients.AddCert(clientCA)
	_, err = admin.Verify(x509.VerifyOptions{Roots: clients, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)
	servers := x509.NewCertPool()
	servers.AddCert(serverCA)
	_, err = admin.Verify(x509.VerifyOptions{Roots: servers, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.Error(t, err, "the server CA does not vouch for clients")

	certText, keyText, err := ServingCert(p, []string{"127.0.0.1", "api.acme.example"}, now)
	require.NoError(t, err)
	pair, err := tls.X509KeyPair([]byte(certText), []byte(keyText))
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "openova-admin", r.TLS.PeerCertificates[0].Subject.CommonName)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"major":"1","minor":"35","gitVersion":"v1.35.4+k3s1"}`))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: clients, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	kc, err := Kubeconfig(p, "acme-eu", srv.URL)
	require.NoError(t, err)
	rc, err := clientcmd.RESTConfigFromKubeConfig(kc)
	require.NoError(t, err)
	dc, err := discovery.NewDiscoveryClientForConfig(rc)
	require.NoError(t, err)
	v, err := dc.ServerVersion()
	require.NoError(t, err)
	require.Equal(t, "v1.35.4+k3s1", v.GitVersion)

	other, err := NewClusterPKI("acme-us", now)
	require.NoError(t, err)
	okc, err := Kubeconfig(other, "acme-us", srv.URL)
	require.NoError(t, err)
	orc, err := clientcmd.RESTConfigFromKubeConfig(okc)
	require.NoError(t, err)
	odc, err := discovery.NewDiscoveryClientForConfig(orc)
	require.NoError(t, err)
	_, err = odc.ServerVersion()
	require.Error(t, err, "another cluster's kubeconfig is refused")
}

// A real kube-apiserver (envtest's, with Debian's etcd) started with the
// certificates the PKI generated, as k3s would use them: the admin
// kubeconfig built from the endpoint reaches it as cluster-admin.
func TestKubeconfigReachesAnAPIServerStartedWithThePKI(t *testing.T) {
	bin := testenv.Bin(t, "kube-apiserver")
	p, err := NewClusterPKI("acme-eu", time.Now())
	require.NoError(t, err)
	dir := t.TempDir()
	cert, key, err := ServingCert(p, []string{"127.0.0.1", "localhost"}, time.Now())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "apiserver.crt"), []byte(cert), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "apiserver.key"), []byte(key), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "openova-client-ca.crt"), []byte(p.ClientCA), 0o600))
	// The service-account signing pair, which k3s makes itself on the node.
	sa, saKey, err := newCA("service-accounts", time.Now())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sa-signer.crt"), []byte(certPEM(sa)), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sa-signer.key"), []byte(keyPEM(saKey)), 0o600))
	env := &envtest.Environment{BinaryAssetsDirectory: filepath.Dir(bin)}
	api := env.ControlPlane.GetAPIServer()
	api.CertDir = dir
	api.SecureServing.CA = []byte(p.ServerCA) // what envtest's own clients trust
	api.SecureServing.Authn = &pkiAuthn{caFile: filepath.Join(dir, "openova-client-ca.crt"), pki: p}
	_, err = env.Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = env.Stop() })
	require.NotNil(t, api.SecureServing.ListenAddr.Port)
	endpoint := "https://127.0.0.1:" + api.SecureServing.ListenAddr.Port
	kc, err := Kubeconfig(p, "acme-eu", endpoint)
	require.NoError(t, err)
	rc, err := clientcmd.RESTConfigFromKubeConfig(kc)
	require.NoError(t, err)
	cs, err := kubernetes.NewForConfig(rc)
	require.NoError(t, err)
	v, err := cs.Discovery().ServerVersion()
	require.NoError(t, err)
	require.NotEmpty(t, v.GitVersion)
	ns, err := cs.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err, "the admin certificate is cluster-admin")
	require.NotEmpty(t, ns.Items)
}

// pkiAuthn makes envtest's API server trust the generated client CA, and
// envtest's own clients sign in with the generated admin certificate.
type pkiAuthn struct {
	caFile string
	pki    ClusterPKI
}

func (a *pkiAuthn) Configure(_ string, args *envtest.Arguments) error {
	args.Set("client-ca-file", a.caFile)
	return nil
}

func (a *pkiAuthn) Start() error { return nil }

func (a *pkiAuthn) AddUser(_ envtest.User, base *rest.Config) (*rest.Config, error) {
	cfg := rest.CopyConfig(base)
	cfg.CertData, cfg.KeyData = []byte(a.pki.Admin), []byte(a.pki.AdminKey)
	return cfg, nil
}

func (a *pkiAuthn) Stop() error { return nil }
