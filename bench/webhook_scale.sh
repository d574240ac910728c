#!/usr/bin/env bash
# How the cost of one Helius webhook delivery grows with its transactions
# (issue 13, finding 3), on a throwaway PostgreSQL 15 cluster:
#   sudo bench/webhook_scale.sh
# Times mint.process_webhook() for deliveries of N, 2N and 4N transactions
# (none about a job, so each is stored and answered 'ignored'), REPS times
# each, and prints the best time of each size with its ratio to N's.  Linear
# processing gives ratios near 2 and 4; the quadratic one this replaced gave
# about 13 for 4N at N = 2,500 (1.1 s and 14.5 s).  The sizes may exceed
# mint.webhook_max_events: the cap is raised for the run.
# Knobs: N (2500), REPS (3), SKIP_BUILD=1 (use the installed extension),
# BENCH_PG_BIN (another PostgreSQL 15 bin directory).
# Not part of the test suite (tests assert no timings).
set -euo pipefail
. "$(dirname "$0")/../scripts/common.sh"
need_root
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install run
PG_BIN=${BENCH_PG_BIN:-$PG_BIN}
N=${N:-2500}
REPS=${REPS:-3}

dir=$(mktemp -d /tmp/mint_ext-whbench.XXXXXX)
chown "$TEST_USER": "$dir"
cleanup() {
	as_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
init_test_cluster "$dir" <<CONF
mint.workers = 0
CONF
as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
q() { as_user "$PG_BIN/psql" -h "$dir" -U postgres -d postgres -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -c "CREATE EXTENSION mint_ext" \
  -c "SELECT mint.add_webhook_endpoint('bench', 'helius', 'Bearer bench', max_body_bytes => 67108864)" >/dev/null

# ms for one delivery of n transactions with signatures from `first` on
deliver() {
	local first=$1 n=$2
	q <<SQL
SET mint.webhook_max_events = 100000;
CREATE TEMP TABLE body AS
SELECT jsonb_agg(jsonb_build_object('signature', 'Sig' || translate(lpad(i::text, 60, '1'), '0', 'z'),
       'type', 'TRANSFER', 'transactionError', NULL) ORDER BY i)::text AS b
  FROM generate_series($first, $first + $n - 1) i;
SELECT clock_timestamp() AS t0 \gset
SELECT CASE WHEN mint.process_webhook('bench', '{"Authorization": "Bearer bench"}', b)->>'status' <> 'rejected'
            THEN round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000) ELSE -1 END
  FROM body;
SQL
}

printf '%-14s %10s %8s\n' transactions best_ms ratio
base=
first=1
for mult in 1 2 4; do
	n=$((N * mult))
	best=
	for _ in $(seq "$REPS"); do
		ms=$(deliver "$first" "$n")
		first=$((first + n))
		[ "$ms" -ge 0 ] || { echo "delivery of $n transactions was rejected" >&2; exit 1; }
		[ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
	done
	[ -n "$base" ] || base=$best
	printf '%-14s %10s %8s\n' "$n" "$best" "$(awk "BEGIN { printf \"%.2f\", $best / ($base > 0 ? $base : 1) }")"
done
