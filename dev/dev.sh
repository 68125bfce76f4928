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
#   dev/dev.sh fuzz     every fuzz target for FUZZTIME each (default 5s)
#   dev/dev.sh bench    assets + benchmarks (BENCHMARKS.md)
#   dev/dev.sh demo     assets + openova bootstrap against the fake Hetzner API
#                       and the stand-ins the tests use (dev/demo); extra
#                       arguments go to dev/demo (--listen, --temporal-listen)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.cache/bin"
TOOLS="${OPENOVA_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/openova/tools}"
mkdir -p "$BIN" "$TOOLS"
cd "$ROOT"

log() { printf '== %s\n' "$*" >&2; }

# link TARGET NAME: make NAME a symlink to TARGET by renaming a new link
# over it, so a test reading NAME while this runs (./dev/dev.sh demo's
# test runs the asset steps again beside other tests) never misses it.
link() {
	ln -sfn "$1" "$2.tmp.$$"
	mv -Tf "$2.tmp.$$" "$2"
}

# Debian packages the tests need: etcd for envtest, git for the Git server
# of the GitOps tests (git http-backend), chromium for the browser tests,
# cloud-init for `cloud-init schema` of every node's user data, curl and
# openssl to fetch and verify axe-core.
packages() {
	local missing=()
	command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
	command -v git >/dev/null 2>&1 || missing+=(git)
	command -v chromium >/dev/null 2>&1 || missing+=(chromium)
	command -v cloud-init >/dev/null 2>&1 || missing+=(cloud-init)
	command -v curl >/dev/null 2>&1 || missing+=(curl)
	command -v openssl >/dev/null 2>&1 || missing+=(openssl)
	if ((${#missing[@]})); then
		log "installing Debian packages: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	link "$(command -v etcd)" "$BIN/etcd"
	link "$(command -v chromium)" "$BIN/chromium"
	link "$(command -v cloud-init)" "$BIN/cloud-init"
}

# tool_key MODULE_DIR MODULE [BUILD FLAGS...]: the cache key of a tool: its
# module's pinned version, then a hash of the tools module (go.mod, go.sum),
# the Go version and the extra build flags if any (none adds nothing, so
# tools built without flags keep their keys), so a changed pin, toolchain or
# flag builds a new one and the old one is never used.
tool_key() {
	local dir=$1 module=$2 version sum
	version=$(awk -v m="$module" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$ROOT/$dir/go.mod")
	sum=$(cat "$ROOT/$dir/go.mod" "$ROOT/$dir/go.sum" <(go env GOVERSION) <(if (($# > 2)); then printf '%s\n' "${@:3}"; fi) | sha256sum | cut -c1-12)
	echo "${version:-unpinned}-$sum"
}

# build_tool NAME MODULE_DIR MODULE PACKAGE [BUILD FLAGS...]: go build
# PACKAGE (with the extra go build flags, e.g. -tags or -ldflags) from the
# pinned tools module into the tool cache unless that version is there
# already, and link it into .cache/bin/NAME.
build_tool() {
	local name=$1 dir=$2 module=$3 pkg=$4 out
	shift 4
	out="$TOOLS/$name-$(tool_key "$dir" "$module" "$@")"
	if [[ ! -x "$out/$name" ]]; then
		log "building $name from source (once per version; cached in $out)"
		local start=$SECONDS
		mkdir -p "$out"
		(cd "$ROOT/$dir" && go build "$@" -o "$out/$name.tmp" "$pkg")
		mv "$out/$name.tmp" "$out/$name"
		log "built $name in $((SECONDS - start))s"
	fi
	link "$out/$name" "$BIN/$name"
}

assets() {
	packages
	crds
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
	flux
	gitea
	axe
	generators
}

# axe: axe-core, the accessibility engine the browser tests inject into
# every page they picture (dev/testenv/browser), from npm's registry,
# pinned by version and by the registry's sha512 integrity (npm view
# axe-core@VERSION dist.integrity). Never shipped: only the tests load it.
AXE_VERSION=4.14.1
AXE_INTEGRITY=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
axe() {
	local out="$TOOLS/axe-core-$AXE_VERSION"
	if [[ ! -f $out/axe.min.js ]]; then
		log "fetching axe-core $AXE_VERSION from npm's registry"
		mkdir -p "$out"
		curl -fsSL -o "$out/axe.tgz" "https://registry.npmjs.org/axe-core/-/axe-core-$AXE_VERSION.tgz"
		local got
		got="sha512-$(openssl dgst -sha512 -binary "$out/axe.tgz" | base64 -w0)"
		if [[ $got != "$AXE_INTEGRITY" ]]; then
			rm -f "$out/axe.tgz"
			log "axe-core $AXE_VERSION: the tarball's integrity is $got, not the pinned $AXE_INTEGRITY"
			return 1
		fi
		tar -xzf "$out/axe.tgz" -C "$out" --strip-components=1 package/axe.min.js package/LICENSE
		rm -f "$out/axe.tgz"
	fi
	link "$out/axe.min.js" "$BIN/axe.min.js"
}

# gitea: two real Gitea servers stand in for the regions' Gitea in the
# activities' tests (dev/testenv/gitea). cgo and the sqlite tags give it
# SQLite; main.Version makes /api/v1/version say the pinned version instead
# of "development". Without the bindata tag it reads its templates and
# options from the module's folder in the module cache (downloaded here, so
# a fresh machine has it; the harness finds it with go mod download -json).
gitea() {
	local version
	version=$(tool_key dev/tools/gitea code.gitea.io/gitea | cut -d- -f1)
	(cd "$ROOT/dev/tools/gitea" && go mod download code.gitea.io/gitea)
	CGO_ENABLED=1 build_tool gitea dev/tools/gitea code.gitea.io/gitea code.gitea.io/gitea \
		-tags=sqlite,sqlite_unlock_notify "-ldflags=-X main.Version=${version#v}"
}

# flux: Flux's source-controller and kustomize-controller, which the Flux
# activities' tests run against envtest API servers (dev/testenv/flux), and
# their CRDs from the modules' config/crd/bases, linked into .cache/crds/
# (the harness installs them into each API server).
flux() {
	build_tool source-controller dev/tools/flux-source github.com/fluxcd/source-controller github.com/fluxcd/source-controller
	build_tool kustomize-controller dev/tools/flux-kustomize github.com/fluxcd/kustomize-controller github.com/fluxcd/kustomize-controller
	local name dir
	mkdir -p "$ROOT/.cache/crds"
	for name in source kustomize; do
		dir=$(cd "$ROOT/dev/tools/flux-$name" && go mod download -json "github.com/fluxcd/$name-controller" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
		link "$dir/config/crd/bases" "$ROOT/.cache/crds/flux-$name"
	done
}

# crds: CRDs the tests install where the controller that creates them on a
# cluster cannot run here: Cilium's (its operator creates them), of the
# catalog's newest Cilium, from the cilium module of that version, linked
# as .cache/crds/cilium-<version>; and Crossplane's, of the catalog's
# newest Crossplane (the one a bootstrap installs), in the module cache.
crds() {
	local version dir
	version=$(awk '/^  - name: /{c=($3=="cilium")} c && /^      - version:/ {print $3}' catalog/catalog.yaml | sort -V | tail -1)
	dir=$(go mod download -json "github.com/cilium/cilium@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
	[[ -d $dir ]] || { log "the cilium module $version was not downloaded"; return 1; }
	mkdir -p "$ROOT/.cache/crds"
	link "$dir/pkg/k8s/apis/cilium.io/client/crds/v2" "$ROOT/.cache/crds/cilium-$version"
	# Crossplane's CRDs, which the Crossplane player installs from the
	# crossplane module of the HelmChart's version (it reads the module
	# cache). Only the newest: the Go module proxy does not serve every
	# release (v2.2.4 is refused), and no test installs an older one.
	version=$(awk '/^  - name: /{c=($3=="crossplane")} c && /^      - version:/ {print $3}' catalog/catalog.yaml | sort -V | tail -1)
	go mod download "github.com/crossplane/crossplane/v2@v${version#v}" ||
		{ log "the crossplane module $version was not downloaded"; return 1; }
	# The CRDs of the Providers deploy/crossplane pins (provider-helm),
	# which the player installs from their modules as Crossplane would
	# from the package (xpkg.crossplane.io/<owner>/<name>:<tag> is
	# github.com/<owner>/<name>@<tag>).
	local pkg ref owner name
	for pkg in $(awk '/^kind: Provider$/{p=1} p && /^  package: /{print $2; p=0}' deploy/crossplane/*.yaml); do
		ref=${pkg%%:*}
		IFS=/ read -r _ owner name <<<"$ref"
		go mod download "github.com/$owner/$name@${pkg##*:}" ||
			{ log "the provider module $pkg was not downloaded"; return 1; }
	done
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
	link "$(readlink -f "$BIN/$name")" "$mirror/${name}_v$version"
	cat >"$ROOT/.cache/tofurc.tmp.$$" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$ROOT/.cache/providers"
    include = ["registry.opentofu.org/*/*"]
  }
}
EOF
	mv -f "$ROOT/.cache/tofurc.tmp.$$" "$ROOT/.cache/tofurc" # atomic, as link
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

# fuzz runs every fuzz target of the module for FUZZTIME (default 5s), one
# at a time on one worker (-parallel 1): the targets are found in the
# *_test.go files, so a new one runs without a change here. `go test ./...`
# has already run each target's seed corpus (f.Add and testdata/fuzz); this
# looks for new failures. A failure prints the input Go wrote to the
# package's testdata/fuzz/<target>/, which then stays as a regression seed
# once committed, and fails the run after every target has had its turn.
#
# Go 1.26's coordinator can report "context deadline exceeded" when
# -fuzztime ends while a worker is mid-input on a busy machine, writing no
# input (golang/go#75804, fixed in Go 1.27): that alone is said, not failed.
fuzz() {
	local fuzztime=${FUZZTIME:-5s} start=$SECONDS out failed=() flaked=() n=0
	out=$(mktemp)
	log "fuzz: every target for $fuzztime"
	local pkg name before after
	for pkg in $(grep -rlE --include='*_test.go' --exclude-dir=.cache --exclude-dir=.git '^func Fuzz[A-Z]' . | xargs -n1 dirname | sort -u); do
		for name in $(grep -hoE '^func Fuzz[A-Za-z0-9_]*' "$pkg"/*_test.go | cut -c6- | sort -u); do
			n=$((n + 1))
			before=$(ls "$pkg/testdata/fuzz/$name" 2>/dev/null || true)
			local t0=$SECONDS
			if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel 1 -timeout 10m "$pkg" >"$out" 2>&1; then
				printf '   %-36s %-28s ok (%ds)\n' "$pkg" "$name" $((SECONDS - t0)) >&2
				continue
			fi
			after=$(ls "$pkg/testdata/fuzz/$name" 2>/dev/null || true)
			if [[ "$before" == "$after" ]] && grep -qx '    context deadline exceeded' "$out" &&
				[[ $(grep -c -- '--- FAIL' "$out") == 1 ]]; then
				printf '   %-36s %-28s stopped by the Go 1.26 coordinator race (golang/go#75804), no failing input\n' "$pkg" "$name" >&2
				flaked+=("$pkg $name")
				continue
			fi
			cat "$out" >&2
			local crasher
			crasher=$(comm -13 <(echo "$before") <(echo "$after") | head -1)
			if [[ -n "$crasher" ]]; then
				printf '== FUZZ FAILURE %s %s: failing input %s/testdata/fuzz/%s/%s (rerun: go test -run %s/%s %s)\n' \
					"$pkg" "$name" "$pkg" "$name" "$crasher" "$name" "$crasher" "$pkg" >&2
			else
				printf '== FUZZ FAILURE %s %s (no input written: see the output above)\n' "$pkg" "$name" >&2
			fi
			failed+=("$pkg $name")
		done
	done
	rm -f "$out"
	log "fuzz: $n targets in $((SECONDS - start))s, ${#failed[@]} failed, ${#flaked[@]} stopped by the coordinator race"
	if ((${#failed[@]})); then
		printf 'fuzz failures:\n' >&2
		printf '  %s\n' "${failed[@]}" >&2
		return 1
	fi
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
	fuzz
	;;
fuzz) fuzz ;;
bench)
	assets
	go build -trimpath -o "$BIN/openova" ./cmd/openova
	OPENOVA_BIN="$BIN/openova" go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-1x}" -timeout 60m ./...
	;;
demo)
	assets
	# Static, as a release is: the executable is also the manager's image.
	log "building openova (static) and the demo"
	CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$ROOT/.cache/demo-bin/openova" ./cmd/openova
	go build -o "$ROOT/.cache/demo-bin/demo" ./dev/demo
	exec "$ROOT/.cache/demo-bin/demo" --openova "$ROOT/.cache/demo-bin/openova" "${@:2}"
	;;
*)
	echo "usage: dev/dev.sh [test|assets|generate|lint|fuzz|bench|demo]" >&2
	exit 2
	;;
esac
