package image

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/stretchr/testify/require"
)

// realBin is one openova built for the package's run: linking it takes
// half a minute of the 2-core machine (minutes with a cold cache), too
// much to do per test. TestMain removes its directory.
var realBin struct {
	once sync.Once
	dir  string
	path string
	took time.Duration
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if realBin.dir != "" {
		_ = os.RemoveAll(realBin.dir)
	}
	os.Exit(code)
}

// openovaBinary builds ./cmd/openova as a release is built for the image:
// CGO_ENABLED=0 (the image has no C library) and stripped.
func openovaBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the real openova binary (30 s to minutes); run without -short")
	}
	realBin.once.Do(func() {
		realBin.dir, realBin.err = os.MkdirTemp("", "openova-image-test-")
		if realBin.err != nil {
			return
		}
		realBin.path = filepath.Join(realBin.dir, "openova")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-ldflags=-s -w", "-o", realBin.path, "./cmd/openova")
		cmd.Dir = ".." // the module root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		realBin.took = time.Since(start)
		if err != nil {
			realBin.err = fmt.Errorf("go build ./cmd/openova: %w\n%s", err, out)
		}
	})
	require.NoError(t, realBin.err)
	return realBin.path
}

// The image built from the real openova, written as a layout and read
// back, holds a binary that runs and answers `version`.
func TestRealBinaryImageRuns(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("runs the Linux binary taken out of the image")
	}
	bin := openovaBinary(t)
	t.Logf("go build ./cmd/openova took %s", realBin.took.Round(time.Second))
	start := time.Now()
	img, err := Build(Options{Binary: bin})
	require.NoError(t, err, "the build machine's CA bundle and platform")
	t.Logf("build took %s", time.Since(start).Round(time.Millisecond))

	dir := filepath.Join(t.TempDir(), "layout")
	d, err := WriteLayout(dir, img)
	require.NoError(t, err)
	p, err := layout.FromPath(dir)
	require.NoError(t, err)
	back, err := p.Image(d)
	require.NoError(t, err)
	require.NoError(t, validate.Image(back))
	cf, err := back.ConfigFile()
	require.NoError(t, err)
	require.Equal(t, runtime.GOARCH, cf.Architecture)

	_, files := layerFiles(t, back)
	want, err := os.ReadFile(bin)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, files["openova"]), "the binary, byte for byte")
	out := filepath.Join(t.TempDir(), "openova")
	require.NoError(t, os.WriteFile(out, files["openova"], 0o755))
	got, err := exec.Command(out, "version").CombinedOutput()
	require.NoError(t, err, "%s", got)
	require.Contains(t, strings.SplitN(string(got), "\n", 2)[0], "openova")

	again, err := Build(Options{Binary: bin})
	require.NoError(t, err)
	require.Equal(t, d, digest(t, again), "a second build of the same binary")
}

// BenchmarkBuild times Build on the real openova (the image's size is
// reported per op as image-B, the binary's as binary-B), next to its
// peers on the same bytes: the sha256 of the binary alone, and the binary
// gzipped at the default level 6 (what compression is weighed against).
func BenchmarkBuild(b *testing.B) {
	bin := openovaBinary(b)
	data, err := os.ReadFile(bin)
	require.NoError(b, err)
	ca, err := testCA()
	require.NoError(b, err)
	b.Run("build", func(b *testing.B) {
		var size int64
		for b.Loop() {
			img, err := Build(Options{Binary: bin, CABundle: ca})
			require.NoError(b, err)
			m, err := img.Manifest()
			require.NoError(b, err)
			size = m.Layers[0].Size + m.Config.Size
		}
		b.ReportMetric(float64(size), "image-B")
		b.ReportMetric(float64(len(data)), "binary-B")
	})
	b.Run("peer=sha256-of-binary", func(b *testing.B) {
		for b.Loop() {
			_ = sha256.Sum256(data)
		}
	})
	b.Run("peer=gzip-level-6-of-binary", func(b *testing.B) {
		var n int64
		for b.Loop() {
			var c countWriter
			gz := gzip.NewWriter(&c)
			_, err := io.Copy(gz, bytes.NewReader(data))
			require.NoError(b, err)
			require.NoError(b, gz.Close())
			n = int64(c)
		}
		b.ReportMetric(float64(n), "gzip-B")
	})
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
