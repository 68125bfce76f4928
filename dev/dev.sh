#!/usr/bin/env bash
# dev/dev.sh: the one developer script. It prepares a fresh machine (Debian
# packages, test assets built from source into .cache/, each skipped when
# present), lints, and runs the tests and benchmarks.
#
#   dev/dev.sh test     assets + lint + every test (the README's test command)
#   dev/dev.sh assets   Debian packages and test assets only
#   dev/dev.sh generate controller-gen (built once) + go generate ./...
#   dev/dev.sh lint     go vet, gofmt, staticcheck, workflowcheck
#   dev/dev.sh bench    assets + benchmarks (BENCHMARKS.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.cache/bin"
mkdir -p "$BIN"
cd "$ROOT"

log() { printf '== %s\n' "$*" >&2; }

# Debian packages the tests need: etcd for envtest, git for the Git server
# of the GitOps tests (git http-backend).
packages() {
	local missing=()
	command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
	command -v git >/dev/null 2>&1 || missing+=(git)
	if ((${#missing[@]})); then
		log "installing Debian packages: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	ln -sf "$(command -v etcd)" "$BIN/etcd"
}

# build_tool NAME MODULE_DIR PACKAGE: go build PACKAGE from the pinned tools
# module into .cache/bin/NAME unless it is there already.
build_tool() {
	local name=$1 dir=$2 pkg=$3
	if [[ -x "$BIN/$name" ]]; then
		return
	fi
	log "building $name from source (once; cached in .cache/bin)"
	local start=$SECONDS
	(cd "$ROOT/$dir" && go build -o "$BIN/$name.tmp" "$pkg")
	mv "$BIN/$name.tmp" "$BIN/$name"
	log "built $name in $((SECONDS - start))s"
}

assets() {
	packages
	build_tool temporal dev/tools/temporal github.com/temporalio/cli/cmd/temporal
	build_tool kube-apiserver dev/tools/kube k8s.io/kubernetes/cmd/kube-apiserver
	build_tool staticcheck dev/tools/lint honnef.co/go/tools/cmd/staticcheck
	build_tool workflowcheck dev/tools/lint go.temporal.io/sdk/contrib/tools/workflowcheck
	build_tool controller-gen dev/tools/gen sigs.k8s.io/controller-tools/cmd/controller-gen
}

lint() {
	log "lint: gofmt, go vet, staticcheck, workflowcheck"
	local unformatted
	unformatted=$(gofmt -l $(git ls-files '*.go'))
	if [[ -n "$unformatted" ]]; then
		echo "gofmt: these files need formatting:" >&2
		echo "$unformatted" >&2
		exit 1
	fi
	go vet ./...
	"$BIN/staticcheck" ./...
	"$BIN/workflowcheck" ./workflows/...
}

# Tests find their assets here; with CI=true a missing asset fails the test.
export OPENOVA_TEST_BIN="$BIN"
export KUBEBUILDER_ASSETS="$BIN"

case "${1:-test}" in
assets) assets ;;
generate)
	# No packages or other assets: only controller-gen is needed to generate.
	build_tool controller-gen dev/tools/gen sigs.k8s.io/controller-tools/cmd/controller-gen
	log "go generate ./..."
	go generate ./...
	;;
lint)
	assets
	lint
	;;
test)
	assets
	lint
	log "go test ./..."
	go test -count=1 -timeout 80m ./...
	;;
bench)
	assets
	go build -trimpath -o "$BIN/openova" ./cmd/openova
	OPENOVA_BIN="$BIN/openova" go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-1x}" -timeout 60m ./...
	;;
*)
	echo "usage: dev/dev.sh [test|assets|generate|lint|bench]" >&2
	exit 2
	;;
esac
