package activities

import (
	"context"
	"fmt"
	"net"
	"time"

	"go.temporal.io/sdk/temporal"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/openova-io/core/secret"
)

// ServingCertInput asks for a TLS serving certificate of a service in a
// cluster (Gitea: Name "gitea", Hosts its load balancer's IP,
// gitea.<region>.<domain> and the gateway's private IP), signed by the
// cluster's server CA, which the bootstrap already trusts for the API
// server.
type ServingCertInput struct {
	Cluster string
	PKI     ClusterPKI
	// Name is the certificate's common name.
	Name string
	// Hosts are the IP addresses and DNS names it is valid for.
	Hosts []string
}

// ServingCertResult is the certificate and its key, in PEM.
type ServingCertResult struct {
	Cert     string
	Key      secret.Text
	NotAfter time.Time
}

// IssueServingCert signs a serving certificate with the cluster's server
// CA. The key is random, so the workflow calls it once per service and
// region and keeps the result in its (encrypted) history; a retry of a
// later step reuses it. It is valid for a year, like the admin
// certificate: the manager renews both.
func (c *Clusters) IssueServingCert(_ context.Context, in ServingCertInput) (ServingCertResult, error) {
	invalid := func(format string, args ...any) error {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("serving certificate %q of %s: ", in.Name, in.Cluster)+fmt.Sprintf(format, args...), ErrInvalidServingCert, nil)
	}
	if in.Name == "" || len(in.Hosts) == 0 {
		return ServingCertResult{}, invalid("a name and at least one host are required")
	}
	for _, h := range in.Hosts {
		if net.ParseIP(h) == nil && len(validation.IsDNS1123Subdomain(h)) > 0 {
			return ServingCertResult{}, invalid("%q is neither an IP address nor a DNS name", h)
		}
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	cert, key, err := servingCert(in.PKI, in.Name, in.Hosts, now())
	if err != nil {
		// parsePair's and x509's messages name no key material.
		return ServingCertResult{}, invalid("the cluster's server CA: %s", err)
	}
	leaf, _, err := parsePair(cert, key)
	if err != nil {
		return ServingCertResult{}, err
	}
	return ServingCertResult{Cert: cert, Key: secret.Text(key), NotAfter: leaf.NotAfter}, nil
}
