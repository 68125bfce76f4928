package image

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push pushes img to the repository ref (registry/owner/name, e.g.
// gitea.example.com:3000/openova/manager) by digest, never by a tag: the
// Deployment names the digest, and a tag could be moved under it. It
// returns the digest. auth nil is anonymous; transport nil is
// remote.DefaultTransport (the caller's carries the project CA).
//
// A push again after a crash is cheap and safe: the registry keeps the
// blobs it has, remote.Write sends only those missing, and the manifest
// is addressed by its content.
func Push(ctx context.Context, img v1.Image, ref string, auth authn.Authenticator, transport http.RoundTripper) (v1.Hash, error) {
	if img == nil {
		return v1.Hash{}, errors.New("no image to push: build it first (image.Build)")
	}
	repo, err := repository(ref)
	if err != nil {
		return v1.Hash{}, err
	}
	d, err := img.Digest()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("compute the image digest: %w", err)
	}
	if auth == nil {
		auth = authn.Anonymous
	}
	if transport == nil {
		transport = remote.DefaultTransport
	}
	dst := repo.Digest(d.String())
	if err := remote.Write(dst, img,
		remote.WithContext(ctx),
		remote.WithAuth(auth),
		remote.WithTransport(httpsOnly{transport}),
		remote.WithUserAgent("openova"),
	); err != nil {
		return v1.Hash{}, fmt.Errorf("push the manager image to %s: %w", dst, err)
	}
	return d, nil
}

// repository parses ref as a repository with its registry spelled out: no
// Docker Hub by default, and no tag or digest, which Push would ignore.
func repository(ref string) (name.Repository, error) {
	last := ref[strings.LastIndex(ref, "/")+1:]
	if strings.Contains(ref, "@") || strings.Contains(last, ":") {
		return name.Repository{}, fmt.Errorf("push to %q: name the repository alone (registry/owner/name), without a tag or digest; the image is pushed by its digest", ref)
	}
	if !strings.Contains(ref, "/") {
		return name.Repository{}, fmt.Errorf("push to %q: name the registry and the repository (registry/owner/name, e.g. gitea.example.com/openova/manager)", ref)
	}
	repo, err := name.NewRepository(ref, name.StrictValidation)
	if err != nil {
		return name.Repository{}, fmt.Errorf("push to %q: %w (name the repository as registry/owner/name, in lower case)", ref, err)
	}
	return repo, nil
}

// httpsOnly refuses plain HTTP to anything but loopback.
// go-containerregistry falls back to http for registries on private
// (RFC 1918) addresses, as a Gitea behind a private network is, and would
// send the registry token in clear to whoever answers on port 80 there.
// Loopback stays allowed: a registry on this machine (a test's) is not on
// the wire.
type httpsOnly struct{ next http.RoundTripper }

func (h httpsOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" && !isLoopback(r.URL.Hostname()) {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, fmt.Errorf("refused plain http to %s: the registry must serve https, or the token would travel in clear", r.URL.Host)
	}
	return h.next.RoundTrip(r)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
