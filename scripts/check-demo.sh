#!/usr/bin/env bash
# The README's demo command, checked (a step of scripts/test.sh; about 30 s):
#   sudo scripts/check-demo.sh        (or: . scripts/check-demo.sh; check_demo)
# 1. N=20 scripts/demo.sh passes with its verdict line, and leaves nothing
#    running: no process whose command line names its directory
#    /tmp/mint_ext-demo.XXXXXX (the fake cluster, the postmaster), the fake's
#    pid gone, the directory removed;
# 2. KEEP=1 N=5 scripts/demo.sh leaves both clusters running, then
#    scripts/demo.sh --stop stops them: the same checks;
# 3. a demo sent SIGTERM while the worker mints exits non-zero and leaves
#    nothing running either.
# N (default 20) sets the batch size of 1 and 3.

# Processes (pid and command line) that name DIR, apart from this shell's.
_demo_procs() {
	local dir=$1 p cmd
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = $$ ] && continue
		cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		case "$cmd" in *"$dir"[/\ ]* | *"$dir") echo "   ${p#/proc/}: $cmd" ;; esac
	done
}

# _demo_left LOG: whether the demo that wrote LOG left something behind.
_demo_left() {
	local log=$1 dir fake left=0 procs
	dir=$(sed -n 's/^== starting a throwaway PostgreSQL 15 cluster in \(\/tmp\/mint_ext-demo\.[A-Za-z0-9]*\)$/\1/p' "$log" | head -n 1)
	fake=$(sed -n 's/^   http:\/\/127\.0\.0\.1:[0-9]* (pid \([0-9]*\))$/\1/p' "$log" | head -n 1)
	if [ -z "$dir" ] || [ -z "$fake" ]; then
		echo "!! check-demo: no demo directory or fake pid in its output"
		return 0
	fi
	procs=$(_demo_procs "$dir")
	if [ -n "$procs" ]; then
		echo "!! check-demo: processes of $dir left running:"
		echo "$procs"
		left=1
	fi
	if [ -d "/proc/$fake" ] && [ "$(cat "/proc/$fake/comm" 2>/dev/null)" = solana-fake ]; then
		echo "!! check-demo: the fake cluster (pid $fake) is still running"
		left=1
	fi
	if [ -e "$dir" ]; then
		echo "!! check-demo: $dir was not removed"
		left=1
	fi
	[ $left = 0 ] && echo "   nothing left: no process names $dir, fake pid $fake gone, directory removed"
	[ $left = 1 ]
}

check_demo() {
	local root n log rc=0 t0 dir fake pm pid status
	root=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
	n=${N:-20}
	log=$(mktemp /tmp/mint_ext-check-demo.XXXXXX)

	echo "-- 1. N=$n scripts/demo.sh"
	t0=$SECONDS
	if N=$n KEEP=0 bash "$root/scripts/demo.sh" >"$log" 2>&1; then
		grep -E '^(==|!!) verdict' "$log" | sed 's/^/   /'
		grep -q '^== verdict: ' "$log" || {
			echo "!! check-demo: no verdict line"
			rc=1
		}
	else
		echo "!! check-demo: the demo failed; its output:"
		cat "$log"
		rc=1
	fi
	_demo_left "$log" && rc=1
	echo "   ($((SECONDS - t0)) s)"

	echo "-- 2. KEEP=1 N=5 scripts/demo.sh, then scripts/demo.sh --stop"
	t0=$SECONDS
	if N=5 KEEP=1 bash "$root/scripts/demo.sh" >"$log" 2>&1 && grep -q '^== verdict: ' "$log"; then
		grep -E '^(== verdict|== KEEP=1|   connect:|   stop all)' "$log" | sed 's/^/   /'
		dir=$(sed -n 's/^== KEEP=1: both clusters left running in //p' "$log")
		fake=$(sed -n 's/^fake_pid=//p' "$dir/demo.state" 2>/dev/null)
		pm=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null)
		if [ -z "$dir" ] || [ -z "$fake" ] || [ -z "$pm" ] || ! [ -d "/proc/$fake" ] || ! [ -d "/proc/$pm" ]; then
			echo "!! check-demo: KEEP=1 did not leave both clusters running (dir '$dir', fake '$fake', postmaster '$pm')"
			cat "$log"
			rc=1
		else
			echo "   kept: fake cluster pid $fake and postmaster pid $pm running"
		fi
	else
		echo "!! check-demo: the KEEP=1 demo failed; its output:"
		cat "$log"
		rc=1
	fi
	if bash "$root/scripts/demo.sh" --stop 2>&1 | tee -a "$log" | sed 's/^/   /'; [ "${PIPESTATUS[0]}" != 0 ]; then
		echo "!! check-demo: scripts/demo.sh --stop failed"
		rc=1
	fi
	_demo_left "$log" && rc=1
	echo "   ($((SECONDS - t0)) s)"

	echo "-- 3. SIGTERM to N=$n scripts/demo.sh while the worker mints"
	t0=$SECONDS
	N=$n KEEP=0 bash "$root/scripts/demo.sh" >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 1200); do
		grep -q '^== the worker mints them' "$log" && break
		[ -d "/proc/$pid" ] || break
		sleep 0.1
	done
	kill -TERM "$pid" 2>/dev/null
	status=0
	wait "$pid" || status=$?
	if [ $status = 143 ] && grep -q '^!! terminated' "$log"; then
		echo "   the demo exited $status: $(grep -E '^(!! terminated|== stopped)' "$log" | tr '\n' ' ')"
	else
		echo "!! check-demo: the demo sent SIGTERM while minting exited $status, not 143; its output:"
		cat "$log"
		rc=1
	fi
	_demo_left "$log" && rc=1
	echo "   ($((SECONDS - t0)) s)"

	rm -f "$log"
	return $rc
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -uo pipefail
	if [ "$(id -u)" -ne 0 ]; then
		echo "$(basename "$0"): run as root (it runs scripts/demo.sh)"
		exit 1
	fi
	check_demo
fi
