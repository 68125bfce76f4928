package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// NoSecretInFiles fails the test if any secret is in a regular file under
// dir, and returns the names of the files it read. Links are not followed
// and provider plugin binaries (terraform-provider-*) are skipped: they
// come from the build, not from the run.
func NoSecretInFiles(t testing.TB, dir string, secrets ...string) []string {
	t.Helper()
	var read []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.HasPrefix(d.Name(), "terraform-provider-") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			require.False(t, bytes.Contains(b, []byte(s)), "a secret is in %s", p)
		}
		read = append(read, d.Name())
		return nil
	}))
	return read
}
