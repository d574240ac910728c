# kill -9 of the worker at least ten times during a run — at the named
# points between recording an attempt and sending it, between sending and
# recording the result, and at random moments — plus an immediate shutdown
# and restart of the server mid-run: every ticket is still minted exactly
# once and confirmed with the ledger's signature and asset id.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 11);
my $crash_file = PostgreSQL::Test::Utils::tempdir() . '/crash';
my $node = new_mint_node('crash', $fake, 'mint.test_crash_file' => "'$crash_file'",
	'mint.batch_size' => 50);
my $n = 0;

my $kills = 0;
my @points = qw(after_record after_send before_confirm after_claim);
srand(11);
for my $round (1 .. 12)
{
	my ($before) = worker_pids($node);
	next unless $before;
	if ($round % 3 == 0)
	{
		# fresh work every round, so the kill lands mid-run
		enqueue_tickets($node, $n, $n + 99);
		$n += 100;
		usleep(int(rand(200_000)));
		kill 'KILL', $before;
		note "round $round: kill -9 $before at a random moment";
	}
	else
	{
		# the point is armed before the work arrives: a worker that drains
		# 100 tickets faster than a file is written would otherwise pass
		# every point before it is armed
		my $point = $points[$round % @points];
		open(my $fh, '>', $crash_file) or die;
		print $fh "$point\n";
		close($fh);
		enqueue_tickets($node, $n, $n + 99);
		$n += 100;
		note "round $round: crash at $point";
	}
	my $ok = 0;
	my $deadline = time() + 20;
	while (time() < $deadline)
	{
		my ($now) = worker_pids($node);
		if ($now && $now != $before) { $ok = 1; last; }
		usleep(20_000);
	}
	if ($ok) { $kills++ } else { unlink $crash_file; note "round $round: no crash (point not reached)"; }
}
unlink $crash_file;
cmp_ok($kills, '>=', 10, "the worker was killed $kills times mid-run");

# Immediate shutdown of the whole server mid-run, then restart.
enqueue_tickets($node, $n, $n + 199);
$n += 200;
usleep(100_000);
$node->stop('immediate');
$node->start;

wait_confirmed($node, $n, 240);
check_exactly_once($node, $fake, 0, $n - 1);

$node->stop;
stop_fake($fake);
done_testing();
