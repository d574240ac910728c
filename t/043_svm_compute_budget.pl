# The compute-unit limit against the real programs (svm cluster), with a
# priority fee: mint_v1 and mint_to_collection_v1 with 0-5 creators into
# trees of depth 14, 20, 24 and 30 (buffers 64-2048, canopies 0-17, up to the
# 10 MiB account), every shape: each limit covers what the mint consumed
# (meta.computeUnitsConsumed, as the program ran it) and is within the
# stated margin (110 % of the consumption + 32,000 units; a price on the
# default 200,000 units would pay for 3-4 times the need).  A tree whose
# first leaf needs more than a first attempt's limit (its asset id's bump
# search takes 15 tries): the attempt is refused by the program
# (ProgramFailedToComplete: out of units), the job is not failed, and its
# second attempt, with the limit for the tree's worst leaf, mints it once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use MintTest;
use SvmTest;
use PostgreSQL::Test::Utils;
use Test::More;

srand(33);
my $svm = start_svm(slot_ms => 20, finalized_lag => 4);
svm_airdrop($svm, $PAYER, 5_000_000_000_000);
my @trees = (
	[ 'b14',  14, 64,   0,  0 ], [ 'b14c', 14, 64,   0,  1 ],
	[ 'b20',  20, 1024, 6,  0 ], [ 'b20c', 20, 64,   3,  1 ],
	[ 'b24',  24, 512,  10, 0 ], [ 'b24c', 24, 2048, 7,  1 ],
	[ 'b30',  30, 2048, 17, 0 ], [ 'b30c', 30, 512,  13, 1 ]);
my $coll = svm_create_collection($svm);
my $node = svm_mint_node('svm_budget', $svm, 'mint.priority_fee' => 1000);
my (%depth, %tree_of);
for my $t (@trees)
{
	my ($tenant, $d, $b, $c, $to_coll) = @$t;
	my $tree = svm_create_tree($svm, max_depth => $d, max_buffer_size => $b, canopy_depth => $c);
	$depth{ $tree->{tree} } = $d;
	$tree_of{$tenant} = $tree->{tree};
	$node->safe_psql('postgres', "SELECT mint.register_tree('$tenant', '$tree->{tree}'"
		  . ($to_coll ? ", '$coll->{mint}'" : '') . ')');
}
my $json = JSON::PP->new->utf8->canonical;
my $count = 0;
for my $t (@trees)
{
	my $tenant = $t->[0];
	my @items;
	for my $nc (0 .. 5)
	{
		for my $v (0, 1)
		{
			my $id = "B-$nc-$v";
			push @items, { ticket_id => $id, owner => random_address(),
				metadata => random_metadata("$tenant/$id", creators => $nc, payer_creator => $v, verified => $v) };
		}
	}
	$node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_tickets('$tenant', \$J\$" . $json->encode(\@items) . "\$J\$::jsonb)");
	$count += @items;
}
wait_until("$count confirmed mints", 300, sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == $count });
my $ledger = check_svm_exactly_once($node, $svm, map { $_->[0] } @trees);
my @ok = grep { $_->{status} eq 'ok' } @{ $ledger->{mints} };

# the creators of each mint, from its job
my %shape;
my %creators = map { my ($tn, $tk, $c) = split /\|/; ("$tn/$tk" => $c) } split /\n/, $node->safe_psql('postgres',
	"SELECT tenant_id, ticket_id, jsonb_array_length(coalesce(metadata->'creators', '[]')) FROM mint.mint_jobs");
my %job_of_sig = map { my ($s, $tn, $tk) = split /\|/; ($s => "$tn/$tk") } split /\n/, $node->safe_psql('postgres',
	"SELECT signature, tenant_id, ticket_id FROM mint.mint_jobs");
for my $m (@ok)
{
	my $k = sprintf('%-21s depth %2d, %d creators', $m->{instruction}, $depth{ $m->{tree} }, $creators{ $job_of_sig{ $m->{signature} } });
	push @{ $shape{$k} }, $m;
}
is(scalar(keys %shape), 2 * 4 * 6, 'every shape: 2 instructions x 4 depths x 0-5 creators');
# the margin is the first attempt's (a later one asks for the tree's worst leaf)
my %first = map { $_ => 1 } split /\n/, $node->safe_psql('postgres', 'SELECT signature FROM mint.mint_attempts WHERE attempt_no = 1');
my ($covered, $within, $total, $firsts) = (0, 0, 0, 0);
for my $k (sort keys %shape)
{
	my @m = @{ $shape{$k} };
	my ($cmin, $cmax, $lmax) = (1e9, 0, 0);
	for (@m)
	{
		$total++;
		$covered++ if defined $_->{cu_limit} && $_->{compute_units} <= $_->{cu_limit};
		$firsts++ if $first{ $_->{signature} };
		$within++ if $first{ $_->{signature} } && defined $_->{cu_limit} && $_->{cu_limit} <= 1.1 * $_->{compute_units} + 32000;
		$cmin = $_->{compute_units} if $_->{compute_units} < $cmin;
		$cmax = $_->{compute_units} if $_->{compute_units} > $cmax;
		$lmax = $_->{cu_limit} if ($_->{cu_limit} // 0) > $lmax;
	}
	note sprintf('%s: consumed %6d - %6d, limit up to %6d (%.2fx)', $k, $cmin, $cmax, $lmax, $lmax / $cmin);
}
is($covered, $total, "each of the $total limits covered what the mint consumed");
is($within, $firsts, "and none of the $firsts first attempts asked for more than 110 % of the consumption + 32,000 units");
cmp_ok($firsts, '>=', $total / 2, 'most mints were first attempts');
my ($max_limit) = sort { $b <=> $a } map { $_->{cu_limit} } grep { $depth{ $_->{tree} } == 14 } @ok;
cmp_ok($max_limit, '<', 110_000, "depth 14: at most $max_limit units, about 40 % of the 200,000 default");
is(scalar(grep { $_->{cu_price} == 1000 } @ok), $total, 'all at the price of mint.priority_fee');

# ------------------------------------------------------------ a dear first leaf
my $dear = svm_create_tree($svm, max_depth => 30, max_buffer_size => 512, canopy_depth => 13, leaf0_bump_tries => 15);
cmp_ok($dear->{leaf0_bump_tries}, '>=', 15, "a tree whose leaf 0 asset id takes $dear->{leaf0_bump_tries} bump tries");
$node->safe_psql('postgres', qq{
	SELECT mint.register_tree('heal', '$dear->{tree}');
	SELECT mint.mint_ticket('heal', 'H-1', '$OWNER', '{"name": "Dear leaf", "uri": "https://tickets.example/heal/1.json"}');
});
wait_until('the dear leaf to be confirmed', 120, sub {
	$node->safe_psql('postgres', "SELECT status FROM mint.mint_jobs WHERE tenant_id = 'heal'") eq 'confirmed' });
my @att = map { [ split /\|/, $_, 4 ] } split /\n/, $node->safe_psql('postgres', q{
	SELECT attempt_no, state, encode(signed_tx, 'hex'), coalesce(error_message, '')
	  FROM mint.mint_attempts WHERE tenant_id = 'heal' ORDER BY attempt_no});
is(scalar(@att), 2, 'two attempts') or diag(join("\n", map { "$_->[0] $_->[1] $_->[3]" } @att), $node->safe_psql('postgres', "SELECT status, attempts, last_error_message FROM mint.mint_jobs WHERE tenant_id = 'heal'"));
like($att[0][3], qr/ProgramFailedToComplete|ComputationalBudgetExceeded/, 'the first ran out of units in the program')
  or diag($att[0][3]);
is("$att[0][1] $att[1][1]", 'expired landed_ok', 'refused, it expired; the second landed');
sub cu_limit_of
{
	my $tx = pack('H*', $_[0]);
	my $m = parse_message($tx);
	for my $ix (@{ $m->{instructions} })
	{
		next unless $ix->{program} eq 'ComputeBudget111111111111111111111111111111';
		my $d = substr($tx, $ix->{data_offset}, $ix->{data_len});
		return unpack('V', substr($d, 1, 4)) if ord($d) == 2;
	}
	return undef;
}
my ($first, $second) = (cu_limit_of($att[0][2]), cu_limit_of($att[1][2]));
my ($minted) = grep { $_->{tree} eq $dear->{tree} } @{ svm_ledger($svm)->{mints} };
ok($minted && $minted->{status} eq 'ok' && $minted->{event}{nonce} == 0, 'leaf 0 minted once');
cmp_ok($minted->{compute_units}, '>', $first, "it needed $minted->{compute_units} units, more than the first limit ($first)");
cmp_ok($minted->{cu_limit}, '==', $second, "the second asked for $second");
is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'failed'"), '0', 'no job failed');

$node->stop;
stop_svm($svm);
done_testing();
