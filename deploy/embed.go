package deploy

import "embed"

// Crossplane is deploy/crossplane (kustomization.yaml and what it lists),
// compiled into the binary: the bootstrap renders it with kustomize's API
// and commits the result to each region's platform repository, so the XRD,
// Composition, provider and function Flux applies there are these files,
// not a copy.
//
//go:embed crossplane/*.yaml
var Crossplane embed.FS

// Manager is what `kustomize build overlays/bootstrap` reads (base, prod
// and the bootstrap overlay), compiled into the binary: the bootstrap
// renders it with its own image by digest and commits the result to each
// region's platform repository.
//
//go:embed base overlays/prod overlays/bootstrap
var Manager embed.FS
