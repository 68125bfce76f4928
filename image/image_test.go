package image

import (
	"archive/tar"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/stretchr/testify/require"
)

// The image is what issue 19 asks: one OCI manifest, one OCI layer with
// the binary, the CA bundle and /tmp under fixed headers in sorted order,
// and a config that runs the binary as 65532 with `manager`.
func TestBuildMakesTheManagerImage(t *testing.T) {
	bin, binBytes := fakeBinary(t, "arm64")
	ca := caPEM(t)
	img, err := Build(Options{Binary: bin, OS: "linux", Architecture: "arm64", CABundle: ca})
	require.NoError(t, err)
	require.NoError(t, validate.Image(img), "digests, sizes and diff IDs agree")

	mt, err := img.MediaType()
	require.NoError(t, err)
	require.Equal(t, types.OCIManifestSchema1, mt, "a single-platform OCI manifest, not an index")
	m, err := img.Manifest()
	require.NoError(t, err)
	require.Equal(t, types.OCIConfigJSON, m.Config.MediaType)
	require.Len(t, m.Layers, 1)
	require.Equal(t, types.OCILayer, m.Layers[0].MediaType)

	cf, err := img.ConfigFile()
	require.NoError(t, err)
	require.Equal(t, "linux", cf.OS)
	require.Equal(t, "arm64", cf.Architecture)
	require.Equal(t, "65532:65532", cf.Config.User)
	require.Equal(t, []string{"/openova"}, cf.Config.Entrypoint)
	require.Equal(t, []string{"manager"}, cf.Config.Cmd)
	require.Equal(t, []string{"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}, cf.Config.Env)
	require.True(t, cf.Created.Equal(epoch), "created %s", cf.Created)
	require.Empty(t, cf.History, "no history, so no build time in it")
	raw, err := img.RawConfigFile()
	require.NoError(t, err)
	require.Contains(t, string(raw), `"created":"1970-01-01T00:00:00Z"`)
	var anyCfg map[string]any
	require.NoError(t, json.Unmarshal(raw, &anyCfg))
	require.NotContains(t, anyCfg, "history")

	hs, files := layerFiles(t, img)
	type row struct {
		name string
		typ  byte
		mode int64
	}
	var got []row
	for _, h := range hs {
		got = append(got, row{h.Name, h.Typeflag, h.Mode})
		require.Zero(t, h.Uid, h.Name)
		require.Zero(t, h.Gid, h.Name)
		require.Empty(t, h.Uname, h.Name)
		require.Empty(t, h.Gname, h.Name)
		require.Zero(t, h.ModTime.Unix(), h.Name)
		require.Empty(t, h.PAXRecords, h.Name)
	}
	require.Equal(t, []row{
		{"etc/", tar.TypeDir, 0o755},
		{"etc/ssl/", tar.TypeDir, 0o755},
		{"etc/ssl/certs/", tar.TypeDir, 0o755},
		{"etc/ssl/certs/ca-certificates.crt", tar.TypeReg, 0o644},
		{"openova", tar.TypeReg, 0o755},
		{"tmp/", tar.TypeDir, 0o1777},
	}, got, "sorted, parents first")
	require.Equal(t, binBytes, files["openova"])
	require.Equal(t, ca, files["etc/ssl/certs/ca-certificates.crt"])
}

// The same inputs give the same digest; a byte of the binary, the CA
// bundle or the platform changes it.
func TestBuildIsReproducible(t *testing.T) {
	bin, binBytes := fakeBinary(t, "amd64")
	ca := caPEM(t)
	build := func(o Options) v1.Hash {
		t.Helper()
		if o.CABundle == nil {
			o.CABundle = ca
		}
		img, err := Build(o)
		require.NoError(t, err)
		return digest(t, img)
	}
	first := build(Options{Binary: bin, OS: "linux", Architecture: "amd64"})
	require.Equal(t, first, build(Options{Binary: bin, OS: "linux", Architecture: "amd64"}), "a second build")

	copied := writeFile(t, "openova", binBytes)
	require.NoError(t, os.Chtimes(copied, epoch.AddDate(30, 0, 0), epoch.AddDate(30, 0, 0)))
	require.NoError(t, os.Chmod(copied, 0o700))
	require.Equal(t, first, build(Options{Binary: copied, OS: "linux", Architecture: "amd64"}),
		"a copy with another path, time and mode")

	flipped := append([]byte(nil), binBytes...)
	flipped[len(flipped)-1] ^= 1
	cases := map[string]Options{
		"one byte of the binary": {Binary: writeFile(t, "openova", flipped), OS: "linux", Architecture: "amd64"},
		"another CA bundle":      {Binary: bin, OS: "linux", Architecture: "amd64", CABundle: append(append([]byte(nil), ca...), ca...)},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			require.NotEqual(t, first, build(o))
		})
	}
}

// Bad input gets an error that names what is wrong and what to do.
func TestBuildRefusesBadInput(t *testing.T) {
	bin, _ := fakeBinary(t, "amd64")
	arm, _ := fakeBinary(t, "arm64")
	dynamic := writeFile(t, "openova", fakeELF(t, "amd64", []byte("x"), "/lib64/ld-linux-x86-64.so.2"))
	script := writeFile(t, "openova", []byte("#!/bin/sh\necho openova\n"))
	ca := caPEM(t)
	corrupt := append([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), ca...)
	const goos, arch = "linux", "amd64"
	cases := []struct {
		name string
		opts Options
		want []string
	}{
		{"no binary path", Options{OS: goos, Architecture: arch, CABundle: ca},
			[]string{"no binary", "os.Executable()"}},
		{"a missing binary", Options{Binary: filepath.Join(t.TempDir(), "nope"), OS: goos, Architecture: arch, CABundle: ca},
			[]string{"nope", "no such file", "give the path of the openova executable"}},
		{"a directory", Options{Binary: t.TempDir(), OS: goos, Architecture: arch, CABundle: ca},
			[]string{"is a directory, not a file", "give the path of the openova executable"}},
		{"not an ELF", Options{Binary: script, OS: goos, Architecture: arch, CABundle: ca},
			[]string{"is not a Linux executable", "GOOS=linux"}},
		{"an unknown architecture", Options{Binary: bin, OS: goos, Architecture: "amd65", CABundle: ca},
			[]string{`unknown architecture "amd65"`, "arm64", "amd64"}},
		{"another OS", Options{Binary: bin, OS: "darwin", Architecture: arch, CABundle: ca},
			[]string{`OS is "darwin"`, "Linux nodes", "GOOS=linux"}},
		{"a binary for another architecture", Options{Binary: arm, OS: goos, Architecture: arch, CABundle: ca},
			[]string{"is built for arm64, not amd64", "GOARCH=amd64", "build the image for arm64"}},
		{"a dynamically linked binary", Options{Binary: dynamic, OS: goos, Architecture: arch, CABundle: ca},
			[]string{"dynamically linked", "/lib64/ld-linux-x86-64.so.2", "CGO_ENABLED=0"}},
		{"an empty CA bundle", Options{Binary: bin, OS: goos, Architecture: arch, CABundle: []byte{}},
			[]string{"CA bundle holds no PEM certificate", "give a PEM file"}},
		{"a CA bundle of text", Options{Binary: bin, OS: goos, Architecture: arch, CABundle: []byte("not a certificate\n")},
			[]string{"holds no PEM certificate", "give a PEM file"}},
		{"a CA bundle with a corrupt certificate", Options{Binary: bin, OS: goos, Architecture: arch, CABundle: corrupt},
			[]string{"does not parse", "give a PEM file"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Build(tc.opts)
			require.Error(t, err)
			require.Nil(t, img)
			t.Log(err)
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
			// Check refuses every binary Build refuses, with the same
			// words (it reads no CA bundle: that is the build's).
			if !strings.Contains(tc.name, "CA bundle") {
				require.Equal(t, err, Check(tc.opts))
			}
		})
	}
	require.NoError(t, Check(Options{Binary: bin, OS: goos, Architecture: arch}), "a static amd64 binary can be the amd64 image")
	require.NoError(t, Check(Options{Binary: arm, OS: goos, Architecture: "arm64"}))
}

// Without a bundle the image gets the build machine's: SSL_CERT_FILE, or
// the first of the usual places; with none of them, a clear error.
func TestDefaultCABundle(t *testing.T) {
	bin, _ := fakeBinary(t, "amd64")
	ca := caPEM(t)
	file := writeFile(t, "bundle.pem", ca)
	t.Setenv("SSL_CERT_FILE", file)
	path, b, err := DefaultCABundle()
	require.NoError(t, err)
	require.Equal(t, file, path)
	require.Equal(t, ca, b)
	img, err := Build(Options{Binary: bin, OS: "linux", Architecture: "amd64"})
	require.NoError(t, err)
	_, files := layerFiles(t, img)
	require.Equal(t, ca, files["etc/ssl/certs/ca-certificates.crt"])

	dir := t.TempDir()
	_, _, err = readFirst([]string{filepath.Join(dir, "a.crt"), filepath.Join(dir, "b.pem")})
	require.ErrorContains(t, err, "no CA bundle on this machine")
	require.ErrorContains(t, err, "install ca-certificates")

	t.Setenv("SSL_CERT_FILE", filepath.Join(dir, "missing.pem"))
	_, err = Build(Options{Binary: bin, OS: "linux", Architecture: "amd64"})
	require.ErrorContains(t, err, "missing.pem")
	require.ErrorContains(t, err, "no CA bundle")
}
