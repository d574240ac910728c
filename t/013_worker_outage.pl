# The RPC is down for a while, then back: while it is down the worker sends
# a bounded number of requests (no busy loop), and afterwards every ticket is
# minted exactly once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use Test::More;
use Time::HiRes qw(sleep);

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 13);
my $node = new_mint_node('outage', $fake, 'mint.backoff_max' => "'2s'");
my $n = 200;

fake_control($fake, down => JSON::PP::true);
enqueue_tickets($node, 0, $n - 1);
sleep(1);    # let the worker hit the outage and back off
my $before = fake_get($fake, '/stats');
sleep(8);
my $after = fake_get($fake, '/stats');
my $during = $after->{http}{requests} - $before->{http}{requests};
note "requests during 8 s of outage: $during";
cmp_ok($during, '<=', 40, "an 8 s outage cost at most 40 requests ($during)");
like($node->safe_psql('postgres', "SELECT last_rpc_error FROM mint.worker_status"), qr/\S/,
	'the outage shows in mint.worker_status');
is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status IN ('confirmed', 'failed')"),
	'0', 'nothing was decided while the RPC was down');

fake_control($fake, down => JSON::PP::false);
wait_confirmed($node, $n, 120);
check_exactly_once($node, $fake, 0, $n - 1);

$node->stop;
stop_fake($fake);
done_testing();
