#!/usr/bin/env bash
# dev/release.sh OUT REPOSITORY: the release build of openova.
#
# A bootstrap runs its own executable as the manager's image when that is
# a static Linux build for the nodes' architecture; otherwise (a laptop
# on macOS, or arm64 nodes from an amd64 machine) it pulls the image its
# release published for the nodes, named by the digest its build embeds
# (image.Published). This script makes both, reproducibly:
#
#  1. per Linux platform, a static openova (CGO_ENABLED=0, -trimpath) and
#     its manager image as an OCI layout (openova image --binary), whose
#     digest is printed: OUT/images/<os>-<arch>/;
#  2. per platform, the openova users download, built from the same source
#     with image.Published naming every image as REPOSITORY@<digest>:
#     OUT/openova-<os>-<arch>; OUT/SHA256SUMS and OUT/published.txt.
#
# Pushing the layouts to REPOSITORY and signing them are the release's own
# tools' job; the script prints the push that keeps each digest
# (skopeo copy --preserve-digests oci:DIR docker://REPOSITORY:TAG).
#
# RELEASE_PLATFORMS lists the images' platforms (default linux/amd64 and
# linux/arm64); RELEASE_BINARIES the downloads' (default those and
# darwin/arm64, darwin/amd64); RELEASE_VERSION the version (default dev).
set -euo pipefail

if (($# != 2)); then
	echo "usage: dev/release.sh OUT REPOSITORY (e.g. dist ghcr.io/openova-io/openova)" >&2
	exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT=$1
REPO=$2
if [[ ! $REPO =~ ^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+$ ]]; then
	echo "dev/release.sh: $REPO is not a repository such as ghcr.io/openova-io/openova (no tag: images are named by digest)" >&2
	exit 2
fi
PLATFORMS=${RELEASE_PLATFORMS:-linux/amd64 linux/arm64}
BINARIES=${RELEASE_BINARIES:-linux/amd64 linux/arm64 darwin/arm64 darwin/amd64}
VERSION=${RELEASE_VERSION:-dev}
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

log() { printf '== %s\n' "$*" >&2; }

# build OS/ARCH DEST [LDFLAGS...]: a static, path-free openova.
build() {
	local platform=$1 dest=$2
	shift 2
	(cd "$ROOT" && CGO_ENABLED=0 GOOS=${platform%/*} GOARCH=${platform#*/} \
		go build -trimpath -ldflags="-s -w -X main.version=$VERSION $*" -o "$dest" ./cmd/openova)
}

# The image runs on the build machine's openova (a tool here, not shipped).
tool="$OUT/.tool/openova"
build "$(go env GOOS)/$(go env GOARCH)" "$tool"

published=()
for p in $PLATFORMS; do
	dir="$OUT/images/${p/\//-}"
	log "manager image for $p"
	build "$p" "$OUT/.image-bin/${p/\//-}/openova"
	rm -rf "$dir"
	digest=$("$tool" image --binary "$OUT/.image-bin/${p/\//-}/openova" --platform "$p" --output "$dir")
	published+=("$p=$REPO@$digest")
done
(
	IFS=,
	echo "${published[*]}"
) >"$OUT/published.txt"
PUBLISHED=$(cat "$OUT/published.txt")
log "images: $PUBLISHED"

for p in $BINARIES; do
	log "openova for $p"
	build "$p" "$OUT/openova-${p/\//-}" "-X github.com/openova-io/core/image.Published=$PUBLISHED"
done
(cd "$OUT" && sha256sum openova-* >SHA256SUMS)
rm -rf "$OUT/.tool" "$OUT/.image-bin"
for p in $PLATFORMS; do
	digest=$(grep -o "$p=[^,]*" "$OUT/published.txt" | cut -d@ -f2)
	echo "push ($digest): skopeo copy --preserve-digests oci:$OUT/images/${p/\//-} docker://$REPO:$VERSION-${p/\//-}"
done
