#!/bin/bash
# install-k3s.sh ROLE VERSION RELEASE_URL installs one pinned k3s release on
# this node and starts it. cloud-init writes it (with the systemd units and
# /etc/rancher/k3s/config.yaml) and runs it once; it stands in for piping
# k3s's online install script into a shell, so that no script fetched at
# boot runs as root and nothing is installed that was not checked.
#
# The binary (k3s on amd64, k3s-arm64 on arm64: Hetzner's cax sizes) comes
# from RELEASE_URL/VERSION, GitHub's release downloads by default, with the
# release's published sha256sum-<arch>.txt; it is installed only when its
# SHA-256 matches that file's line for it. On any failure the script exits
# non-zero having installed and started nothing, and says why on stderr,
# which cloud-init keeps in /var/log/cloud-init-output.log and shows on the
# console.
#
# ROLE is server or agent: it starts k3s.service or k3s-agent.service, the
# unit cloud-init wrote; k3s reads its flags from /etc/rancher/k3s/config.yaml.
#
# OPENOVA_K3S_BIN_DIR (default /usr/local/bin) is for the tests, which run
# this script unprivileged in a temporary directory with a stand-in systemctl.
set -euo pipefail

version=
fail() {
	echo "openova: k3s ${version} was NOT installed: $*" >&2
	exit 1
}

if [[ $# -ne 3 ]]; then
	echo "usage: $0 server|agent VERSION RELEASE_URL" >&2
	exit 2
fi
role=$1 version=$2 release_url=${3%/}
case $role in
server) unit=k3s.service ;;
agent) unit=k3s-agent.service ;;
*) fail "role $role is neither server nor agent" ;;
esac
# A release tag such as v1.34.1+k3s1; GitHub's URL spells the + as %2B.
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-rc[0-9]+)?\+k3s[0-9]+$ ]] ||
	fail "$version is not a k3s release tag such as v1.34.1+k3s1"
# Plain http only to the node itself (the tests' server on loopback).
case $release_url in
https://* | http://127.0.0.1[:/]* | http://localhost[:/]*) ;;
*) fail "the release URL $release_url is not https" ;;
esac
machine=$(uname -m)
case $machine in
x86_64 | amd64) arch=amd64 file=k3s ;;
aarch64 | arm64) arch=arm64 file=k3s-arm64 ;;
*) fail "architecture $machine is not supported (amd64 or arm64)" ;;
esac
base="$release_url/${version//+/%2B}"
sums=sha256sum-$arch.txt
bin_dir=${OPENOVA_K3S_BIN_DIR:-/usr/local/bin}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Redirects (GitHub answers with one to its object storage) stay on https;
# every transfer is bounded, and transient failures are retried.
fetch() {
	curl --fail --silent --show-error --location --proto-redir =https \
		--connect-timeout 30 --max-time 900 --retry 5 --retry-connrefused \
		--output "$tmp/$1" "$base/$1" || fail "the download of $base/$1 failed"
}
fetch "$sums"
fetch "$file"

# Only this file's line: the list also names the airgap images, which are
# not downloaded. Exactly one line, so a doctored list cannot offer two.
grep -E "^[0-9a-f]{64}  $file\$" "$tmp/$sums" >"$tmp/expected" || true
[[ $(wc -l <"$tmp/expected") -eq 1 ]] || fail "$sums of $version has no single line for $file"
if ! (cd "$tmp" && sha256sum --check --strict --quiet expected >&2); then
	fail "the SHA-256 of the downloaded $file ($(sha256sum "$tmp/$file" | cut -d' ' -f1)) is not the one $sums of $version publishes ($(cut -d' ' -f1 "$tmp/expected")): refusing to install it"
fi

# Install under a temporary name and rename, so a k3s that is there is
# always a whole, checked one.
mkdir -p "$bin_dir"
install -m 0755 "$tmp/$file" "$bin_dir/.k3s.new"
mv -f "$bin_dir/.k3s.new" "$bin_dir/k3s"
for cmd in kubectl crictl ctr; do
	[[ -e $bin_dir/$cmd ]] || ln -s k3s "$bin_dir/$cmd"
done

# --no-block: cloud-init finishes while k3s starts (a joining server may
# wait for the first one); systemd restarts it until it runs.
systemctl daemon-reload
systemctl enable --now --no-block "$unit"
echo "openova: k3s $version ($arch, SHA-256 checked) installed; $unit started"
