#!/usr/bin/env bash
# mint_ext benchmarks (issue 7), on a throwaway PostgreSQL 15 cluster and the
# fake Solana cluster (127.0.0.1 only):   sudo bench/run.sh
#
# Prints one table at the end; every throughput is also given as a ratio to
# a baseline measured in the same run.  Phases (each can be skipped by
# listing the ones wanted: PHASES="enqueue drain chaos memory"):
#   enqueue  pgbench, 8 clients: mint.mint_ticket() (new tickets, with and
#            without idempotency keys; replays of the same ticket / key)
#            against a plain INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING
#            into a table of the same shape; synchronous_commit on and off.
#            mint.workers = 0 during this phase.
#   drain    20,000 queued tickets to confirmed, RPC latency 0 ms and 100 ms;
#            enqueue -> sent / confirmed latency; idle enqueue -> sent.
#   chaos    10,000 tickets, every fault of the fake cluster, 20 kill -9 of a
#            worker: duplicates and lost jobs (from the fake's ledger).
#   memory   worker VmRSS / RssAnon over a long run (MEM_JOBS, 200,000).
#   pool     the fake's per-tree block limit (POOL_BLOCK_LIMIT mints per tree
#            per block): POOL_N tickets drained into one tree, then into a
#            pool of 8 (mint.add_tree); the ratio of the rates.
#   mainnet  MAINNET_N (100,000) tickets at every built-in default (finalized)
#            on mainnet timing (400 ms slots, finalized 32 blocks behind,
#            100 ms RPC, MAINNET_BLOCK_LIMIT 230 mints per tree per block,
#            MAINNET_TREES 8): the steady drain rate, CPU per mint, worker
#            RssAnon; then latency idle and under pgbench -R
#            MAINNET_LOAD_RATE (2100) for MAINNET_LOAD_T (60) s (MAINNET_DRAIN_ONLY=1:
#            the drain only).
#            MAINNET_SET="mint.x=v ..." tries other settings; PROFILE=1
#            prints the statements the drain spent its time in.
#   scale    0 vs SCALE_JOBS (5,000,000) jobs of history (one tenant, each
#            with its attempt and event): enqueue tps, mint._claim() of 256
#            (rolled back) per second, drain of SCALE_DRAIN_N (20,000) at
#            confirmed; SCALE_REPS (3) repetitions, medians.
# Knobs (environment): T (pgbench seconds per run, 10), REPS (5: the median judges), ENQUEUE_SC ("on": synchronous_commit values; "on off" for both), CLIENTS (8),
# DRAIN_N (20000), DRAIN_REPS (3: drains per latency; the median judges), CHAOS_N (10000), KILLS (20), MEM_JOBS (200000),
# WORKERS (2), BATCH (256), INFLIGHT (2048), POLL (100ms), SLOT_MS (400),
# FIN_LAG (32: the fake's finalized lag in blocks), DRAIN_COMMITMENTS
# ("confirmed finalized": the drain runs once per mint.commitment; the
# other phases use the server's default),
# MEM_BATCH (256), MEM_INFLIGHT (32768: the default), MEM_COMMITMENT (the server's
# default; "confirmed" drains faster), MEM_LIMIT_KB (2000000: in every
# phase a watchdog kill -9s a worker whose RssAnon passes it, and the table
# says so; the memory phase also stops there),
# SKIP_BUILD=1 (use the installed extension), KEEP=1 (leave the cluster),
# BENCH_PG_BIN (another PostgreSQL 15 bin directory), FAKE_BIN (another
# solana-fake binary).
# Not part of the test suite.
set -euo pipefail
. "$(dirname "$0")/../scripts/common.sh"
need_root
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install
# BENCH_PG_BIN: the bin directory of another (relocated) PostgreSQL 15
# installation, e.g. one with a patched mint_ext installed by DESTDIR
PG_BIN=${BENCH_PG_BIN:-$PG_BIN}

PHASES=${PHASES:-"enqueue drain chaos memory"}
T=${T:-10}
REPS=${REPS:-5}
CLIENTS=${CLIENTS:-8}
DRAIN_N=${DRAIN_N:-20000}
DRAIN_REPS=${DRAIN_REPS:-3}
CHAOS_N=${CHAOS_N:-10000}
KILLS=${KILLS:-20}
MEM_JOBS=${MEM_JOBS:-200000}
WORKERS=${WORKERS:-2}
BATCH=${BATCH:-256}
INFLIGHT=${INFLIGHT:-2048}
POLL=${POLL:-100ms}
SLOT_MS=${SLOT_MS:-400}
FIN_LAG=${FIN_LAG:-32}
COMMITMENT=${COMMITMENT:-}
DRAIN_COMMITMENTS=${DRAIN_COMMITMENTS:-"confirmed finalized"}
MEM_BATCH=${MEM_BATCH:-256}
MEM_INFLIGHT=${MEM_INFLIGHT:-32768}
MEM_LIMIT_KB=${MEM_LIMIT_KB:-2000000}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-240}
CHAOS_TIMEOUT=${CHAOS_TIMEOUT:-400}
MEM_TIMEOUT=${MEM_TIMEOUT:-420}
SCALE_REPS=${SCALE_REPS:-3}
SCALE_DRAIN_N=${SCALE_DRAIN_N:-20000}

OWNER=GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse
CREATOR=AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9
TREE=9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu
PAYER=AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9 # the test key's public key (init_test_cluster)
META='{"name": "Concert A - Seat 7", "symbol": "TIX", "uri": "https://tickets.example.org/m/seat-7.json", "seller_fee_basis_points": 500, "creators": [{"address": "'$CREATOR'", "share": 100}]}'

dir=$(mktemp -d /tmp/mint_ext-bench.XXXXXX)
chown "$TEST_USER": "$dir"
RES=$dir/results.txt
: >"$RES"
fake_pid=
bg_pid=
wd_pid=
t_start=$(date +%s)
cleanup() {
	set +e
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
	[ -n "$wd_pid" ] && kill "$wd_pid" 2>/dev/null
	if [ "${KEEP:-0}" != 1 ]; then
		[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
		as_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
		rm -rf "$dir"
	else
		echo "kept: $dir (runuser -u $TEST_USER -- $PG_BIN/psql -h $dir -U postgres); fake pid ${fake_pid:-} port ${port:-}"
	fi
}
trap cleanup EXIT

log() { printf '[%4ds] %s\n' "$(($(date +%s) - t_start))" "$*" >&2; }
# row SECTION METRIC VALUE RATIO TARGET VERDICT
calc() { awk "BEGIN { x = ($*); print (x == int(x) ? x : sprintf(\"%.6f\", x)) }"; }
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RES"; }

q() { as_user "$PG_BIN/psql" -h "$dir" -U postgres -d postgres -X -q -At -v ON_ERROR_STOP=1 "$@"; }
# a query that may meet the server restarting after a crash
q_retry() {
	local i out
	for i in $(seq 150); do
		if out=$(q "$@" 2>/dev/null); then
			echo "$out"
			return 0
		fi
		sleep 0.2
	done
	echo "query failed repeatedly: $*" >&2
	return 1
}

# --- the fake Solana cluster (a private copy of the binary: others rebuild it) ---
cp "${FAKE_BIN:-$ROOT/fake/solana-fake}" "$dir/solana-fake"
start_fake() {
	if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null; while kill -0 "$fake_pid" 2>/dev/null; do sleep 0.05; done; fi
	rm -f "$dir/fake.port"
	rm -f "$dir/fake.pid"
	# exec'd by the shell that writes its pid: the fake's own pid, not runuser's
	as_user sh -c 'echo $$ >"$0/fake.pid"; exec "$0/solana-fake" "$@"' "$dir" \
		--listen 127.0.0.1:0 --port-file "$dir/fake.port" --quiet --tree "$TREE:$PAYER" "$@" >"$dir/fake.log" 2>&1 &
	for _ in $(seq 100); do [ -s "$dir/fake.port" ] && [ -s "$dir/fake.pid" ] && break; sleep 0.1; done
	fake_pid=$(cat "$dir/fake.pid")
	port=$(tr -d '[:space:]' <"$dir/fake.port")
	# the phases restart the server after this: a worker must not carry chain
	# facts (finalized height) from one fake cluster to another (see RESULTS.md)
	q -c "ALTER SYSTEM SET mint.rpc_url = 'http://127.0.0.1:$port'" >/dev/null
}
fake_control() {
	perl -MHTTP::Tiny -e 'my $r = HTTP::Tiny->new->post("http://127.0.0.1:$ARGV[0]/control",
		{content => $ARGV[1], headers => {"content-type" => "application/json"}});
		die "control: $r->{status} $r->{content}\n" unless $r->{success};' "$port" "$1"
}
# "sends status_calls": sendTransaction and getSignatureStatuses calls the fake answered
fake_calls() {
	perl -MHTTP::Tiny -MJSON::PP -e '
		my $r = HTTP::Tiny->new(timeout => 60)->get("http://127.0.0.1:$ARGV[0]/stats");
		die "stats: $r->{status}\n" unless $r->{success};
		my $m = decode_json($r->{content})->{methods};
		my $sum = sub { my $o = $m->{$_[0]} || {}; my $t = 0; $t += $_ for values %$o; $t };
		print $sum->("sendTransaction"), " ", $sum->("getSignatureStatuses"), "\n";' "$port"
}
# ledger summary: "ok uris_with_duplicates" (with a prefix: duplicate uris of
# that ticket prefix only; ok is the whole ledger)
fake_ledger() {
	perl -MHTTP::Tiny -MJSON::PP -e '
		my $r = HTTP::Tiny->new(timeout => 60)->get("http://127.0.0.1:$ARGV[0]/ledger?summary=1");
		die "ledger: $r->{status}\n" unless $r->{success};
		my $l = decode_json($r->{content});
		my $d = $l->{uris_with_duplicates};
		$d = grep { m{/\Q$ARGV[1]\E/} } keys %{$l->{duplicates} || {}} if defined $ARGV[1];
		print "$l->{ok} $d\n";' "$port" "$@"
}

# --- the cluster ---
init_test_cluster "$dir" <<CONF
shared_buffers = '1GB'
max_wal_size = '8GB'
checkpoint_timeout = '30min'
max_connections = 50
# one transaction enqueues all DRAIN_N tickets: one advisory lock per ticket
max_locks_per_transaction = 1024
restart_after_crash = on
mint.workers = 0
$([ "${PROFILE:-0}" = 1 ] && printf "shared_preload_libraries = 'mint_ext, pg_stat_statements'\npg_stat_statements.track = all\n")
CONF
pg_restart() {
	as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 restart >/dev/null
}
as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
# The watchdog: a worker that leaks must not take the shared machine down
# with it (a run of this bench once drove a worker to 12 GB and the kernel's
# OOM killer).  kill -9 of a worker is one of the faults the design survives.
watchdog() {
	local pm p a
	while sleep 1; do
		pm=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null) || continue
		for p in $(pgrep -P "$pm" 2>/dev/null); do
			grep -q 'mint_ext worker' "/proc/$p/cmdline" 2>/dev/null || continue
			a=$(awk '/^RssAnon/ {print $2}' "/proc/$p/status" 2>/dev/null)
			if [ "${a:-0}" -gt "$MEM_LIMIT_KB" ] && kill -9 "$p" 2>/dev/null; then
				echo "$(date +%T) worker $p killed at RssAnon $a kB" >>"$dir/watchdog.log"
			fi
		done
	done
}
watchdog &
wd_pid=$!
q <<SQL
CREATE EXTENSION mint_ext;
SELECT mint.register_tree('bench', '$TREE');
CREATE SCHEMA bench;
CREATE SEQUENCE bench.seq CACHE 100;
CREATE SEQUENCE bench.kseq CACHE 100;
-- the baseline: a table of the same shape (columns, defaults, generated
-- column, constraints, indexes) as mint.mint_jobs
CREATE TABLE bench.jobs (LIKE mint.mint_jobs INCLUDING ALL);
-- for the two-row reference: a table of the shape of mint.idempotency_keys
CREATE TABLE bench.keys (LIKE mint.idempotency_keys INCLUDING ALL);
-- the floor: the job's row with its primary key as its only index
CREATE TABLE bench.floor (LIKE mint.mint_jobs INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS,
                          PRIMARY KEY (tenant_id, ticket_id));
SQL

machine="$(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GiB, kernel $(uname -r), $("$PG_BIN/postgres" --version)"
log "machine: $machine"

# ---------------------------------------------------------------------------
# 1 + 2: enqueue and replays (pgbench)
# ---------------------------------------------------------------------------
pgb() {	# pgb FILE -> tps
	local out tps
	out=$(as_user "$PG_BIN/pgbench" -h "$dir" -U postgres -n -M prepared -c "$CLIENTS" -j 2 -T "$T" \
		-f "$1" postgres 2>&1) || true
	tps=$(echo "$out" | awk '/^tps = / {print $3; exit}')
	if [ -z "$tps" ] || grep -q 'aborted' <<<"$out"; then
		log "pgbench $1 failed:"; echo "$out" | tail -5 >&2
		tps=${tps:-0}
	fi
	echo "$tps"
}
# the baseline's statement, for the ticket id expression $1 (no ';'): the
# same metadata and owner every time (pgbench variables cannot hold JSON)
base_insert() {
	cat <<SQL
INSERT INTO bench.jobs AS j (tenant_id, ticket_id, owner, metadata, fingerprint, idempotency_key)
VALUES ('bench', $1, '$OWNER', '$META'::jsonb, sha256(convert_to('$META', 'UTF8')), NULL)
ON CONFLICT (tenant_id, ticket_id) DO UPDATE SET updated_at = clock_timestamp()
RETURNING *
SQL
}
# "met" if the awk expression holds, else "MISSED"; verdict X TARGET: X >= TARGET
met_if() { calc "$*" | sed 's/1/met/;s/0/MISSED/'; }
verdict() { met_if "$1 >= $2"; }
# median of the repetitions: one noisy run cannot flip a verdict
median() { tr ' ' '\n' <<<"$*" | grep . | sort -n | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
phase_enqueue() {
	local sc f kind r
	echo "$(base_insert "'n' || nextval('bench.seq')");" >"$dir/new_base.sql"
	# the floor of any design that keeps keys in a table of their own: the
	# baseline's row plus one key row, in one statement
	cat >"$dir/new_base2.sql" <<SQL
WITH j AS ($(base_insert "'n' || nextval('bench.seq')")),
k AS (INSERT INTO bench.keys AS k (tenant_id, idempotency_key, operation, fingerprint, ticket_ids, created_flags, expires_at)
SELECT 'bench', 'k' || nextval('bench.kseq'), 'mint_ticket', j.fingerprint, ARRAY[j.ticket_id], ARRAY[true], now() + interval '1 day' FROM j
ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET expires_at = excluded.expires_at)
SELECT * FROM j;
SQL
	# the ticket id from the sequence inline, as in the baseline (a LATERAL
	# over nextval() in FROM adds a function scan and a join the baseline
	# does not pay); keys from a sequence of their own
	cat >"$dir/new_mint.sql" <<SQL
SELECT * FROM mint.mint_ticket('bench', 'n' || nextval('bench.seq'), '$OWNER', '$META'::jsonb);
SQL
	cat >"$dir/new_mint_key.sql" <<SQL
SELECT * FROM mint.mint_ticket('bench', 'n' || nextval('bench.seq'), '$OWNER', '$META'::jsonb, 'k' || nextval('bench.kseq'));
SQL
	cat >"$dir/dup_base.sql" <<SQL
\set i 1 + :client_id * (20000 / $CLIENTS) + random(0, 20000 / $CLIENTS - 1)
$(base_insert "'d' || :i");
SQL
	cat >"$dir/dup_mint.sql" <<SQL
\set i 1 + :client_id * (20000 / $CLIENTS) + random(0, 20000 / $CLIENTS - 1)
SELECT * FROM mint.mint_ticket('bench', 'd' || :i, '$OWNER', '$META'::jsonb);
SQL
	cat >"$dir/dup_mint_key.sql" <<SQL
\set i 1 + :client_id * (20000 / $CLIENTS) + random(0, 20000 / $CLIENTS - 1)
SELECT * FROM mint.mint_ticket('bench', 'd' || :i, '$OWNER', '$META'::jsonb, 'dk' || :i);
SQL
	chown "$TEST_USER": "$dir"/*.sql
	# the tickets and keys the replays hit
	q <<SQL
SELECT format('SELECT count(*) FROM (SELECT mint.mint_ticket(''bench'', ''d'' || i, %L, %L::jsonb, ''dk'' || i) FROM generate_series(%s, %s) i) x', '$OWNER', '$META', b, b + 999)
  FROM generate_series(1, 20000, 1000) b \\gexec
INSERT INTO bench.jobs (tenant_id, ticket_id, owner, metadata, fingerprint)
SELECT 'bench', 'd' || i, '$OWNER', '$META'::jsonb, sha256(convert_to('$META', 'UTF8'))
  FROM generate_series(1, 20000) i;
VACUUM ANALYZE;
CHECKPOINT;
SQL
	# the physical floor: one row of the job's shape, its primary key its only index
	cat >"$dir/new_floor.sql" <<SQL
$(base_insert "'n' || nextval('bench.seq')" | sed 's/bench\.jobs/bench.floor/');
SQL
	chown "$TEST_USER": "$dir/new_floor.sql"
	for sc in ${ENQUEUE_SC:-on}; do
		q -c "ALTER SYSTEM SET synchronous_commit = $sc" -c "SELECT pg_reload_conf()" >/dev/null
		for kind in new dup; do
			declare -A all=([base]="" [mint]="" [mint_key]="" [base2]="" [floor]="")
			declare -A med
			local files="base mint mint_key"
			[ "$kind" = new ] && files="$files base2 floor"
			# pr[x/y]: the ratios x / y of each repetition (its runs are
			# back to back, minutes before the next: the box's speed drifts
			# over a phase, and a ratio of medians taken from different
			# repetitions carried that drift); the median of them judges
			declare -A pr=()
			declare -A cur=()
			for r in $(seq "$REPS"); do
				for f in $files; do
					tps=$(pgb "$dir/${kind}_$f.sql")
					log "enqueue sc=$sc $kind $f rep $r: $tps tps"
					all[$f]="${all[$f]} $tps"
					cur[$f]=$tps
				done
				for f in mint/base mint_key/base mint_key/base2 mint/floor base2/base; do
					[ -n "${cur[${f%/*}]:-}" ] && [ -n "${cur[${f#*/}]:-}" ] || continue
					pr[$f]="${pr[$f]:-} $(calc "${cur[${f%/*}]} / (${cur[${f#*/}]} > 0 ? ${cur[${f#*/}]} : 1)")"
				done
			done
			for f in $files; do med[$f]=$(median "${all[$f]}"); done
			local rq
			declare -A rm=()
			for rq in "${!pr[@]}"; do rm[$rq]=$(median "${pr[$rq]}"); done
			local b=${med[base]} label reps="median of $REPS; ratio: median of the repetitions' ratios"
			if [ "$kind" = new ]; then label="enqueue new"; else label="replay"; fi
			row "$label (sc=$sc)" "baseline INSERT..ON CONFLICT tps ($reps: $(echo ${all[base]} | tr ' ' /))" "$(printf %.0f "$b")" "1.00" "" ""
			if [ "$kind" = new ]; then
				local v=${med[mint]} v2=${med[base2]} vk=${med[mint_key]} fl=${med[floor]}
				row "$label (sc=$sc)" "mint_ticket tps ($reps) / baseline" "$(printf %.0f "$v")" "$(printf %.2f "${rm[mint/base]}")" ">= 0.90" "$(verdict "${rm[mint/base]}" 0.90)"
				row "$label (sc=$sc)" "reference: baseline row + one key row (CTE), tps ($reps)" "$(printf %.0f "$v2")" "$(printf %.2f "${rm[base2/base]}")" "" ""
				row "$label (sc=$sc)" "mint_ticket + idempotency key tps ($reps) / the two-row reference" "$(printf %.0f "$vk")" "$(printf %.2f "${rm[mint_key/base2]}")" ">= 0.85" "$(verdict "${rm[mint_key/base2]}" 0.85)"
				row "$label (sc=$sc)" "floor: primary-key-only upsert of the same row, tps ($reps); mint_ticket / it" "$(printf %.0f "$fl")" "$(printf %.2f "${rm[mint/floor]}")" ">= 0.75" "$(verdict "${rm[mint/floor]}" 0.75)"
			else
				local v=${med[mint]} vk=${med[mint_key]}
				row "$label (sc=$sc)" "mint_ticket same ticket again tps ($reps) / baseline" "$(printf %.0f "$v")" "$(printf %.2f "${rm[mint/base]}")" ">= 1.00" "$(verdict "${rm[mint/base]}" 1.00)"
				row "$label (sc=$sc)" "mint_ticket same key (replayed) tps ($reps) / baseline" "$(printf %.0f "$vk")" "$(printf %.2f "${rm[mint_key/base]}")" ">= 1.00" "$(verdict "${rm[mint_key/base]}" 1.00)"
			fi
			unset all med
		done
	done
	q -c "ALTER SYSTEM RESET synchronous_commit" -c "SELECT pg_reload_conf()" >/dev/null
}

# ---------------------------------------------------------------------------
# 3: drain
# ---------------------------------------------------------------------------
worker_settings() {	# workers, then the sighup settings
	q <<SQL >/dev/null
ALTER SYSTEM SET mint.workers = $WORKERS;
ALTER SYSTEM SET mint.batch_size = $BATCH;
ALTER SYSTEM SET mint.max_inflight = $INFLIGHT;
ALTER SYSTEM SET mint.poll_interval = '$POLL';
SQL
	if [ -n "$COMMITMENT" ]; then
		q -c "ALTER SYSTEM SET mint.commitment = '$COMMITMENT'" >/dev/null
	else
		q -c "ALTER SYSTEM RESET mint.commitment" >/dev/null
	fi
}
reset_jobs() {
	# every phase starts a new fake cluster: its trees are read again (capacity, leaves used)
	q -c "TRUNCATE mint.mint_attempts, mint.idempotency_keys, mint.mint_jobs, bench.jobs, bench.floor" \
		-c "UPDATE mint.trees SET minted = 0, reserved = 0, capacity = NULL, checked_at = NULL" \
		-c "VACUUM ANALYZE" -c "CHECKPOINT"
}
# enqueue N tickets PREFIX-1..N (each its own metadata uri) in one transaction;
# prints the commit time (epoch)
enqueue_bulk() {
	local prefix=$1 n=$2 i last
	{
		echo "BEGIN;"
		for ((i = 1; i <= n; i += 1000)); do
			last=$((i + 999)); [ $last -gt $n ] && last=$n
			echo "SELECT count(*) FROM mint.mint_tickets('bench', (SELECT jsonb_agg(jsonb_build_object('ticket_id', '$prefix-' || i, 'owner', '$OWNER', 'metadata', jsonb_build_object('name', 'Seat ' || i, 'symbol', 'TIX', 'uri', 'https://tickets.example/$prefix/' || i || '.json'))) FROM generate_series($i, $last) i)) \\g /dev/null"
		done
		echo "COMMIT;"
		echo "SELECT extract(epoch FROM clock_timestamp());"
	} | q
}
confirmed() { q_retry -c "SELECT count(*) FROM mint.mint_jobs WHERE ticket_id LIKE '$1-%' AND status = 'confirmed'" || echo 0; }
# Polls once a second: the count scans mint_jobs (30-45 ms with 40,000
# rows) in a fresh psql, and five polls a second took about a quarter of a
# core from the drain being measured.  Rates do not depend on the poll: they
# end at max(confirmed_at).
wait_confirmed() {	# prefix n timeout
	local t0=$(date +%s) c
	while :; do
		c=$(confirmed "$1")
		[ "$c" -ge "$2" ] && return 0
		if [ $(($(date +%s) - t0)) -gt "$3" ]; then
			log "timeout: $c of $2 confirmed ($1)"
			return 1
		fi
		sleep 1
	done
}
# when PREFIX's N jobs were drained: the last confirmation, not the poll that
# saw it (or now, if some are not confirmed)
drain_end() {	# prefix n -> epoch seconds
	q_retry -c "SELECT extract(epoch FROM CASE WHEN count(*) FILTER (WHERE status = 'confirmed') = $2
	                 THEN max(confirmed_at) ELSE clock_timestamp() END) FROM mint.mint_jobs WHERE ticket_id LIKE '$1-%'"
}
latency_sql() {	# prefix -> "sent_p50 sent_p99 conf_p50 conf_p99" (ms)
	q -F ' ' -c "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s)),
	                    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY c)), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY c))
	               FROM (SELECT 1000 * extract(epoch FROM a.created_at - j.created_at) s,
	                            1000 * extract(epoch FROM j.confirmed_at - j.created_at) c
	                       FROM mint.mint_jobs j JOIN mint.mint_attempts a USING (tenant_id, ticket_id)
	                      WHERE j.ticket_id LIKE '$1-%' AND a.attempt_no = 1) x"
}
# CPU time (clock ticks, user + system) used so far by the given pids
cpu_ticks() {
	local p t=0
	for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
	echo "$t"
}
# DRAIN_REPS drains of DRAIN_N tickets each; the verdict is on the median
# rate (this box's rates move by about 10 % from one run to the next), the
# rates of every repetition are printed, the latencies are of the median
# one, the ledger and CPU rows cover them all.
drain_one() {	# latency_ms target commitment
	local lat=$1 target=$2 sec="drain ${1}ms, $3" prefix t0 t1 rate ok0 ok dups wp w0 f0 w1 f1
	local r n rates="" med medp total=0 done_n=0
	fake_control "{\"latency_ms\": $lat}"
	read -r ok0 dups <<<"$(fake_ledger)"
	wp=$(worker_pids)
	w0=$(cpu_ticks $wp) f0=$(cpu_ticks "$fake_pid")
	for r in $(seq "$DRAIN_REPS"); do
		prefix="z$1$3r$r"
		t0=$(enqueue_bulk "$prefix" "$DRAIN_N")
		log "drain ${lat}ms rep $r: $DRAIN_N enqueued (one transaction)"
		wait_confirmed "$prefix" "$DRAIN_N" "$DRAIN_TIMEOUT" || true
		t1=$(drain_end "$prefix" "$DRAIN_N")
		n=$(confirmed "$prefix")
		rate=$(calc "$n / ($t1 - $t0)")
		log "drain ${lat}ms rep $r: $(printf %.0f "$rate")/s ($n confirmed)"
		rates="$rates $(printf %.0f "$rate"):$prefix"
		total=$((total + DRAIN_N)) done_n=$((done_n + n))
	done
	w1=$(cpu_ticks $wp) f1=$(cpu_ticks "$fake_pid")
	# the median repetition (the lower middle one for an even count)
	read -r med medp <<<"$(tr ' ' '\n' <<<"$rates" | grep . | sort -t: -k1,1n | awk -F: '{r[NR] = $1; p[NR] = $2} END {m = int((NR + 1) / 2); print r[m], p[m]}')"
	read -r l1 l2 l3 l4 <<<"$(latency_sql "$medp")"
	read -r ok dups <<<"$(fake_ledger)"
	row "$sec" "confirmed mints/s, median of $DRAIN_REPS drains of $DRAIN_N (each: commit -> last confirmed, or -> timeout ${DRAIN_TIMEOUT}s; all: $(tr ' ' '\n' <<<"$rates" | grep . | cut -d: -f1 | paste -sd/))" "$med" \
		"$(printf %.2f "$(calc "$med / $target")")" ">= $target/s" \
		"$(met_if "$med >= $target")"
	row "$sec" "enqueue->sent p50 / p99 ms (bulk, the median drain)" "$l1 / $l2" "" "" ""
	row "$sec" "enqueue->confirmed p50 / p99 ms (bulk, the median drain)" "$l3 / $l4" "" "" ""
	row "$sec" "confirmed / ledger: landed ok / duplicate uris (all drains)" "$done_n / $((ok - ok0)) / $dups" "" "$total / $total / 0" \
		"$([ "$dups" = 0 ] && [ $((ok - ok0)) = "$total" ] && [ "$done_n" = "$total" ] && echo met || echo MISSED)"
	# on this box the workers and the fake share two cores: what each mint costs them
	row "$sec" "CPU ms per mint: workers (all) / fake cluster" \
		"$(printf '%.3f / %.3f' "$(calc "($w1 - $w0) * 1000 / $(getconf CLK_TCK) / $total")" \
			"$(calc "($f1 - $f0) * 1000 / $(getconf CLK_TCK) / $total")")" "" "" ""
	row "$sec" "attempts per job (max), worker peak VmRSS kB" \
		"$(q -c "SELECT round(avg(attempts), 3) || ' (' || max(attempts) || ')' FROM mint.mint_jobs WHERE ticket_id LIKE 'z$1$3r%'"), $(peak_rss)" "" "" ""
}
# the largest VmHWM of the workers now running
peak_rss() {
	local pid m=0 v
	for pid in $(worker_pids); do
		v=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		[ "${v:-0}" -gt "$m" ] && m=$v
	done
	echo "$m"
}
phase_drain() {
	local c first=1
	for c in $DRAIN_COMMITMENTS; do
		COMMITMENT=$c
		reset_jobs
		worker_settings
		start_fake --slot-ms "$SLOT_MS" --finalized-lag "$FIN_LAG"
		pg_restart
		q_retry -c "SELECT 1" >/dev/null
		sleep 1
		drain_one 0 2000 "$c"
		if [ $first = 1 ]; then
			# idle: one ticket at a time, with pauses
			{
				for i in $(seq 50); do
					echo "SELECT 1 FROM mint.mint_ticket('bench', 'idle-$i', '$OWNER', jsonb_build_object('name', 'Idle $i', 'uri', 'https://tickets.example/idle/$i.json')) \\g /dev/null"
					echo "SELECT pg_sleep(0.3) \\g /dev/null"
				done
			} | q
			wait_confirmed idle 50 120 || true
			read -r l1 l2 l3 l4 <<<"$(latency_sql idle)"
			row "idle, 0ms, $c" "enqueue->sent p50 / p99 ms (50 single tickets, 0.3 s apart)" "$l1 / $l2" "" "p50 <= 20" \
				"$(met_if "$l1 <= 20")"
			row "idle, 0ms, $c" "enqueue->confirmed p50 / p99 ms" "$l3 / $l4" "" "" ""
			first=0
		fi
		drain_one 100 1000 "$c"
	done
	COMMITMENT=
	row "drain settings" "mint.workers / batch_size / max_inflight / poll_interval; fake slot, finalized lag" \
		"$WORKERS / $BATCH / $INFLIGHT / $POLL; ${SLOT_MS}ms, $FIN_LAG blocks" "" "" ""
}

# ---------------------------------------------------------------------------
# 4: chaos at scale
# ---------------------------------------------------------------------------
worker_pids() { q_retry -c "SELECT pid FROM mint.worker_status WHERE pid IS NOT NULL" 2>/dev/null || true; }
phase_chaos() {
	local t0 kills=0 pids pid c failed lost ledger ok dups t1
	reset_jobs
	worker_settings
	q <<SQL >/dev/null
ALTER SYSTEM SET mint.lease = '5s';
ALTER SYSTEM SET mint.rpc_timeout = '1s';
ALTER SYSTEM SET mint.backoff_base = '100ms';
ALTER SYSTEM SET mint.backoff_max = '2s';
ALTER SYSTEM SET mint.max_attempts = 20;
SQL
	start_fake --slot-ms 20 --finalized-lag 8 --seed 7 --timeout-hold-ms 2000
	pg_restart
	q_retry -c "SELECT 1" >/dev/null
	fake_control '{"p_lost_response":0.15,"p_never_lands":0.10,"p_5xx":0.05,"p_timeout":0.03,"p_429":0.05,"latency_ms":5}'
	t0=$(date +%s.%N)
	enqueue_bulk c "$CHAOS_N" >/dev/null
	log "chaos: $CHAOS_N enqueued"
	while [ $kills -lt "$KILLS" ]; do
		sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.2f", 1 + r / 32768}')"
		pids=$(worker_pids)
		[ -z "$pids" ] && continue
		pid=$(echo "$pids" | shuf -n 1)
		kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
		# an RPC outage in the middle: 3 s of "down"
		if [ $kills = $((KILLS / 2)) ]; then
			fake_control '{"down":true}'; sleep 3; fake_control '{"down":false}'
		fi
	done
	log "chaos: $kills kills issued, $(confirmed c) confirmed so far"
	wait_confirmed c "$CHAOS_N" "$CHAOS_TIMEOUT" || true
	t1=$(drain_end c "$CHAOS_N")
	c=$(confirmed c)
	failed=$(q_retry -c "SELECT count(*) FROM mint.mint_jobs WHERE ticket_id LIKE 'c-%' AND status = 'failed'")
	read -r ok dups <<<"$(fake_ledger c)"
	lost=$((CHAOS_N - c))
	row "chaos ($CHAOS_N, all faults, $kills kill -9)" "duplicates (ledger uris minted twice)" "$dups" "" "0" \
		"$([ "$dups" = 0 ] && echo met || echo MISSED)"
	row "chaos ($CHAOS_N, all faults, $kills kill -9)" "lost (jobs not confirmed; failed=$failed; ledger ok=$ok)" "$lost" "" "0" \
		"$([ "$lost" = 0 ] && [ "$ok" = "$CHAOS_N" ] && echo met || echo MISSED)"
	row "chaos ($CHAOS_N, all faults, $kills kill -9)" "time to drain s (enqueue -> all confirmed)" \
		"$(printf %.0f "$(calc "$t1 - $t0")")" "" "" ""
	q <<SQL >/dev/null
ALTER SYSTEM RESET mint.lease;
ALTER SYSTEM RESET mint.rpc_timeout;
ALTER SYSTEM RESET mint.backoff_base;
ALTER SYSTEM RESET mint.backoff_max;
ALTER SYSTEM RESET mint.max_attempts;
SQL
}

# ---------------------------------------------------------------------------
# 5: memory over a long run
# ---------------------------------------------------------------------------
# ---------------------------------------------------------------------------
# pool: the per-tree limit of mints per block (every mint write-locks its
# tree), and what a pool of trees does about it
# ---------------------------------------------------------------------------
default_of() { q -c "SELECT boot_val FROM pg_settings WHERE name = '$1'"; }
add_pool_trees() {	# k: k more random trees in the fake and in mint.trees
	local i addr
	for i in $(seq "$1"); do
		addr=$(perl -MMath::BigInt -e 'my @a = split //, "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
			my $n = Math::BigInt->from_hex(join "", map { sprintf "%02x", 1 + int(rand(255)) } 1 .. 32); my $s = "";
			while ($n > 0) { my ($q, $r) = $n->copy->bdiv(58); $s = $a[$r] . $s; $n = $q } print $s')
		fake_control "{\"add_tree\": \"$addr:$PAYER\"}"
		q -c "SELECT mint.add_tree('bench', '$addr')" >/dev/null
	done
}
phase_pool() {
	local n=${POOL_N:-2000} limit=${POOL_BLOCK_LIMIT:-4} t0 t1 r1 r8
	COMMITMENT=confirmed
	reset_jobs
	q -c "DELETE FROM mint.trees WHERE tenant_id = 'bench' AND merkle_tree <> '$TREE'" >/dev/null
	worker_settings
	start_fake --slot-ms 100 --finalized-lag 4 --tree-block-limit "$limit"
	pg_restart
	q_retry -c "SELECT 1" >/dev/null
	sleep 2
	t0=$(enqueue_bulk p1 "$n")
	wait_confirmed p1 "$n" "$DRAIN_TIMEOUT" || true
	t1=$(drain_end p1 "$n")
	r1=$(calc "$(confirmed p1) / ($t1 - $t0)")
	log "pool: one tree, $r1 mints/s"
	add_pool_trees 7
	sleep 3 # the worker reads the new trees
	t0=$(enqueue_bulk p8 "$n")
	wait_confirmed p8 "$n" "$DRAIN_TIMEOUT" || true
	t1=$(drain_end p8 "$n")
	r8=$(calc "$(confirmed p8) / ($t1 - $t0)")
	row "pool, $limit mints per tree per block, 100 ms blocks, confirmed" "drain of $n tickets: 1 tree / a pool of 8 (mints/s)" \
		"$r1 / $r8" "$(calc "$r8 / $r1")" ">= 4x" "$(met_if "$r8 >= 4 * $r1")"
	q -c "DELETE FROM mint.trees WHERE tenant_id = 'bench' AND merkle_tree <> '$TREE'" >/dev/null
	COMMITMENT=
}

# ---------------------------------------------------------------------------
# mainnet: the drain a user who changes nothing gets (issue 19).  Every
# mint.* setting the drain reads at its built-in default (commitment
# finalized); the fake on mainnet timing (400 ms slots, finalized 32 blocks
# behind, 100 ms RPC latency) with the per-tree limit of mints per block
# (MAINNET_BLOCK_LIMIT, 230: 12M compute units per account per block over
# ~52k per mint, ../programs) and a pool of MAINNET_TREES trees.
# MAINNET_N tickets are queued with the workers stopped, then the workers
# start; the rate is judged in the steady state (the 10th to the 90th
# percentile of the confirmations: the first 13 s are the pipeline filling),
# and the end-to-end rate is printed too.
# ---------------------------------------------------------------------------
phase_mainnet() {
	local n=${MAINNET_N:-100000} k=${MAINNET_TREES:-8} limit=${MAINNET_BLOCK_LIMIT:-230} lat=${MAINNET_LATENCY:-100}
	local t0 i last s p10 p90 tend c maxin=0 maxanon=0 a w samples=$dir/inflight.tsv wp w0 f0 w1 f1
	reset_jobs
	q -c "DELETE FROM mint.trees WHERE tenant_id = 'bench' AND merkle_tree <> '$TREE'" >/dev/null
	q <<SQL >/dev/null
ALTER SYSTEM SET mint.workers = 0;
ALTER SYSTEM RESET mint.batch_size;
ALTER SYSTEM RESET mint.max_inflight;
ALTER SYSTEM RESET mint.poll_interval;
ALTER SYSTEM RESET mint.commitment;
SQL
	start_fake --slot-ms 400 --finalized-lag 32 --tree-block-limit "$limit"
	pg_restart
	q_retry -c "SELECT 1" >/dev/null
	add_pool_trees $((k - 1))
	# queued before the workers start: 10,000 per transaction (one advisory lock per ticket)
	for ((i = 1; i <= n; i += 10000)); do
		last=$((i + 9999)); [ $last -gt "$n" ] && last=$n
		{
			echo "BEGIN;"
			for ((s = i; s <= last; s += 1000)); do
				echo "SELECT count(*) FROM mint.mint_tickets('bench', (SELECT jsonb_agg(jsonb_build_object('ticket_id', 'mn-' || i, 'owner', '$OWNER', 'metadata', jsonb_build_object('name', 'Seat ' || i, 'symbol', 'TIX', 'uri', 'https://tickets.example/mn/' || i || '.json'))) FROM generate_series($s, $((s + 999 > last ? last : s + 999))) i)) \\g /dev/null"
			done
			echo "COMMIT;"
		} | q
	done
	q -c "VACUUM ANALYZE mint.mint_jobs" >/dev/null
	log "mainnet: $n queued over $k trees"
	w=$(default_of mint.workers)
	q -c "ALTER SYSTEM SET mint.workers = $w" >/dev/null
	# MAINNET_SET="mint.x=v ...": a candidate default, tried before it is changed
	for i in ${MAINNET_SET:-}; do q -c "ALTER SYSTEM SET ${i%%=*} = '${i#*=}'" >/dev/null; done
	fake_control "{\"latency_ms\": $lat}"
	f0=$(cpu_ticks "$fake_pid")
	pg_restart
	[ "${PROFILE:-0}" = 1 ] && q_retry -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
	t0=$(date +%s.%N)
	q_retry -c "SELECT 1" >/dev/null
	: >"$samples"
	while :; do
		c=$(q_retry -c "SELECT coalesce(sum(inflight), 0) || ' ' || coalesce(sum(confirmed), 0) FROM mint.worker_status")
		echo "$(calc "$(date +%s.%N) - $t0") $c" >>"$samples"
		set -- $c
		[ "$1" -gt "$maxin" ] && maxin=$1
		# the workers' private memory (RssAnon: VmHWM also counts the shared buffers they touched)
		for wp in $(worker_pids); do
			a=$(awk '/^RssAnon/ {print $2}' "/proc/$wp/status" 2>/dev/null || echo 0)
			[ "${a:-0}" -gt "$maxanon" ] && maxanon=$a
		done
		[ "$2" -ge "$n" ] && break
		if [ "$(calc "$(date +%s.%N) - $t0 > ${MAINNET_TIMEOUT:-600}")" = 1 ]; then log "mainnet: timeout at $2 confirmed"; break; fi
		sleep 1
	done
	wp=$(worker_pids)
	w1=$(cpu_ticks $wp) f1=$(cpu_ticks "$fake_pid")
	read -r sends statuses <<<"$(fake_calls)"
	read -r p10 p90 tend c <<<"$(q -F ' ' -c "SELECT extract(epoch FROM percentile_disc(0.1) WITHIN GROUP (ORDER BY confirmed_at)),
	        extract(epoch FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY confirmed_at)), extract(epoch FROM max(confirmed_at)), count(*)
	   FROM mint.mint_jobs WHERE ticket_id LIKE 'mn-%' AND status = 'confirmed'")"
	local steady=$(calc "0.8 * $c / ($p90 - $p10)") e2e=$(calc "$c / ($tend - $t0)")
	read -r ok dups <<<"$(fake_ledger mn)"
	local sec="mainnet defaults: finalized, 400 ms slots, lag 32, ${lat} ms RPC, $limit mints/tree/block, $k trees"
	row "$sec" "confirmed mints/s, steady state (10th -> 90th percentile of $c confirmations)" "$(printf %.0f "$steady")" \
		"$(printf %.2f "$(calc "$steady / 2000")")" ">= 2000/s" "$(met_if "$steady >= 2000")"
	row "$sec" "end to end: workers start -> last confirmed, mints/s" "$(printf %.0f "$e2e")" "" "" ""
	row "$sec" "jobs in flight, most seen (mint.worker_status)" "$maxin" "" "" ""
	row "$sec" "confirmed / ledger landed ok / duplicate uris" "$c / $ok / $dups" "" "$n / $n / 0" \
		"$([ "$dups" = 0 ] && [ "$c" = "$n" ] && echo met || echo MISSED)"
	row "$sec" "CPU ms per mint: workers (this incarnation) / fake cluster" \
		"$(printf '%.3f / %.3f' "$(calc "$w1 * 1000 / $(getconf CLK_TCK) / $c")" "$(calc "($f1 - $f0) * 1000 / $(getconf CLK_TCK) / $c")")" "" "" ""
	row "$sec" "RPC calls per mint: sendTransaction / getSignatureStatuses (the fake's count, whole run)" \
		"$(printf '%.2f / %.2f' "$(calc "$sends / $c")" "$(calc "$statuses / $c")")" "" "" ""
	row "$sec" "worker private memory: RssAnon most seen (kB, sampled each second) / per job in flight" \
		"$maxanon / $(calc "int($maxanon * 1024 / ($maxin > 0 ? $maxin : 1))") B" "" "" ""
	row "$sec" "settings: mint.workers / batch_size / max_inflight / poll_interval / commitment (built-in defaults)" \
		"$w / $(default_of mint.batch_size) / $(default_of mint.max_inflight) / $(default_of mint.poll_interval) ms / $(default_of mint.commitment)${MAINNET_SET:+; set: $MAINNET_SET}" "" "" ""
	[ "${MAINNET_DRAIN_ONLY:-0}" = 1 ] || mainnet_latency "$sec"
	for i in ${MAINNET_SET:-}; do q -c "ALTER SYSTEM RESET ${i%%=*}" >/dev/null; done
	if [ "${PROFILE:-0}" = 1 ]; then
		# PROFILE=1: the statements the drain spent its time in, per mint
		q -F ' | ' -c "SELECT round(total_exec_time::numeric / $c * 1000, 1) AS us_per_mint, calls, round(mean_exec_time::numeric, 3) AS mean_ms, rows,
		                      regexp_replace(left(query, 110), '\s+', ' ', 'g')
		                 FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 25" >"$dir/profile.txt"
		cat "$dir/profile.txt" >&2
	fi
	q -c "DELETE FROM mint.trees WHERE tenant_id = 'bench' AND merkle_tree <> '$TREE'" >/dev/null
}

# Latency at the same settings, after the backlog: idle (single tickets 0.3 s
# apart), then under a steady load (pgbench -R MAINNET_LOAD_RATE tickets a
# second for MAINNET_LOAD_T s, 60) with the workers draining as they come.
# The load is 2,100/s by default: a drain that keeps up confirms as fast as
# the tickets come, and the verdict (>= 2,000/s) must not hang on noise.  The chain finalizes
# 32 blocks of 400 ms after landing.
mainnet_latency() {	# section
	local sec=$1 fin=$((32 * 400)) l1 l2 l3 l4 out tps n t0 t1 rate
	local lrate=${MAINNET_LOAD_RATE:-2100} lt=${MAINNET_LOAD_T:-60}
	{
		for i in $(seq 30); do
			echo "SELECT 1 FROM mint.mint_ticket('bench', 'mi-$i', '$OWNER', jsonb_build_object('name', 'Idle $i', 'uri', 'https://tickets.example/mi/$i.json')) \\g /dev/null"
			echo "SELECT pg_sleep(0.3) \\g /dev/null"
		done
	} | q
	wait_confirmed mi 30 120 || true
	read -r l1 l2 l3 l4 <<<"$(latency_sql mi)"
	row "$sec, idle" "enqueue->sent p50 / p99 ms (30 single tickets, 0.3 s apart)" "$l1 / $l2" "" "p50 <= 20" "$(met_if "$l1 <= 20")"
	row "$sec, idle" "enqueue->confirmed p50 / p99 ms (finalization: $fin ms after landing)" "$l3 / $l4" "" "p50 <= $((fin + 1000))" "$(met_if "$l3 <= $fin + 1000")"
	echo "SELECT * FROM mint.mint_ticket('bench', 'ml-' || nextval('bench.seq'), '$OWNER', '$META'::jsonb);" >"$dir/load_mint.sql"
	chown "$TEST_USER": "$dir/load_mint.sql"
	out=$(as_user "$PG_BIN/pgbench" -h "$dir" -U postgres -n -M prepared -c "$CLIENTS" -j 2 -T "$lt" -R "$lrate" \
		-f "$dir/load_mint.sql" postgres 2>&1) || true
	tps=$(echo "$out" | awk '/^tps = / {print $3; exit}')
	n=$(q -c "SELECT count(*) FROM mint.mint_jobs WHERE ticket_id LIKE 'ml-%'")
	log "mainnet load: $n enqueued at ${tps:-?} tps (asked $lrate/s for $lt s)"
	wait_confirmed ml "$n" "${MAINNET_TIMEOUT:-600}" || true
	read -r l1 l2 l3 l4 <<<"$(latency_sql ml)"
	# the drain under load: the confirmations' rate from their 10th to their 90th percentile
	read -r t0 t1 c <<<"$(q -F ' ' -c "SELECT extract(epoch FROM percentile_disc(0.1) WITHIN GROUP (ORDER BY confirmed_at)),
	        extract(epoch FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY confirmed_at)), count(*)
	   FROM mint.mint_jobs WHERE ticket_id LIKE 'ml-%' AND status = 'confirmed'")"
	rate=$(calc "0.8 * $c / ($t1 - $t0)")
	row "$sec, load" "enqueue at -R $lrate for $lt s (pgbench tps) / confirmed of them" "$(printf %.0f "${tps:-0}") / $c of $n" "" "" "$([ "$c" = "$n" ] && echo met || echo MISSED)"
	row "$sec, load" "enqueue->sent p50 / p99 ms" "$l1 / $l2" "" "p50 <= 100" "$(met_if "$l1 <= 100")"
	row "$sec, load" "enqueue->confirmed p50 / p99 ms" "$l3 / $l4" "" "p50 <= $((fin + 1000))" "$(met_if "$l3 <= $fin + 1000")"
	row "$sec, load" "confirmed mints/s under load (10th -> 90th percentile of the confirmations)" "$(printf %.0f "$rate")" "$(printf %.2f "$(calc "$rate / 2000")")" ">= 2000/s" "$(met_if "$rate >= 2000")"
}

# ---------------------------------------------------------------------------
# scale: what the same work costs with 0 and with SCALE_JOBS (5,000,000) jobs
# of history in the table (issue 19).  The history is one tenant's (the
# worst case: every index the tenant's calls use holds all of it): 99 %
# confirmed, 1 % failed, each job with its landed attempt and its event,
# written by plain INSERTs.  Measured at each size: the unkeyed enqueue
# (pgbench, median of SCALE_REPS), the claim (pgbench, one client, a
# mint._claim() of 256 queued jobs rolled back), and the drain (median of
# SCALE_REPS drains of SCALE_DRAIN_N tickets at confirmed, 0 ms RPC, the
# drain phase's worker settings).  Verdict: every 5M figure within 10 % of
# the 0 one (ratio >= 0.90).
# ---------------------------------------------------------------------------
scale_fill() {	# n
	local n=$1
	# the history is numbered 1..n: the events of the measurement at 0 go
	q -c "TRUNCATE mint.events, mint.event_counters CASCADE" >/dev/null
	q <<SQL >/dev/null
SET synchronous_commit = off;
SET maintenance_work_mem = '1GB';
INSERT INTO mint.mint_jobs (tenant_id, ticket_id, owner, metadata, fingerprint, status, attempts,
                            lease_token, merkle_tree, signature, asset_id, leaf_nonce,
                            last_error_class, last_error_code, last_error_message,
                            created_at, updated_at, submitted_at, confirmed_at)
SELECT 'bench', 'old-' || i, '$OWNER',
       jsonb_build_object('name', 'Seat ' || i, 'symbol', 'TIX', 'uri', 'https://tickets.example/old/' || i || '.json'),
       sha256(int8send(i)), CASE WHEN i % 100 = 0 THEN 'failed' ELSE 'confirmed' END::mint.job_status, 1, 1,
       '$TREE', 'oldsig' || i, CASE WHEN i % 100 <> 0 THEN 'oldasset' || i END, CASE WHEN i % 100 <> 0 THEN i END,
       CASE WHEN i % 100 = 0 THEN 'tx_error' END, CASE WHEN i % 100 = 0 THEN 'custom_6001' END,
       CASE WHEN i % 100 = 0 THEN 'the program refused it' END,
       t, t + interval '13 s', t + interval '1 s', CASE WHEN i % 100 <> 0 THEN t + interval '13 s' END
  FROM generate_series(1, $n) i, LATERAL (SELECT now() - interval '60 days' + i * interval '1 s') x(t);
INSERT INTO mint.mint_attempts (tenant_id, ticket_id, attempt_no, signature, recent_blockhash,
                                last_valid_block_height, merkle_tree, signed_tx, state, lease_token,
                                created_at, last_sent_at, resolved_at)
SELECT 'bench', 'old-' || i, 1, 'oldsig' || i, 'oldhash' || (i / 1000), 1000 + i, '$TREE',
       decode(repeat(lpad(to_hex(i % 256), 2, '0'), 360), 'hex'),
       CASE WHEN i % 100 = 0 THEN 'landed_err' ELSE 'landed_ok' END, 1,
       t + interval '1 s', t + interval '1 s', t + interval '13 s'
  FROM generate_series(1, $n) i, LATERAL (SELECT now() - interval '60 days' + i * interval '1 s') x(t);
INSERT INTO mint.events (tenant_id, event_id, seq, event_type, ticket_id, job_id, payload, occurred_at)
SELECT 'bench', 'evt_old' || i, i, CASE WHEN i % 100 = 0 THEN 'mint.failed' ELSE 'mint.confirmed' END,
       'old-' || i, 'mint:bench:old-' || i,
       jsonb_build_object('type', 'mint.confirmed', 'data', jsonb_build_object('ticket_id', 'old-' || i,
                          'signature', 'oldsig' || i, 'asset_id', 'oldasset' || i, 'sequence', i)),
       now() - interval '60 days' + i * interval '1 s'
  FROM generate_series(1, $n) i;
INSERT INTO mint.event_counters (tenant_id, last_seq) VALUES ('bench', $n)
    ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq;
SQL
	q -c "VACUUM ANALYZE mint.mint_jobs" -c "VACUUM ANALYZE mint.mint_attempts" -c "VACUUM ANALYZE mint.events" -c "CHECKPOINT" >/dev/null
}
# one size: "enqueue_tps claim_tps drain_rate", the repetitions to stderr
scale_measure() {	# label
	local label=$1 r all="" ct dr="" prefix t0 t1 n e c0 w
	# enqueue, no worker
	q -c "ALTER SYSTEM SET mint.workers = 0" >/dev/null
	pg_restart
	q_retry -c "SELECT 1" >/dev/null
	for r in $(seq "$SCALE_REPS"); do
		e=$(pgb "$dir/scale_mint.sql")
		log "scale $label: enqueue rep $r: $e tps"
		all="$all $e"
	done
	# what the enqueue left queued is not the drain's
	q -c "DELETE FROM mint.mint_jobs WHERE ticket_id LIKE 'sn%'" -c "VACUUM ANALYZE mint.mint_jobs" >/dev/null
	# the drain (its first rep also reads the trees: their capacity is known after it)
	worker_settings
	pg_restart
	q_retry -c "SELECT 1" >/dev/null
	sleep 1
	for r in $(seq "$SCALE_REPS"); do
		prefix="sd$label$r"
		# polled on the workers' counters: a count over mint_jobs would scan the history every second
		c0=$(q_retry -c "SELECT coalesce(sum(confirmed), 0) FROM mint.worker_status")
		t0=$(enqueue_bulk "$prefix" "$SCALE_DRAIN_N")
		for ((w = 0; w < DRAIN_TIMEOUT; w++)); do
			[ "$(q_retry -c "SELECT coalesce(sum(confirmed), 0) FROM mint.worker_status")" -ge $((c0 + SCALE_DRAIN_N)) ] && break
			sleep 1
		done
		t1=$(drain_end "$prefix" "$SCALE_DRAIN_N")
		n=$(confirmed "$prefix")
		log "scale $label: drain rep $r: $(printf %.0f "$(calc "$n / ($t1 - $t0)")")/s"
		dr="$dr $(calc "$n / ($t1 - $t0)")"
	done
	# the claim: queued jobs, no worker, every claim rolled back
	q -c "ALTER SYSTEM SET mint.workers = 0" >/dev/null
	pg_restart
	q_retry -c "SELECT 1" >/dev/null
	enqueue_bulk "sc$label" 20000 >/dev/null
	q -c "VACUUM ANALYZE mint.mint_jobs" >/dev/null
	ct=$(CLIENTS=1 pgb "$dir/scale_claim.sql")
	log "scale $label: claim of 256, rolled back: $ct tps"
	q -c "DELETE FROM mint.mint_jobs WHERE ticket_id LIKE 'sc$label-%'" -c "VACUUM ANALYZE mint.mint_jobs" >/dev/null
	echo "$(median "$all") $ct $(median "$dr")"
}
phase_scale() {
	local big=${SCALE_JOBS:-5000000} z z2 b t0 sizes i
	cat >"$dir/scale_mint.sql" <<SQL
SELECT * FROM mint.mint_ticket('bench', 'sn' || nextval('bench.seq'), '$OWNER', '$META'::jsonb);
SQL
	cat >"$dir/scale_claim.sql" <<SQL
BEGIN;
SELECT count(*) FROM mint._claim(256, 60000, NULL);
ROLLBACK;
SQL
	chown "$TEST_USER": "$dir"/scale_*.sql
	COMMITMENT=confirmed
	reset_jobs
	q -c "TRUNCATE mint.events, mint.event_counters CASCADE" >/dev/null
	start_fake --slot-ms "$SLOT_MS" --finalized-lag "$FIN_LAG"
	read -r -a z <<<"$(scale_measure 0)"
	t0=$(date +%s)
	q -c "ALTER SYSTEM SET mint.workers = 0" >/dev/null
	pg_restart
	q_retry -c "SELECT 1" >/dev/null
	scale_fill "$big"
	log "scale: $big jobs of history written in $(($(date +%s) - t0)) s"
	sizes=$(q -c "SELECT pg_size_pretty(pg_total_relation_size('mint.mint_jobs')) || ' / ' || pg_size_pretty(pg_total_relation_size('mint.mint_attempts')) || ' / ' || pg_size_pretty(pg_total_relation_size('mint.events'))")
	read -r -a b <<<"$(scale_measure 5m)"
	# and at 0 again: this box's speed drifts over the minutes the history
	# takes to write, so the 5M figures are judged against the mean of the two
	reset_jobs
	q -c "TRUNCATE mint.events, mint.event_counters CASCADE" -c "VACUUM ANALYZE" >/dev/null
	read -r -a z2 <<<"$(scale_measure 0b)"
	log "scale: at 0 before / after: ${z[*]} / ${z2[*]}"
	for i in 0 1 2; do z[$i]=$(calc "(${z[$i]} + ${z2[$i]}) / 2"); done
	local sec="scale: 0 (mean of before and after) vs $big jobs of history (one tenant)"
	local what=("mint_ticket tps, median of $SCALE_REPS" "mint._claim(256) per second, rolled back"
		"drain of $SCALE_DRAIN_N at confirmed, mints/s, median of $SCALE_REPS")
	for i in 0 1 2; do
		row "$sec" "${what[$i]}: 0 / $big" "$(printf '%.0f / %.0f' "${z[$i]}" "${b[$i]}")" \
			"$(printf %.2f "$(calc "${b[$i]} / ${z[$i]}")")" ">= 0.90" "$(verdict "${b[$i]} / ${z[$i]}" 0.90)"
	done
	row "$sec" "size with the history: mint_jobs / mint_attempts / events (with indexes)" "$sizes" "" "" ""
	COMMITMENT=
	reset_jobs
	q -c "TRUNCATE mint.events, mint.event_counters CASCADE" >/dev/null
}

phase_memory() {
	local samples=$dir/rss.tsv c pid first mid last anon aborted=""
	reset_jobs
	# the workers' default batch_size / max_inflight: this phase is about memory
	# (MEM_COMMITMENT=confirmed: the jobs go through faster than at finalized)
	local BATCH=$MEM_BATCH INFLIGHT=$MEM_INFLIGHT COMMITMENT=${MEM_COMMITMENT:-}
	worker_settings
	start_fake --slot-ms "$SLOT_MS" --finalized-lag "$FIN_LAG"
	pg_restart
	q_retry -c "SELECT 1" >/dev/null
	# the producer: 1,000 tickets per transaction, in the background
	(
		for ((i = 1; i <= MEM_JOBS; i += 10000)); do
			last=$((i + 9999)); [ $last -gt "$MEM_JOBS" ] && last=$MEM_JOBS
			{
				for ((k = i; k <= last; k += 1000)); do
					e=$((k + 999)); [ $e -gt $last ] && e=$last
					echo "SELECT count(*) FROM mint.mint_tickets('bench', (SELECT jsonb_agg(jsonb_build_object('ticket_id', 'm-' || i, 'owner', '$OWNER', 'metadata', jsonb_build_object('name', 'Seat ' || i, 'symbol', 'TIX', 'uri', 'https://tickets.example/m/' || i || '.json'))) FROM generate_series($k, $e) i)) \\g /dev/null"
				done
			} | q
		done
	) &
	bg_pid=$!
	: >"$samples"
	local t0=$(date +%s)
	while :; do
		c=$(confirmed m)
		for pid in $(worker_pids); do
			awk -v c="$c" -v p="$pid" -v t=$(($(date +%s) - t0)) '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2}
				END {if (r) print t "\t" c "\t" p "\t" r "\t" a}' "/proc/$pid/status" >>"$samples" 2>/dev/null || true
		done
		[ "$c" -ge "$MEM_JOBS" ] && break
		# a safety stop for a leaking worker: this machine is shared
		anon=$(tail -n "$WORKERS" "$samples" | awk -F'\t' '$5 > m {m = $5} END {print m + 0}')
		if [ "$anon" -gt "$MEM_LIMIT_KB" ]; then
			aborted="stopped at $c jobs: a worker's RssAnon passed $MEM_LIMIT_KB kB"
			log "memory: $aborted"
			kill "$bg_pid" 2>/dev/null || true
			break
		fi
		if [ $(($(date +%s) - t0)) -gt "$MEM_TIMEOUT" ]; then aborted="stopped at $c jobs after $MEM_TIMEOUT s"; log "memory: $aborted"; kill "$bg_pid" 2>/dev/null || true; break; fi
		sleep 2
	done
	wait "$bg_pid" 2>/dev/null || true
	bg_pid=
	[ -n "$aborted" ] && row "memory ($MEM_JOBS jobs)" "run $aborted" "" "" "" "MISSED"
	row "memory ($MEM_JOBS jobs)" "settings: mint.workers / batch_size / max_inflight / commitment" "$WORKERS / $MEM_BATCH / $MEM_INFLIGHT / ${COMMITMENT:-default}" "" "" ""
	[ -n "${RSS_OUT:-}" ] && cp "$samples" "$RSS_OUT"
	# per worker pid: first / middle / last sample, and the least-squares
	# slopes over the samples after the first 10 % of the jobs and over the
	# second half.  The verdict is the second half's: private memory rises
	# in steps while the allocator reaches its high-water marks (bigger
	# batches in flight), which tilts the first slope; a leak grows in the
	# second half as much as in the first.
	perl -e '
		my (%s);
		while (<STDIN>) { chomp; my ($t,$c,$p,$r,$a) = split /\t/; push @{$s{$p}}, [$t,$c,$r,$a]; }
		sub slope {
			my ($k, @w) = @_; my ($n,$sx,$sy,$sxx,$sxy) = (0,0,0,0,0);
			for (@w) { $n++; $sx += $_->[1]; $sy += $_->[$k]; $sxx += $_->[1]**2; $sxy += $_->[1]*$_->[$k]; }
			my $d = $n*$sxx - $sx*$sx; return $d ? ($n*$sxy - $sx*$sy)/$d*100000 : 0;
		}
		for my $p (sort keys %s) {
			my @x = @{$s{$p}}; next if @x < 3;
			my ($f, $m, $l) = ($x[0], $x[int(@x/2)], $x[-1]);
			my @w = grep { $_->[1] >= 0.1 * $ARGV[0] } @x; @w = @x if @w < 3;
			my @h = grep { $_->[1] >= 0.5 * $ARGV[0] } @x; @h = @w if @h < 3;
			for my $k (2, 3) {
				my ($s1, $s2) = (slope($k, @w), slope($k, @h));
				my $what = $k == 2 ? "VmRSS" : "RssAnon";
				printf "worker pid %s\t%s kB first/middle/last (at jobs %d/%d/%d)\t%d / %d / %d\t\tslope %+.0f kB per 100k jobs after 10 %%, %+.0f in the second half\t%s\n",
					$p, $what, $f->[1], $m->[1], $l->[1], $f->[$k], $m->[$k], $l->[$k], $s1, $s2,
					$k == 3 ? (abs($s2) < 1024 ? "flat" : "GROWING") : "(includes shared buffers touched)";
			}
		}' "$MEM_JOBS" <"$samples" | while IFS=$'\t' read -r a b c d e f; do row "memory ($MEM_JOBS jobs) $a" "$b" "$c" "$d" "$e" "$f"; done
}

for p in $PHASES; do
	log "== phase $p"
	: >"$dir/watchdog.log"
	"phase_$p"
	if [ -s "$dir/watchdog.log" ]; then
		row "$p: memory watchdog" "workers killed for RssAnon > $MEM_LIMIT_KB kB (first: $(head -1 "$dir/watchdog.log"))" \
			"$(wc -l <"$dir/watchdog.log")" "" "0" "MISSED"
	fi
done

echo
echo "mint_ext bench — $machine — $(date -u '+%Y-%m-%d %H:%M UTC') — total $(($(date +%s) - t_start)) s"
echo "pgbench: $CLIENTS clients, -T $T x $REPS reps, -M prepared, mint.workers = 0; ratios = mint / baseline (same run)"
{
	printf 'section\tmetric\tvalue\tratio\ttarget\tverdict\n'
	cat "$RES"
} | column -t -s $'\t'
