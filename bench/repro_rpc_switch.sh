#!/usr/bin/env bash
# Reproduces the double mints the drain bench ran into (bench/RESULTS.md,
# "exactly-once broken after mint.rpc_url changes"):   sudo bench/repro_rpc_switch.sh
#
# A worker keeps the largest finalized block height it has seen (engine.c,
# fin_height = Max(...)) across a change of mint.rpc_url.  Pointed at a
# cluster whose chain is lower (another provider that lags, another cluster,
# a restarted test validator), every signature that is not yet visible looks
# "expired" (finalized height > last valid block height), so the worker marks
# the attempt dead and signs a second transaction while the first one still
# lands: two mints of one ticket.
#
# Fake A is advanced 3,000 blocks, one ticket is minted there (the worker
# learns A's finalized height); then mint.rpc_url is switched to a fresh fake
# B (height ~0, 400 ms blocks) with a SIGHUP only, and 200 tickets are minted.
# Exit 0 = no duplicate on B's ledger, 1 = duplicates (the bug).
set -euo pipefail
. "$(dirname "$0")/../scripts/common.sh"
need_root
PG_BIN=${BENCH_PG_BIN:-$PG_BIN}
OWNER=GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse
TREE=9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu
PAYER=AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9 # the test key's public key (init_test_cluster)
N=${N:-200}

dir=$(mktemp -d /tmp/mint_ext-repro.XXXXXX)
chown "$TEST_USER": "$dir"
pids=()
cleanup() {
	set +e
	as_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT
q() { as_user "$PG_BIN/psql" -h "$dir" -U postgres -d postgres -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cp "$ROOT/fake/solana-fake" "$dir/solana-fake"
start_fake() {	# name options...; sets fake_port (not called in $(...): pids must stick)
	local name=$1
	shift
	as_user sh -c 'echo $$ >"$0.pid"; d=$1; shift; exec "$d/solana-fake" "$@"' "$dir/$name" "$dir" \
		--listen 127.0.0.1:0 --port-file "$dir/$name.port" --quiet --tree "$TREE:$PAYER" "$@" >/dev/null 2>&1 &
	for _ in $(seq 100); do [ -s "$dir/$name.port" ] && [ -s "$dir/$name.pid" ] && break; sleep 0.1; done
	pids+=("$(cat "$dir/$name.pid")")
	fake_port=$(tr -d '[:space:]' <"$dir/$name.port")
}
post() { perl -MHTTP::Tiny -e 'my $r = HTTP::Tiny->new->post($ARGV[0], {content => $ARGV[1],
	headers => {"content-type" => "application/json"}}); die "$r->{status}\n" unless $r->{success};
	print $r->{content}' "$@"; }
ledger() { perl -MHTTP::Tiny -MJSON::PP -e 'my $l = decode_json(HTTP::Tiny->new->get($ARGV[0])->{content});
	print "$l->{ok} $l->{uris_with_duplicates}\n"' "http://127.0.0.1:$1/ledger?summary=1"; }
mint() {	# prefix n
	q -c "SELECT count(*) FROM mint.mint_tickets('t', (SELECT jsonb_agg(jsonb_build_object('ticket_id', '$1-' || i,
		'owner', '$OWNER', 'metadata', jsonb_build_object('name', 'Seat ' || i, 'uri', 'https://t.example/$1/' || i || '.json')))
		FROM generate_series(1, $2) i))" >/dev/null
}
wait_confirmed() {
	for _ in $(seq 600); do
		[ "$(q -c "SELECT count(*) FROM mint.mint_jobs WHERE ticket_id LIKE '$1-%' AND status = 'confirmed'")" -ge "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

start_fake a --slot-ms 10 --finalized-lag 4
port_a=$fake_port
post "http://127.0.0.1:$port_a/control" '{"advance": 3000}' >/dev/null
init_test_cluster "$dir" <<CONF
mint.rpc_url = 'http://127.0.0.1:$port_a'
mint.poll_interval = '100ms'
CONF
as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
q -c "CREATE EXTENSION mint_ext" -c "SELECT mint.register_tree('t', '$TREE')" >/dev/null
mint a 1
wait_confirmed a 1
echo "fake A: one mint confirmed at block height ~3000"

start_fake b --slot-ms 400 --finalized-lag 32
port_b=$fake_port
q -c "ALTER SYSTEM SET mint.rpc_url = 'http://127.0.0.1:$port_b'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
mint b "$N"
wait_confirmed b "$N" || { echo "not all confirmed on B" >&2; exit 2; }
read -r ok dups <<<"$(ledger "$port_b")"
echo "fake B after mint.rpc_url switched to it (SIGHUP): $N tickets, $ok mints landed, $dups tickets minted more than once"
q -c "SELECT 'attempts marked expired: ' || count(*) FROM mint.mint_attempts WHERE ticket_id LIKE 'b-%' AND state = 'expired'"
[ "$dups" = 0 ]
