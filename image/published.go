package image

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Published names the images a release build of openova published, one
// per platform, each by digest: "linux/amd64=<repository>@sha256:…,
// linux/arm64=…". A release pipeline sets it at link time
// (go build -ldflags "-X github.com/openova-io/core/image.Published=…"),
// after it pushed those images. A bootstrap whose own executable cannot
// be the nodes' image (built for another architecture, or on macOS) uses
// the published one for the nodes' platform instead. Empty in a
// development build: then only a matching static binary will do.
var Published string

// PublishedFor is the published image for os/arch ("" when there is
// none). An entry that is not <platform>=<repository>@sha256:<digest> is
// an error: the release build is broken, and a tag must never stand in.
func PublishedFor(os, arch string) (string, error) {
	want := os + "/" + arch
	for _, entry := range strings.Split(Published, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		platform, ref, ok := strings.Cut(entry, "=")
		if !ok {
			return "", fmt.Errorf("published image %q is not <os>/<arch>=<repository>@sha256:<digest>: the release build named it wrongly", entry)
		}
		if _, err := name.NewDigest(ref, name.StrictValidation); err != nil {
			return "", fmt.Errorf("published image %q for %s is not named by digest (%v): the release build named it wrongly", ref, platform, err)
		}
		if platform == want {
			return ref, nil
		}
	}
	return "", nil
}
