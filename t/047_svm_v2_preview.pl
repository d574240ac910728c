# mint.preview_transaction() on Bubblegum V2 trees, against the real V2
# programs: 60 random tickets (names, symbols and uris up to the byte
# limits in 1- to 4-byte UTF-8, fees, 0-5 creators, the payer among them
# verified or not) on a V2 tree without a collection and on a V2 tree whose
# collection is an MPL Core collection (the tickets with and without the
# collection in their metadata).  Each preview, signed with the payer's key,
# is executed by Bubblegum (mint_v2), MPL Account Compression, MPL Noop and
# MPL Core: every one lands, and the LeafSchema V2 event the program emitted
# is byte for byte mint.preview_leaf()'s.  A metadata collection that is not
# the tree's Core collection is refused when the ticket is accepted.
#
# The worker only publishes its key here (its endpoint is a closed port), so
# it cannot read the trees: their version is written into mint.trees as its
# reading would (t/046 shows the worker reading it).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use MintTest;
use SvmTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

srand(47);
my $svm = start_svm(paused => 1, finalized_lag => 4);
svm_airdrop($svm, $PAYER, 500_000_000_000);
my $core = svm_create_core_collection($svm, name => 'Event Q', royalties => { basis_points => 250 })->{collection};
my %tenant = (
	qa => { tree => svm_create_tree($svm, version => 2)->{tree} },
	qb => { tree => svm_create_tree($svm, version => 2, max_depth => 20, max_buffer_size => 256, canopy_depth => 6)->{tree},
		collection => $core });

my $closed = PostgreSQL::Test::Cluster::get_free_port();
my $node = svm_mint_node('svm_v2_preview', { url => "http://127.0.0.1:$closed" });
my $json = JSON::PP->new->utf8->canonical;
my %ticket;
for my $t (sort keys %tenant)
{
	my $coll = $tenant{$t}{collection};
	$node->safe_psql('postgres', "SELECT mint.add_tree('$t', '$tenant{$t}{tree}'" . ($coll ? ", '$coll'" : '') . ')');
	$node->safe_psql('postgres', "UPDATE mint.trees SET version = 2 WHERE tenant_id = '$t'");
	my @items;
	for my $i (1 .. 30)
	{
		my $id = "Q-$i";
		my $md = random_metadata("$t/$id", ($coll && $i % 2 ? (collection => $coll) : ()));
		my $owner = random_address();
		$ticket{"$t/$id"} = { owner => $owner, metadata => $md };
		push @items, { ticket_id => $id, owner => $owner, metadata => $md };
	}
	is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_tickets('$t', \$J\$"
		  . $json->encode(\@items) . "\$J\$::jsonb) WHERE created"), 30, "tenant $t: 30 random tickets accepted");
}
my @keys = sort keys %ticket;

# V2's rules at call time: a metadata collection must be the tree's Core collection
my ($ret, $out, $err) = $node->psql('postgres', "SELECT mint.mint_ticket('qa', 'X-1', '" . random_address()
	  . "', '{\"name\": \"x\", \"uri\": \"https://x.example/\", \"collection\": \"" . random_address() . "\"}')",
	extra_params => ['-v', 'VERBOSITY=verbose']);
like($err, qr/22023.*V2 collection must be a Core collection/s, 'on a V2 tree, an unverified metadata collection is refused (22023)');
($ret, $out, $err) = $node->psql('postgres', "SELECT mint.mint_ticket('qb', 'X-1', '" . random_address()
	  . "', '{\"name\": \"x\", \"uri\": \"https://x.example/\", \"collection\": \"" . random_address() . "\"}')");
like($err, qr/differs from the Core collection/, 'so is another collection than the tree\'s Core collection');
is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE ticket_id = 'X-1'"), 0, 'nothing was written for them');

my $bh = svm_blockhash($svm, 'finalized');
$node->poll_query_until('postgres', "SELECT mint.preview_transaction('qa', 'Q-1', '$bh') IS NOT NULL", 't')
  or die 'no key published';
my %preview = map { split /\|/ } split /\n/, $node->safe_psql('postgres', qq{
	SELECT tenant_id || '/' || ticket_id || '|' || mint.preview_transaction(tenant_id, ticket_id, '$bh')
	  FROM mint.mint_jobs ORDER BY 1});
is(scalar(keys %preview), 60, '60 previews');

my (%sig, @sent);
for my $k (@keys)
{
	my ($signed, $sig) = svm_sign($svm, $preview{$k});
	my $r = svm_send($svm, $signed);
	push @sent, $k if ($r->{result} // '') eq $sig;
	diag("$k: " . encode_json($r->{error})) if $r->{error};
	$sig{$k} = $sig;
}
is(scalar(@sent), 60, 'all 60 signed previews accepted (preflight: a real simulation)');
svm_control($svm, 'advance', blocks => 6);
my $ledger = svm_ledger($svm);
my $by_sig = ledger_by_signature($ledger);
is(scalar(grep { ($by_sig->{ $sig{$_} }{status} // '') eq 'ok' && $by_sig->{ $sig{$_} }{instruction} eq 'mint_v2' } @keys), 60,
	'every one landed as mint_v2');
is(scalar(grep {
	my $e = $by_sig->{ $sig{$_} };
	my $md = $ticket{$_}{metadata};
	$e->{name} eq $md->{name} && $e->{symbol} eq ($md->{symbol} // '') && $e->{uri} eq $md->{uri} && $e->{owner} eq $ticket{$_}{owner}
} @keys), 60, 'each with the name, symbol, uri and owner of its ticket, as the program read them');
is(svm_control($svm, 'core_collection', collection => $core)->{num_minted}, 30, 'the Core collection counts the 30 of qb');

my $values = join(',', map { my ($t, $id) = split m{/}; "('$t', '$id', " . $by_sig->{ $sig{$_} }{event}{nonce} . ')' } @keys);
my %predicted = map { split /\|/ } split /\n/, $node->safe_psql('postgres', qq{
	SELECT v.t || '/' || v.id || '|' || encode(p.event, 'hex')
	  FROM (VALUES $values) v(t, id, n), mint.preview_leaf(v.t, v.id, v.n) p});
my @diff = grep { ($predicted{$_} // '') ne $by_sig->{ $sig{$_} }{event}{hex} } @keys;
is(scalar(@diff), 0, 'the LeafSchema V2 event the program emitted is byte for byte mint.preview_leaf()')
  or diag(join("\n", map { "$_: predicted $predicted{$_}, emitted $by_sig->{ $sig{$_} }{event}{hex}" } @diff[ 0 .. ($#diff < 2 ? $#diff : 2) ]));
is($by_sig->{ $sig{ $keys[0] } }{event}{schema}, 'V2', 'V2 leaf schema');
is($node->safe_psql('postgres', 'SELECT count(*) FROM mint.mint_attempts'), '0', 'the worker sent nothing');

$node->stop;
stop_svm($svm);
done_testing();
