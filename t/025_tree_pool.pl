# A tenant's pool of trees: capacity counted (in flight included), jobs dealt
# across the trees, full trees left behind, nothing failed for capacity.
# The fake: every tree holds 8 mints (--tree-capacity 8; its tree configs
# say so) and takes at most 2 mints a block (--tree-block-limit 2).
#  1. 70 trees of 8 leaves (560) and 500 tickets, 2 workers: every ticket
#     confirmed once, no job failed, no tree given more than 8; mint.trees'
#     minted agrees with the ledger and nothing stays reserved; the mints
#     are spread over the pool.
#  2. A pool too small (2 trees, 16 leaves) for 20 tickets: 16 land, 4 wait
#     queued and say why (no_tree_capacity), none fails; a third tree added
#     with mint.add_tree() takes them.
#  3. Trees that fill up behind the worker's count (the chain's capacity
#     drops to 4 after the worker read 8): the mints the program refuses
#     with InsufficientMintCapacity move to another tree once their attempt
#     is dead; none fails, one mint per ticket, the full trees are marked so.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use Test::More;

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, blockhash_window => 40, seed => 25,
	tree_capacity => 8, tree_block_limit => 2);
my $node = new_mint_node('pool', $fake, 'mint.workers' => 2, 'mint.max_attempts' => 50);

sub add_trees
{
	my ($tenant, $n) = @_;
	my @trees = map { random_address() } 1 .. $n;
	for my $t (@trees)
	{
		fake_control($fake, add_tree => "$t:$PAYER");
		query($node, "SELECT mint.add_tree('$tenant', '$t')");
	}
	return @trees;
}

sub enqueue
{
	my ($tenant, $from, $to) = @_;
	query($node, qq{
		SELECT count(*) FROM mint.mint_tickets('$tenant', (SELECT jsonb_agg(jsonb_build_object(
			'ticket_id', 'T-' || i, 'owner', '$OWNER',
			'metadata', jsonb_build_object('name', 'Seat ' || i, 'symbol', 'TIX',
				'uri', 'https://tickets.example/$tenant/' || i || '.json')))
		FROM generate_series($from, $to) i))});
}

sub count_jobs
{
	my ($tenant, $status) = @_;
	return query($node, "SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = '$tenant' AND status = '$status'");
}

# the ledger's successful mints of a tenant's tickets, by tree and by uri
sub ledger_of
{
	my ($tenant) = @_;
	my (%by_tree, %by_uri);
	for my $m (@{ fake_ledger($fake)->{mints} })
	{
		next if defined $m->{err} || $m->{uri} !~ m{^https://tickets\.example/\Q$tenant\E/};
		$by_tree{ $m->{tree} }++;
		$by_uri{ $m->{uri} }++;
	}
	return (\%by_tree, \%by_uri);
}

# 1. a pool of 70 trees of 8 for 500 tickets (the node's own tree is one of them)
add_trees('t', 69);
ok(wait_for(60, sub { query($node, "SELECT count(*) FROM mint.trees WHERE tenant_id = 't' AND capacity = 8") == 70 }),
	'the worker read the capacity of the 70 trees from their tree configs');
my $t0 = time();
enqueue_tickets($node, 1, 500);
ok(wait_for(300, sub { count_jobs('t', 'confirmed') == 500 }), 'a pool of 70 trees of 8: 500 tickets confirmed');
note sprintf('drained in %.1f s', time() - $t0);
check_exactly_once($node, $fake, 1, 500);
is(count_jobs('t', 'failed'), 0, 'no job failed');
my ($by_tree) = ledger_of('t');
is(scalar(grep { $by_tree->{$_} > 8 } keys %$by_tree), 0, 'no tree got more than its 8 mints');
cmp_ok(scalar(keys %$by_tree), '>=', 63, 'the mints are spread over the pool (' . scalar(keys %$by_tree) . ' trees)');
my %minted = map { split /\|/ } split /\n/, query($node, "SELECT merkle_tree, minted FROM mint.trees WHERE tenant_id = 't'");
is(scalar(grep { ($minted{$_} // -1) != $by_tree->{$_} } keys %$by_tree), 0, "mint.trees.minted equals each tree's mints in the ledger");
is(query($node, "SELECT sum(reserved) FROM mint.trees"), 0, 'nothing stays reserved once every job settled');

# 2. a pool too small: 20 tickets for 16 leaves
my $v1 = random_address();
fake_control($fake, add_tree => "$v1:$PAYER");
query($node, "SELECT mint.register_tree('v', '$v1')");
add_trees('v', 1);
ok(wait_for(60, sub { query($node, "SELECT count(*) FROM mint.trees WHERE tenant_id = 'v' AND capacity = 8") == 2 }),
	'two trees of 8 read');
enqueue('v', 1, 20);
ok(wait_for(120, sub { count_jobs('v', 'confirmed') == 16 }), '16 of 20 tickets fill the two trees');
ok(wait_for(30, sub { query($node, "SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = 'v' AND status = 'queued'
	AND last_error_class = 'blocked' AND last_error_code = 'no_tree_capacity'") == 4 }),
	'the other 4 wait queued and say there is no room (no_tree_capacity)');
is(count_jobs('v', 'failed'), 0, 'none failed for capacity');
is(query($node, "SELECT sum(minted) || '/' || sum(capacity) FROM mint.trees WHERE tenant_id = 'v'"), '16/16', 'mint.trees shows the pool full');
add_trees('v', 1);
ok(wait_for(120, sub { count_jobs('v', 'confirmed') == 20 }), 'a tree added to the pool takes them');
my (undef, $v_uris) = ledger_of('v');
is(scalar(grep { $v_uris->{$_} != 1 } keys %$v_uris) . '/' . scalar(keys %$v_uris), '0/20', 'one mint per ticket');

# 3. the chain's capacity falls below the worker's count
my @u = add_trees('u', 2);
ok(wait_for(60, sub { query($node, "SELECT count(*) FROM mint.trees WHERE tenant_id = 'u' AND capacity = 8") == 2 }),
	'two more trees of 8 read');
fake_control($fake, tree_capacity => 4);
enqueue('u', 1, 10);
ok(wait_for(120, sub { count_jobs('u', 'confirmed') == 8 }), 'the trees take 4 each');
ok(wait_for(60, sub { query($node, "SELECT count(*) FROM mint.mint_attempts WHERE tenant_id = 'u' AND state <> 'pending'
	AND error_message LIKE '%InsufficientMintCapacity%'") >= 2 }), 'the program refused the mints past 4 (InsufficientMintCapacity)');
ok(wait_for(60, sub { query($node, "SELECT count(*) FROM mint.trees WHERE tenant_id = 'u' AND minted >= capacity") == 2 }),
	'both trees are marked full');
is(count_jobs('u', 'failed'), 0, 'no job failed for capacity');
add_trees('u', 1);
ok(wait_for(120, sub { count_jobs('u', 'confirmed') == 10 }), 'the refused tickets land in the tree added');
my (undef, $u_uris) = ledger_of('u');
is(scalar(grep { $u_uris->{$_} != 1 } keys %$u_uris) . '/' . scalar(keys %$u_uris), '0/10', 'one mint per ticket');
like(PostgreSQL::Test::Utils::slurp_file($node->logfile), qr/tree \S+ is full; its jobs move to other trees/, 'the full tree is in the log');

$node->stop;
stop_fake($fake);
done_testing();
