# Trees created from SQL, against the real programs (svm cluster):
#  1. mint.tree_cost() agrees with the runtime: the account size with the
#     test cluster's own reading of a tree of that shape, the rents with
#     getMinimumBalanceForRentExemption.  A shape the program lacks is
#     refused by mint.create_tree() (22023) and by the program itself.
#  2. mint.create_tree() for every (depth, buffer) pair account compression
#     has: each is created by the worker, owned by SPL Account Compression,
#     its tree config names the worker's key, capacity 2^depth; mint.trees
#     says ready with the capacity the worker read back.
#  3. Tickets minted into a pool of created trees: one mint each, the tree
#     configs' num_minted equal to mint.trees.minted and to the jobs.
#  4. The worker killed (kill -9) between recording a tree's creation and
#     sending it: after the restart the same recorded bytes are sent, one
#     account exists, one attempt landed.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use MintTest;
use SvmTest;
use PostgreSQL::Test::Utils;
use Test::More;

srand(44);
my $svm = start_svm(slot_ms => 20, finalized_lag => 4, blockhash_window => 300);
svm_airdrop($svm, $PAYER, 20_000_000_000_000);
my $crash_file = PostgreSQL::Test::Utils::tempdir() . '/crash';
my $node = svm_mint_node('svm_create', $svm, 'mint.workers' => 1,
	'mint.test_crash_file' => "'$crash_file'");
sub sq { return query($node, $_[0]) }

# 1. costs against the runtime
my ($cap, $bytes, $tree_rent, $config_rent, $fee, $total) =
	split /\|/, sq("SELECT * FROM mint.tree_cost(14, 64, 0)");
my $made = svm_create_tree($svm, max_depth => 14, max_buffer_size => 64, canopy_depth => 0);
is($bytes, $made->{space}, "tree_cost's account size is the test cluster's ($bytes bytes)");
is($tree_rent, svm_rpc($svm, 'getMinimumBalanceForRentExemption', $bytes + 0)->{result}, 'the tree rent is the runtime\'s');
is($config_rent, svm_rpc($svm, 'getMinimumBalanceForRentExemption', 96)->{result}, 'the tree config rent is the runtime\'s');
is($cap, 16384, 'capacity 2^14');
is($total, $tree_rent + $config_rent + $fee, 'the total adds up');
my ($ret, $out, $err) = $node->psql('postgres', "SELECT mint.create_tree('bad', 14, 128)",
	extra_params => ['-v', 'VERBOSITY=verbose']);
like($err, qr/22023.*no tree of max depth 14 and max buffer size 128/s, 'a shape account compression lacks: 22023');
ok(!eval { svm_create_tree($svm, max_depth => 14, max_buffer_size => 128); 1 }, 'the program refuses that shape too');
# pairs some client libraries list, which the deployed program lacks
for my $p ([6, 16], [13, 32])
{
	($ret, $out, $err) = $node->psql('postgres', "SELECT mint.create_tree('bad', $p->[0], $p->[1])");
	like($err, qr/no tree of max depth $p->[0]/, "($p->[0], $p->[1]) refused by mint.create_tree");
	ok(!eval { svm_create_tree($svm, max_depth => $p->[0], max_buffer_size => $p->[1]); 1 }
		&& $@ =~ /6003|0x1773/, "... and by the program (custom error 6003)");
}
($ret, $out, $err) = $node->psql('postgres', "SELECT mint.create_tree('bad', 20, 64, 2)", extra_params => ['-v', 'VERBOSITY=verbose']);
like($err, qr/22023.*canopy depth of at least 3/s, 'a canopy Bubblegum would refuse: 22023');
ok(!eval { svm_create_tree($svm, max_depth => 20, max_buffer_size => 64, canopy_depth => 2); 1 }, 'the program refuses it too');
is(sq("SELECT count(*) FROM mint.trees WHERE tenant_id = 'bad'"), 0, 'nothing was written for them');

# 2. every pair, created by the worker
my @pairs = ([3, 8], [5, 8], [14, 64], [14, 256], [14, 1024], [14, 2048], [15, 64], [16, 64], [17, 64], [18, 64], [19, 64],
	[20, 64], [20, 256], [20, 1024], [20, 2048], [24, 64], [24, 256], [24, 512], [24, 1024], [24, 2048],
	[26, 512], [26, 1024], [26, 2048], [30, 512], [30, 1024], [30, 2048]);
my %shape;
for my $p (@pairs)
{
	my ($d, $b) = @$p;
	my $c = $d > 17 ? $d - 17 : 0;
	my $addr = sq("SELECT mint.create_tree('all', $d, $b, $c)");
	$shape{$addr} = [$d, $b, $c];
}
is(scalar(keys %shape), scalar(@pairs), scalar(@pairs) . ' trees asked for, each at its own address');
ok(wait_for(300, sub { sq("SELECT count(*) FROM mint.trees WHERE tenant_id = 'all' AND state = 'ready' AND capacity IS NOT NULL") == @pairs }),
	'the worker created every one and read it back');
my ($good, $seen) = (0, 0);
for my $addr (keys %shape)
{
	my ($d, $b, $c) = @{ $shape{$addr} };
	my $t = svm_control($svm, 'tree_config', tree => $addr);
	my ($capacity, $md, $mb, $mc, $origin) = split /\|/,
	  sq("SELECT capacity, max_depth, max_buffer_size, canopy_depth, origin FROM mint.trees WHERE merkle_tree = '$addr'");
	$seen++;
	$good++ if $t->{tree_owner} eq 'cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK'
	  && $t->{config} && $t->{config}{tree_creator} eq $PAYER && $t->{config}{tree_delegate} eq $PAYER
	  && $t->{config}{total_mint_capacity} == 2**$d && $t->{config}{num_minted} == 0 && !$t->{config}{is_public}
	  && $capacity == 2**$d && $md == $d && $mb == $b && $mc == $c && $origin eq 'created'
	  && $t->{tree_space} == (split /\|/, sq("SELECT account_bytes FROM mint.tree_cost($d, $b, $c)"))[0];
}
is("$good/$seen", scalar(@pairs) . '/' . scalar(@pairs),
	'each tree: owned by account compression, private, created and delegated to the worker\'s key, capacity 2^depth, its size tree_cost\'s, mint.trees in agreement');
is(sq("SELECT count(*) FROM mint.tree_attempts WHERE tenant_id = 'all' AND state = 'landed_ok'"), scalar(@pairs),
	'one landed creation per tree');

# 3. a pool of created trees takes tickets
my @pool = map { sq("SELECT mint.create_tree('ct', $_->[0], $_->[1], $_->[2])") } ([3, 8, 0], [5, 8, 0], [14, 64, 0]);
ok(wait_for(120, sub { sq("SELECT count(*) FROM mint.trees WHERE tenant_id = 'ct' AND state = 'ready' AND capacity IS NOT NULL") == 3 }),
	'a pool of three created trees (8, 32 and 16,384 leaves)');
my $json = JSON::PP->new->utf8->canonical;
my @items = map { { ticket_id => "C-$_", owner => random_address(), metadata => random_metadata("ct/C-$_") } } 1 .. 60;
sq("SELECT count(*) FROM mint.mint_tickets('ct', \$J\$" . $json->encode(\@items) . "\$J\$::jsonb)");
ok(wait_for(180, sub { sq("SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = 'ct' AND status = 'confirmed'") == 60 }),
	'60 tickets confirmed in the created trees');
check_svm_exactly_once($node, $svm, 'ct');
my $agree = 0;
for my $addr (@pool)
{
	my $onchain = svm_control($svm, 'tree_config', tree => $addr)->{config}{num_minted};
	my ($minted, $jobs) = split /\|/, sq("SELECT t.minted, (SELECT count(*) FROM mint.mint_jobs j
		WHERE j.merkle_tree = t.merkle_tree AND j.status = 'confirmed') FROM mint.trees t WHERE t.merkle_tree = '$addr'");
	note "tree $addr: num_minted $onchain, mint.trees.minted $minted, confirmed jobs $jobs";
	$agree++ if $onchain == $minted && $minted == $jobs;
}
is($agree, 3, 'each tree config\'s num_minted equals mint.trees.minted and the jobs confirmed into it');
is(sq("SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = 'ct' AND status = 'failed'"), 0, 'no ticket failed');

# 4. killed between recording the creation and sending it
my $pid = (worker_pids($node))[0];
open(my $fh, '>', $crash_file) or die;
print $fh "after_tree_record\n";
close($fh);
my $addr = sq("SELECT mint.create_tree('crash', 14, 64, 0)");
ok(wait_for(60, sub { !-e $crash_file }), 'the worker died right after recording the creation');
ok(wait_for(120, sub { sq("SELECT state FROM mint.trees WHERE merkle_tree = '$addr'") eq 'ready' }),
	'after the restart the tree is created');
isnt((worker_pids($node))[0], $pid, 'by a new worker process');
is(sq("SELECT count(*) || ' ' || string_agg(state, ',') FROM mint.tree_attempts WHERE merkle_tree = '$addr'"), '1 landed_ok',
	'one attempt, recorded before the crash, landed: its bytes were sent after the restart');
my $t = svm_control($svm, 'tree_config', tree => $addr);
ok($t->{tree_owner} && $t->{config} && $t->{config}{tree_creator} eq $PAYER, 'one account at the recorded address, the tree config the worker\'s');

$node->stop;
stop_svm($svm);
done_testing();
