package terraform

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"testing/fstest"

	"github.com/openova-io/core/cloud"
)

// Provider names one of the embedded modules: the cloud's name (package
// cloud holds the providers' facts; the modules are named after them).
type Provider = cloud.Provider

// The providers openova can build a cluster on. Only Hetzner's provider
// can be built here; Huawei's and OCI's modules are checked offline for
// syntax and the contract (TestModulesShareTheContract).
const (
	Hetzner = cloud.Hetzner
	Huawei  = cloud.Huawei
	OCI     = cloud.OCI
)

// Providers lists every module, in the wizard's order.
var Providers = cloud.Providers

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
