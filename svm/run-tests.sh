#!/usr/bin/env bash
# Run the LiteSVM test cluster's self-tests (node:test).  Installs what is missing first
# (svm/setup.sh).  Each test file starts its own server on a free loopback port.
#     svm/run-tests.sh [test/FILE.test.js ...]
set -euo pipefail
SVM=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SVM/.." && pwd)
bash "$SVM/setup.sh"
NODE=$(bash "$ROOT/scripts/node.sh")
export SVM_NODE=$NODE
cd "$SVM"
if [ $# -eq 0 ]; then set -- test/*.test.js; fi
exec timeout "${SVM_TEST_TIMEOUT:-600}" "$NODE" --test --test-reporter=spec --test-concurrency=1 "$@"
