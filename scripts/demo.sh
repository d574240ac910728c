#!/usr/bin/env bash
# The main job, end to end on throwaway clusters:
#   sudo scripts/demo.sh            (N=200 tickets by default)
# Installs what is missing, builds, installs, starts the fake Solana cluster
# on a free loopback port and a PostgreSQL 15 cluster (as an unprivileged
# user, on a Unix socket in a temporary directory) with
# shared_preload_libraries = 'mint_ext', registers a tenant and its tree,
# mints a batch of tickets through the API (and one through a trigger),
# shows progress while the worker mints them on the fake cluster, and ends
# with a summary checked against the fake cluster's ledger.
# The signing key is a fixed test key: this runs against the fake only.
# KEEP=1 leaves both running and prints how to connect.
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_root
build_and_install

N=${N:-200}
dir=$(mktemp -d /tmp/mint_ext-demo.XXXXXX)
chown "$TEST_USER": "$dir"
fake_pid=
cleanup() {
	if [ "${KEEP:-0}" != 1 ]; then
		as_user "$PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
		[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
		rm -rf "$dir"
	fi
}
trap cleanup EXIT

echo "== starting the fake Solana cluster (fake/solana-fake) on a free loopback port"
as_user "$ROOT/fake/solana-fake" --listen 127.0.0.1:0 --port-file "$dir/fake.port" \
	--slot-ms 40 --finalized-lag 8 --quiet >"$dir/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do [ -s "$dir/fake.port" ] && break; sleep 0.1; done
port=$(cat "$dir/fake.port")
echo "   http://127.0.0.1:$port (pid $fake_pid)"

# The fee payer is a fixed test keypair (seed 32 x 0x01), mode 0600.
echo "== starting a throwaway PostgreSQL 15 cluster in $dir"
init_test_cluster "$dir" <<CONF
mint.rpc_url = 'http://127.0.0.1:$port'
mint.poll_interval = '100ms'
CONF
as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null

psql_demo() {
	as_user "$PG_BIN/psql" -h "$dir" -U postgres -d postgres -v ON_ERROR_STOP=1 -X -q "$@"
}

psql_demo -v n="$N" <<'SQL'
\echo == install the extension, register tenant "demo-events" and its Bubblegum tree
CREATE EXTENSION mint_ext;
SELECT mint.register_tree('demo-events', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');

\echo == mint a batch of :n tickets (one call, all or nothing, idempotency key "order-1001")
CREATE TEMP VIEW batch AS
SELECT jsonb_agg(jsonb_build_object(
         'ticket_id', 'SEAT-' || i,
         'owner', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse',
         'metadata', jsonb_build_object(
            'name', 'Concert A - Seat ' || i, 'symbol', 'TIX',
            'uri', 'https://tickets.example.org/m/seat-' || i || '.json',
            'seller_fee_basis_points', 500,
            'creators', jsonb_build_array(jsonb_build_object(
                'address', 'AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9', 'share', 100))))
       ORDER BY i) AS tickets
  FROM generate_series(1, :n) i;
SELECT count(*) AS tickets, bool_and(created) AS all_created
  FROM mint.mint_tickets('demo-events', (SELECT tickets FROM batch), 'order-1001');

\echo == the application retries the same request: answered from the key, no new jobs
SELECT count(*) AS rows, bool_and(replayed) AS all_replayed,
       (SELECT count(*) FROM mint.mint_jobs) AS jobs_in_table
  FROM mint.mint_tickets('demo-events', (SELECT tickets FROM batch), 'order-1001');

\echo == one more ticket through the trigger on the application's own table
CREATE TABLE tickets (id text PRIMARY KEY, tenant text, wallet text, meta jsonb);
CREATE TRIGGER tickets_mint AFTER INSERT ON tickets
  FOR EACH ROW EXECUTE FUNCTION mint.enqueue_mint('tenant', 'id', 'wallet', 'meta');
INSERT INTO tickets VALUES ('VIP-1', 'demo-events', 'AKkzLhjhyFtM9j7WAhbaqYpFe49cXeJBg2kzLRC2PnNa',
  '{"name":"Concert A - VIP 1","symbol":"TIX","uri":"https://tickets.example.org/m/vip-1.json"}');

\echo == a bad request is refused and writes nothing
\set ON_ERROR_STOP 0
SELECT mint.mint_ticket('demo-events', 'SEAT-X', 'not-a-wallet', '{"name":"x","uri":"https://x"}');
\set ON_ERROR_STOP 1
SQL

total=$((N + 1))
echo "== the worker mints them on the fake cluster"
start=$(date +%s)
while :; do
	line=$(psql_demo -At -F ' ' -c "SELECT queued, in_flight, submitted, confirmed, failed FROM mint.stats")
	set -- $line
	echo "   $(($(date +%s) - start))s: queued $1, in flight $2, submitted $3, confirmed $4, failed $5"
	[ "$(($4 + $5))" -ge "$total" ] && break
	if [ "$(($(date +%s) - start))" -gt 300 ]; then
		echo "!! not done after 300 s" >&2
		exit 1
	fi
	sleep 1
done

echo "== summary"
psql_demo <<'SQL'
SELECT job_id, status, attempts, left(signature, 20) || '…' AS signature, asset_id
  FROM mint.jobs ORDER BY confirmed_at LIMIT 5;
SELECT queued, in_flight, submitted, confirmed, failed, attempts_per_mint FROM mint.stats;
SELECT worker, pid, state, sent, confirmed, rpc_errors FROM mint.worker_status;
SQL
echo "== the fake cluster's ledger: landed mints, and tickets minted more than once"
perl -MHTTP::Tiny -MJSON::PP -e '
	my $r = HTTP::Tiny->new->get("http://127.0.0.1:$ARGV[0]/ledger?summary=1");
	my $l = decode_json($r->{content});
	printf "   landed ok: %d, uris minted more than once: %d\n", $l->{ok}, $l->{uris_with_duplicates};
	exit($l->{uris_with_duplicates} == 0 && $l->{ok} == $ARGV[1] ? 0 : 1);' "$port" "$total"

if [ "${KEEP:-0}" = 1 ]; then
	echo "== left running: runuser -u $TEST_USER -- $PG_BIN/psql -h $dir -U postgres"
	echo "   fake cluster: http://127.0.0.1:$port (pid $fake_pid)"
	echo "   stop: runuser -u $TEST_USER -- $PG_BIN/pg_ctl -D $dir/data stop; kill $fake_pid"
fi
