# Operator signals: every condition that stops a worker's progress shows in
# mint.worker_status (state, reason_code, reason) and, for the jobs it holds
# back, in their last error; fixing the condition lets the jobs land.  URLs
# are shown and logged with their credentials redacted.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 19);
# no mint.keypair_path at all
my $node = new_mint_node('signals', $fake, 'mint.keypair_path' => undef, 'mint.backoff_max' => "'500ms'");
my $key = write_keypair(PostgreSQL::Test::Utils::tempdir() . '/payer.json');

sub status { $node->safe_psql('postgres', 'SELECT state, reason_code, reason FROM mint.worker_status') }
sub job_error
{
	my ($ticket, $tenant) = @_;
	$tenant //= 't';
	return $node->safe_psql('postgres', "SELECT concat_ws('|', status, last_error_class, last_error_code, last_error_message)
		FROM mint.mint_jobs WHERE tenant_id = '$tenant' AND ticket_id = '$ticket'");
}
sub set_conf
{
	my (%kv) = @_;
	$node->safe_psql('postgres', join('', map { "ALTER SYSTEM SET $_ = '$kv{$_}';" } sort keys %kv)
		. 'SELECT pg_reload_conf();');
}
sub blocked_with
{
	my ($what, $code, $ticket) = @_;
	wait_until("the worker to be blocked by $code", 30, sub { ((split /\|/, status())[1] // '') eq $code });
	like(status(), qr/^blocked\|\Q$code\E\|.+/, "$what: worker_status says blocked, $code, with a reason");
	wait_until("$ticket to be told", 30, sub { job_error($ticket) =~ /\|blocked\|\Q$code\E\|/ });
	like(job_error($ticket), qr/^(queued|in_flight)\|blocked\|\Q$code\E\|.+/, "$what: the held-back job says so");
}

# 1. no keypair
enqueue_tickets($node, 1, 1);
blocked_with('no keypair', 'no_keypair', 'T-1');
like(status(), qr/mint\.keypair_path is not set/, 'the reason names the setting');

# 2. a keypair readable by others, 3. a keypair that cannot be opened
chmod(0644, $key);
set_conf('mint.keypair_path' => $key);
blocked_with('keypair too open', 'keypair_too_open', 'T-1');
like(status(), qr/mode 0644/, 'the reason gives the mode');
chmod(0600, $key);
set_conf('mint.keypair_path' => "$key.missing");
blocked_with('keypair unreadable', 'keypair_unreadable', 'T-1');

# fixed: the job lands and its last error is gone
set_conf('mint.keypair_path' => $key);
wait_until('T-1 to be confirmed', 30, sub { job_error('T-1') eq 'confirmed' });
is(job_error('T-1'), 'confirmed', 'fixed: the job lands, no error left on it');
like(status(), qr/^(idle|working)\|\|$/, 'fixed: the worker is no longer blocked');

# 4. the RPC endpoint unreachable; its URL carries a credential
my $closed = PostgreSQL::Test::Cluster::get_free_port();
my $secret = 'k3y-0f-the-0perator';
set_conf('mint.rpc_url' => "http://user:pw\@127.0.0.1:$closed/v0/?api-key=$secret");
enqueue_tickets($node, 2, 2);
blocked_with('RPC unreachable', 'rpc_unreachable', 'T-2');
is($node->safe_psql('postgres', 'SELECT rpc_url FROM mint.worker_status'),
	"http://***\@127.0.0.1:$closed/v0/?api-key=***", 'the URL is shown redacted');
unlike(status(), qr/\Q$secret\E|pw\@/, 'the reason does not show the credential');
# The test's own ALTER SYSTEM is logged (log_statement), and the postmaster
# logs every setting a reload changes ("parameter ... changed to"), which no
# extension can prevent (docs/DEPLOYMENT.md says so); nothing else may show it.
is(scalar(grep { /\Q$secret\E/ && !/statement: ALTER SYSTEM|parameter "mint\.rpc_url" changed to/ }
		split /\n/, PostgreSQL::Test::Utils::slurp_file($node->logfile)),
	0, 'the worker never logged the credential');
like(PostgreSQL::Test::Utils::slurp_file($node->logfile), qr{rpc http://\*\*\*\@127\.0\.0\.1:\d+/v0/\?api-key=\*\*\*},
	'the worker logs the URL redacted');
set_conf('mint.rpc_url' => $fake->{url});
wait_until('T-2 to be confirmed', 30, sub { job_error('T-2') eq 'confirmed' });
is(job_error('T-2'), 'confirmed', 'reachable again: the job lands');

# 5-7. trees that cannot be minted into hold back their own tenant only
my %tree = (
	missing => 'Ey5pU4D8RMdrLBy1oAiMgCpX6d6N6pqtTh1KKuh9Bzvd',   # not on the cluster
	foreign => '6BwfWRhXx4AQzE3sGvv3LXv1fLhDzVj2zhUnRTnmJpsT',   # another key's tree
	plain   => 'CN3Wb3c7XaGNTqWR1TXozLBtDHpNGfAvWLjCdsSbRBfr');  # no Bubblegum tree config
fake_control($fake, add_tree => "$tree{foreign}:$OWNER");
fake_control($fake, add_tree => "$tree{plain}:$PAYER:no-config");
my %code = (missing => 'tree_not_found', foreign => 'not_tree_authority', plain => 'not_bubblegum_tree');
for my $k (sort keys %tree)
{
	$node->safe_psql('postgres', qq{
		SELECT mint.register_tree('$k', '$tree{$k}');
		SELECT mint.mint_ticket('$k', 'X-1', '$OWNER', '{"name": "x", "uri": "https://tickets.example/t/$k.json"}');
	});
}
enqueue_tickets($node, 3, 3);
for my $k (sort keys %tree)
{
	# (first "tree_not_checked" until the worker has read the tree, then its problem)
	wait_until("X-1 of $k to be held back", 30, sub { job_error('X-1', $k) =~ /\|blocked\|$code{$k}\|/ });
	like(job_error('X-1', $k), qr/^queued\|blocked\|$code{$k}\|.*\Q$tree{$k}\E/,
		"$k tree: the job is held back, queued, with $code{$k} naming the tree");
}
like(job_error('X-1', 'foreign'), qr/neither the creator \(\Q$OWNER\E\)/, 'the authority problem names the creator');
wait_until('T-3 to be confirmed', 30, sub { job_error('T-3') eq 'confirmed' });
is(job_error('T-3'), 'confirmed', 'a tenant whose tree is fine is not held back');
like(status(), qr/^(idle|working)\|(tree_not_found|not_tree_authority|not_bubblegum_tree)\|/,
	'worker_status shows a tree problem without being blocked');
like(PostgreSQL::Test::Utils::slurp_file($node->logfile), qr/tree \Q$tree{missing}\E cannot be minted into \(tree_not_found\)/,
	'the tree problem is in the server log');
is(scalar(grep { $_->{uri} =~ m{/(missing|foreign|plain)\.json$} } @{ fake_ledger($fake)->{mints} }), 0,
	'nothing was sent for the held-back jobs');

# the missing tree appears (created by our key): its job lands
fake_control($fake, add_tree => "$tree{missing}:$PAYER");
wait_until('the missing tree\'s job to be confirmed', 60, sub { job_error('X-1', 'missing') eq 'confirmed' });
is(job_error('X-1', 'missing'), 'confirmed', 'the tree exists now: the job lands');
is($node->safe_psql('postgres', "SELECT attempts FROM mint.mint_jobs WHERE tenant_id = 'missing'"), '1',
	'being held back cost no attempt');

$node->stop;
stop_fake($fake);
done_testing();
