package activities

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
)

// Gitea's serving certificate is signed by the region's cluster server CA
// and verifies against it for each name the caller gave (the load
// balancer's IP, gitea.<region>.<domain>, the gateway's private IP), and
// for no other; its key is its own.
func TestIssueServingCert(t *testing.T) {
	now := time.Now()
	pki, err := NewClusterPKI("acme-fsn1", now)
	require.NoError(t, err)
	other, err := NewClusterPKI("acme-nbg1", now)
	require.NoError(t, err)
	c := &Clusters{Now: func() time.Time { return now }}
	r := newActivityRun(c)
	hosts := []string{"203.0.113.10", "gitea.fsn1.example.com", "10.0.0.2"}
	var res ServingCertResult
	require.NoError(t, r.do(c.IssueServingCert, ServingCertInput{Cluster: "acme-fsn1", PKI: pki, Name: "gitea", Hosts: hosts}, &res))

	_, err = tls.X509KeyPair([]byte(res.Cert), []byte(res.Key.Reveal()))
	require.NoError(t, err, "the key is the certificate's")
	block, _ := pem.Decode([]byte(res.Cert))
	leaf, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	require.Equal(t, "gitea", leaf.Subject.CommonName)
	require.Equal(t, leaf.NotAfter, res.NotAfter)
	pool := func(ca string) *x509.CertPool {
		p := x509.NewCertPool()
		require.True(t, p.AppendCertsFromPEM([]byte(ca)))
		return p
	}
	for _, tc := range []struct {
		name, host string
		roots      *x509.CertPool
		ok         bool
	}{
		{"the load balancer's IP", hosts[0], pool(pki.ServerCA), true},
		{"its DNS name", hosts[1], pool(pki.ServerCA), true},
		{"the gateway's private IP", hosts[2], pool(pki.ServerCA), true},
		{"a name it was not issued for", "gitea.nbg1.example.com", pool(pki.ServerCA), false},
		{"the other region's CA", hosts[0], pool(other.ServerCA), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := leaf.Verify(x509.VerifyOptions{DNSName: tc.host, Roots: tc.roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}

	t.Run("bad requests", func(t *testing.T) {
		broken := pki
		broken.ServerCAKey = "not a key"
		for _, in := range []ServingCertInput{
			{Cluster: "acme-fsn1", PKI: pki, Name: "gitea"},
			{Cluster: "acme-fsn1", PKI: pki, Hosts: hosts},
			{Cluster: "acme-fsn1", PKI: pki, Name: "gitea", Hosts: []string{"not a host!"}},
			{Cluster: "acme-fsn1", PKI: broken, Name: "gitea", Hosts: hosts},
		} {
			err := r.do(c.IssueServingCert, in, &ServingCertResult{})
			var app *temporal.ApplicationError
			require.ErrorAs(t, err, &app)
			require.Equal(t, ErrInvalidServingCert, app.Type())
			require.True(t, app.NonRetryable())
		}
	})
}
