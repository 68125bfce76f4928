package activities

import (
	"errors"
	"fmt"
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

// guardGitTransport makes go-git's HTTP(S) transport, which is global,
// dial through netguard (no link-local or metadata address, after DNS)
// and stay on the repository's host. The scheme is left to Git.remote,
// which checks it against the Git's own policy.
func guardGitTransport() {
	guardGit.Do(func() {
		hc := &http.Client{Transport: netguard.Policy{AllowHTTP: true}.Transport(), CheckRedirect: sameHostRedirects}
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
