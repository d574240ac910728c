# mint.preview_transaction() against the real programs: 120 random tickets
# (names, symbols and uris up to Bubblegum's byte limits in 1- to 4-byte
# UTF-8, fees, 0-5 creators with shares summing to 100, the payer among them
# verified or not, with and without an unverified collection, and tenants
# whose tree mints into a verified collection), over trees of depth 14, 20
# and 24.  The preview's bytes, signed with the payer's key, are executed by
# Bubblegum, SPL Account Compression and SPL Noop in the svm cluster: every
# one lands, and the LeafSchema event the program emitted is byte for byte
# the one mint.preview_leaf() predicts.  A one-byte change to a preview is
# refused by the program, its error named in the logs.  The worker only
# publishes its key here (its RPC endpoint is a closed port): nothing it
# sends could land.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Encode ();
use JSON::PP;
use MIME::Base64 ();
use MintTest;
use SvmTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

srand(30);
my $svm = start_svm(paused => 1, finalized_lag => 4);
svm_airdrop($svm, $PAYER, 500_000_000_000);

my %tenant = (
	pa => { tree => svm_create_tree($svm, max_depth => 14, max_buffer_size => 64, canopy_depth => 0) },
	pb => { tree => svm_create_tree($svm, max_depth => 20, max_buffer_size => 256, canopy_depth => 6) },
	pc => { tree => svm_create_tree($svm, max_depth => 14, max_buffer_size => 64, canopy_depth => 0),
		collection => svm_create_collection($svm, name => 'Event C', symbol => 'EVC')->{mint} },
	pd => { tree => svm_create_tree($svm, max_depth => 24, max_buffer_size => 512, canopy_depth => 10),
		collection => svm_create_collection($svm, name => 'Event D')->{mint} });

# The worker publishes its key; its endpoint is closed, so it mints nothing.
my $closed = PostgreSQL::Test::Cluster::get_free_port();
my $node = svm_mint_node('svm_preview', { url => "http://127.0.0.1:$closed" });
my $json = JSON::PP->new->utf8->canonical;
my %ticket;    # "tenant/ticket" -> {owner, metadata}
for my $t (sort keys %tenant)
{
	my $coll = $tenant{$t}{collection};
	$node->safe_psql('postgres', "SELECT mint.register_tree('$t', '$tenant{$t}{tree}{tree}'"
		  . ($coll ? ", '$coll'" : '') . ')');
	my @items;
	for my $i (1 .. 30)
	{
		my $id = "P-$i";
		# collection tenants: with or without their own collection mint in the
		# metadata; the others: with or without an unverified collection
		my $c = int(rand(2)) ? ($coll // random_address()) : undef;
		my $md = random_metadata("$t/$id", collection => $c);
		my $owner = random_address();
		$ticket{"$t/$id"} = { owner => $owner, metadata => $md };
		push @items, { ticket_id => $id, owner => $owner, metadata => $md };
	}
	is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_tickets('$t', \$J\$"
		  . $json->encode(\@items) . "\$J\$::jsonb) WHERE created"), 30, "tenant $t: 30 random tickets accepted");
}
my @keys = sort keys %ticket;
my %shape;
$shape{ scalar(@{ $ticket{$_}{metadata}{creators} // [] }) }++ for @keys;
is(scalar(keys %shape), 6, 'tickets with 0, 1, 2, 3, 4 and 5 creators');
cmp_ok(scalar(grep { grep { $_->{address} eq $PAYER && $_->{verified} } @{ $ticket{$_}{metadata}{creators} // [] } } @keys),
	'>=', 10, 'some with the payer as a verified creator');
cmp_ok(scalar(grep { length(Encode::encode('UTF-8', $ticket{$_}{metadata}{name})) == 32 } @keys), '>=', 5,
	'some names at the 32-byte limit');
cmp_ok(scalar(grep { length($ticket{$_}{metadata}{uri}) == 200 } @keys), '>=', 5, 'some uris at the 200-byte limit');

my $bh = svm_blockhash($svm, 'finalized');
$node->poll_query_until('postgres',
	"SELECT mint.preview_transaction('pa', 'P-1', '$bh') IS NOT NULL", 't') or die 'no key published';
my %preview;
for my $line (split /\n/, $node->safe_psql('postgres', qq{
	SELECT tenant_id || '/' || ticket_id, mint.preview_transaction(tenant_id, ticket_id, '$bh')
	  FROM mint.mint_jobs ORDER BY 1}))
{
	my ($k, $b64) = split /\|/, $line;
	$preview{$k} = $b64;
}
is(scalar(keys %preview), 120, '120 previews');

# ------------------------------------------------------------ one-byte changes
# Offsets inside the Bubblegum instruction's MetadataArgs.
sub metadata_offsets
{
	my ($tx) = @_;
	my $m = parse_message($tx);
	my ($ix) = grep { $_->{program} eq $BUBBLEGUM } @{ $m->{instructions} };
	my $o = $ix->{data_offset} + 8;
	my %at;
	for my $f (qw(name symbol uri)) { $o += 4 + unpack('V', substr($tx, $o, 4)); }
	$at{fee} = $o;
	$o += 2 + 2;                                   # fee, primary_sale_happened, is_mutable
	$o += ord(substr($tx, $o, 1)) ? 2 : 1;         # edition_nonce
	$at{token_standard} = $o + 1;                  # Some(NonFungible)
	$o += 2;
	$at{collection} = $o;
	$o += ord(substr($tx, $o, 1)) ? 34 : 1;
	$o += ord(substr($tx, $o, 1)) ? 18 : 1;        # uses
	$o += 1;                                       # token_program_version
	my $n = unpack('V', substr($tx, $o, 4));
	$o += 4;
	$at{creators} = [ map { { address => $o + 34 * $_, verified => $o + 34 * $_ + 32, share => $o + 34 * $_ + 33 } } 0 .. $n - 1 ];
	return \%at;
}

# Change one byte of ticket $k's preview, sign, send: the program's answer.
sub refused
{
	my ($k, $what, $at, $new) = @_;
	my $tx = MIME::Base64::decode_base64($preview{$k});
	die "$what: same byte" if ord(substr($tx, $at, 1)) == $new;
	substr($tx, $at, 1) = chr($new);
	my ($signed) = svm_sign($svm, MIME::Base64::encode_base64($tx, ''));
	my $r = svm_send($svm, $signed);
	return $r;
}

sub first_key
{
	my ($pred) = @_;
	my ($k) = grep { $pred->($ticket{$_}{metadata}, $_) } @keys;
	die 'no ticket for a refusal case' unless $k;
	return $k;
}

# The cases: (name, the program's error, ticket, offset -> new byte).
my @refusals;
{
	my $k = first_key(sub { @{ $_[0]{creators} // [] } >= 2 });
	my $at = metadata_offsets(MIME::Base64::decode_base64($preview{$k}));
	my $tx = MIME::Base64::decode_base64($preview{$k});
	push @refusals, [ 'a creator share one more (shares sum to 101)', 'CreatorShareTotalMustBe100', $k,
		$at->{creators}[0]{share}, ord(substr($tx, $at->{creators}[0]{share}, 1)) + 1 ];
}
{
	my $k = first_key(sub { grep { $_->{address} ne $PAYER } @{ $_[0]{creators} // [] } });
	my $tx = MIME::Base64::decode_base64($preview{$k});
	my $at = metadata_offsets($tx);
	my ($i) = grep { b58_encode(substr($tx, $at->{creators}[$_]{address}, 32)) ne $PAYER } 0 .. $#{ $at->{creators} };
	push @refusals, [ 'a creator who does not sign marked verified', 'CreatorDidNotVerify', $k,
		$at->{creators}[$i]{verified}, 1 ];
}
{
	my $k = first_key(sub { 1 });
	my $at = metadata_offsets(MIME::Base64::decode_base64($preview{$k}));
	push @refusals, [ 'token standard FungibleAsset instead of NonFungible', 'InvalidTokenStandard', $k,
		$at->{token_standard}, 1 ];
}
{
	my $k = first_key(sub { $_[1] =~ m{^p[ab]/} });
	my $tx = MIME::Base64::decode_base64($preview{$k});
	my $at = metadata_offsets($tx);
	push @refusals, [ 'primary_sale_happened 2, not a Borsh bool (the arguments no longer parse)',
		'InstructionDidNotDeserialize', $k, $at->{fee} + 2, 2 ];
}
{
	my $k = first_key(sub { $_[1] =~ m{^p[cd]/} });
	my $tx = MIME::Base64::decode_base64($preview{$k});
	my $at = metadata_offsets($tx);
	push @refusals, [ 'a byte of the collection key in the metadata', 'CollectionMismatch', $k,
		$at->{collection} + 2, ord(substr($tx, $at->{collection} + 2, 1)) ^ 0x01 ];
}
for my $c (@refusals)
{
	my ($what, $name, $k, $at, $new) = @$c;
	my $r = refused($k, $what, $at, $new);
	my $logs = join("\n", @{ $r->{error}{data}{logs} // [] });
	my ($code) = $logs =~ /Error Code: (\w+)\./;
	ok($r->{error} && $r->{error}{code} == -32002 && ($r->{error}{data}{err} // '') =~ /HASH/
		  && exists $r->{error}{data}{err}{InstructionError},
		"$what ($k): refused by the program at preflight");
	is($code // '(none)', $name, "... the logs name $name") or diag($logs);
}

{
	# a byte changed after signing: the signature no longer covers the message
	my $k = $keys[0];
	my ($signed) = svm_sign($svm, $preview{$k});
	my $tx = MIME::Base64::decode_base64($signed);
	my $at = index($tx, 'https://tickets.example/') + 10;
	substr($tx, $at, 1) = chr(ord(substr($tx, $at, 1)) ^ 0x20);
	my $r = svm_send($svm, MIME::Base64::encode_base64($tx, ''));
	is($r->{error}{code} // 0, -32003, 'a uri byte changed after signing: refused (signature verification failure)');
}

# ------------------------------------------------------------ every preview lands
my (%sig, @sent);
for my $k (@keys)
{
	my ($signed, $sig) = svm_sign($svm, $preview{$k});
	my $r = svm_send($svm, $signed);
	push @sent, $k if ($r->{result} // '') eq $sig;
	diag("$k: " . encode_json($r->{error})) if $r->{error};
	$sig{$k} = $sig;
}
is(scalar(@sent), 120, 'all 120 signed previews accepted (preflight: a real simulation)');
svm_control($svm, 'advance', blocks => 6);
my $ledger = svm_ledger($svm);
my $by_sig = ledger_by_signature($ledger);
is(scalar(grep { ($by_sig->{ $sig{$_} }{status} // '') eq 'ok' } @keys), 120, 'every one landed and minted');
is($ledger->{ok}, 120, 'and nothing else was minted (the refused changes never landed)');
is($ledger->{failed}, 0, 'no failed mint');
is(scalar(grep {
	my $e = $by_sig->{ $sig{$_} };
	my $md = $ticket{$_}{metadata};
	$e->{name} eq $md->{name} && $e->{symbol} eq ($md->{symbol} // '') && $e->{uri} eq $md->{uri} && $e->{owner} eq $ticket{$_}{owner}
} @keys), 120, 'each with the name, symbol, uri and owner of its ticket, as the program read them');

# The extension's prediction of each event, for the leaf the program chose.
my $values = join(',', map {
	my ($t, $id) = split m{/}, $_;
	"('$t', '$id', " . $by_sig->{ $sig{$_} }{event}{nonce} . ')'
} @keys);
my %predicted;
for my $line (split /\n/, $node->safe_psql('postgres', qq{
	SELECT v.t || '/' || v.id, p.asset_id, p.leaf_owner, encode(p.data_hash, 'hex'), encode(p.event, 'hex')
	  FROM (VALUES $values) v(t, id, n), mint.preview_leaf(v.t, v.id, v.n) p}))
{
	my ($k, @f) = split /\|/, $line;
	$predicted{$k} = \@f;
}
my ($same, $same_asset, $same_hash) = (0, 0, 0);
my @diff;
for my $k (@keys)
{
	my $ev = $by_sig->{ $sig{$k} }{event};
	my ($asset, $owner, $data_hash, $event) = @{ $predicted{$k} // [] };
	$same_asset++ if ($asset // '') eq $ev->{id} && ($owner // '') eq $ticket{$k}{owner};
	$same_hash++ if ($data_hash // '') eq $ev->{data_hash};
	if (($event // '') eq $ev->{hex}) { $same++ } else { push @diff, "$k: predicted $event, emitted $ev->{hex}" }
}
is($same_asset, 120, 'asset id and owner: as predicted');
is($same_hash, 120, 'data hash: as predicted (collection tenants: with the collection verified)');
is($same, 120, 'the LeafSchema event the program emitted is byte for byte mint.preview_leaf()')
  or diag(join("\n", @diff[ 0 .. ($#diff < 4 ? $#diff : 4) ]));
is(length($by_sig->{ $sig{ $keys[0] } }{event}{hex}), 2 * 209, 'events of 209 bytes');

my %nonces;
push @{ $nonces{ $_->{tree} } }, $_->{event}{nonce} for @{ $ledger->{mints} };
is(join(' ', map { join(',', sort { $a <=> $b } @{ $nonces{$_} }) eq join(',', 0 .. 29) ? 'ok' : 'bad' } sort keys %nonces),
	'ok ok ok ok', 'leaves 0..29 in each of the four trees');
is($node->safe_psql('postgres', 'SELECT count(*) FROM mint.mint_attempts'), '0',
	'the worker sent nothing (these landed from the previews)');

$node->stop;
stop_svm($svm);
done_testing();

