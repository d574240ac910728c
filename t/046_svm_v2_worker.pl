# Bubblegum V2 end to end, against the real V2 programs (svm cluster:
# Bubblegum with create_tree_v2 / mint_v2, MPL Account Compression, MPL
# Noop, MPL Core):
#  1. mint.tree_cost() by version: a V2 mint pays Bubblegum's protocol fee.
#  2. mint.create_tree(..., version => 2): the worker creates a V2 tree
#     (owned by MPL Account Compression, tree config version V2).
#  3. The worker mints 240 tickets: 120 into that tree without a collection,
#     120 into a V2 tree registered with an MPL Core collection (BubblegumV2,
#     royalties and a permanent freeze) with mint_v2, and 20 into a V1 tree
#     with mint_v1: one mint per ticket, each with the instruction of its
#     tree's version; the Core collection's num_minted equals its jobs.
#  4. Every emitted V2 event is byte for byte mint.preview_leaf()'s.
#  6. mint.create_tree(..., version => 2, new_collection => ...): the tree
#     and a new Core collection (royalties, permanent freeze) created in one
#     transaction by the worker, at an address fixed by its key and the seed;
#     40 tickets minted into it, the collection's num_minted 40; one frozen
#     by the platform's own key (freeze_authority) takes 10.
#  7. The worker killed (kill -9 by itself) between recording a V2 tree's
#     creation with a new collection and sending it: one attempt, both made.
#  5. A V2 tree registered with a Token Metadata collection (not a Core
#     collection) is refused before anything is signed: its jobs wait,
#     blocked, with the tree's problem named; nothing is sent for them.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use MIME::Base64 ();
use MintTest;
use SvmTest;
use PostgreSQL::Test::Utils;
use Test::More;

srand(46);
my $svm = start_svm(slot_ms => 20, finalized_lag => 4, blockhash_window => 300);
svm_airdrop($svm, $PAYER, 20_000_000_000_000);
# a priority fee makes the worker ask for a compute-unit limit: the V2 model's (src/solana/sol_budget.c)
my $crash_file = PostgreSQL::Test::Utils::tempdir() . '/crash';
my $node = svm_mint_node('svm_v2', $svm, 'mint.workers' => 2, 'mint.priority_fee' => 1,
	'mint.test_crash_file' => "'$crash_file'");
sub sq { return query($node, $_[0]) }

# 1. costs by version
my ($fee1, $proto1) = split /\|/, sq("SELECT mint_fee, mint_protocol_fee FROM mint.tree_cost(14, 64, 0, 1)");
my ($fee2, $proto2) = split /\|/, sq("SELECT mint_fee, mint_protocol_fee FROM mint.tree_cost(14, 64, 0, 2)");
cmp_ok($fee1, '>', 5000, "a V1 mint: the signature and the price of its limit ($fee1)");
is($proto1, 0, '... no protocol fee');
cmp_ok($fee2, '>', 5000, "a V2 mint: the signature and the price of its limit ($fee2)");
is($proto2, 90000, '... and Bubblegum\'s 90,000-lamport protocol fee');
my ($ret, $out, $err) = $node->psql('postgres', "SELECT mint.create_tree('v2plain', 14, 64, 0, NULL, 3)",
	extra_params => ['-v', 'VERBOSITY=verbose']);
like($err, qr/22023.*version must be 1/s, 'version 3: 22023');

# 2. a V2 tree created by the worker
my $plain = sq("SELECT mint.create_tree('v2plain', 14, 64, 0, version => 2)");
ok(wait_for(120, sub { sq("SELECT state || ' ' || coalesce(version::text, '') FROM mint.trees WHERE merkle_tree = '$plain'") eq 'ready 2' }),
	'the worker created the V2 tree and read it back as version 2');
my $tc = svm_control($svm, 'tree_config', tree => $plain);
is($tc->{tree_owner}, 'mcmt6YrQEMKw8Mw43FmpRLmf7BqRnFMKmAcbxE3xkAW', 'owned by MPL Account Compression');
is($tc->{config}{version}, 2, 'its tree config says V2');
is($tc->{config}{tree_creator}, $PAYER, 'created by the worker\'s key');

# 3. a V2 tree with a Core collection, a V1 tree, a V2 tree with a V1 collection
my $core = svm_create_core_collection($svm, name => 'Event Core', royalties => { basis_points => 500 },
	permanent_freeze => 1)->{collection};
my $ctree = svm_create_tree($svm, version => 2)->{tree};
sq("SELECT mint.add_tree('v2core', '$ctree', '$core')");
my $v1tree = svm_create_tree($svm, version => 1)->{tree};
sq("SELECT mint.add_tree('v1', '$v1tree')");
my $tmcoll = svm_create_collection($svm, name => 'Old style')->{mint};
my $btree = svm_create_tree($svm, version => 2)->{tree};
sq("SELECT mint.add_tree('badcoll', '$btree', '$tmcoll')");

my $made = sq(q{SELECT mint.create_tree('v2made', 14, 64, 0, version => 2, new_collection =>
	'{"name": "Made by mint_ext", "uri": "https://tickets.example/collection.json", "royalty_basis_points": 700, "permanent_freeze": true}')});
my $made_coll = sq("SELECT collection_mint FROM mint.trees WHERE merkle_tree = '$made'");
like($made_coll, qr/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'the new collection\'s address is known at once');
($ret, $out, $err) = $node->psql('postgres', q{SELECT mint.create_tree('v2made', 14, 64, 0, version => 2, new_collection => '{"name": "again", "uri": "https://x.example/"}')});
like($err, qr/mints into another collection/, 'a second new collection for the same pool: refused');
ok(wait_for(120, sub { sq("SELECT state FROM mint.trees WHERE merkle_tree = '$made'") eq 'ready' }), 'the worker created the tree');
my $mc = svm_control($svm, 'core_collection', collection => $made_coll);
ok($mc->{exists} && $mc->{owner} eq 'CoREENxT6tW1HoK8ypY1SxRMZTcVPm7R94rH4PZNhX7d' && $mc->{update_authority} eq $PAYER
	&& $mc->{name} eq 'Made by mint_ext' && $mc->{num_minted} == 0,
	'and the Core collection with it: owned by MPL Core, the worker\'s key its update authority, empty');
is(sq("SELECT count(*) || ' ' || string_agg(state, ',') FROM mint.tree_attempts WHERE merkle_tree = '$made'"), '1 landed_ok',
	'one creation transaction for both');
# the same settings through the test cluster's own encoder (royalties to the payer, frozen)
my $ref = svm_create_core_collection($svm, name => 'Made by mint_ext', uri => 'https://tickets.example/collection.json',
	royalties => { basis_points => 700 }, permanent_freeze => 1)->{collection};
is($mc->{data_base64}, svm_control($svm, 'core_collection', collection => $ref)->{data_base64},
	'its account (plugins: BubblegumV2, royalties 700 to the worker\'s key, a frozen permanent freeze) is byte for byte the one the test cluster\'s encoder makes');
# the platform's own key as the freeze authority: it freezes and thaws without the worker's key
my $platform = random_address();
my $thaw = sq(qq{SELECT mint.create_tree('v2thaw', 14, 64, 0, version => 2, new_collection =>
	'{"name": "Platform frozen", "uri": "https://tickets.example/p.json", "permanent_freeze": true, "freeze_authority": "$platform"}')});
my $thaw_coll = sq("SELECT collection_mint FROM mint.trees WHERE merkle_tree = '$thaw'");
ok(wait_for(120, sub { sq("SELECT state FROM mint.trees WHERE merkle_tree = '$thaw'") eq 'ready' }), 'a tree with a collection frozen by the platform\'s key');
my $td = MIME::Base64::decode_base64(svm_control($svm, 'core_collection', collection => $thaw_coll)->{data_base64} // '');
ok(index($td, b58_decode($platform)) > 0, 'the collection names the platform\'s key (its PermanentFreezeDelegate\'s authority)');
ok(index($mc->{data_base64} ? MIME::Base64::decode_base64($mc->{data_base64}) : '', b58_decode($platform)) < 0, '(the other collection does not)');

my $json = JSON::PP->new->utf8->canonical;
my %count = (v2plain => 120, v2core => 120, v1 => 20, badcoll => 5, v2made => 40, v2thaw => 10);
for my $t (sort keys %count)
{
	my @items = map {
		{ ticket_id => "T-$_", owner => random_address(),
		  metadata => random_metadata("$t/T-$_", ($t eq 'v2core' && $_ % 2 ? (collection => $core) : ())) }
	} 1 .. $count{$t};
	is(sq("SELECT count(*) FROM mint.mint_tickets('$t', \$J\$" . $json->encode(\@items) . "\$J\$::jsonb) WHERE created"),
		$count{$t}, "$t: $count{$t} tickets accepted");
}
ok(wait_for(300, sub { sq("SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == 310 }),
	'310 tickets confirmed') or diag(sq("SELECT tenant_id, status, last_error_class, last_error_code, count(*) FROM mint.mint_jobs GROUP BY 1, 2, 3, 4"));
my $ledger = check_svm_exactly_once($node, $svm, 'v1', 'v2core', 'v2plain', 'v2made', 'v2thaw');
my %kind;
$kind{ ($_->{tree} eq $v1tree ? 'v1' : 'v2') . ' ' . $_->{instruction} . ' ' . ($_->{event}{schema} // '') }++
  for grep { $_->{status} eq 'ok' } @{ $ledger->{mints} };
is($json->encode(\%kind), $json->encode({ 'v1 mint_v1 V1' => 20, 'v2 mint_v2 V2' => 290 }),
	'mint_v1 (LeafSchema V1) on the V1 tree, mint_v2 (LeafSchema V2) on the V2 trees');
is(scalar(grep { $_->{status} eq 'ok' && $_->{tree} eq $ctree && ($_->{collection} // '') eq $core } @{ $ledger->{mints} }),
	120, 'every mint into the Core tree named the collection');
my $cc = svm_control($svm, 'core_collection', collection => $core);
is("$cc->{num_minted} $cc->{current_size}", '120 120', 'the Core collection counts 120 assets minted and held, its jobs');
is(sq("SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = 'v2core' AND status = 'confirmed'"), 120, '120 confirmed jobs');
is(sq("SELECT minted FROM mint.trees WHERE merkle_tree = '$ctree'"), 120, 'mint.trees.minted: 120');
is(svm_control($svm, 'core_collection', collection => $made_coll)->{num_minted}, 40, 'the collection made with its tree counts its 40');
my @lim = grep { $_->{status} eq 'ok' && $_->{tree} ne $v1tree } @{ $ledger->{mints} };
is(scalar(grep { $_->{cu_limit} && $_->{compute_units} <= $_->{cu_limit} } @lim), 290,
	'every mint_v2 asked for a compute-unit limit and stayed within it');
my ($most) = sort { $b <=> $a } map { $_->{compute_units} } grep { $_->{tree} eq $ctree } @lim;
my ($lim) = map { $_->{cu_limit} } grep { $_->{tree} eq $ctree } @lim;
note "into the Core collection: at most $most units used of a $lim limit";
my $paid = 0;
for my $m (@lim) { $paid++ if sq("SELECT count(*) FROM mint.mint_attempts WHERE signature = '$m->{signature}' AND compute_unit_limit = $m->{cu_limit}") == 1 }
is($paid, 290, 'each one\'s limit is the one its attempt recorded');

# 4. the events, as predicted
my @jobs = split /\n/, $node->safe_psql('postgres', "SELECT tenant_id || '|' || ticket_id || '|' || signature || '|' || leaf_nonce
	FROM mint.mint_jobs WHERE tenant_id IN ('v2plain', 'v2core') ORDER BY 1");
my $by_sig = ledger_by_signature($ledger);
my %pred = map { my ($k, $e) = split /\|/; ($k => $e) } split /\n/, $node->safe_psql('postgres', qq{
	SELECT j.tenant_id || '/' || j.ticket_id, encode(p.event, 'hex')
	  FROM mint.mint_jobs j, mint.preview_leaf(j.tenant_id, j.ticket_id, j.leaf_nonce) p
	 WHERE j.tenant_id IN ('v2plain', 'v2core')});
my ($same, @diff) = (0);
for my $line (@jobs)
{
	my ($t, $id, $sig) = split /\|/, $line;
	my $ev = $by_sig->{$sig}{event} // {};
	if (($pred{"$t/$id"} // '') eq ($ev->{hex} // 'none')) { $same++ }
	else { push @diff, "$t/$id: predicted " . ($pred{"$t/$id"} // '') . ", emitted " . ($ev->{hex} // 'none') }
}
is($same, 240, 'each V2 event the program emitted is byte for byte mint.preview_leaf()')
  or diag(join("\n", @diff[ 0 .. ($#diff < 3 ? $#diff : 3) ]));
is(length($pred{'v2core/T-1'} // ''), 2 * 274, 'V2 events of 274 bytes');

# 5. the V2 tree with a Token Metadata collection
is(sq("SELECT problem_code FROM mint.trees WHERE merkle_tree = '$btree'"), 'not_core_collection',
	'the V2 tree with a Token Metadata collection: not_core_collection');
is(sq("SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = 'badcoll' AND status = 'queued' AND last_error_class = 'blocked'"), 5,
	'its jobs wait, blocked (not failed)');
is(sq("SELECT count(*) FROM mint.mint_attempts WHERE tenant_id = 'badcoll'"), 0, 'nothing was signed for them');

# 7. killed between recording a V2 tree's creation (with its collection) and sending it
open(my $fh, '>', $crash_file) or die;
print $fh "after_tree_record\n";
close($fh);
my $ct = sq(q{SELECT mint.create_tree('v2crash', 14, 64, 0, version => 2, new_collection => '{"name": "Crash", "uri": "https://tickets.example/k.json"}')});
my $ccoll = sq("SELECT collection_mint FROM mint.trees WHERE merkle_tree = '$ct'");
ok(wait_for(60, sub { !-e $crash_file }), 'the worker died right after recording the creation');
ok(wait_for(120, sub { sq("SELECT state FROM mint.trees WHERE merkle_tree = '$ct'") eq 'ready' }), 'after the restart the tree is created');
is(sq("SELECT count(*) || ' ' || string_agg(state, ',') FROM mint.tree_attempts WHERE merkle_tree = '$ct'"), '1 landed_ok',
	'one attempt, recorded before the crash, landed');
my $kc = svm_control($svm, 'core_collection', collection => $ccoll);
ok($kc->{exists} && $kc->{update_authority} eq $PAYER && $kc->{name} eq 'Crash', 'and its collection with it');

$node->stop;
stop_svm($svm);
done_testing();
