# The worker end to end against the real programs (svm cluster): 240 random
# tickets of two tenants, one minting mint_v1 into a depth-20 tree, one
# mint_to_collection_v1 into a verified Token Metadata collection over a
# depth-14 tree.  Every job is confirmed once, with the signature, asset id
# and leaf nonce of the one mint the program emitted for its ticket; the
# leaf nonces of each tree are 0..n-1.  With a priority fee the worker asks
# for a compute-unit limit that covers what each mint consumed.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use MintTest;
use SvmTest;
use PostgreSQL::Test::Utils;
use Test::More;

srand(31);
# a long blockhash window: no attempt expires on a slow machine
my $svm = start_svm(slot_ms => 20, finalized_lag => 4, blockhash_window => 1000);
svm_airdrop($svm, $PAYER, 500_000_000_000);
my $plain = svm_create_tree($svm, max_depth => 20, max_buffer_size => 256, canopy_depth => 8);
my $ctree = svm_create_tree($svm, max_depth => 14, max_buffer_size => 64, canopy_depth => 0);
my $coll = svm_create_collection($svm, name => 'Event W', symbol => 'EVW');

my $node = svm_mint_node('svm_worker', $svm, 'mint.priority_fee' => 1, 'mint.batch_size' => 64);
$node->safe_psql('postgres', qq{
	SELECT mint.register_tree('wa', '$plain->{tree}');
	SELECT mint.register_tree('wb', '$ctree->{tree}', '$coll->{mint}');
});
my $json = JSON::PP->new->utf8->canonical;
my $n = 120;
for my $t (qw(wa wb))
{
	for my $chunk (0 .. 3)
	{
		my @items;
		for my $i ($chunk * 30 + 1 .. $chunk * 30 + 30)
		{
			my $c = int(rand(2)) ? ($t eq 'wb' ? $coll->{mint} : random_address()) : undef;
			push @items, { ticket_id => "W-$i", owner => random_address(),
				metadata => random_metadata("$t/W-$i", collection => $c) };
		}
		$node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_tickets('$t', \$J\$"
			  . $json->encode(\@items) . "\$J\$::jsonb)");
	}
}
wait_until('240 confirmed mints', 300, sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == 2 * $n });
my $ledger = check_svm_exactly_once($node, $svm, 'wa', 'wb');
is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE attempts = 1"), 2 * $n,
	'one signed transaction per ticket');
is($ledger->{failed}, 0, 'no mint failed in the program');

my @ok = grep { $_->{status} eq 'ok' } @{ $ledger->{mints} };
is(scalar(grep { $_->{instruction} eq 'mint_v1' && $_->{tree} eq $plain->{tree} } @ok), $n,
	"$n mint_v1 into the depth-20 tree");
is(scalar(grep { $_->{instruction} eq 'mint_to_collection_v1' && $_->{tree} eq $ctree->{tree}
			&& $_->{collection} eq $coll->{mint} } @ok), $n, "$n mint_to_collection_v1 into the verified collection");
is(scalar(grep { $_->{payer} eq $PAYER && $_->{tree_delegate} eq $PAYER } @ok), 2 * $n,
	'all paid for and signed by the worker\'s key');

# the compute budget: each limit covers what the mint consumed, within the stated margin
my @uncovered = grep { !defined $_->{cu_limit} || $_->{compute_units} > $_->{cu_limit} } @ok;
is(scalar(@uncovered), 0, 'every mint asked for a limit that covered its consumption');
my @loose = grep { defined $_->{cu_limit} && $_->{cu_limit} > 1.1 * $_->{compute_units} + 32000 } @ok;
is(scalar(@loose), 0, 'and no limit above 110 % of the consumption + 32,000 units')
  or diag(join("\n", map { "$_->{instruction} limit $_->{cu_limit} consumed $_->{compute_units}" } @loose[0 .. 4]));
is(scalar(grep { ($_->{cu_price} // 0) == 1 } @ok), 2 * $n, 'at the price of mint.priority_fee');

$node->stop;
stop_svm($svm);
done_testing();
