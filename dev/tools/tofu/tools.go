//go:build tools

// Package tools pins OpenTofu, which the terraform runner's tests (and the
// bootstrap end-to-end tests) run: `dev/dev.sh assets` builds cmd/tofu from
// this module. A module of its own because OpenTofu's go.mod replaces
// hashicorp/hcl with its fork, a replace the product must not inherit.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
