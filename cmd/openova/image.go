package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/openova-io/core/image"
)

// newImageCmd writes the manager's image, built from this very binary, as
// an OCI layout: a release pipeline publishes what a bootstrap would push,
// with the same digest (the build is reproducible), and pushes or signs it
// with its own tools.
func newImageCmd() *cobra.Command {
	var output, platform, caFile, binary string
	c := &cobra.Command{
		Use:   "image",
		Short: "Write the manager's container image, built from this binary, as an OCI layout and print its digest",
		Long: `Builds the Lifecycle Manager's container image from the running openova
binary (one layer: the binary, a CA bundle and /tmp; user 65532), without a
Docker daemon, writes it as an OCI image layout into --output, and prints its
digest. The same binary gives the same digest. The binary must be a static
Linux build (CGO_ENABLED=0). A release pipeline (dev/release.sh) builds the
image of another platform from that platform's build, with --binary.`,
		RunE: func(c *cobra.Command, _ []string) error {
			goos, goarch, err := parsePlatform(platform, binary != "")
			if err != nil {
				return err
			}
			if output == "" {
				return usageError{fmt.Errorf("--output is required: name a new or empty directory for the OCI image layout (see %s --help)", c.CommandPath())}
			}
			if _, err := image.CheckLayoutDir(output); err != nil {
				return usageError{fmt.Errorf("--output: %w", err)}
			}
			var ca []byte
			if caFile != "" {
				if ca, err = os.ReadFile(caFile); err != nil {
					return usageError{fmt.Errorf("--ca-bundle %s cannot be read (%s): give a PEM file of the CAs the manager should trust", caFile, rootCause(err))}
				}
			}
			exe := binary
			if exe == "" {
				if exe, err = os.Executable(); err != nil {
					return fmt.Errorf("find the running openova binary: %w", err)
				}
			} else if _, err := os.Stat(exe); err != nil {
				return usageError{fmt.Errorf("--binary %s cannot be read (%s): give the path of a static Linux build of openova", exe, rootCause(err))}
			}
			img, err := image.Build(image.Options{Binary: exe, OS: goos, Architecture: goarch, CABundle: ca})
			if err != nil {
				return fmt.Errorf("build the manager image: %w", err)
			}
			d, err := image.WriteLayout(output, img)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.OutOrStdout(), d.String())
			return err
		},
	}
	c.Flags().StringVar(&output, "output", "", "directory to write the OCI image layout into (new, empty, or an OCI layout already)")
	c.Flags().StringVar(&platform, "platform", runtime.GOOS+"/"+runtime.GOARCH, "OS/ARCH of the image: the running binary's own, or --binary's")
	c.Flags().StringVar(&binary, "binary", "", "build the image from this openova executable (a static Linux build for --platform) instead of the running one")
	c.Flags().StringVar(&caFile, "ca-bundle", "", "PEM bundle of the CAs the manager trusts (default: this machine's, e.g. /etc/ssl/certs/ca-certificates.crt)")
	return c
}

// parsePlatform reads --platform as OS/ARCH and, without --binary, keeps
// it to the running binary's: the image is this binary, so it can only be
// for its platform. With --binary, image.Build checks that binary against
// it.
func parsePlatform(s string, other bool) (goos, goarch string, err error) {
	goos, goarch, ok := strings.Cut(s, "/")
	if !ok || goos == "" || goarch == "" || strings.Contains(goarch, "/") {
		return "", "", usageError{fmt.Errorf("--platform %q: give OS/ARCH, e.g. linux/arm64", s)}
	}
	if !other && (goos != runtime.GOOS || goarch != runtime.GOARCH) {
		return "", "", usageError{fmt.Errorf("--platform %s: the running binary is for %s/%s; a release image for %s must come from a build for it (GOOS=%s GOARCH=%s CGO_ENABLED=0 go build ./cmd/openova, then openova image --binary it --platform %s)",
			s, runtime.GOOS, runtime.GOARCH, s, goos, goarch, s)}
	}
	return goos, goarch, nil
}
