// Package deploy holds the manager's kustomize manifests (base/, overlays/dev,
// overlays/prod; crossplane/ for the component-release XRD) and, in its
// tests, the checks that keep them honest: every object of both overlays is
// accepted by a real kube-apiserver (server-side dry run), the RBAC stays
// least privilege, the Deployment stays hardened, and the CRDs' validation
// rejects bad Platform and Component specs with a message naming the field.
//
// Its only non-test Go code embeds crossplane/ (embed.go) for the bootstrap;
// the heavy envtest tests live in this one package so that they link once.
package deploy
