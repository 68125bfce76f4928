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

// backendS3 declares the S3 backend; its settings come from init's
// -backend-config (S3Backend.Config) and the environment.
const backendS3 = "terraform {\n  backend \"s3\" {}\n}\n"

// ModuleS3 is Module with its state in an S3-compatible bucket.
func ModuleS3(p Provider) (fs.FS, error) {
	m, err := Module(p)
	if err != nil {
		return nil, err
	}
	m.(fstest.MapFS)["backend.tf"] = &fstest.MapFile{Data: []byte(backendS3), Mode: 0o600}
	return m, nil
}

// CredentialField is one credential the wizard asks for, with the
// environment variable the module's provider reads it from; the runner
// sets those for the tofu process only, so credentials reach no variables
// file, plan or state.
type CredentialField struct{ Name, Label, Env string }

// Credentials lists each provider's credential fields.
var Credentials = map[Provider][]CredentialField{
	Hetzner: {{Name: "token", Label: "API token", Env: "HCLOUD_TOKEN"}},
	Huawei:  {{Name: "access_key", Label: "Access key", Env: "HW_ACCESS_KEY"}, {Name: "secret_key", Label: "Secret key", Env: "HW_SECRET_KEY"}},
	OCI: {
		{Name: "tenancy_ocid", Label: "Tenancy OCID", Env: "OCI_TENANCY_OCID"}, {Name: "user_ocid", Label: "User OCID", Env: "OCI_USER_OCID"},
		{Name: "fingerprint", Label: "Key fingerprint", Env: "OCI_FINGERPRINT"}, {Name: "private_key", Label: "Private key (PEM)", Env: "OCI_PRIVATE_KEY"},
	},
}

// CredentialEnv maps credentials by field name to the provider's
// environment variables; unknown fields are dropped.
func CredentialEnv(p Provider, creds map[string]string) map[string]string {
	env := map[string]string{}
	for _, f := range Credentials[p] {
		if v, ok := creds[f.Name]; ok {
			env[f.Env] = v
		}
	}
	return env
}
