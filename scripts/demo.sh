#!/usr/bin/env bash
# The main job, end to end on a throwaway cluster:
#   sudo scripts/demo.sh
# Installs what is missing, builds, installs, starts a PostgreSQL 15 cluster
# (as an unprivileged user, on a Unix socket in a temporary directory) with
# shared_preload_libraries = 'mint_ext', registers a tenant and its tree,
# mints a batch of tickets through the API, and shows the jobs.
# KEEP=1 leaves the cluster running and prints how to connect.
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_root
build_and_install

dir=$(mktemp -d /tmp/mint_ext-demo.XXXXXX)
chown "$TEST_USER": "$dir"
cleanup() {
	if [ "${KEEP:-0}" != 1 ]; then
		as_user "$PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
		rm -rf "$dir"
	fi
}
trap cleanup EXIT

echo "== starting a throwaway PostgreSQL 15 cluster in $dir"
as_user "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
shared_preload_libraries = 'mint_ext'
mint.database = 'postgres'
CONF
as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null

psql_demo() {
	as_user "$PG_BIN/psql" -h "$dir" -U postgres -d postgres -v ON_ERROR_STOP=1 -X -q "$@"
}

psql_demo <<'SQL'
\echo == install the extension, register tenant "demo-events" and its Bubblegum tree
CREATE EXTENSION mint_ext;
SELECT mint.register_tree('demo-events', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');

\echo == mint a batch of 10 tickets (one call, all or nothing, idempotency key "order-1001")
SELECT ticket_id, job_id, status, created, replayed
  FROM mint.mint_tickets('demo-events',
         (SELECT jsonb_agg(jsonb_build_object(
                   'ticket_id', 'SEAT-' || i,
                   'owner', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse',
                   'metadata', jsonb_build_object(
                      'name', 'Concert A - Seat ' || i, 'symbol', 'TIX',
                      'uri', 'https://tickets.example.org/m/seat-' || i || '.json',
                      'seller_fee_basis_points', 500,
                      'creators', jsonb_build_array(jsonb_build_object(
                          'address', 'AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9', 'share', 100))))
                 ORDER BY i)
            FROM generate_series(1, 10) i),
         'order-1001');

\echo == the application retries the same request: answered from the key, no new jobs
SELECT count(*) AS rows, bool_and(replayed) AS all_replayed, bool_or(created) AS any_created_now
  FROM mint.mint_tickets('demo-events',
         (SELECT jsonb_agg(jsonb_build_object(
                   'ticket_id', 'SEAT-' || i,
                   'owner', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse',
                   'metadata', jsonb_build_object(
                      'name', 'Concert A - Seat ' || i, 'symbol', 'TIX',
                      'uri', 'https://tickets.example.org/m/seat-' || i || '.json',
                      'seller_fee_basis_points', 500,
                      'creators', jsonb_build_array(jsonb_build_object(
                          'address', 'AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9', 'share', 100))))
                 ORDER BY i)
            FROM generate_series(1, 10) i),
         'order-1001');

\echo == one more ticket through the trigger on the application's own table
CREATE TABLE tickets (id text PRIMARY KEY, tenant text, wallet text, meta jsonb);
CREATE TRIGGER tickets_mint AFTER INSERT ON tickets
  FOR EACH ROW EXECUTE FUNCTION mint.enqueue_mint('tenant', 'id', 'wallet', 'meta');
INSERT INTO tickets VALUES ('VIP-1', 'demo-events', 'AKkzLhjhyFtM9j7WAhbaqYpFe49cXeJBg2kzLRC2PnNa',
  '{"name":"Concert A - VIP 1","symbol":"TIX","uri":"https://tickets.example.org/m/vip-1.json"}');

\echo == a bad request is refused and writes nothing
\set ON_ERROR_STOP 0
SELECT mint.mint_ticket('demo-events', 'SEAT-99', 'not-a-wallet', '{"name":"x","uri":"https://x"}');
\set ON_ERROR_STOP 1

\echo == the jobs
SELECT job_id, status, attempts, owner, signature, asset_id FROM mint.jobs ORDER BY created_at, ticket_id;
SELECT status, count(*) FROM mint.mint_jobs GROUP BY status;
SQL

if [ "${KEEP:-0}" = 1 ]; then
	echo "== cluster left running: runuser -u $TEST_USER -- $PG_BIN/psql -h $dir -U postgres"
	echo "   stop it with: runuser -u $TEST_USER -- $PG_BIN/pg_ctl -D $dir/data stop"
fi
