package main

import (
	"debug/elf"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/stretchr/testify/require"
)

// `openova image` refuses what it cannot do with one line before it builds
// anything: no --output, a platform the running binary is not for, a
// directory of the user's, an unreadable CA bundle.
func TestImageCommandRefusesBadInput(t *testing.T) {
	foreign := t.TempDir()
	notes := filepath.Join(foreign, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("mine"), 0o600))
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	own := runtime.GOOS + "/" + runtime.GOARCH
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no output", []string{"image"}, exitUsage, []string{"--output is required", "new or empty directory"}},
		{"another architecture", []string{"image", "--output", t.TempDir(), "--platform", "linux/" + other}, exitUsage,
			[]string{"--platform linux/" + other, "the running binary is for " + own, "a release image for linux/" + other + " must come from a build for it"}},
		{"a platform without OS", []string{"image", "--output", t.TempDir(), "--platform", other}, exitUsage, []string{"give OS/ARCH, e.g. linux/arm64"}},
		{"a directory of the user's", []string{"image", "--output", foreign}, exitUsage,
			[]string{"--output: " + foreign + " is not empty and is not an OCI image layout", "name a new or empty directory"}},
		{"a missing CA bundle", []string{"image", "--output", t.TempDir(), "--ca-bundle", filepath.Join(foreign, "nope.pem")}, exitUsage,
			[]string{"--ca-bundle", "cannot be read (no such file or directory)"}},
		{"a stray argument", []string{"image", "now"}, exitUsage, []string{`unexpected argument "now"`}},
		{"a missing binary", []string{"image", "--output", t.TempDir(), "--binary", filepath.Join(foreign, "openova"), "--platform", "linux/" + other}, exitUsage,
			[]string{"--binary " + filepath.Join(foreign, "openova") + " cannot be read", "a static Linux build of openova"}},
		{"a binary that is no executable", []string{"image", "--output", t.TempDir(), "--binary", notes, "--platform", "linux/" + other}, exitError,
			[]string{"is not a Linux executable"}},
	}
	if isDynamic(t, os.Args[0]) {
		// go test links with cgo where a C compiler is found; a release
		// build for the image must not.
		cases = append(cases, struct {
			name string
			args []string
			code int
			want []string
		}{"a dynamically linked binary", []string{"image", "--output", t.TempDir()}, exitError, []string{"dynamically linked", "CGO_ENABLED=0"}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, nil, tc.args...)
			require.Equal(t, tc.code, code, stderr)
			require.Empty(t, stdout)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %s", stderr)
			for _, w := range tc.want {
				require.Contains(t, stderr, w)
			}
		})
	}
	b, err := os.ReadFile(notes)
	require.NoError(t, err)
	require.Equal(t, "mine", string(b))
	ents, err := os.ReadDir(foreign)
	require.NoError(t, err)
	require.Len(t, ents, 1, "nothing written next to the user's file")
}

func isDynamic(t *testing.T, path string) bool {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

// `openova image --output DIR` from a release-like build (static,
// stripped) writes a layout whose one manifest is the digest it prints;
// a second run, into a new directory or the same layout, prints the same
// digest.
func TestImageCommandWritesTheLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a static openova binary (30 s to minutes); run without -short")
	}
	bin := staticOpenova(t)
	// run (the suite's helper) execs OPENOVA_BIN instead of the test binary.
	t.Setenv("OPENOVA_BIN", bin)

	image := func(dir string) string {
		t.Helper()
		code, stdout, stderr := run(t, nil, "image", "--output", dir)
		require.Zero(t, code, stderr)
		require.Regexp(t, `^sha256:[0-9a-f]{64}\n$`, stdout, "the digest, one line")
		return strings.TrimSpace(stdout)
	}
	manifests := func(dir string) []string {
		t.Helper()
		ii, err := layout.ImageIndexFromPath(dir)
		require.NoError(t, err)
		im, err := ii.IndexManifest()
		require.NoError(t, err)
		var out []string
		for _, m := range im.Manifests {
			out = append(out, m.Digest.String())
		}
		return out
	}

	dir := filepath.Join(t.TempDir(), "layout")
	first := image(dir)
	require.Equal(t, []string{first}, manifests(dir), "the printed digest is the layout's manifest")
	second := filepath.Join(t.TempDir(), "layout")
	require.Equal(t, first, image(second), "a second run gives the same digest")
	require.Equal(t, []string{first}, manifests(second))
	require.Equal(t, first, image(dir), "into the same layout")
	require.Equal(t, []string{first}, manifests(dir), "once")
}
