#!/usr/bin/env bash
# dev/dev.sh: the one developer script. It prepares a fresh machine (Debian
# packages, test assets built from source, each skipped when present), lints,
# and runs the tests and benchmarks.
#
# Built tools live in a cache outside the clone (OPENOVA_TOOL_CACHE, default
# ~/.cache/openova/tools), one folder per tool and pinned version, so a fresh
# clone on a machine that built them once links them instead of rebuilding;
# .cache/bin in the clone holds those links (tests find their assets there).
#
#   dev/dev.sh test     assets + lint + every test (the README's test command)
#   dev/dev.sh assets   Debian packages and test assets only
#   dev/dev.sh generate controller-gen and templ (built once) + go generate ./...
#   dev/dev.sh lint     go vet, gofmt, staticcheck, workflowcheck
#   dev/dev.sh bench    assets + benchmarks (BENCHMARKS.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.cache/bin"
TOOLS="${OPENOVA_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/openova/tools}"
mkdir -p "$BIN" "$TOOLS"
cd "$ROOT"

log() { printf '== %s\n' "$*" >&2; }

# Debian packages the tests need: etcd for envtest, git for the Git server
# of the GitOps tests (git http-backend), chromium for the browser tests.
packages() {
	local missing=()
	command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
	command -v git >/dev/null 2>&1 || missing+=(git)
	command -v chromium >/dev/null 2>&1 || missing+=(chromium)
	if ((${#missing[@]})); then
		log "installing Debian packages: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	ln -sf "$(command -v etcd)" "$BIN/etcd"
	ln -sf "$(command -v chromium)" "$BIN/chromium"
}

# tool_key MODULE_DIR MODULE: the cache key of a tool: its module's pinned
# version, then a hash of the tools module (go.mod, go.sum) and the Go
# version, so a changed pin or toolchain builds a new one and the old one is
# never used.
tool_key() {
	local dir=$1 module=$2 version sum
	version=$(awk -v m="$module" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$ROOT/$dir/go.mod")
	sum=$(cat "$ROOT/$dir/go.mod" "$ROOT/$dir/go.sum" <(go env GOVERSION) | sha256sum | cut -c1-12)
	echo "${version:-unpinned}-$sum"
}

# build_tool NAME MODULE_DIR MODULE PACKAGE: go build PACKAGE from the pinned
# tools module into the tool cache unless that version is there already, and
# link it into .cache/bin/NAME.
build_tool() {
	local name=$1 dir=$2 module=$3 pkg=$4 out
	out="$TOOLS/$name-$(tool_key "$dir" "$module")"
	if [[ ! -x "$out/$name" ]]; then
		log "building $name from source (once per version; cached in $out)"
		local start=$SECONDS
		mkdir -p "$out"
		(cd "$ROOT/$dir" && go build -o "$out/$name.tmp" "$pkg")
		mv "$out/$name.tmp" "$out/$name"
		log "built $name in $((SECONDS - start))s"
	fi
	ln -sfn "$out/$name" "$BIN/$name"
}

assets() {
	packages
	build_tool temporal dev/tools/temporal github.com/temporalio/cli github.com/temporalio/cli/cmd/temporal
	build_tool kube-apiserver dev/tools/kube k8s.io/kubernetes k8s.io/kubernetes/cmd/kube-apiserver
	build_tool staticcheck dev/tools/lint honnef.co/go/tools honnef.co/go/tools/cmd/staticcheck
	build_tool tofu dev/tools/tofu github.com/opentofu/opentofu github.com/opentofu/opentofu/cmd/tofu
	# The provider's module is not in the checksum database here; its sums
	# are in dev/tools/hcloud/go.sum.
	GONOSUMDB=github.com/hetznercloud/terraform-provider-hcloud \
		build_tool terraform-provider-hcloud dev/tools/hcloud github.com/hetznercloud/terraform-provider-hcloud github.com/hetznercloud/terraform-provider-hcloud
	provider_mirror hetznercloud/hcloud terraform-provider-hcloud dev/tools/hcloud github.com/hetznercloud/terraform-provider-hcloud
	build_tool workflowcheck dev/tools/lint go.temporal.io/sdk/contrib/tools/workflowcheck go.temporal.io/sdk/contrib/tools/workflowcheck
	generators
}

# provider_mirror SOURCE NAME MODULE_DIR MODULE: lay the built provider out as
# OpenTofu's filesystem mirror (.cache/providers/registry.opentofu.org/
# SOURCE/VERSION/OS_ARCH/NAME_vVERSION) and write .cache/tofurc pointing at
# it, so tests install it offline (terraform's test helpers read both).
provider_mirror() {
	local source=$1 name=$2 dir=$3 module=$4 version platform mirror
	version=$(tool_key "$dir" "$module" | cut -d- -f1)
	version=${version#v}
	platform="$(go env GOOS)_$(go env GOARCH)"
	mirror="$ROOT/.cache/providers/registry.opentofu.org/$source/$version/$platform"
	mkdir -p "$mirror"
	ln -sfn "$(readlink -f "$BIN/$name")" "$mirror/${name}_v$version"
	cat >"$ROOT/.cache/tofurc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$ROOT/.cache/providers"
    include = ["registry.opentofu.org/*/*"]
  }
}
EOF
}

# generators: what `go generate` runs (and the staleness tests run again).
generators() {
	build_tool controller-gen dev/tools/gen sigs.k8s.io/controller-tools sigs.k8s.io/controller-tools/cmd/controller-gen
	build_tool templ dev/tools/gen github.com/a-h/templ github.com/a-h/templ/cmd/templ
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
	# No packages or other assets: only the generators are needed.
	generators
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
