# Fencing and several workers.  With three workers on one queue, each ticket
# is minted once.  A worker holds one session lock however many jobs it
# holds, and the jobs name it (mint_jobs.lease_holder).  Frozen (SIGSTOP)
# past its lease, it keeps its jobs: its backend lives, so no claim takes
# them.  Once they no longer name it (as if its lock were lost, the model's
# over-approximation), the other workers claim them, bumping the lease
# token; when it wakes, its writes are refused by the token and it drops the
# jobs; still exactly once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);

# blocks of 100 ms: a job stays in flight for about a second (finalized), so
# the worker frozen below surely holds some
my $fake = start_fake(slot_ms => 100, finalized_lag => 4, seed => 15);
my $node = new_mint_node('fencing', $fake, 'mint.workers' => 3, 'mint.lease' => "'2s'",
	'mint.batch_size' => 20, 'mint.max_inflight' => 40);
wait_until('three workers', 20, sub { scalar(worker_pids($node)) == 3 });

my $n = 1500;    # enough left after the freeze for the frozen worker to mint again
enqueue_tickets($node, 0, $n - 1);
my $frozen;
wait_until('a worker holds jobs', 20, sub {
	$frozen = $node->safe_psql('postgres',
		"SELECT pid FROM mint.worker_status WHERE inflight > 0 ORDER BY inflight DESC LIMIT 1");
	$frozen ne '';
});
# its incarnation's lock (namespace 'MW' = 19799): the jobs carry its key
my $locks = $node->safe_psql('postgres', qq{
	SELECT count(*) || ' ' || coalesce(min((classid::bigint << 32) | objid::bigint), 0) FROM pg_locks
	 WHERE locktype = 'advisory' AND objsubid = 19799 AND pid = $frozen AND granted});
my ($nlocks, $holder) = split / /, $locks;
is($nlocks, '1', 'a worker holding jobs holds one session lock, not one per job');
kill 'STOP', $frozen;
note "froze worker $frozen (holder $holder)";
sleep(5);    # past its lease
my $kept = $node->safe_psql('postgres', qq{
	SELECT count(*) FROM mint.mint_jobs
	 WHERE lease_holder = $holder AND status IN ('in_flight', 'submitted') AND lease_until < now()});
cmp_ok($kept, '>', 0, "past their leases, the frozen worker's $kept jobs are still its own (its backend lives)");
# as if it had lost its lock: the others claim its jobs (bumping the tokens)
$node->safe_psql('postgres', "UPDATE mint.mint_jobs SET lease_holder = NULL WHERE lease_holder = $holder");
wait_until('the frozen worker\'s jobs taken over', 20, sub {
	$node->safe_psql('postgres', qq{
		SELECT count(*) FROM mint.mint_jobs
		 WHERE lease_holder IS NULL AND status IN ('in_flight', 'submitted')}) eq '0' });
kill 'CONT', $frozen;

wait_confirmed($node, $n, 240);
check_exactly_once($node, $fake, 0, $n - 1);

my $log = slurp_file($node->logfile);
like($log, qr/mint worker (lost the lease of job|could not record an attempt for job)/,
	'the frozen worker found its writes refused by the lease token');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM mint.worker_status WHERE confirmed > 0"), '3', 'all three workers minted');

$node->stop;
stop_fake($fake);
done_testing();
