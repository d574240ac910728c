# A transaction that lands with an instruction error is a permanent failure:
# the job fails at once with the reason, no second transaction is built.
# retry_mint then mints it exactly once; cancel_mint refuses while something
# may still land.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use Test::More;
use Time::HiRes qw(time);

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 14);
my $node = new_mint_node('errors', $fake);
fake_control($fake, p_tx_error => 1.0);
my $t0 = time();
enqueue_tickets($node, 0, 19);
wait_until('20 failed jobs', 60, sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'failed'") == 20 });
cmp_ok(time() - $t0, '<', 20, 'failed fast, without a backoff loop');
is($node->safe_psql('postgres', "SELECT DISTINCT attempts || ' ' || last_error_class FROM mint.mint_jobs"),
	'1 transaction', 'one attempt each, classified as a transaction error');
like($node->safe_psql('postgres', "SELECT last_error_code || ' ' || last_error_message FROM mint.mint_jobs LIMIT 1"),
	qr/^6016 landed with an error: instruction \d: custom error 6016 TreeAuthorityIncorrect \(Bubblegum: /,
	'the reason is on the job, with the program error named');
my $ledger = fake_ledger($fake);
is(scalar(grep { !defined $_->{err} } @{ $ledger->{mints} }), 0, 'nothing minted');

# cancel_mint is refused for a job whose transaction is not dead yet? These
# landed with an error, so they are dead: cancel one, retry the others.
my ($ret, $out, $err) = $node->psql('postgres', "SELECT status FROM mint.cancel_mint('t', 'T-0')");
is($out, 'cancelled', 'a failed job whose attempt landed with an error can be cancelled');

fake_control($fake, p_tx_error => 0.0);
$node->safe_psql('postgres',
	"SELECT mint.retry_mint('t', ticket_id) FROM mint.mint_jobs WHERE status = 'failed'");
wait_until('19 confirmed mints', 60, sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == 19 });
check_exactly_once($node, $fake, 1, 19);
is($node->safe_psql('postgres', "SELECT status FROM mint.get_mint('t', 'T-0')"), 'cancelled',
	'the cancelled job stays cancelled');

($ret, $out, $err) = $node->psql('postgres', "SELECT mint.retry_mint('t', 'T-1')");
like($err, qr/is confirmed, not failed/, 'retry_mint refuses a confirmed job');
($ret, $out, $err) = $node->psql('postgres', "SELECT mint.cancel_mint('t', 'T-1')");
like($err, qr/can be cancelled only while queued or failed/, 'cancel_mint refuses a confirmed job');
like($err, qr/HINT:  Its NFT exists on chain \(asset \w+\); a confirmed mint is final/,
	'and says the mint is final (not that a worker is on it)');

# RS2: transactions that never land expire; after mint.max_attempts dead
# attempts the job fails with the reason, and nothing was minted.
$node->safe_psql('postgres', "ALTER SYSTEM SET mint.max_attempts = 2; SELECT pg_reload_conf()");
fake_control($fake, p_never_lands => 1.0);
enqueue_tickets($node, 100, 100);
wait_until('the never-landing job to fail', 60, sub {
	$node->safe_psql('postgres', "SELECT status FROM mint.get_mint('t', 'T-100')") eq 'failed' });
is($node->safe_psql('postgres', "SELECT attempts || ' ' || last_error_class FROM mint.mint_jobs WHERE ticket_id = 'T-100'"),
	'2 exhausted', 'failed after mint.max_attempts attempts');
is($node->safe_psql('postgres', "SELECT string_agg(state, ',' ORDER BY attempt_no) FROM mint.mint_attempts WHERE ticket_id = 'T-100'"),
	'expired,expired', 'each attempt proven expired before the next');
is(scalar(grep { ($_->{uri} // '') =~ m{/100\.json$} } @{ fake_ledger($fake)->{mints} }), 0,
	'T-100 never landed');

$node->stop;
stop_fake($fake);
done_testing();
