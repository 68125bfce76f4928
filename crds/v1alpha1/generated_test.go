package v1alpha1_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/crds/v1alpha1"
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

// FuzzPlatformDeepCopyJSON feeds arbitrary JSON into a Platform and checks
// the generated DeepCopy: the copy equals the original, and changing the
// copy's slices, pointers and raw values leaves the original alone (the
// reconcilers mutate copies of cached objects, so a shallow copy would
// corrupt the informer cache).
func FuzzPlatformDeepCopyJSON(f *testing.F) {
	f.Add(`{"spec":{"organization":{"name":"acme-corp","domain":"acme.io"},"regions":[{"name":"eu-central","role":"primary"},{"name":"eu-west","role":"standby"}],"components":[{"name":"cnpg","version":"v1.24.0","enabled":true,"values":{"a":1}}]}}`)
	f.Add(`{"spec":{"delivery":"GitOps","git":{"url":"https://git.acme.io/p.git"}},"status":{"components":[{"name":"x"}],"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-02-08T10:30:00Z","reason":"R","message":"m"}],"lastReconciled":"2026-02-08T10:30:00Z"}}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var p v1alpha1.Platform
		if json.Unmarshal([]byte(doc), &p) != nil {
			return
		}
		before, err := json.Marshal(&p)
		require.NoError(t, err)
		cp := p.DeepCopy()
		after, err := json.Marshal(cp)
		require.NoError(t, err)
		require.JSONEq(t, string(before), string(after), "the copy differs from the original")

		for i := range cp.Spec.Regions {
			cp.Spec.Regions[i].Name += "-changed"
		}
		for i := range cp.Spec.Components {
			c := &cp.Spec.Components[i]
			c.Name += "-changed"
			if c.Enabled != nil {
				*c.Enabled = !*c.Enabled
			}
			if c.Values != nil {
				for j := range c.Values.Raw {
					c.Values.Raw[j] = ' '
				}
			}
		}
		if cp.Spec.Git != nil {
			cp.Spec.Git.URL += "-changed"
		}
		for i := range cp.Status.Conditions {
			cp.Status.Conditions[i].Reason += "-changed"
		}
		if cp.Status.LastReconciled != nil {
			cp.Status.LastReconciled.Time = cp.Status.LastReconciled.Add(time.Hour)
		}
		again, err := json.Marshal(&p)
		require.NoError(t, err)
		require.Equal(t, string(before), string(again), "changing the copy changed the original")
	})
}
