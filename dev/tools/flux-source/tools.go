//go:build tools

// Package tools pins Flux's source-controller, which the Flux activities'
// tests run against envtest API servers (dev/testenv/flux): it fetches the
// platform repository from Gitea and serves it as an artifact to
// kustomize-controller. Flux's own installer downloads release manifests
// from GitHub and github.com/fluxcd/flux2/v2 is not served by the module
// proxy here, so the controller is built from source.
//
// A module of its own because the controller's go.mod has replace directives
// (copied below) that the product must not inherit, and `go install
// pkg@version` refuses modules with replaces. Its `api => ./api` replace
// becomes `api => api v1.9.0` (the same version, from the proxy).
// v1.9.0 because v1.9.5 and later need github.com/fluxcd/pkg/artifact
// v0.18.3, which the proxy here refuses.
package tools

import _ "github.com/fluxcd/source-controller"
