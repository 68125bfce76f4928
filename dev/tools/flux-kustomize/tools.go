//go:build tools

// Package tools pins Flux's kustomize-controller, which the Flux activities'
// tests run against envtest API servers (dev/testenv/flux): it builds
// clusters/<region>/ of the artifact source-controller serves and applies it
// with server-side apply. Built from source for the reasons given in
// dev/tools/flux-source.
//
// A module of its own because the controller's go.mod has replace directives
// (copied below) that the product must not inherit; its `api => ./api`
// replace becomes `api => api v1.9.6` (the same version, from the proxy).
package tools

import _ "github.com/fluxcd/kustomize-controller"
