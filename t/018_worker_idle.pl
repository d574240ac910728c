# A worker waiting on the chain sleeps.  While a sent mint waits ~13 s for
# finalization (400 ms blocks, finalized 32 behind), the worker has nothing
# to do but ask for its status now and then; its CPU time over those seconds
# must stay a small fraction of the wall time.  (A loop that recomputed "due
# now" for a job not to be re-sent spun a core at 100 %.)  Once the status
# says landed, it is asked at growing intervals up to a second, not every
# poll interval (50 ms here: 80 asks in 4 s).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;
use POSIX qw(sysconf _SC_CLK_TCK);
use Time::HiRes qw(sleep);

my $fake = start_fake(slot_ms => 400, finalized_lag => 32, seed => 18);
my $node = new_mint_node('idle', $fake, 'mint.workers' => 1);

# CPU seconds (user + system) a process has used so far
sub cpu_seconds
{
	my ($pid) = @_;
	my @f = split(/ /, (split(/\) /, slurp_file("/proc/$pid/stat")))[1]);
	return ($f[11] + $f[12]) / sysconf(_SC_CLK_TCK);
}

enqueue_tickets($node, 0, 0);
wait_until('the ticket to be sent', 20, sub {
	query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'submitted'") == 1 });
my ($pid) = worker_pids($node);
sleep(1);    # landed (next block) and seen so
sub status_asks { return fake_get($fake, '/stats')->{methods}{getSignatureStatuses}{ok} // 0 }
my $a0 = status_asks();
my $c0 = cpu_seconds($pid);
sleep(4);
my $used = cpu_seconds($pid) - $c0;
my $asks = status_asks() - $a0;
is(query($node, "SELECT status FROM mint.mint_jobs"), 'submitted',
	'still waiting for finalization during the sample');
cmp_ok($used, '<', 1.0, "worker used ${used}s of CPU in 4 s of waiting (not spinning)");
cmp_ok($asks, '<=', 12, "$asks status asks in 4 s for a landed transaction (backing off to 1 s)");

# A worker that holds jobs keeps a fresh blockhash at hand: with 150 ms of
# RPC latency, a ticket enqueued while the first one waits for finalization
# is recorded (just before its send) in less time than one round trip.
fake_control($fake, latency_ms => 150);
my @lat;
for my $i (1 .. 5)
{
	enqueue_tickets($node, $i, $i);
	wait_until("ticket $i recorded", 20, sub {
		query($node, "SELECT count(*) FROM mint.mint_attempts WHERE ticket_id = 'T-$i'") == 1 });
	push @lat, query($node, "SELECT round(1000 * extract(epoch FROM a.created_at - j.created_at))
	                           FROM mint.mint_jobs j JOIN mint.mint_attempts a USING (tenant_id, ticket_id)
	                          WHERE j.ticket_id = 'T-$i'");
	sleep(0.3);
}
my $median = (sort { $a <=> $b } @lat)[2];
cmp_ok($median, '<', 100, "enqueue -> recorded ${median} ms (median of @lat), under one 150 ms round trip");
fake_control($fake, latency_ms => 0);

wait_confirmed($node, 6, 60);
check_exactly_once($node, $fake, 0, 5);

$node->stop;
stop_fake($fake);
done_testing();
