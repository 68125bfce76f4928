package static

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// lockEntry is one vendored file: which npm package and version it came
// from (npm pack NAME@VERSION, the file at From in the tarball) and its hash.
type lockEntry struct {
	Package string `json:"package"`
	Version string `json:"version"`
	File    string `json:"file"`
	From    string `json:"from"`
	License string `json:"license"`
	SHA256  string `json:"sha256"`
}

// Every vendored file is in the lock with its version and SHA-256, and
// matches it byte for byte; its license file is next to it.
func TestVendoredFilesMatchTheLock(t *testing.T) {
	b, err := os.ReadFile("vendor/LOCK.json")
	require.NoError(t, err)
	var lock []lockEntry
	require.NoError(t, json.Unmarshal(b, &lock))
	listed := map[string]bool{}
	for _, e := range lock {
		require.NotEmpty(t, e.Package)
		require.Regexp(t, `^\d+\.\d+\.\d+$`, e.Version)
		body, err := os.ReadFile(e.File)
		require.NoError(t, err)
		sum := sha256.Sum256(body)
		require.Equal(t, e.SHA256, hex.EncodeToString(sum[:]), "%s is not the file of %s@%s", e.File, e.Package, e.Version)
		lic := strings.TrimSuffix(strings.SplitN(e.License, "(", 2)[1], ")")
		_, err = os.Stat(lic)
		require.NoError(t, err, "license file of %s", e.Package)
		listed[e.File] = true
	}
	require.NoError(t, fs.WalkDir(os.DirFS("."), "vendor", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (filepath.Ext(p) == ".js" || filepath.Ext(p) == ".css") {
			require.True(t, listed[p], "%s is vendored but not in the lock", p)
		}
		return err
	}))
}
