// Package image builds the Lifecycle Manager's container image from the
// openova executable itself, without a Docker daemon (issue 19): the manager
// runs exactly the binary that bootstrapped it, so the bootstrap needs no
// registry of its own to trust and no second build to keep in step.
//
// The image is one layer (the binary, a CA bundle and /tmp) under one OCI
// manifest, and it is reproducible: every tar header, the config and the
// manifest are fixed but for the inputs, so the same binary and bundle give
// the same digest. That lets the bootstrap name the image by digest before
// it pushes it, a resumed push find its blobs already there, and a release
// pipeline publish the digest a bootstrap will compute.
package image

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Where things are in the image. The binary sits at the root, as ko and
// distroless images put theirs; the CA bundle where Debian and Go look
// first, and SSL_CERT_FILE names it too, so any TLS stack finds it.
const (
	BinaryPath   = "/openova"
	CABundlePath = "/etc/ssl/certs/ca-certificates.crt"
	// User is distroless's "nonroot": no root in the pod, and a numeric
	// ID, so Kubernetes' runAsNonRoot can check it without an /etc/passwd.
	User = "65532:65532"
)

// epoch is the time every entry and the config carry: a constant, so the
// build machine's clock does not reach the digest.
var epoch = time.Unix(0, 0).UTC()

// Options say what to build the image from.
type Options struct {
	// Binary is the path of the openova executable, usually os.Executable().
	// It must be a statically linked Linux executable for the platform.
	Binary string
	// OS and Architecture are the nodes' platform in Go's names (linux,
	// arm64); empty means runtime.GOOS and runtime.GOARCH.
	OS, Architecture string
	// CABundle is the PEM bundle the manager trusts for outgoing TLS (the
	// caller reads the file, and appends a private CA if it needs one). nil
	// means the build machine's bundle (DefaultCABundle). A non-nil empty
	// bundle is an error, not the default: it is a file that was read
	// empty, and an image that trusts nothing fails only in the cluster.
	CABundle []byte
}

// Build builds the manager's image: one gzip layer holding the binary
// (0755), the CA bundle (0644) and an empty /tmp (01777), run as User with
// entrypoint [BinaryPath] and command ["manager"]. It reads the binary
// once and keeps the compressed layer in memory, so the image can be
// written and pushed as often as needed.
func Build(opts Options) (v1.Image, error) {
	p, f, size, err := opts.open()
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	ca, err := caBundle(opts.CABundle)
	if err != nil {
		return nil, err
	}
	l, err := buildLayer(f, size, ca)
	if err != nil {
		return nil, fmt.Errorf("build the image layer from %s: %w", opts.Binary, err)
	}
	return newImage(l, p)
}

// Check says whether opts.Binary can be the image for the platform (a
// statically linked Linux executable of its architecture) without
// building it: the bootstrap asks before the plans are approved, so a
// build that cannot be the nodes' image says so before any cloud resource
// exists.
func Check(opts Options) error {
	_, f, _, err := opts.open()
	if err != nil {
		return err
	}
	return f.Close()
}

// open checks the platform and the binary and opens it.
func (opts Options) open() (v1.Platform, *os.File, int64, error) {
	p := opts.platform()
	if err := checkPlatform(p); err != nil {
		return p, nil, 0, err
	}
	if opts.Binary == "" {
		return p, nil, 0, errors.New("no binary to build the image from: set Options.Binary to the path of the openova executable (os.Executable())")
	}
	f, err := os.Open(opts.Binary)
	if err != nil {
		return p, nil, 0, fmt.Errorf("open the binary: %w (give the path of the openova executable)", err)
	}
	fail := func(err error) (v1.Platform, *os.File, int64, error) {
		_ = f.Close()
		return p, nil, 0, err
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		return fail(fmt.Errorf("stat the binary %s: %w", opts.Binary, err))
	case st.IsDir():
		return fail(fmt.Errorf("the binary %s is a directory, not a file: give the path of the openova executable in it", opts.Binary))
	case !st.Mode().IsRegular():
		return fail(fmt.Errorf("the binary %s is not a regular file (%s): give the path of the openova executable", opts.Binary, st.Mode().Type()))
	}
	if err := checkExecutable(f, opts.Binary, p); err != nil {
		return fail(err)
	}
	return p, f, st.Size(), nil
}

func (o Options) platform() v1.Platform {
	p := v1.Platform{OS: o.OS, Architecture: o.Architecture}
	if p.OS == "" {
		p.OS = runtime.GOOS
	}
	if p.Architecture == "" {
		p.Architecture = runtime.GOARCH
	}
	return p
}

// caBundle returns the bundle to put in the image: the given one, or the
// build machine's; either must hold at least one certificate.
func caBundle(given []byte) ([]byte, error) {
	what := "the given CA bundle"
	if given == nil {
		path, b, err := DefaultCABundle()
		if err != nil {
			return nil, err
		}
		given, what = b, "the CA bundle "+path
	}
	if err := checkCABundle(given); err != nil {
		return nil, fmt.Errorf("%s %w: give a PEM file of the CAs the manager should trust (e.g. /etc/ssl/certs/ca-certificates.crt)", what, err)
	}
	return given, nil
}

// caBundlePaths are where Linux distributions (and macOS, /etc/ssl/cert.pem)
// keep the system's CA bundle: Go's crypto/x509 list, in its order.
var caBundlePaths = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // openSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine, macOS
}

// DefaultCABundle reads the build machine's CA bundle: SSL_CERT_FILE if
// set (what Go's TLS trusts on this machine), else the first of
// caBundlePaths that exists. It returns the path it read.
func DefaultCABundle() (string, []byte, error) {
	paths := caBundlePaths
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		paths = []string{f}
	}
	return readFirst(paths)
}

func readFirst(paths []string) (string, []byte, error) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", nil, fmt.Errorf("read the CA bundle %s: %w", p, err)
		}
		return p, b, nil
	}
	return "", nil, fmt.Errorf("no CA bundle on this machine (looked at %v): install ca-certificates, or pass the PEM bundle the manager should trust", paths)
}

// checkCABundle: at least one PEM certificate, and every one parses. The
// sentence it returns follows "the CA bundle X".
func checkCABundle(b []byte) error {
	n := 0
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Errorf("holds a certificate that does not parse (%v)", err)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("holds no PEM certificate (%d bytes)", len(b))
	}
	return nil
}

// img is the image as raw bytes; partial.CompressedToImage derives the rest
// of v1.Image (digest, layers by index, config file) from them.
type img struct {
	layer                  *layer
	rawConfig, rawManifest []byte
	configDigest           v1.Hash
}

func newImage(l *layer, p v1.Platform) (v1.Image, error) {
	cfg := v1.ConfigFile{
		Architecture: p.Architecture,
		OS:           p.OS,
		Created:      v1.Time{Time: epoch},
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{l.diffID}},
		Config: v1.Config{
			User:       User,
			Entrypoint: []string{BinaryPath},
			Cmd:        []string{"manager"},
			Env:        []string{"SSL_CERT_FILE=" + CABundlePath},
			WorkingDir: "/",
		},
	}
	rawConfig, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encode the image config: %w", err)
	}
	cd, _, err := v1.SHA256(bytes.NewReader(rawConfig))
	if err != nil {
		return nil, fmt.Errorf("hash the image config: %w", err)
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(rawConfig)), Digest: cd},
		Layers:        []v1.Descriptor{{MediaType: types.OCILayer, Size: int64(len(l.compressed)), Digest: l.digest}},
	}
	rawManifest, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode the image manifest: %w", err)
	}
	return partial.CompressedToImage(&img{layer: l, rawConfig: rawConfig, rawManifest: rawManifest, configDigest: cd})
}

func (i *img) RawConfigFile() ([]byte, error)      { return i.rawConfig, nil }
func (i *img) RawManifest() ([]byte, error)        { return i.rawManifest, nil }
func (i *img) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

func (i *img) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	switch h {
	case i.layer.digest:
		return i.layer, nil
	case i.configDigest:
		return static.NewLayer(i.rawConfig, types.OCIConfigJSON), nil
	}
	return nil, fmt.Errorf("the image has no blob %s", h)
}
