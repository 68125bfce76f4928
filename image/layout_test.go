package image

import (
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/stretchr/testify/require"
)

func buildFake(t *testing.T, arch string) (v1.Image, []byte) {
	t.Helper()
	bin, b := fakeBinary(t, arch)
	img, err := Build(Options{Binary: bin, OS: "linux", Architecture: arch, CABundle: caPEM(t)})
	require.NoError(t, err)
	return img, b
}

// layoutManifests lists index.json's descriptors.
func layoutManifests(t *testing.T, dir string) []v1.Descriptor {
	t.Helper()
	ii, err := layout.ImageIndexFromPath(dir)
	require.NoError(t, err)
	im, err := ii.IndexManifest()
	require.NoError(t, err)
	return im.Manifests
}

// A new directory gets a layout with the image, readable back whole; a
// second write of the same image changes nothing, a rebuild for the same
// platform replaces it, and another platform's image joins it.
func TestWriteLayout(t *testing.T) {
	img, bin := buildFake(t, "amd64")
	dir := filepath.Join(t.TempDir(), "out", "layout")
	d, err := WriteLayout(dir, img)
	require.NoError(t, err)
	require.Equal(t, digest(t, img), d)

	ms := layoutManifests(t, dir)
	require.Len(t, ms, 1)
	require.Equal(t, d, ms[0].Digest)
	require.Equal(t, types.OCIManifestSchema1, ms[0].MediaType)
	require.Equal(t, &v1.Platform{OS: "linux", Architecture: "amd64"}, ms[0].Platform)
	p, err := layout.FromPath(dir)
	require.NoError(t, err)
	back, err := p.Image(d)
	require.NoError(t, err)
	require.NoError(t, validate.Image(back))
	_, files := layerFiles(t, back)
	require.Equal(t, bin, files["openova"])
	layers, err := back.Layers()
	require.NoError(t, err)
	ld, err := layers[0].Digest()
	require.NoError(t, err)
	st, err := os.Stat(filepath.Join(dir, "blobs", "sha256", ld.Hex))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm(), "the layer blob is readable as the others are")

	again, err := WriteLayout(dir, img)
	require.NoError(t, err)
	require.Equal(t, d, again)
	require.Len(t, layoutManifests(t, dir), 1, "the same image once")

	rebuilt, _ := buildFake(t, "amd64")
	d2, err := WriteLayout(dir, rebuilt)
	require.NoError(t, err)
	ms = layoutManifests(t, dir)
	require.Len(t, ms, 1, "a rebuild for linux/amd64 replaces the last one")
	require.Equal(t, d2, ms[0].Digest)

	arm, _ := buildFake(t, "arm64")
	d3, err := WriteLayout(dir, arm)
	require.NoError(t, err)
	ms = layoutManifests(t, dir)
	require.Len(t, ms, 2, "linux/arm64 joins linux/amd64")
	require.ElementsMatch(t, []v1.Hash{d2, d3}, []v1.Hash{ms[0].Digest, ms[1].Digest})

	empty := t.TempDir()
	_, err = WriteLayout(empty, img)
	require.NoError(t, err, "an empty directory")
}

// A directory that holds anything but an OCI layout is refused and left
// as it was; so are a file and an empty name.
func TestWriteLayoutRefusesForeignDirectories(t *testing.T) {
	img, _ := buildFake(t, "amd64")
	withFile := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(withFile, "notes.txt"), []byte("mine"), 0o600))
	halfLayout := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(halfLayout, "oci-layout"), []byte("{}"), 0o600))
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("mine"), 0o600))
	cases := []struct {
		name, dir string
		want      []string
	}{
		{"a directory with a file", withFile, []string{"is not empty and is not an OCI image layout", "no oci-layout file", "name a new or empty directory"}},
		{"an oci-layout file alone", halfLayout, []string{"is not an OCI image layout", "no index.json file"}},
		{"a file", file, []string{"is a file, not a directory", "name a new or empty directory"}},
		{"no name", "", []string{"no directory for the image layout"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, tc.dir)
			_, err := WriteLayout(tc.dir, img)
			require.Error(t, err)
			t.Log(err)
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
			require.Equal(t, before, snapshot(t, tc.dir), "nothing written")
		})
	}
	_, err := WriteLayout(t.TempDir(), nil)
	require.ErrorContains(t, err, "no image to write")
}

// snapshot maps every path under root to its content ("" for a directory).
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if root == "" {
		return out
	}
	require.NoError(t, filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			out[p] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	}))
	return out
}
