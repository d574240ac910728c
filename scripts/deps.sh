#!/usr/bin/env bash
# Install the Debian 12 packages mint_ext needs to build, test and run its demo.
# Idempotent: installs only what is missing. Must run as root (or via sudo).
set -euo pipefail

PKGS=(
	build-essential
	git
	ca-certificates
	postgresql-15
	postgresql-server-dev-15
	postgresql-client-15
	libipc-run-perl
	libcurl4-openssl-dev
	libjansson-dev
	libsodium-dev
	libmicrohttpd-dev
	clang-14 libclang-rt-14-dev  # libFuzzer + sanitizer runtimes for the decoder fuzz target
	pkg-config
	spin
	procps
)

missing=()
for p in "${PKGS[@]}"; do
	case "$p" in \#*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
