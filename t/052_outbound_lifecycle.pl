# Outbound webhooks over their lifetime (issue 20), against the loopback
# receiver (t/receiver/receiver.js, verifying with the official
# standardwebhooks library):
#   * secret rotation: during the grace period every request carries a v1
#     signature by the old secret and one by the new (a receiver that knows
#     either verifies it); after the grace, only the new secret's;
#   * resend: mint.redeliver sends every event again with the same
#     webhook-id and the same bytes as the first time; a delivery that was
#     given up is sent again by mint.redeliver_event;
#   * retention: worker 0 reaps events past mint.event_retention with their
#     deliveries, but not an event with a pending delivery to a disabled
#     endpoint, nor any later one; the endpoint, enabled, resumes from where
#     it stopped; numbering goes on; minting is untouched.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use IO::Socket::INET;
use JSON::PP;
use MintTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

my $root = "$FindBin::Bin/..";
my $rdir = "$FindBin::Bin/receiver";
my @env = -d '/opt/mint_ext-node' ? ('MINT_EXT_NODE_PREFIX=/opt/mint_ext-node') : ();
my $nodeout = `env @env bash "$root/scripts/node.sh" 2>&1`;
my $nodebin = (split /\n/, $nodeout)[-1] // '';
BAIL_OUT("no Node.js (scripts/node.sh): $nodeout") unless $? == 0 && -x $nodebin;
BAIL_OUT("t/receiver/node_modules is missing: run 'bash t/receiver/setup.sh' (scripts/test.sh does)")
  unless -d "$rdir/node_modules/standardwebhooks";

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 52);
# a retention of 2 hours: events made 3 hours older are past it (the
# default, 30 days, would keep them)
my $node = new_mint_node('lifecycle', $fake,
	'mint.delivery_allow_loopback' => 'on',
	'mint.delivery_schedule'       => "'50ms, 100ms, 200ms'",
	'mint.delivery_timeout'        => "'2s'",
	'mint.event_retention'         => "'2h'");

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $base = "http://127.0.0.1:$port";
my $old = $node->safe_psql('postgres', "SELECT mint.add_outbound_endpoint('t', 'platform', '$base/platform')");

my $dir = PostgreSQL::Test::Utils::tempdir();
my $log = "$dir/received.jsonl";
my $rpid = 0;
sub start_receiver
{
	my ($secrets) = @_;
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		open(STDOUT, '>>', "$dir/receiver.out") or die;
		open(STDERR, '>&', \*STDOUT) or die;
		exec($nodebin, "$rdir/receiver.js", '--port', $port, '--log', $log, '--secret', $secrets)
		  or die "exec: $!";
	}
	$rpid = $pid;
	wait_until('the receiver to listen', 20, sub {
		defined IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp') });
}
sub stop_receiver
{
	kill 'KILL', $rpid;
	waitpid($rpid, 0);
	$rpid = 0;
}
END { kill 'KILL', $rpid if $rpid; }

sub received
{
	my @r;
	open(my $fh, '<', $log) or return ();
	while (my $l = <$fh>)
	{
		push @r, decode_json($l) if $l =~ /^\{.*\}\n?$/;
	}
	return @r;
}
# every delivery to an enabled endpoint delivered (or given up)
sub all_delivered
{
	my ($what) = @_;
	wait_until($what, 60, sub {
		query($node, q{SELECT count(*) FROM mint.outbound_deliveries d JOIN mint.outbound_endpoints o
		                USING (tenant_id, endpoint_id) WHERE d.status = 'pending' AND o.enabled}) == 0 })
	  or diag(query($node, "SELECT * FROM mint.delivery_log WHERE status <> 'delivered'"));
}
sub events
{
	my %e;
	for (split /\n/, query($node, q{
		SELECT event_id, seq, encode(sha256(convert_to(payload::text, 'UTF8')), 'hex')
		  FROM mint.events WHERE tenant_id = 't'}))
	{
		my ($id, $seq, $sha) = split /\|/;
		$e{$id} = { seq => $seq, sha => $sha };
	}
	return %e;
}

# 1. Ten tickets, their events delivered once, signed with the first secret.
start_receiver($old);
enqueue_tickets($node, 1, 10);
wait_confirmed($node, 10, 60);
all_delivered('the first ten events delivered');
my %ev = events();
my @first = received();
my %first_sha = map { $_->{r} eq 'accepted' ? ($_->{id} => $_->{sha256}) : () } @first;
is(scalar(keys %first_sha), 10, 'ten events delivered');
is(scalar(grep { $first_sha{$_} ne ($ev{$_}{sha} // '') } keys %first_sha), 0,
	'each with its payload as the body');
is(scalar(grep { $_->{nv1} != 1 } @first), 0, 'one v1 signature each before the rotation');

# 2. Rotation with a grace period; the platform lost its data and asks for
# everything again.  The receiver knows both secrets (old first).
my $new = $node->safe_psql('postgres', "SELECT mint.rotate_outbound_secret('t', 'platform', '10 seconds')");
like($new, qr/^whsec_/, 'a new secret');
isnt($new, $old, 'not the old one');
my $not_after = $node->safe_psql('postgres', q{
	SELECT floor(extract(epoch FROM not_after)) FROM mint.outbound_secrets
	 WHERE endpoint_id = 'platform' AND secret_id = 1});
stop_receiver();
start_receiver("$old,$new");
my $mark = scalar(received());
is($node->safe_psql('postgres', "SELECT mint.redeliver('t', 'platform', 0)"), '10',
	'mint.redeliver makes the ten delivered events pending again');
all_delivered('the ten events delivered again');
my @resent = (received())[$mark .. scalar(received()) - 1];
my %resent_sha = map { $_->{r} eq 'accepted' ? ($_->{id} => $_->{sha256}) : () } @resent;
is(join(',', sort keys %resent_sha), join(',', sort keys %first_sha), 'every event sent again, under its webhook-id');
is(scalar(grep { $resent_sha{$_} ne $first_sha{$_} } keys %resent_sha), 0, 'with the same bytes as the first time');
my @in_grace = grep { $_->{ts} < $not_after - 1 } @resent;
cmp_ok(scalar(@in_grace), '>=', 10, 'sent within the grace period (' . scalar(@in_grace) . ')');
is(scalar(grep { $_->{nv1} != 2 || !$_->{v1ok}[0] || !$_->{v1ok}[1] } @in_grace), 0,
	'during the grace each carries two v1 signatures: the old secret verifies it and so does the new');

# 3. After the grace: only the new secret.  A second endpoint, registered
# now and disabled at once, will hold the next events back from the reaper.
my $archive = $node->safe_psql('postgres', qq{
	SELECT mint.add_outbound_endpoint('t', 'archive', '$base/archive')});
$node->safe_psql('postgres', "SELECT mint.disable_outbound_endpoint('t', 'archive')");
stop_receiver();
start_receiver("$old,$new,$archive");
wait_until('the grace period to end', 30, sub { time() > $not_after + 1 });
$mark = scalar(received());
enqueue_tickets($node, 11, 15);
wait_confirmed($node, 15, 60);
wait_until('the new events delivered to the platform', 60, sub {
	query($node, "SELECT count(*) FROM mint.delivery_log WHERE endpoint_id = 'platform' AND status = 'delivered'") == 15 });
my @after = (received())[$mark .. scalar(received()) - 1];
cmp_ok(scalar(@after), '>=', 5, 'requests after the grace (' . scalar(@after) . ')');
is(scalar(grep { $_->{nv1} != 1 || $_->{v1ok}[0] || !$_->{v1ok}[1] } @after), 0,
	'after the grace one v1 signature each: the new secret verifies it, the old one does not');
is(scalar(grep { $_->{r} eq 'bad_signature' } received()), 0, 'no request failed verification');

# 4. A delivery given up (as the worker leaves one whose own attempts ran
# out), sent again by an operator.
my ($gid, $gseq) = split /\|/, $node->safe_psql('postgres', q{
	UPDATE mint.outbound_deliveries SET status = 'failed', attempts = 4, last_error = 'HTTP 503'
	 WHERE endpoint_id = 'platform' AND seq = 13 RETURNING event_id, seq});
$mark = scalar(received());
is($node->safe_psql('postgres', "SELECT mint.redeliver_event('t', 'platform', '$gid')"), 't',
	'mint.redeliver_event makes the given-up delivery pending');
all_delivered('the given-up delivery delivered');
my @retry = grep { $_->{r} eq 'accepted' } (received())[$mark .. scalar(received()) - 1];
is(join(',', map { $_->{id} } @retry), $gid, 'that event was sent again, once');
my %ev2 = events();
is($retry[0]{sha256}, $ev2{$gid}{sha}, 'with its payload as the body');

# 5. Retention: three hours later (the events made older), worker 0 reaps
# at its next turn (a restarted worker reaps at once).  Events 1-10 go with
# their deliveries; 11-15 stay: their deliveries to the disabled endpoint
# are pending.
$node->safe_psql('postgres', "UPDATE mint.events SET occurred_at = occurred_at - interval '3 hours'");
sub restart_worker
{
	my ($pid) = worker_pids($node);
	$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
	wait_until('the worker back', 30, sub {
		my @p = worker_pids($node);
		return @p && $p[0] != $pid && query($node, 'SELECT state FROM mint.worker_status') =~ /^(idle|working)$/; });
}
restart_worker();
wait_until('events 1-10 reaped', 30, sub {
	query($node, "SELECT count(*) FROM mint.events WHERE tenant_id = 't'") == 5 });
is(query($node, "SELECT min(seq) || '-' || max(seq) FROM mint.events WHERE tenant_id = 't'"), '11-15',
	'events 11-15 are kept: no gap');
is(query($node, "SELECT mint.events_oldest('t')"), '11', 'mint.events_oldest says so');
is(query($node, "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM mint.events_since('t', 3)"), '11,12,13,14,15',
	'a consumer behind the oldest gets the feed from the oldest kept');
is(query($node, "SELECT count(*) FROM mint.outbound_deliveries WHERE seq <= 10"), '0',
	'the reaped events\' deliveries went with them');
is(query($node, "SELECT endpoint_id, count(*) FROM mint.delivery_log WHERE status = 'pending' GROUP BY 1"), 'archive|5',
	'the disabled endpoint\'s deliveries wait');

# 6. The disabled endpoint, enabled, resumes from where it stopped; once
# everything is delivered the worker reaps the rest; numbering goes on.
$mark = scalar(received());
$node->safe_psql('postgres', "SELECT mint.enable_outbound_endpoint('t', 'archive')");
all_delivered('the archive endpoint caught up');
my @arch = grep { $_->{r} eq 'accepted' && $_->{path} eq '/archive' } (received())[$mark .. scalar(received()) - 1];
is(join(',', map { $_->{seq} } @arch), '11,12,13,14,15', 'the archive endpoint got 11-15, in order');
is(scalar(grep { !$_->{v1ok}[2] } @arch), 0, 'signed with its own secret');
restart_worker();
wait_until('every event reaped', 30, sub {
	query($node, "SELECT count(*) FROM mint.events WHERE tenant_id = 't'") == 0 });
is(query($node, "SELECT count(*) FROM mint.outbound_deliveries"), '0', 'and every delivery');
is(query($node, "SELECT mint.events_oldest('t')"), '16', 'nothing kept: the oldest is the next number');
enqueue_tickets($node, 16, 16);
wait_confirmed($node, 16, 60);
wait_until('the next event', 30, sub {
	query($node, "SELECT count(*) FROM mint.events_since('t', 0)") == 1 });
is(query($node, "SELECT seq || ' ' || ticket_id FROM mint.events_since('t', 0)"), '16 T-16', 'numbering goes on at 16');
check_exactly_once($node, $fake, 1, 16);

stop_receiver();
$node->stop;
stop_fake($fake);
done_testing();
