//go:build tools

// Package tools pins the generators `dev/dev.sh generate` runs: controller-gen
// (deepcopy code, CRD YAML, RBAC roles) and templ (the web views' Go code). A
// module of its own keeps their dependencies (k8s.io at controller-tools'
// versions, templ's language server) out of the product's go.mod; templ's
// version here must equal the runtime's in the product's go.mod, which
// web/ui/generated_test.go checks.
package tools

import (
	_ "github.com/a-h/templ/cmd/templ"
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
