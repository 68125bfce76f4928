package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/image"
)

// ManagerImageName is the repository, under the organization, that holds
// the manager's image in each region's Gitea registry.
const ManagerImageName = "openova"

// PushManagerImageInput asks to push the manager's image, built for the
// nodes' platform, into a region's Gitea container registry under Org.
type PushManagerImageInput struct {
	Gitea GiteaEndpoint
	Org   string
	// OS and Architecture are the nodes' (linux, amd64 or arm64).
	OS, Architecture string
}

// PushManagerImageResult is where the image is: Repository (registry
// host:port/org/openova, no tag) and Digest, which the Deployment names.
type PushManagerImageResult struct {
	Repository string
	Digest     string
}

// PushManagerImage builds the manager's image from this executable
// (package image: reproducible, so a retry after kill -9 builds the same
// digest) and pushes it by digest into the Gitea's registry as its site
// admin. A push again sends only the blobs the registry lacks. A binary
// that cannot be the image (dynamically linked, or for other nodes'
// architecture) is refused non-retryably with what to do: a retry could
// not change the binary.
func (g *Gitea) PushManagerImage(ctx context.Context, in PushManagerImageInput) (PushManagerImageResult, error) {
	u, err := url.Parse(in.Gitea.URL)
	if err != nil || u.Host == "" || in.Org == "" {
		return PushManagerImageResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("manager image for gitea %s: the Gitea URL and the organization are required", in.Gitea.Region), ErrGiteaInvalidInput, nil)
	}
	bin := g.ManagerBinary
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return PushManagerImageResult{}, fmt.Errorf("find this executable: %w", err)
		}
	}
	heartbeat(ctx, "building the manager's image")
	img, err := image.Build(image.Options{Binary: bin, OS: in.OS, Architecture: in.Architecture})
	if err != nil {
		return PushManagerImageResult{}, temporal.NewNonRetryableApplicationError("build the manager's image: "+err.Error(), ErrManagerImage, nil)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	if in.Gitea.CA != "" {
		if transport.TLSClientConfig, err = in.Gitea.tlsConfig(); err != nil {
			return PushManagerImageResult{}, err
		}
	}
	repo := u.Host + "/" + strings.ToLower(in.Org) + "/" + ManagerImageName
	heartbeat(ctx, "pushing the manager's image to "+repo)
	auth := &authn.Basic{Username: in.Gitea.Username, Password: in.Gitea.Password.Reveal()}
	digest, err := image.Push(ctx, img, repo, auth, transport)
	if err != nil {
		msg := g.scrub(err, in.Gitea.Password)
		if strings.Contains(msg, "UNAUTHORIZED") || strings.Contains(msg, "401") {
			return PushManagerImageResult{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("gitea %s refused the site admin's credentials for its registry: %s", in.Gitea.Region, msg), ErrGiteaAuth, nil)
		}
		return PushManagerImageResult{}, errors.New("push the manager's image to gitea " + in.Gitea.Region + ": " + msg)
	}
	return PushManagerImageResult{Repository: repo, Digest: digest.String()}, nil
}
