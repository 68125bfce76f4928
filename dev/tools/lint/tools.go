//go:build tools

// Package tools pins the linters dev/dev.sh runs; a module of its own keeps
// their dependencies out of the product's go.mod.
package tools

import (
	_ "go.temporal.io/sdk/contrib/tools/workflowcheck"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
