package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// compression is the layer's gzip level. BestSpeed: for the 166 MB
// binary, level 1 gives 15 % more bytes than level 6 (57 MB against 49)
// in well under half the time (2.3 s against 5.9 s of the bootstrap's
// wait), and the 8 MB cost a second or two of upload per registry
// (BENCHMARKS.md, "Manager image").
const compression = gzip.BestSpeed

// entry is one tar entry; body is nil for a directory.
type entry struct {
	name string
	mode int64
	size int64
	body io.Reader
}

// buildLayer writes the layer's tar, gzipped, into memory, hashing the tar
// (the diff ID) and the gzip stream (the digest) as it goes: one read of
// the binary and one compression. The entries are in sorted order, each
// parent directory before its children, with fixed owner, time and no
// names, so the bytes depend on the inputs alone.
func buildLayer(bin io.ReaderAt, binSize int64, ca []byte) (*layer, error) {
	dir := func(name string, mode int64) entry { return entry{name: name, mode: mode} }
	entries := []entry{
		dir("etc/", 0o755),
		dir("etc/ssl/", 0o755),
		dir("etc/ssl/certs/", 0o755),
		{name: CABundlePath[1:], mode: 0o644, size: int64(len(ca)), body: bytes.NewReader(ca)},
		{name: BinaryPath[1:], mode: 0o755, size: binSize, body: io.NewSectionReader(bin, 0, binSize)},
		// /tmp: Go's os.TempDir and anything the manager spools; sticky
		// and world-writable as on any Linux, since the user is not root.
		dir("tmp/", 0o1777),
	}

	var compressed bytes.Buffer
	compressedHash := sha256.New()
	gz, err := gzip.NewWriterLevel(io.MultiWriter(&compressed, compressedHash), compression)
	if err != nil {
		return nil, err
	}
	tarHash := sha256.New()
	// The buffer batches tar's 512-byte header writes into the hashes and
	// the compressor.
	bw := bufio.NewWriterSize(io.MultiWriter(gz, tarHash), 1<<20)
	tw := tar.NewWriter(bw)
	for _, e := range entries {
		if err := writeEntry(tw, e); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("close the tar: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("compress the tar: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("compress the tar: %w", err)
	}
	return &layer{
		compressed: compressed.Bytes(),
		digest:     sha256Hash(compressedHash.Sum(nil)),
		diffID:     sha256Hash(tarHash.Sum(nil)),
	}, nil
}

func writeEntry(tw *tar.Writer, e entry) error {
	h := &tar.Header{
		Name:    e.name,
		Mode:    e.mode,
		ModTime: epoch,
		Format:  tar.FormatUSTAR, // no PAX records: nothing but these fields
	}
	if e.body == nil {
		h.Typeflag = tar.TypeDir
	} else {
		h.Typeflag = tar.TypeReg
		h.Size = e.size
	}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("write the tar header of /%s: %w", e.name, err)
	}
	if e.body == nil {
		return nil
	}
	n, err := io.Copy(tw, e.body)
	if err != nil {
		return fmt.Errorf("write /%s into the tar: %w", e.name, err)
	}
	if n != e.size {
		return fmt.Errorf("/%s: read %d bytes, expected %d (did the file change while the image was built?)", e.name, n, e.size)
	}
	return nil
}

func sha256Hash(sum []byte) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum)}
}

// layer is the built layer, held compressed in memory with both hashes
// known: nothing is recompressed or rehashed when the image is written or
// pushed.
type layer struct {
	compressed     []byte
	digest, diffID v1.Hash
}

func (l *layer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *layer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *layer) Size() (int64, error)                { return int64(len(l.compressed)), nil }
func (l *layer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }

func (l *layer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.compressed)), nil
}

func (l *layer) Uncompressed() (io.ReadCloser, error) {
	return gzip.NewReader(bytes.NewReader(l.compressed))
}
