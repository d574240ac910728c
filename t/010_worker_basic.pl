# 1,000 tickets, no faults: each minted exactly once and confirmed with the
# ledger's signature and asset id; the worker wakes at commit.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 10);
my $node = new_mint_node('basic', $fake, 'mint.poll_interval' => "'10s'");

# Woken at commit, not by polling: with a 10 s poll interval one ticket is
# still sent within a second of its commit.
my $t0 = time();
enqueue_tickets($node, 0, 0);
wait_until('the first ticket to be submitted', 5, sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_attempts") >= 1 });
cmp_ok(time() - $t0, '<', 5, 'sent without waiting for the poll interval');
$node->safe_psql('postgres', "ALTER SYSTEM SET mint.poll_interval = '50ms'; SELECT pg_reload_conf()");

enqueue_tickets($node, 1, 999);
wait_until('1,000 confirmed mints', 180, sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == 1000 });
check_exactly_once($node, $fake, 0, 999);

is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_attempts WHERE state = 'landed_ok'"),
	'1000', 'one landed attempt per ticket');
is($node->safe_psql('postgres', "SELECT confirmed FROM mint.stats"), '1000', 'mint.stats counts them');
like($node->safe_psql('postgres', "SELECT state FROM mint.worker_status"), qr/idle|working/,
	'the worker reports its state');

# The transaction the worker built is what preview_transaction describes.
my $preview = $node->safe_psql('postgres', q{
	SELECT decode(mint.preview_transaction('t', 'T-5', a.recent_blockhash), 'base64')
	       = '\x01'::bytea || decode(repeat('00', 64), 'hex') || substring(a.signed_tx from 66)
	  FROM mint.mint_attempts a WHERE a.ticket_id = 'T-5'});
$preview =~ s/\s//g;
is($preview, 't', 'preview_transaction matches the signed bytes but for the signature');

$node->stop;
stop_fake($fake);
done_testing();
