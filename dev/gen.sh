#!/usr/bin/env bash
# dev/gen.sh: run controller-gen over the API types and the controllers. It is
# the one place that knows controller-gen's arguments: `go generate` (through
# crds/v1alpha1/groupversion_info.go) runs it to write the committed files, and
# crds/v1alpha1/generated_test.go runs it into a temporary folder to check that
# the committed files are current.
#
#   CONTROLLER_GEN  the binary (default .cache/bin/controller-gen, built by
#                   `dev/dev.sh generate`)
#   OUT             write everything under this folder instead of the checkout:
#                   OUT/zz_generated.deepcopy.go, OUT/crds/, OUT/rbac/
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GEN="${CONTROLLER_GEN:-$ROOT/.cache/bin/controller-gen}"
cd "$ROOT"

if [[ ! -x "$GEN" ]]; then
	echo "controller-gen is not built: run dev/dev.sh generate (or task generate)" >&2
	exit 1
fi

object_out=() # default: next to the types, crds/v1alpha1/zz_generated.deepcopy.go
crd_dir=deploy/base/crds
rbac_dir=deploy/base/rbac
if [[ -n "${OUT:-}" ]]; then
	object_out=("output:object:dir=$OUT")
	crd_dir="$OUT/crds"
	rbac_dir="$OUT/rbac"
fi

# Deepcopy and CRDs (printer columns, validation) from the API types.
"$GEN" object crd \
	paths=./crds/... \
	"${object_out[@]}" \
	"output:crd:artifacts:config=$crd_dir"

# The manager's least-privilege roles from the +kubebuilder:rbac markers in
# controllers/rbac.go: a ClusterRole and, for namespace= markers, a Role.
"$GEN" rbac:roleName=openova-manager \
	paths=./controllers/... \
	"output:rbac:artifacts:config=$rbac_dir"
