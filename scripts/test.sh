#!/usr/bin/env bash
# Run every test of mint_ext; exit non-zero on any failure.
#   sudo scripts/test.sh
# Installs missing Debian packages, builds with -Werror, installs, then runs
# the Solana client's unit tests and fuzz target under ASan/UBSan, the fake
# Solana cluster's own tests (under ASan/UBSan), the SPIN model check, and
# pg_regress, isolation and TAP tests on throwaway clusters as an
# unprivileged user.
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_root
build_and_install

status=0
step() {
	echo "== $*"
	if ! "$@"; then
		echo "!! FAILED: $*"
		status=1
	fi
}

step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" format-check
step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" solana-unit
step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" solana-fuzz
step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" fake-test
if [ -x "$ROOT/model/run.sh" ]; then
	step "$ROOT/model/run.sh"
fi

work=$(make_user_copy)
trap 'rm -rf "$work"' EXIT
if ! as_user make -C "$work" -s PG_CONFIG="$PG_CONFIG" installcheck; then
	status=1
	for f in "$work"/regression.diffs "$work"/output_iso/regression.diffs; do
		[ -f "$f" ] && { echo "== $f"; cat "$f"; }
	done
	for f in "$work"/tmp_check/log/*; do
		[ -f "$f" ] && { echo "== $f"; tail -n 80 "$f"; }
	done
fi

if [ $status -eq 0 ]; then
	echo "== all tests passed"
else
	echo "== some tests FAILED"
fi
exit $status
