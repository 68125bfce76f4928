package players_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/k3s/players"
)

// TestPlayGitea: a gitea HelmChart whose values name the admin Secret and
// mount the TLS Secret where CERT_FILE points (as the bootstrap writes
// them), the Secrets applied after it: a real Gitea answers HTTPS on
// 127.0.0.2 at the given port with that certificate, signs that admin in
// and refuses a wrong password; the chart's Deployment is available and
// the HelmChart names its install job. The values' [git.config] reaches
// its app.ini with the mounted Secret's file, and so does the test's own
// app.ini section.
func TestPlayGitea(t *testing.T) {
	env := standIn(t)
	ns := env.Namespace
	port := testenv.FreePort(t)
	p := players.PlayGitea(t, env.Config, players.GiteaOptions{ListenIP: "127.0.0.2", Port: port, AppIni: "[proxy]\nPROXY_ENABLED = false\n"})
	applyHelmChart(t, env, "gitea", "gitea", "12.1.0", ns, map[string]any{
		"gitea": map[string]any{
			"admin": map[string]any{"existingSecret": "gitea-admin", "username": "", "password": ""},
			"config": map[string]any{"server": map[string]any{"PROTOCOL": "https", "HTTP_PORT": 3000,
				"CERT_FILE": "/etc/gitea-tls/tls.crt", "KEY_FILE": "/etc/gitea-tls/tls.key"},
				"git.config": map[string]any{"http.sslCAInfo": "/etc/gitea-tls/ca.crt"}},
		},
		"extraVolumes":               []any{map[string]any{"name": "tls", "secret": map[string]any{"secretName": "gitea-tls"}}},
		"extraContainerVolumeMounts": []any{map[string]any{"name": "tls", "mountPath": "/etc/gitea-tls", "readOnly": true}},
	})

	cs, err := kubernetes.NewForConfig(env.Config)
	require.NoError(t, err)
	ctx := context.Background()
	certPEM, keyPEM := selfSigned(t, "127.0.0.2")
	for _, s := range []*corev1.Secret{
		{ObjectMeta: metav1.ObjectMeta{Name: "gitea-admin", Namespace: ns}, StringData: map[string]string{"username": "region-admin", "password": "canary-Adm1n-password"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "gitea-tls", Namespace: ns}, Type: corev1.SecretTypeTLS,
			Data: map[string][]byte{corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM, "ca.crt": []byte("the other region's CA")}},
	} {
		_, err := cs.CoreV1().Secrets(ns).Create(ctx, s, metav1.CreateOptions{})
		require.NoError(t, err)
	}

	p.Wait(t, 3*time.Minute)
	inst := p.Instance()
	require.Equal(t, "https://"+net.JoinHostPort("127.0.0.2", strconv.Itoa(port)), inst.URL)
	require.DirExists(t, inst.Dir)
	ini, err := os.ReadFile(filepath.Join(inst.Dir, "app.ini"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\[git\.config\]\nhttp\.sslCAInfo = (\S+)$`).FindStringSubmatch(string(ini))
	require.NotNil(t, m, "the values' [git.config] is in app.ini:\n%s", ini)
	ca, err := os.ReadFile(m[1])
	require.NoError(t, err)
	require.Equal(t, "the other region's CA", string(ca), "git's CA file is the mounted Secret's ca.crt")
	require.Contains(t, string(ini), "[proxy]\nPROXY_ENABLED = false\n")

	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(certPEM))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	var me struct {
		Login   string
		IsAdmin bool `json:"is_admin"`
	}
	require.Equal(t, http.StatusOK, get(t, client, inst.URL+"/api/v1/user", "region-admin", "canary-Adm1n-password", &me))
	require.Equal(t, "region-admin", me.Login)
	require.True(t, me.IsAdmin)
	require.Equal(t, http.StatusUnauthorized, get(t, client, inst.URL+"/api/v1/user", "region-admin", "wrong-password", nil))
	require.NotContains(t, inst.Log(), "canary-Adm1n-password", "the admin's password is in no log line")

	d, err := cs.AppsV1().Deployments(ns).Get(ctx, "gitea", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, int32(1), d.Status.AvailableReplicas)
	require.Equal(t, "helm-install-gitea", helmChartInstalled(t, env, "gitea"))
}

func get(t *testing.T, c *http.Client, url, user, password string, into any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.SetBasicAuth(user, password)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	if into != nil && resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(into))
	}
	return resp.StatusCode
}

// selfSigned is a serving certificate for ip that is its own CA (what a
// client trusts it by).
func selfSigned(t *testing.T, ip string) (certPEM, keyPEM []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gitea"},
		IPAddresses: []net.IP{net.ParseIP(ip)}, NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})
}

// TestPlayCilium: the nodes Ready, Cilium's CRDs served, its agents on
// every node and its operator available; a second call changes nothing
// that was Ready.
func TestPlayCilium(t *testing.T) {
	env := standIn(t)
	nodes := []string{"players-cp-0", "players-worker-0"}
	players.PlayCilium(t, env.Config, nodes)
	players.PlayCilium(t, env.Config, nodes)
	cs, err := kubernetes.NewForConfig(env.Config)
	require.NoError(t, err)
	ctx := context.Background()
	for _, name := range nodes {
		n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		require.Equal(t, corev1.ConditionTrue, n.Status.Conditions[0].Status)
	}
	var ds *appsv1.DaemonSet
	ds, err = cs.AppsV1().DaemonSets(players.CiliumNamespace).Get(ctx, players.CiliumAgents, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, int32(2), ds.Status.NumberReady)
	op, err := cs.AppsV1().Deployments(players.CiliumNamespace).Get(ctx, players.CiliumOperator, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, int32(1), op.Status.AvailableReplicas)
	_, err = cs.Discovery().ServerResourcesForGroupVersion("cilium.io/v2")
	require.NoError(t, err, "Cilium's CRDs are served")
}
