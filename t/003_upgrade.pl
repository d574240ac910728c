# The release path: install 0.1.0 from its frozen script, make jobs in every
# state, ALTER EXTENSION ... UPDATE.  The jobs, attempts and keys are intact,
# the updated schema has exactly the objects of a fresh install, and the API
# and the worker work.  Before the update the (newer) library's worker does
# nothing and says why.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use Test::More;

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 3);
my $node = init_mint_node('upgrade', $fake);
$node->start;
my $lib = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'mint_ext'");
isnt($lib, '0.1.0', "the library's version ($lib) is newer than 0.1.0");

$node->safe_psql('postgres', qq{
	CREATE EXTENSION mint_ext VERSION '0.1.0';
	SELECT mint.register_tree('t', '$TREE');
});
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'mint_ext'"),
	'0.1.0', '0.1.0 installed from its own script');

# Jobs in several states, through the 0.1.0 API (served by the new library)
# and, for the states only a worker or the chain reaches, as a worker would
# have left them.
enqueue_tickets($node, 1, 5);
$node->safe_psql('postgres', qq{
	SELECT mint.mint_ticket('t', 'K-1', '$OWNER',
		'{"name": "Keyed", "uri": "https://tickets.example/t/k1.json"}', idempotency_key => 'order-1');
	UPDATE mint.mint_jobs SET status = 'failed', last_error_class = 'transaction',
	       last_error_code = '6016', last_error_message = 'landed with an error'
	 WHERE ticket_id = 'T-2';
	UPDATE mint.mint_jobs SET status = 'cancelled' WHERE ticket_id = 'T-3';
	INSERT INTO mint.mint_attempts (tenant_id, ticket_id, attempt_no, signature, recent_blockhash,
	       last_valid_block_height, merkle_tree, signed_tx, state, lease_token)
	VALUES ('t', 'T-4', 1, 'sig-of-T-4', 'bh', 100, '$TREE', '\\x00', 'landed_ok', 1);
	UPDATE mint.mint_jobs SET status = 'confirmed', attempts = 1, signature = 'sig-of-T-4',
	       asset_id = 'asset-of-T-4', leaf_nonce = 7, merkle_tree = '$TREE', confirmed_at = now()
	 WHERE ticket_id = 'T-4';
});

# The worker of the 0.2.0 library does nothing against 0.1.0 SQL, and says so
# through the 0.1.0 view (13 columns: the reason is folded into the state).
wait_until('the worker to report the version mismatch', 30, sub {
	$node->safe_psql('postgres', 'SELECT state FROM mint.worker_status') eq 'blocked: version_mismatch' });
like(slurp_log($node), qr/blocked \(version_mismatch\): the library is mint_ext \Q$lib\E but the installed extension is 0\.1\.0/,
	'the mismatch is in the server log');
sleep(1);
is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'queued'"), '3',
	'the queued jobs stay queued');
is(scalar(@{ fake_ledger($fake)->{mints} }), 0, 'nothing was sent to the cluster');

my $rows = q{
	SELECT string_agg(concat_ws('|', tenant_id, ticket_id, job_id, owner, metadata, fingerprint,
	                  idempotency_key, status, attempts, attempt_base, retries, lease_until, lease_token,
	                  next_attempt_at, merkle_tree, signature, asset_id, leaf_nonce, last_error_class,
	                  last_error_code, last_error_message, created_at, updated_at, submitted_at,
	                  confirmed_at), E'\n' ORDER BY tenant_id, ticket_id) FROM mint.mint_jobs
	UNION ALL
	SELECT string_agg(concat_ws('|', tenant_id, ticket_id, attempt_no, signature, recent_blockhash,
	                  last_valid_block_height, merkle_tree, signed_tx, state, error_class, error_code,
	                  error_message, lease_token, created_at, last_sent_at, resolved_at),
	                  E'\n' ORDER BY signature) FROM mint.mint_attempts
	UNION ALL
	SELECT string_agg(concat_ws('|', k.*), E'\n' ORDER BY idempotency_key) FROM mint.idempotency_keys k};
# (the 0.1.0 columns: 0.2.0 adds some, NULL for the rows made before)
my $before = $node->safe_psql('postgres', $rows);

# Update, and read the rows in the same transaction: the worker sees the new
# version only once it commits.
my $after = $node->safe_psql('postgres', "BEGIN; ALTER EXTENSION mint_ext UPDATE; $rows; COMMIT;");
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'mint_ext'"),
	$lib, "updated to $lib");
is($after, $before, 'every job, attempt and key is intact across the update');

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION mint_ext');
my ($up, $fresh) = (catalog_snapshot($node, 'postgres'), catalog_snapshot($node, 'fresh'));
cmp_ok(scalar(split /\n/, $fresh), '>', 50, 'the snapshot lists the extension objects');
if ($up eq $fresh)
{
	pass('the updated schema has exactly the objects of a fresh install');
}
else
{
	my %f = map { $_ => 1 } split /\n/, $fresh;
	my %u = map { $_ => 1 } split /\n/, $up;
	fail('the updated schema has exactly the objects of a fresh install');
	diag("only after the update: " . substr($_, 0, 300)) for grep { !$f{$_} } split /\n/, $up;
	diag("only in a fresh install: " . substr($_, 0, 300)) for grep { !$u{$_} } split /\n/, $fresh;
}

# The worker works now: the queued jobs land, the failed one can be retried,
# and the API takes new tickets and replays the old key.
wait_until('the worker to run on the updated schema', 30, sub {
	$node->safe_psql('postgres', 'SELECT state, reason_code IS NULL, sql_version, library_version FROM mint.worker_status')
	  =~ /^(idle|working)\|t\|\Q$lib\E\|\Q$lib\E$/ });
enqueue_tickets($node, 6, 6);
$node->safe_psql('postgres', "SELECT mint.retry_mint('t', 'T-2')");
wait_until('the queued, new and retried jobs to be confirmed', 60, sub {
	$node->safe_psql('postgres',
		"SELECT count(*) FROM mint.mint_jobs WHERE ticket_id IN ('T-1', 'T-2', 'T-5', 'T-6', 'K-1') AND status = 'confirmed'") == 5 });
my %per_uri;
$per_uri{ $_->{uri} }++ for grep { !defined $_->{err} } @{ fake_ledger($fake)->{mints} };
is(join(',', map { "$_=$per_uri{$_}" } sort keys %per_uri),
	join(',', map { "https://tickets.example/t/$_.json=1" } qw(1 2 5 6 k1)),
	'each of them minted exactly once; the cancelled and the confirmed job were not');
is($node->safe_psql('postgres', qq{
	SELECT replayed FROM mint.mint_ticket('t', 'K-1', '$OWNER',
		'{"name": "Keyed", "uri": "https://tickets.example/t/k1.json"}', idempotency_key => 'order-1')}),
	't', 'a key stored by 0.1.0 replays after the update');
is($node->safe_psql('postgres', "SELECT status || ' ' || asset_id FROM mint.get_mint('t', 'T-4')"),
	'confirmed asset-of-T-4', 'the confirmed job is untouched');

$node->stop;
stop_fake($fake);
done_testing();

sub slurp_log
{
	my ($n) = @_;
	return PostgreSQL::Test::Utils::slurp_file($n->logfile);
}
