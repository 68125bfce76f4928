//go:build tools

// Package tools pins the Hetzner Cloud Terraform provider, which the
// bootstrap end-to-end tests run under the real OpenTofu against the fake
// Hetzner API in dev/fakehcloud: `dev/dev.sh assets` builds it from this
// module into a provider mirror. A module of its own so the provider's
// dependency graph (the Terraform plugin SDK) stays out of the product's.
package tools

import _ "github.com/hetznercloud/terraform-provider-hcloud"
