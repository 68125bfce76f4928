package gitea

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// TestStartServers: a server at the address, port, admin and certificate
// the test chose (as a player of the Gitea chart starts one), its
// certificate pinned without a CA: it answers HTTPS there, signs that
// admin in, and a client that trusts another certificate is refused.
func TestStartServers(t *testing.T) {
	cert, key := selfSigned(t, "127.0.0.3")
	port := testenv.FreePort(t)
	inst := StartServers(t, Server{Name: "pinned", IP: "127.0.0.3", Port: port, Username: "region-admin",
		Password: "canary-0ther-password", TLS: &TLS{Cert: cert, Key: key}})[0]
	require.Equal(t, "https://127.0.0.3:"+strconv.Itoa(port), inst.URL)
	require.Equal(t, "region-admin", inst.Username)
	getJSONWith(t, inst.client, inst.URL+"/api/v1/user", "region-admin", "canary-0ther-password", http.StatusOK)

	other, _ := selfSigned(t, "127.0.0.3")
	wrong, err := clientTLS("other", TLS{Cert: other})
	require.NoError(t, err)
	_, err = (&http.Client{Transport: &http.Transport{TLSClientConfig: wrong}}).Get(inst.URL + "/api/v1/version")
	require.ErrorContains(t, err, "does not present the certificate")
}

func getJSONWith(t *testing.T, c *http.Client, url, user, password string, status int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.SetBasicAuth(user, password)
	resp, err := c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, status, resp.StatusCode, url)
}

func selfSigned(t *testing.T, ip string) (certPEM, keyPEM string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "gitea"},
		IPAddresses: []net.IP{net.ParseIP(ip)}, NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
}
