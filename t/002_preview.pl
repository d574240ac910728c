# mint.preview_transaction() returns the transaction the worker would build:
# for the reference inputs it is byte for byte the message that an
# independent implementation (solana-sdk ordering, reference vectors)
# produced, with the signature slot zeroed.  Without a key it says so.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use MintTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $vectors = decode_json(slurp_file(
	($ENV{TESTDIR} // '.') . '/src/solana/tests/vectors/bubblegum_vectors2.json'));
my $want = '01' . ('00' x 64) . $vectors->{tx_mint_v1_A_rust_order}{message_hex};

my $node = PostgreSQL::Test::Cluster->new('preview');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'mint_ext'\nmint.database = 'postgres'\n"
	  . "mint.rpc_url = 'http://127.0.0.1:9'\n");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION mint_ext;
	SELECT mint.register_tree('v', '$TREE');
	SELECT mint.mint_ticket('v', 'A', '$OWNER',
	  '{"name": "Ticket #1", "symbol": "TIX", "uri": "https://example.com/t/1.json",
	    "creators": [{"address": "$PAYER", "share": 100}]}');
});
my $blockhash = 'US517G5965aydkZ46HS38QLi7UQiSojurfbQfKCELFx';    # 32 x 0x07
my ($ret, $out, $err) = $node->psql('postgres',
	"SELECT mint.preview_transaction('v', 'A', '$blockhash')");
like($err, qr/no signing key is configured/, 'without a key, a clear error');

# Give the worker the reference payer's key: it publishes the public key.
my $key = write_keypair(PostgreSQL::Test::Utils::tempdir() . '/payer.json');
$node->append_conf('postgresql.conf', "mint.keypair_path = '$key'\n");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT mint.preview_transaction('v', 'A', '$blockhash') IS NOT NULL", 't') or die;
my $got = $node->safe_psql('postgres',
	"SELECT encode(decode(mint.preview_transaction('v', 'A', '$blockhash'), 'base64'), 'hex')");
is($got, $want, 'preview = the reference message with a zeroed signature');

($ret, $out, $err) = $node->psql('postgres', "SELECT mint.preview_transaction('v', 'A', 'xyz0')");
like($err, qr/invalid recent_blockhash/, 'a bad blockhash is refused');
($ret, $out, $err) = $node->psql('postgres', "SELECT mint.preview_transaction('v', 'nope', '$blockhash')");
like($err, qr/no mint job for ticket/, 'an unknown ticket is refused');

$node->stop;
done_testing();
