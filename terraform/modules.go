package terraform

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"testing/fstest"
)

// Provider names one of the embedded modules.
type Provider string

// The providers openova can build a cluster on. Only Hetzner's provider
// can be built here; Huawei's and OCI's modules are checked offline for
// syntax and the contract (TestModulesShareTheContract).
const (
	Hetzner Provider = "hetzner"
	Huawei  Provider = "huawei"
	OCI     Provider = "oci"
)

// Providers lists every module, in the wizard's order.
var Providers = []Provider{Hetzner, Huawei, OCI}

// contractDir holds the variables, outputs and k3s cloud-init every module
// shares; Module puts them beside the provider's own files.
const contractDir = "modules/contract"

//go:embed modules
var modules embed.FS

// Module is the provider's module with the shared contract files, ready
// for Runner.Module.
func Module(p Provider) (fs.FS, error) {
	files := fstest.MapFS{}
	for _, dir := range []string{contractDir, path.Join("modules", string(p))} {
		entries, err := fs.ReadDir(modules, dir)
		if err != nil {
			return nil, fmt.Errorf("unknown provider %q: choose one of %v", p, Providers)
		}
		for _, e := range entries {
			b, err := fs.ReadFile(modules, path.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			if _, dup := files[e.Name()]; dup {
				return nil, fmt.Errorf("module %s: %s is also a contract file", p, e.Name())
			}
			files[e.Name()] = &fstest.MapFile{Data: b, Mode: 0o600}
		}
	}
	return files, nil
}

// CredentialEnv are the environment variables each provider reads its
// credentials from; the runner sets them for the tofu process only, so they
// reach no variables file, plan or state.
var CredentialEnv = map[Provider][]string{
	Hetzner: {"HCLOUD_TOKEN"},
	Huawei:  {"HW_ACCESS_KEY", "HW_SECRET_KEY"},
	OCI:     {"OCI_TENANCY_OCID", "OCI_USER_OCID", "OCI_FINGERPRINT", "OCI_PRIVATE_KEY"},
}
