package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// The release build (dev/release.sh), for the build machine's Linux
// platform only (the other platforms compile the whole module again): the
// manager image's OCI layout is written, published.txt names it by the
// layout's own digest in the repository, and the openova a user downloads
// carries that name (its `version` lists it), so a bootstrap for other
// nodes pulls exactly that image. A repository with a tag is refused.
func TestReleaseNamesItsImagesByDigestInTheBinaries(t *testing.T) {
	staticOpenova(t) // the same -trimpath build: the script's compile is cached
	script := filepath.Join(testenv.RepoRoot(), "dev", "release.sh")
	out := t.TempDir()
	platform := "linux/" + runtime.GOARCH
	cmd := exec.Command("bash", script, out, "registry.example/openova-io/openova")
	cmd.Env = append(os.Environ(), "RELEASE_PLATFORMS="+platform, "RELEASE_BINARIES="+platform, "RELEASE_VERSION=v0.0.0-test")
	log, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", log)

	published, err := os.ReadFile(filepath.Join(out, "published.txt"))
	require.NoError(t, err)
	m := regexp.MustCompile(`^` + platform + `=registry\.example/openova-io/openova@(sha256:[0-9a-f]{64})\n$`).FindStringSubmatch(string(published))
	require.NotNil(t, m, "published.txt: %q", published)
	var index struct {
		Manifests []struct{ Digest string }
	}
	data, err := os.ReadFile(filepath.Join(out, "images", strings.ReplaceAll(platform, "/", "-"), "index.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &index))
	require.Len(t, index.Manifests, 1)
	require.Equal(t, m[1], index.Manifests[0].Digest, "the digest named is the layout's")

	bin := filepath.Join(out, "openova-"+strings.ReplaceAll(platform, "/", "-"))
	version, err := exec.Command(bin, "version").CombinedOutput()
	require.NoError(t, err, "%s", version)
	require.Contains(t, string(version), "openova v0.0.0-test")
	require.Contains(t, string(version), "manager images: "+strings.TrimSpace(string(published)))
	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	require.NoError(t, err)
	require.Contains(t, string(sums), filepath.Base(bin))
	require.Contains(t, string(log), "skopeo copy --preserve-digests oci:"+filepath.Join(out, "images", strings.ReplaceAll(platform, "/", "-")))

	bad := exec.Command("bash", script, t.TempDir(), "registry.example/openova:latest")
	msg, err := bad.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(msg), "no tag: images are named by digest")
}
