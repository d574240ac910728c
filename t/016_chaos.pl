# Chaos: 2,000 tickets with every fault of the fake cluster at once and the
# workers killed (kill -9) over and over: no ticket minted twice, none lost,
# every job confirmed with the ledger's signature and asset id.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 16);
my $crash_file = PostgreSQL::Test::Utils::tempdir() . '/crash';
my $node = new_mint_node('chaos', $fake, 'mint.workers' => 2, 'mint.rpc_timeout' => "'500ms'",
	'mint.test_crash_file' => "'$crash_file'");
fake_control($fake, p_lost_response => 0.15, p_never_lands => 0.10, p_5xx => 0.05,
	p_timeout => 0.03, p_429 => 0.05, latency_ms => 2);
my $n = 2000;
my $t0 = time();
enqueue_tickets($node, 0, $n - 1);

srand(16);
my $kills = 0;
my @points = qw(after_record after_send before_confirm);
while (query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") < $n
	&& time() - $t0 < 400)
{
	usleep(200_000 + int(rand(500_000)));
	my @pids = worker_pids($node);
	next unless @pids;
	if ($kills % 2)
	{
		kill 'KILL', $pids[ int(rand(@pids)) ];
	}
	else
	{
		open(my $fh, '>', $crash_file) or die;
		print $fh $points[ $kills % @points ], "\n";
		close($fh);
	}
	$kills++;
	last if $kills >= 20;
}
note "issued $kills kills";
cmp_ok($kills, '>=', 10, 'workers killed at least ten times');
unlink $crash_file;

wait_confirmed($node, $n, 400);
note sprintf('drained in %.0f s', time() - $t0);
check_exactly_once($node, $fake, 0, $n - 1);

$node->stop;
stop_fake($fake);
done_testing();
