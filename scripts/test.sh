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
failed=()
step() {
	echo "== $*"
	if ! "$@"; then
		echo "!! FAILED: $*"
		failed+=("$*")
		status=1
	fi
}

step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" format-check
step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" solana-unit
step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" solana-fuzz
step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" fake-test
# the real-programs test cluster: Node.js and the pinned npm packages, its own tests
step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" svm-setup
step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" svm-test
# the outbound webhook receiver of t/051: the official standardwebhooks package, pinned
step bash "$ROOT/t/receiver/setup.sh"
step make -C "$ROOT" -s PG_CONFIG="$PG_CONFIG" keygen-test
if [ -x "$ROOT/model/run.sh" ]; then
	step "$ROOT/model/run.sh"
fi

# installcheck runs pg_regress, then the isolation specs, then the TAP
# tests (make stops at the first suite that fails).  On failure, the
# evidence of the failing tests only is printed last, where a truncated CI
# log still shows it.
work=$(make_user_copy)
trap 'rm -rf "$work"' EXIT
if ! as_user make -C "$work" -s PG_CONFIG="$PG_CONFIG" installcheck; then
	status=1
	failed+=("installcheck")
	echo "== evidence of the failing tests"
	for f in "$work"/regression.diffs "$work"/output_iso/regression.diffs; do
		[ -f "$f" ] && { echo "== $f"; head -n 150 "$f"; }
	done
	# "[12:00:00.000](0.1s) not ok 3 - ..." in the logs, "not ok 3" on a tty
	notok='^(\[[^]]*\]\([^)]*\) )?not ok [0-9]+'
	for f in "$work"/tmp_check/log/regress_log_*; do
		[ -f "$f" ] || continue
		# A TAP test failed if it printed "not ok" or never printed its plan.
		if grep -Eq "$notok" "$f" || ! grep -q '1\.\.[0-9]' "$f"; then
			t=${f##*/regress_log_}
			echo "== $f"
			tail -n 100 "$f"
			for s in "$work"/tmp_check/log/"$t"_*.log; do
				[ -f "$s" ] && { echo "== $s"; tail -n 60 "$s"; }
			done
			failed+=("TAP $t: $(grep -Eo "$notok.*" "$f" | head -n 5 | tr '\n' ';' || true)")
		fi
	done
fi

# The README's demo command, end to end (N=20; KEEP=1 then --stop; SIGTERM),
# and that each run leaves no process behind.
. "$ROOT/scripts/check-demo.sh"
step check_demo

if [ $status -eq 0 ]; then
	echo "== all tests passed"
else
	echo "== some tests FAILED:"
	printf '   %s\n' "${failed[@]}"
fi
exit $status
