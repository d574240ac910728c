# Exactly once across a failover (PostgreSQL's own streaming replication and
# promotion; docs/DEPLOYMENT.md "Replication").
#  A. Primary + synchronous standby: the primary dies between recording an
#     attempt and sending it, the standby is promoted and finishes; then a
#     new synchronous standby of the promoted server, and the new primary
#     killed at a random moment of a drain.  Every ticket lands once; keys
#     and webhook deliveries answered before the failover are still known.
#     A standby's worker never sends anything.
#  B. An asynchronous standby that has not received the attempt record (its
#     WAL receiver stopped): the worker refuses to send; with the risk
#     accepted (mint.accept_async_replication) it sends, and the failover
#     mints the same tickets a second time: the rule is needed.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use Encode qw(encode);
use JSON::PP;
use MIME::Base64;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $AUTH = 'Bearer failover-test';

sub jobs_confirmed
{
	my ($node) = @_;
	return query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'");
}

sub sends
{
	my ($fake) = @_;
	my $m = fake_get($fake, '/stats')->{methods}{sendTransaction} // {};
	my $n = 0;
	$n += $_ for values %$m;
	return $n;
}

sub wait_dead
{
	my ($node) = @_;
	my $pid = $node->{_pid};
	wait_until("the postmaster of " . $node->name . " to die", 30, sub { !kill(0, $pid) });
	$node->kill9;    # forget it (nothing is left to kill)
}

sub new_standby
{
	my ($primary, $name, %conf) = @_;
	$primary->backup("backup_$name");
	my $standby = PostgreSQL::Test::Cluster->new($name);
	$standby->init_from_backup($primary, "backup_$name", has_streaming => 1);
	# its own synchronous standbys, once promoted: none unless a test adds one
	# (with the primary's '*' its commits would wait for ever after promotion)
	%conf = (synchronous_standby_names => "''", %conf);
	$standby->append_conf('postgresql.conf', join('', map { "$_ = $conf{$_}\n" } sort keys %conf));
	$standby->start;
	return $standby;
}

sub webhook
{
	my ($node, $d) = @_;
	my $h = encode_base64(encode_json($d->{headers}), '');
	my $b = encode_base64(encode('UTF-8', $d->{body}), '');
	return query($node, "SELECT answer->>'status' FROM mint.process_webhook('helius', "
		. "convert_from(decode('$h', 'base64'), 'UTF8')::jsonb, decode('$b', 'base64')) answer");
}

# ---------------------------------------------------------------------------
# A. synchronous standby
# ---------------------------------------------------------------------------
my $log = PostgreSQL::Test::Utils::tempdir() . '/webhooks.log';
my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 21, webhook_log => $log,
	webhook_style => 'helius', webhook_auth => $AUTH);
my $crash = PostgreSQL::Test::Utils::tempdir() . '/crash';
my $primary = init_mint_node('primary', $fake, allows_streaming => 1,
	synchronous_standby_names => "'*'", 'mint.test_crash_file' => "'$crash'",
	# a weak default that the worker must not inherit (it raises it for itself)
	synchronous_commit => "'local'");
$primary->start;
$primary->safe_psql('postgres', qq{
	CREATE EXTENSION mint_ext;
	SELECT mint.register_tree('t', '$TREE');
	SELECT mint.add_webhook_endpoint('helius', 'helius', '$AUTH');
});
my $standby = new_standby($primary, 'standby1');
wait_until('the standby to stream synchronously', 30, sub {
	$primary->safe_psql('postgres', 'SELECT sync_state FROM pg_stat_replication') eq 'sync' });
ok(wait_for(30, sub {
	query($standby, 'SELECT state || ' . "' '" . ' || reason_code FROM mint.worker_status') eq 'standby standby' }),
	"the standby's worker stays idle and says why");
like(slurp_file($primary->logfile), qr/raises synchronous_commit from "local" to "on"/,
	"the primary's worker raised its synchronous_commit");

# 500 tickets, one with an idempotency key, one webhook delivery answered
enqueue_tickets($primary, 1, 499);
query($primary, qq{SELECT count(*) FROM mint.mint_tickets('t', jsonb_build_array(jsonb_build_object(
	'ticket_id', 'T-500', 'owner', '$OWNER', 'metadata', jsonb_build_object('name', 'Seat 500',
	'uri', 'https://tickets.example/t/500.json'))), 'order-500')});
wait_until('500 confirmed on the primary', 120, sub { jobs_confirmed($primary) == 500 });
wait_until('the webhook log', 30, sub { -s $log });
open(my $fh, '<', $log) or die;
my $delivery = decode_json((grep { /\S/ } <$fh>)[0]);
close($fh);
like(webhook($primary, $delivery), qr/^(processed|ignored)$/, 'a webhook delivery is answered on the primary');
is(webhook($primary, $delivery), 'already_processed', 'its redelivery is a duplicate');

# the primary dies after recording the next attempts, before sending them
open($fh, '>', $crash) or die;
print $fh "after_record:postmaster";
close($fh);
my $sent_before = sends($fake);
enqueue_tickets($primary, 501, 1000);
wait_dead($primary);
ok(!-e $crash, 'the primary died at after_record');
is(sends($fake), $sent_before, 'the recorded attempts were not sent');

# nothing is sent while the standby is a standby
sleep(2);
is(sends($fake), $sent_before, "a standby's worker never sends anything");
is(query($standby, 'SELECT state FROM mint.worker_status'), 'standby', 'and still says it is a standby');

$standby->promote;
ok(wait_for(30, sub { query($standby, 'SELECT state FROM mint.worker_status') =~ /^(idle|working)$/ }),
	'after promotion the worker works, without a restart');
wait_until('1000 confirmed on the promoted server', 180, sub { jobs_confirmed($standby) == 1000 });
check_exactly_once($standby, $fake, 1, 1000);
is(query($standby, qq{SELECT bool_and(replayed) FROM mint.mint_tickets('t', jsonb_build_array(jsonb_build_object(
	'ticket_id', 'T-500', 'owner', '$OWNER', 'metadata', jsonb_build_object('name', 'Seat 500',
	'uri', 'https://tickets.example/t/500.json'))), 'order-500')}), 't',
	'the idempotency key answered before the failover replays after it');
is(webhook($standby, $delivery), 'already_processed',
	'the webhook delivery answered before the failover is a duplicate after it');

# A2: a new synchronous standby of the promoted server; the new primary is
# killed at a random moment of a drain
my $standby3 = new_standby($standby, 'standby3');
# (the application's commits too wait for the standby from now on: a ticket
# the application was told is enqueued is on the standby)
# (and a drain of a few seconds: at most 20 jobs in flight)
$standby->safe_psql('postgres', "ALTER SYSTEM SET synchronous_standby_names = '*'; "
	. "ALTER SYSTEM SET synchronous_commit = 'on'; ALTER SYSTEM SET mint.max_inflight = 20; "
	. "SELECT pg_reload_conf()");
wait_until('the new standby to stream synchronously', 30, sub {
	$standby->safe_psql('postgres', 'SELECT sync_state FROM pg_stat_replication') eq 'sync' });
enqueue_tickets($standby, 1001, 1500);
my $at = 1000 + 20 + int(rand(280));
wait_for(60, sub { jobs_confirmed($standby) >= $at });
# the chain stands still at that moment (nothing more can be confirmed), the
# primary dies in the middle of whatever it was doing, the chain goes on
fake_control($fake, paused => JSON::PP::true);
usleep(int(rand(200_000)));
$standby->kill9;
fake_control($fake, paused => JSON::PP::false);
my $then = $standby3->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'");
cmp_ok($then, '<', 1500, "the primary was killed during the drain ($then of 1500 confirmed)");
$standby3->promote;
wait_until('1500 confirmed on the second promoted server', 180, sub { jobs_confirmed($standby3) == 1500 });
check_exactly_once($standby3, $fake, 1, 1500);
$standby3->stop;
stop_fake($fake);

# ---------------------------------------------------------------------------
# B. asynchronous standby, its WAL receiver stopped
# ---------------------------------------------------------------------------
my $fake2 = start_fake(slot_ms => 10, finalized_lag => 4, seed => 22);
my $p2 = init_mint_node('async_primary', $fake2, allows_streaming => 1);
$p2->start;
$p2->safe_psql('postgres', qq{
	CREATE EXTENSION mint_ext;
	SELECT mint.register_tree('t', '$TREE');
	SELECT pg_create_physical_replication_slot('s2');
});
my $s2 = new_standby($p2, 'async_standby', primary_slot_name => "'s2'");
wait_until('the async standby to stream', 30, sub {
	$p2->safe_psql('postgres', 'SELECT sync_state FROM pg_stat_replication') eq 'async' });
ok(wait_for(30, sub {
	query($p2, 'SELECT state || ' . "' '" . ' || reason_code FROM mint.worker_status') eq 'blocked replication_not_synchronous' }),
	'with an asynchronous standby the worker is blocked');
enqueue_tickets($p2, 1, 5);
$p2->wait_for_catchup($s2);
is(query($s2, 'SELECT count(*) FROM mint.mint_jobs'), '5', 'the standby has the queued jobs');
# the standby stops receiving: the attempt records cannot reach it
$s2->safe_psql('postgres', "ALTER SYSTEM SET primary_conninfo = ''; SELECT pg_reload_conf()");
wait_until('the WAL receiver to stop', 30, sub {
	$p2->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_replication') == 0 });
sleep(2);
is(scalar(@{ fake_ledger($fake2)->{mints} }), 0, 'refused: nothing reached the cluster');
ok(wait_for(30, sub { query($p2, "SELECT string_agg(DISTINCT concat_ws(' ', status, last_error_class, last_error_code), ',') FROM mint.mint_jobs")
	eq 'queued blocked replication_not_synchronous' }), 'the jobs wait, queued, and say why');

$p2->safe_psql('postgres', 'ALTER SYSTEM SET mint.accept_async_replication = on; SELECT pg_reload_conf()');
wait_until('5 confirmed with the risk accepted', 60, sub { jobs_confirmed($p2) == 5 });
like(query($p2, 'SELECT state || ' . "' '" . ' || reason_code FROM mint.worker_status'),
	qr/^(idle|working) async_replication_accepted$/, 'accepted: the worker works and says so');
like(slurp_file($p2->logfile), qr/WARNING:  mint worker: the server streams to/, 'and warns in the log');
$p2->kill9;
$s2->promote;
wait_until('the promoted async standby to mint its copy of the queue', 60, sub { jobs_confirmed($s2) == 5 });
my $summary = fake_get($fake2, '/ledger?summary=1');
is($summary->{uris_with_duplicates}, 5,
	'without a synchronous standby the failover minted every ticket twice: the rule is needed');
$s2->stop;
stop_fake($fake2);
done_testing();
