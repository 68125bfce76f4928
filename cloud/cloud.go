// Package cloud holds the cloud providers' facts and checks: which
// providers openova builds on, the credentials each needs, a provider's
// regions and sizes as its API lists them, and whether a request's region
// and sizes are among them. It is pure (no I/O, no cloud SDK), so the
// wizard and the workflow contract can import it; asking a provider's API
// is package cloud/cloudapi.
package cloud

import (
	"errors"
	"fmt"
)

// Provider names a cloud openova can build a cluster on (and the OpenOva
// module of package terraform that does).
type Provider string

// The providers openova can build a cluster on. Only Hetzner's Terraform
// provider can be built here; Huawei's and OCI's modules are checked
// offline for syntax and the contract.
const (
	Hetzner Provider = "hetzner"
	Huawei  Provider = "huawei"
	OCI     Provider = "oci"
)

// Providers lists every provider, in the wizard's order.
var Providers = []Provider{Hetzner, Huawei, OCI}

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

// Location is one region a provider offers.
type Location struct {
	Name        string
	Description string
	City        string
	Country     string
	NetworkZone string
	// Sizes are the machine sizes (server types) one can create there.
	Sizes []string
	// Architectures are the sizes' CPU architectures in Go's names (amd64,
	// arm64), as the provider's API gives them: the manager's image must
	// be built for the nodes' architecture.
	Architectures map[string]string `json:",omitempty"`
	// NoPrimaryIPs: the provider's API says no Primary IP (a public IPv4
	// address that exists apart from any server) can be had here. False
	// where the API does not say.
	NoPrimaryIPs bool `json:",omitempty"`
}

// Endpoints override a provider's API URL (a test's fake API, an API
// proxy); empty means the provider's public API.
type Endpoints struct {
	Hetzner string
}

// CredentialError says which credential field is wrong and why; its
// message names the provider and the field and never quotes the value.
type CredentialError struct {
	Provider Provider
	Field    string
	Reason   string
}

func (e *CredentialError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Provider, e.Field, e.Reason)
}

// ErrNotSupported: the provider's API cannot be asked from this build.
var ErrNotSupported = errors.New("not supported")
