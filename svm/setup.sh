#!/usr/bin/env bash
# Install what the LiteSVM test cluster needs: a Node >= 20.18 (scripts/node.sh) and the npm
# packages pinned by svm/package-lock.json (npm ci into svm/node_modules, which is gitignored).
# Idempotent and fast when already installed.  Checks the program binaries' SHA256SUMS too.
# Needs root only when scripts/node.sh has to install Node (see there).
set -euo pipefail
SVM=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SVM/.." && pwd)

for d in bubblegum-v1 bubblegum-v2; do
	(cd "$SVM/programs/$d" && sha256sum --quiet -c SHA256SUMS) ||
		{ echo "svm/setup.sh: svm/programs/$d does not match its SHA256SUMS" >&2; exit 1; }
done

NODE=$(bash "$ROOT/scripts/node.sh")
NPM_CLI=$(bash "$ROOT/scripts/node.sh" --npm)
want="$(sha256sum "$SVM/package-lock.json" | cut -d' ' -f1) $("$NODE" -v)"
stamp=$SVM/node_modules/.mint_ext-installed
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
	"$NODE" -e 'require(process.argv[1] + "/node_modules/litesvm")' "$SVM" 2>/dev/null; then
	exit 0
fi
echo "svm/setup.sh: npm ci in $SVM (node $("$NODE" -v))" >&2
# Trust the system's CA bundle too (see scripts/node.sh).
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
# npm runs scripts with "node" from PATH: put ours first.
export PATH="$(dirname "$NODE"):$PATH"
(cd "$SVM" && "$NODE" "$NPM_CLI" ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
"$NODE" -e 'require(process.argv[1] + "/node_modules/litesvm")' "$SVM" ||
	{ echo "svm/setup.sh: litesvm does not load with $NODE" >&2; exit 1; }
echo "$want" >"$stamp"
