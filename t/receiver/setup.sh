#!/usr/bin/env bash
# Install the webhook receiver's one dependency, the official Standard Webhooks library, as
# pinned by t/receiver/package-lock.json (npm ci into t/receiver/node_modules, which is
# gitignored), with the project's pinned Node (scripts/node.sh).  Idempotent and fast when
# already installed.  Needs root only when scripts/node.sh has to install Node.
set -euo pipefail
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$DIR/../.." && pwd)

NODE=$(bash "$ROOT/scripts/node.sh")
NPM_CLI=$(bash "$ROOT/scripts/node.sh" --npm)
want="$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1) $("$NODE" -v)"
stamp=$DIR/node_modules/.mint_ext-installed
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
	"$NODE" -e 'require(process.argv[1] + "/node_modules/standardwebhooks")' "$DIR" 2>/dev/null; then
	exit 0
fi
echo "t/receiver/setup.sh: npm ci in $DIR (node $("$NODE" -v))" >&2
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
export PATH="$(dirname "$NODE"):$PATH"
(cd "$DIR" && "$NODE" "$NPM_CLI" ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
"$NODE" -e 'require(process.argv[1] + "/node_modules/standardwebhooks")' "$DIR" ||
	{ echo "t/receiver/setup.sh: standardwebhooks does not load with $NODE" >&2; exit 1; }
echo "$want" >"$stamp"
