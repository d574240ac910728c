# Exactly once behind a load balancer of lagging nodes: the fake cluster in
# load-balanced mode (3 node views of one chain, two of them 80-120 slots
# behind and wandering, every request routed to one of them), 20 % of the
# sends never land and blockhashes live 60 blocks, so attempts expire.
#  1. 1,000 tickets, 2 workers: every ticket confirmed, one landed mint per
#     ticket (the ledger); the proof met lagging views ("inconclusive"
#     answers, refused old views) and was not fooled by them.
#  2. The same with the context check switched off (a test-only setting):
#     a lagging node's "unknown" is taken as proof, and tickets are minted
#     twice - the check is what prevents it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use Test::More;

my %lb = (slot_ms => 10, finalized_lag => 4, blockhash_window => 60, nodes => 3,
	node_lag => '0,100,100', lag_wander => '80-120', route => 'random');

sub run
{
	my ($name, $skip_check, $n) = @_;
	my $fake = start_fake(%lb, seed => $skip_check ? 23 : 22);
	my $node = new_mint_node($name, $fake, 'mint.workers' => 2, 'mint.max_attempts' => 50,
		'mint.test_skip_context_check' => $skip_check ? 'on' : 'off');
	fake_control($fake, p_never_lands => 0.2);
	enqueue_tickets($node, 1, $n);
	return ($node, $fake);
}

# 1. with the context check
my ($node, $fake) = run('lagging', 0, 1000);
ok(wait_for(600, sub {
	query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == 1000 }),
	'behind lagging nodes every ticket is confirmed');
check_exactly_once($node, $fake, 1, 1000);
my ($inconclusive, $refused) = split /\|/, query($node,
	'SELECT sum(inconclusive), sum(context_not_reached) FROM mint.worker_status');
note "inconclusive status answers: $inconclusive; old views refused (-32016): $refused";
cmp_ok($inconclusive, '>', 0, 'lagging views answered "unknown" and were not taken as proof');
cmp_ok($refused, '>', 0, 'lagging nodes refused views older than the newest seen');
my $expired = query($node, "SELECT count(*) FROM mint.mint_attempts WHERE state = 'expired'");
cmp_ok($expired, '>', 0, "attempts did expire ($expired), so the proof was exercised");
my $stats = fake_get($fake, '/stats');
note explain $stats->{nodes} if $stats->{nodes};
$node->stop;
stop_fake($fake);

# 2. without it: the double mint the check prevents
($node, $fake) = run('lagging_unchecked', 1, 300);
wait_for(300, sub {
	query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status IN ('confirmed', 'failed')") == 300 });
my $dups = fake_get($fake, '/ledger?summary=1')->{uris_with_duplicates};
note "tickets minted more than once without the context check: $dups";
cmp_ok($dups, '>', 0, 'without the context check lagging nodes make the worker mint tickets twice');
$node->stop;
stop_fake($fake);
done_testing();
