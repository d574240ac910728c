#!/usr/bin/env bash
# model/run.sh -- check the SPIN model of the mint attempt protocol.
#
# Every check reads the cluster through lagging RPC nodes (README §1).
# Positive checks (must report "errors: 0"):
#   safety-main   exhaustive safety, no advisory-lock loss, all other faults but retry_mint
#   safety-retry  exhaustive safety, with retry_mint, no fork switch
#   safety-fence  exhaustive safety, with a live worker losing its lock
#   safety-two    safety-main's bounds, two persistent node views (TWO_NODES)
#   liveness      LTL  <>[] terminal  under weak fairness (-a -f)
# Negative variants (each MUST produce a counterexample; safety ones shortest, by BFS):
#   a  SEND_FIRST            send, then record
#   a2 SEND_FIRST + NO_S3    ... run on until two mints
#   b  EXPIRE_AT_CONFIRMED   expiry judged at confirmed height
#   c  NOFENCE               writes not fenced by lease_token
#   c2 NOFENCE+NOFENCEASSERT ... what the stale write breaks
#   d  STATUS_FIRST          status query before the finalized-height query
#   d2 STATUS_FIRST + NO_S3  ... run on until two mints (no webhooks)
#   e  TRUST_CONFIRMED       landed ok/err trusted at confirmed commitment
#   f  NO_EXPIRE             never expire an attempt: the LIVENESS check must fail
#   g  NO_CONTEXT_CHECK      "unknown" from a node behind the height's node counts: two mints
#   g2 NO_CONTEXT_CHECK      ... with two persistent node views (TWO_NODES): two mints
#   i  SPLIT_HS              H and its slot S from two different answers: two mints
#   h  REFRESH_S             inconclusive -> ask the height (and S) again: the LIVENESS check must fail
# A negative variant passes only if pan reports the violation named for it
# (an assertion's text, or an acceptance cycle).
#
# Usage: model/run.sh [-q] (any cwd).  -q: do not print counterexample traces.
# Exit status: 0 iff every positive check passes and every negative variant
# fails.  Temporary files go to a mktemp dir that is removed on exit.
set -u

QUIET=0
[ "${1:-}" = "-q" ] && QUIET=1

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODEL="$HERE/mint.pml"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/mint-spin.XXXXXX")"
cleanup() { kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v spin >/dev/null || { echo "spin not found" >&2; exit 2; }
command -v gcc  >/dev/null || { echo "gcc not found" >&2; exit 2; }

START=$(date +%s)
FAILED=0

# run NAME KIND EXPECT "SPIN -D FLAGS" [VIOLATION]
#   KIND: safety | live | neg | negl ; EXPECT: pass | fail
#   VIOLATION (fail only): a fixed string the "pan:1:" line must contain
# Runs in $TMP/NAME; leaves the summary in $TMP/NAME/result.
run() {
	local name=$1 kind=$2 expect=$3 flags=$4 want=${5:-}
	local d="$TMP/$name"
	mkdir -p "$d" && cp "$MODEL" "$d/mint.pml"
	(
		cd "$d" || exit 2
		spin -a $flags mint.pml >spin.out 2>&1 || { echo "spin -a failed" >result; cat spin.out >>result; exit 0; }
		case $kind in
		# no -DCOLLAPSE: about 1.4x faster, at most about 1.2 GB each;
		# -O1: as fast a pan as -O2, and a compile 2-4 s shorter
		safety) cc="-O1 -DSAFETY -DNOCLAIM -DNOBOUNDCHECK"; pf="-m200000 -w25" ;;
		live)   cc="-O1 -DNFAIR=3 -DNOBOUNDCHECK";          pf="-m200000 -w24 -a -f -N live" ;;
		# small searches: a fast compile beats a fast pan
		neg)    cc="-O0 -DSAFETY -DNOCLAIM -DBFS -DCOLLAPSE"; pf="-m200000 -w24" ;;
		negl)   cc="-O0 -DNFAIR=3";                  pf="-m200000 -w24 -a -f -N live" ;;
		esac
		gcc -w $cc -o pan pan.c >gcc.out 2>&1 || { echo "gcc failed" >result; cat gcc.out >>result; exit 0; }
		t0=$(date +%s.%N)
		./pan $pf >pan.out 2>&1
		t1=$(date +%s.%N)
		{
			grep -E 'pan:1|errors:|states, stored|transitions \(|total actual memory' pan.out
			printf 'elapsed %.1f s\n' "$(echo "$t1 - $t0" | bc)"
		} >result
		if [ -f mint.pml.trail ]; then
			spin -t $flags mint.pml 2>&1 | grep -E 'MSC:|assertion violated|failed assertion|CYCLE' \
				| sed -e 's/^ *MSC: /    /' -e 's/^spin: /    spin: /' -e 's/^ *</    </' >trace.all
			if [ "$(wc -l <trace.all)" -gt 70 ]; then
				{ head -n 35 trace.all; echo "    ... ($(wc -l <trace.all) lines; see spin -t) ..."; tail -n 30 trace.all; } >trace
			else
				cp trace.all trace
			fi
		fi
	)
	local errs
	errs=$(grep -oE 'errors: [0-9]+' "$d/result" 2>/dev/null | grep -oE '[0-9]+' | head -1)
	local verdict
	if [ -z "$errs" ]; then
		verdict="BROKEN (no pan result)"; echo 1 >"$d/bad"
	elif [ "$expect" = pass ] && [ "$errs" = 0 ] && ! grep -q 'pan:1' "$d/result"; then
		verdict="OK (no violation)"
	elif [ "$expect" = fail ] && [ "$errs" != 0 ] && [ -s "$d/trace" ] \
		&& { [ -z "$want" ] || grep 'pan:1:' "$d/result" | grep -qF -- "$want"; }; then
		verdict="OK (counterexample found, as required)"
	elif [ "$expect" = fail ] && [ "$errs" != 0 ] && [ -s "$d/trace" ]; then
		verdict="WRONG COUNTEREXAMPLE (expected: $want)"; echo 1 >"$d/bad"
	elif [ "$expect" = pass ]; then
		verdict="VIOLATION"; echo 1 >"$d/bad"
	else
		verdict="NO COUNTEREXAMPLE (negative variant must fail)"; echo 1 >"$d/bad"
	fi
	echo "$verdict" >"$d/verdict"
}

report() {
	local name=$1 flags=$2
	local d="$TMP/$name"
	echo "== $name  [$flags]  => $(cat "$d/verdict")"
	sed 's/^/   /' "$d/result"
	if [ $QUIET = 0 ] && [ -s "$d/trace" ]; then
		echo "   counterexample (spin -t, MSC events):"
		cat "$d/trace"
	fi
	[ -f "$d/bad" ] && FAILED=1
	return 0
}

POS_MAIN="-DMAXLOCKLOSS=0 -DMAXRETRY=0"
POS_RETRY="-DMAXLOCKLOSS=0 -DMAXROLLBACK=0"
POS_FENCE="-DMAXLOCKLOSS=1 -DMAXRETRY=0 -DMAXWEBHOOK=1 -DMAXROLLBACK=0"
POS_TWO="-DTWO_NODES -DMAXLOCKLOSS=0 -DMAXRETRY=0"
POS_LIVE="-DMAXLOCKLOSS=0 -DMAXRETRY=0 -DMAXWEBHOOK=1 -DMAXROLLBACK=0"
NEG_A="-DMAXLOCKLOSS=0 -DSEND_FIRST"
NEG_A2="-DMAXLOCKLOSS=0 -DSEND_FIRST -DNO_S3"
NEG_B="-DMAXLOCKLOSS=0 -DEXPIRE_AT_CONFIRMED"
NEG_C="-DNOFENCE"
NEG_C2="-DNOFENCE -DNOFENCEASSERT -DMAXRETRY=0 -DMAXWEBHOOK=1"
NEG_D="-DMAXLOCKLOSS=0 -DSTATUS_FIRST"
NEG_D2="-DMAXLOCKLOSS=0 -DSTATUS_FIRST -DNO_S3 -DMAXWEBHOOK=0"
NEG_E="-DMAXLOCKLOSS=0 -DTRUST_CONFIRMED"
NEG_F="-DMAXLOCKLOSS=0 -DMAXRETRY=0 -DMAXWEBHOOK=0 -DMAXROLLBACK=0 -DNO_EXPIRE"
NEG_G="-DMAXLOCKLOSS=0 -DNO_CONTEXT_CHECK -DNO_S3 -DMAXWEBHOOK=0"
NEG_G2="-DTWO_NODES -DMAXLOCKLOSS=0 -DNO_CONTEXT_CHECK -DNO_S3 -DMAXWEBHOOK=0"
NEG_I="-DMAXLOCKLOSS=0 -DSPLIT_HS -DNO_S3 -DMAXWEBHOOK=0"
NEG_H="-DMAXLOCKLOSS=0 -DMAXRETRY=0 -DMAXWEBHOOK=0 -DMAXROLLBACK=0 -DREFRESH_S"

echo "mint_ext SPIN model: $MODEL"
spin -V

# two cores, two queues of about equal length
(
	run safety-retry safety pass "$POS_RETRY"
	run safety-fence safety pass "$POS_FENCE"
	run neg-b  neg fail "$NEG_B"  "(st!=5)&&(st!=6)"
	run neg-d  neg fail "$NEG_D"  "(mints==0)"
	run neg-d2 neg fail "$NEG_D2" "(mints<=1)"
	run neg-i  neg fail "$NEG_I"  "(mints<=1)"
) &
(
	run safety-main  safety pass "$POS_MAIN"
	run safety-two   safety pass "$POS_TWO"
	run liveness live pass "$POS_LIVE"
	run neg-a  neg fail "$NEG_A"  "(st!=5)&&(st!=6)"
	run neg-a2 neg fail "$NEG_A2" "(mints<=1)"
	run neg-c  neg fail "$NEG_C"  "(tok==mytok[w])"
	run neg-c2 neg fail "$NEG_C2" "((st!=4)||(1==4))"
	run neg-e  neg fail "$NEG_E"  "(st!=4)"
	run neg-f  negl fail "$NEG_F" "acceptance cycle"
	run neg-g  neg fail "$NEG_G"  "(mints<=1)"
	run neg-g2 neg fail "$NEG_G2" "(mints<=1)"
	run neg-h  negl fail "$NEG_H" "acceptance cycle"
) &
wait
report safety-main  "$POS_MAIN"
report safety-retry "$POS_RETRY"
report safety-fence "$POS_FENCE"
report safety-two   "$POS_TWO"
report liveness "$POS_LIVE"
report neg-a  "$NEG_A"
report neg-a2 "$NEG_A2"
report neg-b  "$NEG_B"
report neg-c  "$NEG_C"
report neg-c2 "$NEG_C2"
report neg-d  "$NEG_D"
report neg-d2 "$NEG_D2"
report neg-e  "$NEG_E"
report neg-f  "$NEG_F"
report neg-g  "$NEG_G"
report neg-g2 "$NEG_G2"
report neg-h  "$NEG_H"
report neg-i  "$NEG_I"

END=$(date +%s)
echo
echo "total time: $((END - START)) s"
if [ $FAILED = 0 ]; then
	echo "RESULT: PASS (positive model verified; every negative variant has a counterexample)"
else
	echo "RESULT: FAIL"
fi
exit $FAILED
