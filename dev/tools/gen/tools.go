//go:build tools

// Package tools pins controller-gen, which `dev/dev.sh generate` runs to write
// the deepcopy code, CRD YAML and RBAC roles; a module of its own keeps its
// dependencies (k8s.io at controller-tools' versions) out of the product's go.mod.
package tools

import _ "sigs.k8s.io/controller-tools/cmd/controller-gen"
