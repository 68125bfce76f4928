package image

import (
	"archive/tar"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"debug/elf"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stretchr/testify/require"
)

// fakeELF is a minimal ELF64 executable header for arch (one of the 64-bit
// entries of elfArches), with a PT_INTERP program header naming interp if
// it is not empty, followed by payload: what checkExecutable reads, in a
// few bytes instead of a 100 MB binary.
func fakeELF(t testing.TB, arch string, payload []byte, interp string) []byte {
	t.Helper()
	a, ok := elfArches[arch]
	require.True(t, ok, arch)
	require.Equal(t, elf.ELFCLASS64, a.class, "fakeELF writes 64-bit headers only")
	h := elf.Header64{Type: uint16(elf.ET_EXEC), Machine: uint16(a.machine), Version: 1,
		Ehsize: 64, Phentsize: 56, Shentsize: 64}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	if a.order == binary.BigEndian {
		h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
	}
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	var progs []elf.Prog64
	if interp != "" {
		h.Phoff, h.Phnum = 64, 1
		progs = append(progs, elf.Prog64{Type: uint32(elf.PT_INTERP), Off: 64 + 56, Filesz: uint64(len(interp) + 1), Memsz: uint64(len(interp) + 1), Align: 1})
	}
	var b bytes.Buffer
	require.NoError(t, binary.Write(&b, a.order, h))
	for _, p := range progs {
		require.NoError(t, binary.Write(&b, a.order, p))
	}
	if interp != "" {
		b.WriteString(interp + "\x00")
	}
	b.Write(payload)
	return b.Bytes()
}

// writeFile writes b to a new file in a temporary directory.
func writeFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, b, 0o755))
	return p
}

// fakeBinary writes a fake amd64 openova of 1 MiB of random bytes.
func fakeBinary(t testing.TB, arch string) (string, []byte) {
	t.Helper()
	payload := make([]byte, 1<<20)
	_, err := rand.Read(payload)
	require.NoError(t, err)
	b := fakeELF(t, arch, payload, "")
	return writeFile(t, "openova", b), b
}

var testCA = sync.OnceValues(func() ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "openova test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
})

// caPEM is one self-signed CA certificate, the same for the whole run.
func caPEM(t testing.TB) []byte {
	t.Helper()
	b, err := testCA()
	require.NoError(t, err)
	return b
}

// tarEntries reads an uncompressed layer: its headers in order, and the
// contents of its files by name.
func tarEntries(t testing.TB, r io.Reader) ([]*tar.Header, map[string][]byte) {
	t.Helper()
	tr := tar.NewReader(r)
	var hs []*tar.Header
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return hs, files
		}
		require.NoError(t, err)
		hs = append(hs, h)
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			require.NoError(t, err)
			files[h.Name] = b
		}
	}
}

// layerFiles reads the image's one layer.
func layerFiles(t testing.TB, img v1.Image) ([]*tar.Header, map[string][]byte) {
	t.Helper()
	layers, err := img.Layers()
	require.NoError(t, err)
	require.Len(t, layers, 1, "one layer")
	rc, err := layers[0].Uncompressed()
	require.NoError(t, err)
	defer func() { _ = rc.Close() }()
	return tarEntries(t, rc)
}

func digest(t testing.TB, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	require.NoError(t, err)
	return d
}
