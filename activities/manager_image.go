package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

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
	stop := beatWhile(ctx, "building and pushing the manager's image")
	defer stop()
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

// ManagerImageCheckInput is the nodes' platform.
type ManagerImageCheckInput struct {
	OS, Architecture string
}

// ManagerImageCheck says which image the nodes will run.
type ManagerImageCheck struct {
	// Image says it in words, for the progress and the Review.
	Image string
	// Published is the release's published image the nodes run instead
	// of this executable (repository@sha256:…); empty when this
	// executable is the image.
	Published string `json:",omitempty"`
}

// CheckManagerImage says which image the manager's nodes will run,
// without building it. This executable, when it can be the image
// (image.Check: a static Linux binary of their architecture); else the
// image its release build published for their platform (image.Published);
// else it refuses, non-retryably, with what to do. The bootstrap asks
// before approval: a build that has no image for the nodes says so while
// nothing exists yet.
func (g *Gitea) CheckManagerImage(_ context.Context, in ManagerImageCheckInput) (ManagerImageCheck, error) {
	bin := g.ManagerBinary
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			return ManagerImageCheck{}, fmt.Errorf("find this executable: %w", err)
		}
	}
	platform := in.OS + "/" + in.Architecture
	checkErr := image.Check(image.Options{Binary: bin, OS: in.OS, Architecture: in.Architecture})
	if checkErr == nil {
		return ManagerImageCheck{Image: "this openova executable, as a " + platform + " image"}, nil
	}
	ref, err := image.PublishedFor(in.OS, in.Architecture)
	switch {
	case err != nil:
		return ManagerImageCheck{}, temporal.NewNonRetryableApplicationError("this openova cannot be the manager's image for the "+platform+" nodes ("+checkErr.Error()+"), and "+err.Error(), ErrManagerImage, nil)
	case ref != "":
		return ManagerImageCheck{Image: "the release's published " + platform + " image " + ref + " (this openova cannot be it: " + checkErr.Error() + ")", Published: ref}, nil
	}
	return ManagerImageCheck{}, temporal.NewNonRetryableApplicationError(
		"this openova cannot be the manager's image for the "+platform+" nodes, and this build names no published image: "+checkErr.Error(), ErrManagerImage, nil)
}

// beatWhile heartbeats msg every 10 s until stop: for a step that makes
// no progress reports of its own (compressing and pushing 100+ MB).
func beatWhile(ctx context.Context, msg string) (stop func()) {
	heartbeat(ctx, msg)
	return beatEvery(ctx, 10*time.Second, func() any { return msg })
}

// beatEvery heartbeats what detail returns every period until stop.
func beatEvery(ctx context.Context, period time.Duration, detail func() any) (stop func()) {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				heartbeat(ctx, detail())
			}
		}
	}()
	return func() { close(done) }
}
