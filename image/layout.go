package image

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// WriteLayout writes img as an OCI image layout into dir, for a release
// pipeline to push or sign with its own tools, and returns the image's
// digest. dir may be new, empty, or an OCI layout already; in a layout the
// image replaces any of the same digest or platform (a rebuild supersedes
// the last one, and one layout can gather the images of several
// platforms). Any other directory is refused: nothing of the user's is
// overwritten.
func WriteLayout(dir string, img v1.Image) (v1.Hash, error) {
	if img == nil {
		return v1.Hash{}, errors.New("no image to write: build it first (image.Build)")
	}
	isLayout, err := CheckLayoutDir(dir)
	if err != nil {
		return v1.Hash{}, err
	}
	d, err := img.Digest()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("compute the image digest: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("read the image config: %w", err)
	}
	platform := cf.Platform()
	if platform == nil {
		return v1.Hash{}, errors.New("the image config names no OS or architecture: build it with image.Build")
	}
	var p layout.Path
	if isLayout {
		p, err = layout.FromPath(dir)
	} else {
		p, err = layout.Write(dir, empty.Index)
	}
	if err != nil {
		return v1.Hash{}, fmt.Errorf("write the image layout to %s: %w", dir, err)
	}
	same := func(desc v1.Descriptor) bool {
		return desc.Digest == d || (desc.Platform != nil && desc.Platform.Equals(*platform))
	}
	if err := p.ReplaceImage(img, same, layout.WithPlatform(*platform)); err != nil {
		return v1.Hash{}, fmt.Errorf("write the image layout to %s: %w", dir, err)
	}
	if err := readableLayers(dir, img); err != nil {
		return v1.Hash{}, err
	}
	return d, nil
}

// readableLayers gives the layer blobs the mode of the others.
// go-containerregistry writes a layer through a temporary file, so with
// mode 0600 where the manifest and config get 0644: a pipeline's next step
// under another user could read the manifest and not the layer.
func readableLayers(dir string, img v1.Image) error {
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("list the image layers: %w", err)
	}
	for _, l := range layers {
		h, err := l.Digest()
		if err != nil {
			return fmt.Errorf("compute a layer digest: %w", err)
		}
		if err := os.Chmod(filepath.Join(dir, "blobs", h.Algorithm, h.Hex), 0o644); err != nil {
			return fmt.Errorf("make the layer blob readable in %s: %w", dir, err)
		}
	}
	return nil
}

// CheckLayoutDir says whether WriteLayout may write into dir, without
// writing: it may if dir does not exist, is empty, or is an OCI image
// layout (isLayout). A command checks it before the build, so a wrong
// --output fails at once rather than after the build.
func CheckLayoutDir(dir string) (isLayout bool, err error) {
	if dir == "" {
		return false, errors.New("no directory for the image layout: name a new or empty directory")
	}
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check the image layout directory %s: %w", dir, err)
	}
	if !st.IsDir() {
		return false, fmt.Errorf("%s is a file, not a directory: name a new or empty directory for the image layout", dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("read the image layout directory %s: %w", dir, err)
	}
	if len(ents) == 0 {
		return false, nil
	}
	for _, f := range []string{"oci-layout", "index.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			return false, fmt.Errorf("%s is not empty and is not an OCI image layout (it has no %s file): name a new or empty directory, so that nothing in it is overwritten", dir, f)
		}
	}
	return true, nil
}
