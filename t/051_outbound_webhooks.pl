# Signed outbound webhooks (issue 20): 1,000 tickets minted while worker 0
# delivers their events to a loopback receiver (t/receiver/receiver.js) that
# verifies every delivery with the official standardwebhooks library (v1)
# and node:crypto (v1a), answers 503 or never answers part of the time, and
# is killed and restarted.  200 of the tickets fail first (their tenant's
# tree withdrawn), are retried and then confirmed: three events each, whose
# order the receiver must see.  Then: every event delivered at least once,
# every delivery of an id carrying the same bytes (the event's payload),
# per-ticket order kept, no event for a rolled-back cancel, the worker
# killed with kill -9 during deliveries losing nothing, the endpoint
# disabled after the whole retry schedule failed and resuming, when an
# operator enables it, from where it stopped.  Minting is not held up: every
# ticket is minted exactly once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Digest::SHA qw(sha256_hex);
use JSON::PP;
use MintTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

my $root = "$FindBin::Bin/..";
my $rdir = "$FindBin::Bin/receiver";
# Node and the receiver's pinned package: t/receiver/setup.sh (scripts/test.sh runs it)
my @env = -d '/opt/mint_ext-node' ? ('MINT_EXT_NODE_PREFIX=/opt/mint_ext-node') : ();
my $nodeout = `env @env bash "$root/scripts/node.sh" 2>&1`;
my $nodebin = (split /\n/, $nodeout)[-1] // '';
BAIL_OUT("no Node.js (scripts/node.sh): $nodeout") unless $? == 0 && -x $nodebin;
BAIL_OUT("t/receiver/node_modules is missing: run 'bash t/receiver/setup.sh' (scripts/test.sh does)")
  unless -d "$rdir/node_modules/standardwebhooks";

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 51);
my $node = new_mint_node('outbound', $fake,
	'mint.delivery_allow_loopback' => 'on',
	'mint.delivery_schedule'       => "'50ms, 100ms, 200ms, 300ms, 400ms, 500ms, 500ms, 500ms, 500ms, 500ms'",
	'mint.delivery_timeout'        => "'2s'",
	'mint.delivery_concurrency'    => 8);

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $url = "http://127.0.0.1:$port/hooks/mint";
my $secret = $node->safe_psql('postgres', "SELECT mint.add_outbound_endpoint('t', 'platform', '$url')");
like($secret, qr/^whsec_[A-Za-z0-9+\/]{32}$/, 'the endpoint\'s secret is shown once');
my $whpk = $node->safe_psql('postgres', "SELECT mint.add_outbound_signing_key('t', 'platform')");
like($whpk, qr/^whpk_[A-Za-z0-9+\/]{43}=$/, 'a v1a public key');

my $dir = PostgreSQL::Test::Utils::tempdir();
my $log = "$dir/received.jsonl";
my $rpid = 0;
my $starts = 0;
sub start_receiver
{
	$starts++;
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		open(STDOUT, '>>', "$dir/receiver.out") or die;
		open(STDERR, '>&', \*STDOUT) or die;
		exec($nodebin, "$rdir/receiver.js", '--port', $port, '--log', $log, '--secret', $secret,
			'--public-key', $whpk, '--fail-rate', '0.2', '--hang-rate', '0.01', '--seed', $starts)
		  or die "exec: $!";
	}
	$rpid = $pid;
	wait_until('the receiver to listen', 20, sub {
		my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp');
		return defined $s; });
}
sub kill_receiver
{
	kill 'KILL', $rpid;
	waitpid($rpid, 0);
	$rpid = 0;
}
END { kill 'KILL', $rpid if $rpid; }
use IO::Socket::INET;
start_receiver();

sub received
{
	my @r;
	open(my $fh, '<', $log) or return ();
	while (my $l = <$fh>)
	{
		chomp $l;
		next unless $l =~ /^\{.*\}$/;    # a line cut by a kill -9
		push @r, decode_json($l);
	}
	return @r;
}
sub count_delivered
{
	return query($node, "SELECT count(*) FROM mint.delivery_log WHERE status = 'delivered'");
}
sub progress
{
	note(query($node, "SELECT now()::time(0), status, count(*), max(attempts) FROM mint.delivery_log GROUP BY 1, 2"));
	note(query($node, "SELECT enabled, failures, retry_at, disabled_reason, pending, delivered FROM mint.outbound_endpoint_status"));
}

# Phase 1: 200 tickets of t fail (the tree withdrawn with them: failed as
# a job the worker cannot build fails; a worker now holds such jobs queued), an
# operator cancel of one of them is rolled back, they are retried and
# confirm.  The receiver is killed and restarted in the middle.
$node->safe_psql('postgres', qq{
	BEGIN;
	SELECT count(*) FROM mint.mint_tickets('t', (SELECT jsonb_agg(jsonb_build_object(
		'ticket_id', 'T-' || i, 'owner', '$OWNER',
		'metadata', jsonb_build_object('name', 'Seat ' || i, 'symbol', 'TIX',
			'uri', 'https://tickets.example/t/' || i || '.json')))
		FROM generate_series(1, 200) i));
	UPDATE mint.trees SET active = false WHERE tenant_id = 't';
	UPDATE mint.mint_jobs SET status = 'failed', last_error_class = 'validation',
	       last_error_code = 'no_tree', last_error_message = 'tenant "t" has no active merkle tree'
	 WHERE tenant_id = 't';
	COMMIT;
});
wait_until('200 failed jobs', 60, sub {
	query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'failed'") == 200 });
$node->safe_psql('postgres', "BEGIN; SELECT mint.cancel_mint('t', 'T-7'); ROLLBACK;");
wait_until('some deliveries', 30, sub { count_delivered() >= 20 });
kill_receiver();
usleep(500_000);
start_receiver();
$node->safe_psql('postgres', qq{
	SELECT mint.register_tree('t', '$TREE');
	SELECT count(*) FROM (SELECT mint.retry_mint('t', 'T-' || i) FROM generate_series(1, 200) i) r;
});
wait_confirmed($node, 200, 120);

# Phase 2: 800 more; the worker is killed with kill -9 while deliveries are
# in flight (the postmaster restarts it), then the receiver stays away past
# the whole schedule and the endpoint is disabled.
enqueue_tickets($node, 201, 1000);
wait_until('deliveries under way after phase 2 began', 60, sub { count_delivered() >= 700 });
wait_until('a delivery in flight', 30, sub {
	query($node, "SELECT count(*) FROM mint.outbound_deliveries WHERE lease_until > now()") > 0 });
my ($wpid) = worker_pids($node);
my $before_kill = count_delivered();
ok(kill('KILL', $wpid), "worker $wpid killed with kill -9 while delivering ($before_kill delivered)");
progress();
wait_until('the worker back', 60, sub {
	my @p = eval { worker_pids($node) };
	return @p && $p[0] != $wpid; });
wait_confirmed($node, 1000, 240);
wait_until('deliveries to go on after the crash', 60, sub { count_delivered() > $before_kill + 50 });

progress();
kill_receiver();
wait_until('the endpoint to be disabled after persistent failure', 60, sub {
	query($node, "SELECT enabled FROM mint.outbound_endpoint_status WHERE endpoint_id = 'platform'") eq 'f' });
like(query($node, "SELECT disabled_reason FROM mint.outbound_endpoint_status"),
	qr/^every attempt of the retry schedule failed, the last: /, 'it says why');
my $pending = query($node, "SELECT pending FROM mint.outbound_endpoint_status");
cmp_ok($pending, '>', 0, "deliveries wait while it is disabled ($pending pending)");
start_receiver();
my $lines = () = received();
sleep(2);
is(scalar(() = received()), $lines, 'nothing is sent to a disabled endpoint, though it is back');
is(query($node, "SELECT pending FROM mint.outbound_endpoint_status"), $pending, 'the deliveries still wait');
$node->safe_psql('postgres', "SELECT mint.enable_outbound_endpoint('t', 'platform')");
wait_until('every event delivered', 240, sub {
	query($node, "SELECT count(*) FROM mint.delivery_log WHERE status <> 'delivered'") == 0 })
  or diag(query($node, "SELECT * FROM mint.delivery_log WHERE status <> 'delivered'"),
	query($node, "SELECT * FROM mint.outbound_endpoint_status"));

progress();
# The verdicts.
check_exactly_once($node, $fake, 1, 1000);
my %events;    # event id -> [seq, ticket, sha256 of the payload]
for my $row (split /\n/, $node->safe_psql('postgres', q{
	SELECT event_id, seq, ticket_id, event_type, encode(sha256(convert_to(payload::text, 'UTF8')), 'hex')
	  FROM mint.events WHERE tenant_id = 't'}))
{
	my ($id, $seq, $ticket, $type, $sha) = split /\|/, $row;
	$events{$id} = { seq => $seq, ticket => $ticket, type => $type, sha => $sha };
}
is(scalar(keys %events), 1400, '1,400 events: 200 failed, 200 retried, 1,000 confirmed');
is(scalar(grep { $_->{type} eq 'mint.cancelled' } values %events), 0, 'no event for the rolled-back cancel');

my @r = received();
my %n;
$n{ $_->{r} }++ for @r;
note(join(', ', map { "$_: $n{$_}" } sort keys %n) . " in " . scalar(@r) . " requests, $starts receiver runs");
is($n{bad_signature} // 0, 0, 'every request verified with standardwebhooks (v1)');
is(scalar(grep { !$_->{v1a} && $_->{r} ne 'bad_signature' } @r), 0, 'and with the v1a ed25519 key');
cmp_ok($n{refused} // 0, '>', 50, 'the receiver refused many with 503');
cmp_ok($n{hung} // 0, '>', 0, 'and let some time out');

my (%accepted, %bodies, @first);
for my $x (@r)
{
	next if $x->{r} eq 'bad_signature';
	$bodies{ $x->{id} }{ $x->{sha256} } = 1;
	push @first, $x if $x->{r} eq 'accepted' && !$accepted{ $x->{id} }++;
}
is(scalar(grep { !$accepted{$_} } keys %events), 0, 'every event was delivered (a 2xx answered) at least once');
is(scalar(grep { !$events{$_} } keys %accepted), 0, 'and nothing else');
is(scalar(grep { keys %{ $bodies{$_} } != 1 || !$events{$_} || !$bodies{$_}{ $events{$_}{sha} } } keys %bodies), 0,
	'every request of an id carried the same bytes, the event\'s payload');
is(scalar(grep { $_->{id} ne ($_->{event_id} // '') } @r), 0, 'webhook-id is the event id');
my %last;
my $disorder = 0;
for my $x (@first)
{
	$disorder++ if exists $last{ $x->{ticket} } && $last{ $x->{ticket} } > $x->{seq};
	$last{ $x->{ticket} } = $x->{seq};
}
is($disorder, 0, 'per ticket, the events were first accepted in their order');
my $retried = $node->safe_psql('postgres', q{
	SELECT count(*) FROM (SELECT ticket_id, string_agg(event_type, ',' ORDER BY seq) o FROM mint.events
	 WHERE tenant_id = 't' GROUP BY ticket_id) x WHERE o = 'mint.failed,mint.retried,mint.confirmed'});
is($retried, 200, 'the 200 failed tickets have their three events in order');
note(scalar(grep { $_->{r} eq 'accepted' } @r) - scalar(keys %accepted) . ' ids accepted more than once (at least once)');
cmp_ok(query($node, "SELECT max(attempts) FROM mint.delivery_log"), '>', 1, 'some deliveries took several attempts');
is(query($node, "SELECT count(*) FROM mint.metrics WHERE metric = 'deliveries' AND label = 'delivered' AND value = 1400"),
	'1', 'mint.metrics counts the delivered');

kill_receiver();
$node->stop;
stop_fake($fake);
done_testing();
