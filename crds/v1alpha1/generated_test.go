package v1alpha1_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// TestGeneratedFilesAreCurrent runs controller-gen (through dev/gen.sh, the
// one place that holds its arguments) into a temporary folder and compares
// the result with the committed deepcopy code, CRD YAML and RBAC roles. An
// edited marker without `task generate` would otherwise ship a CRD or Role
// that does not match the Go types.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	gen := testenv.Bin(t, "controller-gen")
	root := testenv.RepoRoot()
	out := t.TempDir()

	cmd := exec.Command(filepath.Join(root, "dev", "gen.sh"))
	cmd.Env = append(os.Environ(), "CONTROLLER_GEN="+gen, "OUT="+out)
	combined, err := cmd.CombinedOutput()
	require.NoError(t, err, "dev/gen.sh: %s", combined)

	// committed path (relative to the repo root) -> freshly generated path
	files := map[string]string{
		"crds/v1alpha1/zz_generated.deepcopy.go":      "zz_generated.deepcopy.go",
		"deploy/base/crds/openova.io_platforms.yaml":  "crds/openova.io_platforms.yaml",
		"deploy/base/crds/openova.io_components.yaml": "crds/openova.io_components.yaml",
		"deploy/base/rbac/role.yaml":                  "rbac/role.yaml",
	}
	for committed, fresh := range files {
		t.Run(committed, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(out, fresh))
			require.NoError(t, err, "controller-gen did not write %s", fresh)
			got, err := os.ReadFile(filepath.Join(root, committed))
			require.NoError(t, err, "%s is missing: run task generate", committed)
			require.True(t, bytes.Equal(want, got), "%s is stale: run task generate", committed)
		})
	}

	// A generated file that is not committed (e.g. a new CRD) is stale too.
	for _, dir := range []string{"crds", "rbac"} {
		entries, err := os.ReadDir(filepath.Join(out, dir))
		require.NoError(t, err)
		for _, e := range entries {
			name := filepath.ToSlash(filepath.Join("deploy/base", dir, e.Name()))
			_, ok := files[name]
			require.True(t, ok, "%s is generated but not committed or checked: run task generate", name)
		}
	}
}
