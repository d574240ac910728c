#!/usr/bin/env bash
# Install the Debian 12 packages mint_ext needs, by group:
#   scripts/deps.sh run    build (make && make install) and run the extension
#   scripts/deps.sh demo   run + what scripts/demo.sh needs on top
#   scripts/deps.sh test   demo + what scripts/test.sh needs on top (the default)
# Idempotent: installs only what is missing (apt-get update first, once, only
# then). Installing needs root; checking does not.
set -euo pipefail

group=${1:-test}

# Building and running the extension: compiler and PGXS, the server and
# psql, the libraries it links (libcurl for Solana RPC, jansson, libsodium),
# and the CA certificates an https RPC endpoint is checked against.
RUN_PKGS=(
	build-essential
	pkg-config
	ca-certificates
	postgresql-15
	postgresql-server-dev-15
	postgresql-client-15
	libcurl4-openssl-dev
	libjansson-dev
	libsodium-dev
)
# The demo on top: the fake Solana cluster (fake/solana-fake links
# libmicrohttpd), perl (HTTP::Tiny, JSON::PP) for the ledger check, procps.
DEMO_PKGS=(
	libmicrohttpd-dev
	perl
	procps
)
# Only the test command: clang-14 and its runtimes (libFuzzer target,
# sanitizers), clang-format (make format-check calls `clang-format`, which
# the package clang-format provides; clang-format-14 only has
# clang-format-14), spin and bc (model check), IPC::Run (TAP tests), curl and
# ca-certificates (the test cluster's Node.js setup downloads from the npm
# registry), git, prometheus-postgres-exporter (t/050_metrics.pl reads the
# metrics of src/worker/metrics.yaml through it).
TEST_PKGS=(
	clang-14
	libclang-rt-14-dev
	clang-format
	spin
	bc
	libipc-run-perl
	curl
	ca-certificates
	git
	prometheus-postgres-exporter
)

case "$group" in
run) pkgs=("${RUN_PKGS[@]}") ;;
demo) pkgs=("${RUN_PKGS[@]}" "${DEMO_PKGS[@]}") ;;
test) pkgs=("${RUN_PKGS[@]}" "${DEMO_PKGS[@]}" "${TEST_PKGS[@]}") ;;
*)
	echo "usage: $(basename "$0") [run|demo|test]   (default test: everything)" >&2
	exit 2
	;;
esac

missing=()
for p in "${pkgs[@]}"; do
	case " ${missing[*]-} " in *" $p "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages ($group): ${missing[*]}; run as root to install them" >&2
	exit 1
fi

echo "deps ($group): installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
