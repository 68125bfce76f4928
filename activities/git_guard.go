package activities

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/openova-io/core/netguard"
)

// boundAuth is basic auth bound to the origin its Secret names (the url
// key): Git.remote refuses a repository elsewhere, and SetAuth adds the
// credentials to no request for another origin, whatever a redirect or a
// changed spec.git.url says.
type boundAuth struct {
	*githttp.BasicAuth
	origin *url.URL
	// ca, when the Secret has ca.crt, is the PEM bundle the host's
	// certificate is verified with (a platform's own Gitea, signed by its
	// cluster CA), besides the system's roots.
	ca []byte
}

// SetAuth adds the credentials to r only when r goes to their origin.
func (a *boundAuth) SetAuth(r *http.Request) {
	if r.URL != nil && netguard.SameOrigin(a.origin, r.URL) {
		a.BasicAuth.SetAuth(r)
	}
}

// errOffOrigin is a redirect away from the repository's host.
type errOffOrigin struct{ from, to string }

func (e *errOffOrigin) Error() string {
	return fmt.Sprintf("the Git server at %s redirected to %s, another host: openova follows a repository only on the host it was given, "+
		"where its credentials belong; if the repository moved, set spec.git.url (and the url key of its credentials Secret) to its new address", e.from, e.to)
}

// sameHostRedirects refuses a redirect off the first request's origin
// (go-git would follow it without the credentials; openova does not
// follow it at all, since the repository's content and pushes belong to
// the host the operator named).
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) > 0 && !netguard.SameOrigin(via[0].URL, req.URL) {
		return &errOffOrigin{from: via[0].URL.Host, to: req.URL.Host}
	}
	return nil
}

var guardGit sync.Once

// gitRoots holds, per host, the roots a Git credentials Secret's ca.crt
// adds to the system's for that host only (trustGitCA): go-git's own
// CABundle option needs a bare *http.Transport, and its transport here is
// netguard's.
var gitRoots sync.Map // host name or address → *x509.CertPool

// trustGitCA makes host's certificates verify against the system's roots
// and the PEM bundle.
func trustGitCA(host string, pem []byte) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(pem)
	gitRoots.Store(host, pool)
}

// dialGitTLS is the Git transport's TLS dialer: netguard's dial, then
// crypto/tls's own verification of the chain and the host (a name or an
// address), against the roots trustGitCA gave that host, else the
// system's.
func dialGitTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	raw, err := netguard.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	if pool, ok := gitRoots.Load(host); ok {
		cfg.RootCAs = pool.(*x509.CertPool)
	}
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, err
	}
	return conn, nil
}

// guardGitTransport makes go-git's HTTP(S) transport, which is global,
// dial through netguard (no link-local or metadata address, after DNS)
// and stay on the repository's host. The scheme is left to Git.remote,
// which checks it against the Git's own policy.
func guardGitTransport() {
	guardGit.Do(func() {
		hc := &http.Client{Transport: netguard.Policy{AllowHTTP: true}.TransportWith(func(tr *http.Transport) { tr.DialTLSContext = dialGitTLS }), CheckRedirect: sameHostRedirects}
		t := githttp.NewClient(hc)
		client.InstallProtocol("http", t)
		client.InstallProtocol("https", t)
	})
}

// isRefusedDestination says whether err is a redirect or a destination
// openova refused: the URL must change, retrying cannot help.
func isRefusedDestination(err error) bool {
	var off *errOffOrigin
	var refused *netguard.Error
	return errors.As(err, &off) || errors.As(err, &refused)
}
