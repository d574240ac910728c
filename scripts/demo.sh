#!/usr/bin/env bash
# The main job, end to end on throwaway clusters:
#   sudo scripts/demo.sh              a batch of N tickets (N=200 by default)
#   sudo N=1000 scripts/demo.sh       N: batch size, 1 to 100000
#   sudo KEEP=1 scripts/demo.sh       leave both clusters running at the end
#                                     (and print how to connect to them)
#   sudo scripts/demo.sh --stop       stop what KEEP=1 demos left, remove their directories
# Installs the missing Debian packages of the demo (scripts/deps.sh demo),
# builds and installs the extension from this tree, starts the fake Solana
# cluster (fake/solana-fake) on a free loopback port and a PostgreSQL 15
# cluster (as the unprivileged user postgres, on a Unix socket in a
# temporary directory /tmp/mint_ext-demo.XXXXXX) with
# shared_preload_libraries = 'mint_ext', registers a tenant and its tree,
# mints a batch of tickets through the API (and one, VIP-1, through a
# trigger), replays the batch with its idempotency key, shows progress while
# the worker mints them on the fake cluster, and ends with a summary and a
# verdict checked against the fake cluster's ledger: every ticket landed
# exactly once.  Exit status 0 only then.
# Whatever happens (success, failure, Ctrl-C, SIGTERM) both clusters are
# stopped and the directory removed, unless KEEP=1 and the demo got to its
# end (pass or fail): then `sudo scripts/demo.sh --stop` does it.
# The signing key is a fixed test key: this runs against the fake only.
set -euo pipefail
. "$(dirname "$0")/common.sh"

DEMO_PREFIX=/tmp/mint_ext-demo.
STATE=demo.state # in the demo's directory, root's, lists what to stop

# Whether PID is a live process (a zombie counts as gone).
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	local st
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# wait_gone PID SECONDS: whether PID is gone within SECONDS.
wait_gone() {
	for _ in $(seq $(($2 * 10))); do
		alive "$1" || return 0
		sleep 0.1
	done
	! alive "$1"
}

# The command line of PID, its arguments separated by spaces.
cmdline() {
	tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true
}

# PID is the fake cluster of demo directory DIR (checked before it is
# signalled: the pid file is written by the unprivileged user).
is_demo_fake() {
	alive "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = solana-fake ] &&
		case "$(cmdline "$1")" in *" --port-file $2/fake.port "*) true ;; *) false ;; esac
}

# stop_fake DIR PID: SIGTERM (a clean shutdown), SIGKILL after 10 s.
stop_fake() {
	local dir=$1 pid=$2
	[ -n "$pid" ] || return 0
	is_demo_fake "$pid" "$dir" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	wait_gone "$pid" 10 && return 0
	echo "!! the fake cluster (pid $pid) did not stop in 10 s: SIGKILL" >&2
	kill -KILL "$pid" 2>/dev/null || true
	wait_gone "$pid" 5
}

# stop_pg DIR: pg_ctl stop -m fast, then make sure the postmaster is gone.
stop_pg() {
	local data=$1/data pm
	[ -f "$data/postmaster.pid" ] || return 0
	pm=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
	case "$pm" in '' | *[!0-9]*) pm= ;; esac
	as_user "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
		as_user "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
	# a stale postmaster.pid may name a process that is not this postmaster
	is_postmaster "$pm" "$data" || return 0
	wait_gone "$pm" 10 && return 0
	if is_postmaster "$pm" "$data"; then
		echo "!! the postmaster (pid $pm) did not stop: SIGKILL" >&2
		kill -KILL "$pm" 2>/dev/null || true
	fi
	wait_gone "$pm" 5
}

# PID is the postmaster of data directory DATA.
is_postmaster() {
	alive "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = postgres ] &&
		case "$(cmdline "$1")" in *" -D $2 "* | *" -D $2") true ;; *) false ;; esac
}

# stop_demo DIR FAKE_PID: stop both clusters of DIR, remove DIR; says what
# it did.  Fails if a process is left.
stop_demo() {
	local dir=$1 fake=$2 ok=0
	stop_pg "$dir" || ok=1
	stop_fake "$dir" "$fake" || ok=1
	if [ $ok -eq 0 ]; then
		rm -rf "$dir"
	else
		echo "!! processes of $dir are still running; $dir left in place" >&2
	fi
	return $ok
}

# --stop: every directory a KEEP=1 demo left (it has a state file written by
# root and the demo that wrote it has exited).
stop_kept() {
	local st dir fake demo n=0 rc=0
	for st in "$DEMO_PREFIX"*/"$STATE"; do
		[ -f "$st" ] || continue
		[ "$(stat -c %u "$st")" = 0 ] || {
			echo "!! $st is not root's: ignored" >&2
			continue
		}
		dir=$(sed -n 's/^dir=//p' "$st")
		fake=$(sed -n 's/^fake_pid=//p' "$st")
		demo=$(sed -n 's/^demo_pid=//p' "$st")
		[ "$dir/$STATE" = "$st" ] || continue
		if alive "$demo" && case "$(cmdline "$demo")" in *demo.sh*) true ;; *) false ;; esac; then
			echo "-- $dir: its demo (pid $demo) is still running; left alone"
			continue
		fi
		n=$((n + 1))
		if stop_demo "$dir" "$fake"; then
			echo "== stopped the kept demo in $dir: PostgreSQL and the fake cluster (pid $fake) stopped, directory removed"
		else
			rc=1
		fi
	done
	[ $n -gt 0 ] || echo "== no kept demo to stop (no ${DEMO_PREFIX}*/$STATE)"
	return $rc
}

case "${1:-}" in
'') ;;
--stop)
	need_root
	stop_kept
	exit
	;;
-h | --help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $(basename "$0") [--stop]   (see the header of $0)" >&2
	exit 2
	;;
esac

need_root
N=${N:-200}
case "$N" in '' | *[!0-9]* | 0*) N=x ;; esac
if [ "$N" = x ] || [ "$N" -gt 100000 ]; then
	echo "demo: N (the batch size) must be a whole number from 1 to 100000" >&2
	exit 2
fi
KEEP=${KEEP:-0}
build_and_install demo

dir=$(mktemp -d "${DEMO_PREFIX}XXXXXX")
chown "$TEST_USER": "$dir"
chmod 755 "$dir"
fake_pid=
fake_job=
port=
finished=0 # got to the verdict (KEEP=1 keeps the clusters from then on)
passed=0
what_next() {
	[ $passed = 1 ] || return 0
	cat <<NEXT
== what next
   README.md "SQL API (schema \`mint\`)": mint_ticket, mint_tickets, the trigger, get_mint, the views
   README.md "The worker" and "Settings": what the worker does and how to tune it
   README.md "Installing on a server" and docs/DEPLOYMENT.md: the deployment guide (a real
     PostgreSQL server and Solana cluster: keys, RPC, trees, roles, monitoring, upgrades)
   sudo scripts/test.sh: every test (README.md "Tests and the audit")
   sudo KEEP=1 scripts/demo.sh: keep both clusters to try it in psql; sudo N=1000 scripts/demo.sh: a bigger batch
NEXT
}
cleanup() {
	local rc=$?
	set +e
	trap '' INT TERM HUP
	if [ "$KEEP" = 1 ] && [ $finished = 1 ]; then
		echo "== KEEP=1: both clusters left running in $dir"
		echo "   connect:  sudo runuser -u $TEST_USER -- $PG_BIN/psql -h $dir -U postgres -d postgres"
		echo "   fake cluster: http://127.0.0.1:$port (pid $fake_pid), its ledger: http://127.0.0.1:$port/ledger?summary=1"
		echo "   stop all of it:  sudo scripts/demo.sh --stop"
		what_next
		exit $rc
	fi
	# The fake's runuser, this shell's job, ends with the fake; it is
	# stopped here only if the fake never started.
	if [ -n "$fake_job" ] && [ -z "$fake_pid" ] && alive "$fake_job"; then
		kill -TERM "$fake_job" 2>/dev/null
		wait_gone "$fake_job" 5 || kill -KILL "$fake_job" 2>/dev/null
	fi
	if stop_demo "$dir" "$fake_pid"; then
		echo "== stopped what it started (PostgreSQL, the fake cluster) and removed $dir"
		what_next
	else
		rc=1
	fi
	exit $rc
}
trap cleanup EXIT
trap 'echo "!! interrupted" >&2; exit 130' INT
trap 'echo "!! terminated" >&2; exit 143' TERM
trap 'exit 129' HUP

TREE=9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu
PAYER=AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9 # the fixed test key's address
echo "== starting the fake Solana cluster (fake/solana-fake) on a free loopback port"
# The tenant's tree exists there, created by the demo's key (a fake that
# predates --tree creates a tree at its first mint).
tree_opt=()
case "$("$ROOT/fake/solana-fake" --help 2>&1 || true)" in
*"--tree TREE:CREATOR"*) tree_opt=(--tree "$TREE:$PAYER") ;;
esac
# In its own session (a Ctrl-C reaches the demo, which stops it); the shell
# writes its pid, then becomes the fake (exec): the recorded pid is the fake's.
setsid runuser -u "$TEST_USER" -- sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$dir/fake.pid" \
	"$ROOT/fake/solana-fake" --listen 127.0.0.1:0 --port-file "$dir/fake.port" \
	--slot-ms 40 --finalized-lag 8 "${tree_opt[@]}" --quiet </dev/null >"$dir/fake.log" 2>&1 &
fake_job=$!
for _ in $(seq 100); do [ -s "$dir/fake.port" ] && [ -s "$dir/fake.pid" ] && break; sleep 0.1; done
fake_pid=$(cat "$dir/fake.pid" 2>/dev/null || true)
port=$(cat "$dir/fake.port" 2>/dev/null || true)
if [ -z "$port" ] || ! is_demo_fake "$fake_pid" "$dir"; then
	fake_pid=
	echo "!! the fake cluster did not start:" >&2
	cat "$dir/fake.log" >&2
	exit 1
fi
echo "   http://127.0.0.1:$port (pid $fake_pid)"
# What --stop needs, should this demo be kept (or killed with SIGKILL).
cat >"$dir/$STATE" <<STATE
dir=$dir
data=$dir/data
fake_pid=$fake_pid
fake_port=$port
demo_pid=$$
STATE
chmod 644 "$dir/$STATE"

# The fee payer is a fixed test keypair (seed 32 x 0x01), mode 0600.
echo "== starting a throwaway PostgreSQL 15 cluster in $dir"
max_batch=1000
[ "$N" -gt $max_batch ] && max_batch=$N
init_test_cluster "$dir" <<CONF
mint.rpc_url = 'http://127.0.0.1:$port'
mint.poll_interval = '100ms'
mint.max_batch = $max_batch
CONF
if ! as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null; then
	echo "!! PostgreSQL did not start; the end of its log:" >&2
	tail -n 20 "$dir/server.log" | sed 's/^/   /' >&2
	exit 1
fi
echo "postmaster_pid=$(head -n 1 "$dir/data/postmaster.pid")" >>"$dir/$STATE"

psql_demo() {
	as_user "$PG_BIN/psql" -h "$dir" -U postgres -d postgres -v ON_ERROR_STOP=1 -X -q "$@"
}

psql_demo -v n="$N" -v tree="$TREE" <<'SQL'
\echo '== install the extension, register tenant "demo-events" and its Bubblegum tree'
CREATE EXTENSION mint_ext;
SELECT mint.register_tree('demo-events', :'tree');

\echo '== mint a batch of' :n 'tickets (one call, all or nothing, idempotency key "order-1001")'
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

\echo '== the application retries the same request: answered from the key, no new jobs'
SELECT count(*) AS rows, bool_and(replayed) AS all_replayed,
       (SELECT count(*) FROM mint.mint_jobs) AS jobs_in_table
  FROM mint.mint_tickets('demo-events', (SELECT tickets FROM batch), 'order-1001');

\echo '== one more ticket, VIP-1, through a trigger on the application''s own table "tickets"'
CREATE TABLE tickets (id text PRIMARY KEY, tenant text, wallet text, meta jsonb);
CREATE TRIGGER tickets_mint AFTER INSERT ON tickets
  FOR EACH ROW EXECUTE FUNCTION mint.enqueue_mint('tenant', 'id', 'wallet', 'meta');
INSERT INTO tickets VALUES ('VIP-1', 'demo-events', 'AKkzLhjhyFtM9j7WAhbaqYpFe49cXeJBg2kzLRC2PnNa',
  '{"name":"Concert A - VIP 1","symbol":"TIX","uri":"https://tickets.example.org/m/vip-1.json"}');
SELECT job_id, status FROM mint.get_mint('demo-events', 'VIP-1');

\echo '== a bad request is refused and writes nothing'
\set ON_ERROR_STOP 0
SELECT mint.mint_ticket('demo-events', 'SEAT-X', 'not-a-wallet', '{"name":"x","uri":"https://x"}');
\set ON_ERROR_STOP 1
SQL

total=$((N + 1))
echo "== the worker mints them on the fake cluster"
start=$(date +%s)
last='' since=$start complete=0
while :; do
	line=$(psql_demo -At -F ' ' -c "SELECT queued, in_flight, submitted, confirmed, failed FROM mint.stats")
	read -r q f s c x <<<"$line"
	now=$(date +%s)
	echo "   $((now - start))s: queued $q, in flight $f, submitted $s, confirmed $c, failed $x"
	if [ "$((c + x))" -ge "$total" ]; then
		complete=1
		break
	fi
	[ "$line" != "$last" ] && last=$line since=$now
	if [ $((now - since)) -ge 60 ] || [ $((now - start)) -ge 600 ]; then
		echo "!! no progress for $((now - since)) s (after $((now - start)) s); giving up" >&2
		break
	fi
	sleep 1
done

echo "== summary: the first tickets, the last one and the trigger's (VIP-1)"
psql_demo -v n="$N" <<'SQL'
SELECT job_id, status, attempts, left(signature, 20) || '...' AS signature, asset_id
  FROM mint.jobs
 WHERE ticket_id IN ('SEAT-1', 'SEAT-2', 'SEAT-3', 'SEAT-' || :n, 'VIP-1')
 ORDER BY ticket_id = 'VIP-1', length(ticket_id), ticket_id;
SELECT queued, in_flight, submitted, confirmed, failed, attempts_per_mint FROM mint.stats;
SELECT worker, pid, state, sent, confirmed, rpc_errors FROM mint.worker_status;
SQL
if [ $complete = 0 ]; then
	echo "== why: the workers, the jobs' last errors, the end of the server log"
	psql_demo <<'SQL'
\x on
SELECT * FROM mint.worker_status;
\x off
SELECT status, last_error_class, last_error_code, left(last_error_message, 100) AS last_error_message, count(*)
  FROM mint.jobs GROUP BY 1, 2, 3, 4 ORDER BY count(*) DESC LIMIT 5;
SQL
	tail -n 20 "$dir/server.log" | sed 's/^/   /'
fi

echo "== the fake cluster's ledger against the jobs"
# Every job confirmed, its signature a successful mint in the ledger with the
# same asset id, no other mint, no metadata uri minted twice.
psql_demo -At -F ' ' -c "SELECT ticket_id, status, coalesce(signature, '-'), coalesce(asset_id, '-')
                           FROM mint.jobs WHERE tenant_id = 'demo-events'" >"$dir/jobs.txt"
finished=1
perl -MHTTP::Tiny -MJSON::PP -e '
	my ($port, $total, $jobs) = @ARGV;
	my $http = HTTP::Tiny->new(timeout => 30);
	sub get { my $r = $http->get("http://127.0.0.1:$port$_[0]");
		  die "GET $_[0]: $r->{status} $r->{reason}\n" unless $r->{success};
		  decode_json($r->{content}) }
	my $sum = get("/ledger?summary=1");
	my (%mint, $off);
	for ($off = 0; $off < $sum->{total}; ) {
		my $page = get("/ledger?offset=$off&limit=5000");
		last unless @{$page->{mints}};
		$mint{$_->{signature}} = $_ for @{$page->{mints}};
		$off += @{$page->{mints}};
	}
	my (@bad, $n, $confirmed);
	open my $fh, "<", $jobs or die "$jobs: $!\n";
	while (<$fh>) {
		chomp; my ($t, $st, $sig, $asset) = split / /;
		$n++;
		if ($st ne "confirmed") { push @bad, "$t is $st"; next }
		my $m = $mint{$sig};
		if (!$m) { push @bad, "$t: signature $sig not in the ledger"; next }
		if ($m->{status} ne "ok") { push @bad, "$t: its mint failed on chain"; next }
		if (($m->{asset_id} // "") ne $asset) { push @bad, "$t: asset id $asset, ledger $m->{asset_id}"; next }
		$confirmed++;
	}
	push @bad, "$n jobs, expected $total" if $n != $total;
	push @bad, "$sum->{ok} successful mints in the ledger, expected $total" if $sum->{ok} != $total;
	push @bad, "$sum->{uris_with_duplicates} tickets minted more than once" if $sum->{uris_with_duplicates};
	printf "   ledger: %d mints landed ok, %d failed, %d pending, %d distinct uris, %d minted more than once\n",
		$sum->{ok}, $sum->{failed}, $sum->{pending}, $sum->{distinct_uris}, $sum->{uris_with_duplicates};
	if (@bad) {
		printf "!! verdict: NOT every ticket landed exactly once (ledger: %d mints, %d duplicates): %s\n",
			$sum->{ok}, $sum->{uris_with_duplicates}, join("; ", @bad[0 .. ($#bad < 4 ? $#bad : 4)]);
		exit 1;
	}
	printf "== verdict: %d tickets, each landed exactly once (ledger: %d mints, %d duplicates)\n",
		$confirmed, $sum->{ok}, $sum->{uris_with_duplicates};
' "$port" "$total" "$dir/jobs.txt" || exit 1
passed=1
