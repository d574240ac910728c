# Pools that grow by themselves, against the real programs (svm cluster):
# with mint.set_tree_policy() the worker creates the tenant's next tree when
# the pool's free leaves fall below min_free, within max_trees and
# max_spend, and says so when the policy allows no more.
#  1. Tenant "roll", trees of 8 leaves, at most 6: the first tree is created
#     before any ticket, then 30 tickets: every one confirmed once, none
#     failed, the pool grown tree by tree (at most 6), the spend recorded
#     (created x mint.tree_cost).
#  2. Tenant "cap", at most 2 trees (16 leaves) for 20 tickets: 16 land, 4
#     wait queued (no_tree_capacity), worker_status says the pool is low and
#     why (pool_low, max_trees); raising max_trees lets them land.
#  3. Tenant "poor": a max_spend below one tree's cost: no tree, said so.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use MintTest;
use SvmTest;
use Test::More;

srand(45);
my $svm = start_svm(slot_ms => 20, finalized_lag => 4, blockhash_window => 300);
svm_airdrop($svm, $PAYER, 1_000_000_000_000);
my $node = svm_mint_node('svm_rollover', $svm, 'mint.workers' => 1);
sub sq { return query($node, $_[0]) }
my $json = JSON::PP->new->utf8->canonical;
sub enqueue
{
	my ($tenant, $from, $to) = @_;
	my @items = map { { ticket_id => "R-$_", owner => random_address(), metadata => random_metadata("$tenant/R-$_") } } $from .. $to;
	sq("SELECT count(*) FROM mint.mint_tickets('$tenant', \$J\$" . $json->encode(\@items) . "\$J\$::jsonb)");
}
sub confirmed { return sq("SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = '$_[0]' AND status = 'confirmed'") }
my $cost = (split /\|/, sq("SELECT total FROM mint.tree_cost(3, 8, 0)"))[0];

# bad policies write nothing
my ($ret, $out, $err) = $node->psql('postgres', "SELECT mint.set_tree_policy('roll', 3, 8)");
like($err, qr/max_spend/, 'a policy needs a spend limit');
($ret, $out, $err) = $node->psql('postgres', "SELECT mint.set_tree_policy('roll', 6, 16, max_spend => 1)");
like($err, qr/no tree of max depth 6/, 'and a shape the programs accept');
is(sq("SELECT count(*) FROM mint.tree_policies"), 0, 'nothing written');

# 1. the pool grows with the tickets
sq("SELECT mint.set_tree_policy('roll', 3, 8, max_trees => 6, max_spend => " . (10 * $cost) . ", min_free => 4)");
ok(wait_for(60, sub { sq("SELECT count(*) FROM mint.trees WHERE tenant_id = 'roll' AND state = 'ready' AND capacity = 8") >= 1 }),
	'the worker created the first tree of an empty pool');
enqueue('roll', 1, 30);
ok(wait_for(240, sub { confirmed('roll') == 30 }), '30 tickets confirmed in a pool the worker grew');
check_svm_exactly_once($node, $svm, 'roll');
is(sq("SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = 'roll' AND status = 'failed'"), 0, 'none failed');
my ($trees, $created, $spent) = split /\|/, sq("SELECT (SELECT count(*) FROM mint.trees WHERE tenant_id = 'roll' AND origin = 'created'),
	created, spent FROM mint.tree_policies WHERE tenant_id = 'roll'");
cmp_ok($trees, '>=', 4, "the pool grew to $trees trees of 8 for 30 tickets");
cmp_ok($trees, '<=', 6, 'within max_trees');
is($created, $trees, 'the policy counts the trees it created');
is($spent, $trees * $cost, 'and their cost (created x mint.tree_cost)');
is(sq("SELECT count(*) FROM mint.trees WHERE tenant_id = 'roll' AND minted > capacity"), 0, 'no tree over its capacity');
like(PostgreSQL::Test::Utils::slurp_file($node->logfile), qr/the pool of tenant "roll" runs low \(\d+ free leaves\): creating tree/,
	'each growth is in the log');

# 2. a policy that allows no more trees
sq("SELECT mint.set_tree_policy('cap', 3, 8, max_trees => 2, max_spend => " . (10 * $cost) . ", min_free => 2)");
ok(wait_for(60, sub { sq("SELECT count(*) FROM mint.trees WHERE tenant_id = 'cap' AND state = 'ready' AND capacity = 8") >= 1 }),
	'tenant cap has its first tree');
enqueue('cap', 1, 20);
ok(wait_for(180, sub { confirmed('cap') == 16 }), 'two trees of 8: 16 of 20 confirmed');
ok(wait_for(30, sub { sq("SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = 'cap' AND status = 'queued'
	AND last_error_code = 'no_tree_capacity'") == 4 }), 'the other 4 wait queued and say why');
ok(wait_for(30, sub { sq("SELECT reason_code || ': ' || reason FROM mint.worker_status") =~ /^pool_low: .*"cap".*max_trees 2/ }),
	'worker_status says the pool of cap is low and its policy allows no more trees');
is(sq("SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = 'cap' AND status = 'failed'"), 0, 'none failed');
sq("SELECT mint.set_tree_policy('cap', 3, 8, max_trees => 3, max_spend => " . (10 * $cost) . ", min_free => 2)");
ok(wait_for(120, sub { confirmed('cap') == 20 }), 'with max_trees raised they land');

# 3. a spend limit below one tree
sq("SELECT mint.set_tree_policy('poor', 3, 8, max_trees => 5, max_spend => " . ($cost - 1) . ")");
ok(wait_for(30, sub { sq("SELECT reason FROM mint.worker_status") =~ /"poor".*max_spend/ }),
	'a max_spend below one tree: said so in worker_status');
is(sq("SELECT count(*) FROM mint.trees WHERE tenant_id = 'poor'"), 0, 'and no tree is created');

$node->stop;
stop_svm($svm);
done_testing();
