# The fake cluster's webhook log (one delivery per landed transaction,
# failures included) replayed into mint.process_webhook() (docs/AUDIT.md WI3-WI5),
# once with Standard Webhooks deliveries and once with Helius ones:
#  1. after the worker confirmed every job: nothing changes;
#  2. with the confirmations forgotten (as if the worker never saw them),
#     three times, shuffled: every job is confirmed once, by the webhook,
#     with the ledger's signature, asset id and leaf nonce; every other
#     delivery is a duplicate; failures never move a job; nothing else moves.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use MIME::Base64;
use Encode qw(encode);
use JSON::PP;
use List::Util qw(shuffle);
use PostgreSQL::Test::Utils;
use Test::More;

my $SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
my $AUTH   = 'Bearer helius-test-value';
my ($node, $log);

scenario('standard', 40);
scenario('helius', 20);
done_testing();

sub scenario
{
	my ($style, $N) = @_;    # tickets T-0 .. T-<N-1>; T-0 .. T-4 fail once first
	note "---- $style ----";
	$log = PostgreSQL::Test::Utils::tempdir() . '/webhooks.log';
	my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 20, webhook_log => $log,
		$style eq 'standard' ? (webhook_secret => $SECRET)
		                     : (webhook_style => 'helius', webhook_auth => $AUTH));
	$node = new_mint_node("webhook_$style", $fake);
	$node->safe_psql('postgres', "SELECT mint.add_webhook_endpoint('fake', '$style', '"
		  . ($style eq 'standard' ? $SECRET : $AUTH) . "')");

	# Five tickets land with an instruction error (failed), then are retried.
	fake_control($fake, p_tx_error => 1.0);
	enqueue_tickets($node, 0, 4);
	wait_until('5 failed jobs', 60, sub {
		$node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'failed'") == 5 });
	fake_control($fake, p_tx_error => 0.0);
	$node->safe_psql('postgres',
		"SELECT mint.retry_mint('t', ticket_id) FROM mint.mint_jobs WHERE status = 'failed'");
	enqueue_tickets($node, 5, $N - 1);
	wait_confirmed($node, $N, 120);
	check_exactly_once($node, $fake, 0, $N - 1);

	# Every landed transaction (ok or not) has its delivery in the log.
	my $landed = scalar(@{ fake_ledger($fake)->{mints} });
	wait_until('the webhook log', 20, sub { -e $log && scalar(read_log()) == $landed });
	my @deliveries = read_log();
	my $failures = grep { $_->{body} =~ /"type":"mint\.failed"|"transactionError":[^n]/ } @deliveries;
	is(scalar(@deliveries), $N + 5, "one delivery per landed transaction ($N confirmed, 5 failed)");
	is($failures, 5, 'the failed transactions are in the log');

	my $JOBS = q{SELECT ticket_id, status, signature, asset_id, leaf_nonce, merkle_tree, attempts,
	                    coalesce(last_error_class, '')
	               FROM mint.mint_jobs ORDER BY ticket_id};
	my $ATTEMPTS = q{SELECT ticket_id, attempt_no, signature, state FROM mint.mint_attempts
	                  ORDER BY ticket_id, attempt_no};
	my $jobs_before     = $node->safe_psql('postgres', $JOBS);
	my $attempts_before = $node->safe_psql('postgres', $ATTEMPTS);
	my $nonces = $node->safe_psql('postgres',
		"SELECT count(*) FROM mint.mint_jobs WHERE leaf_nonce IS NOT NULL AND asset_id IS NOT NULL");
	is($nonces, $N, 'the worker stored asset id and leaf nonce');

	# 1. Late deliveries after the worker confirmed everything: ignored, no change.
	my %a = replay(1, @deliveries);
	is($a{'ignored/200'} // 0, $N + 5, 'late deliveries are accepted and ignored');
	is($node->safe_psql('postgres', $JOBS), $jobs_before, 'no job changed');
	is($node->safe_psql('postgres', $ATTEMPTS), $attempts_before, 'no attempt changed');

	# 2. Forget every confirmation (the worker stopped before it saw them) and
	#    the webhook events, then replay the log three times, shuffled.
	$node->append_conf('postgresql.conf', "mint.workers = 0\n");
	$node->restart;
	$node->safe_psql('postgres', q{
		DELETE FROM mint.webhook_events;
		UPDATE mint.mint_attempts SET state = 'pending', resolved_at = NULL WHERE state = 'landed_ok';
		UPDATE mint.mint_jobs SET status = 'submitted', asset_id = NULL, leaf_nonce = NULL,
		       merkle_tree = NULL, confirmed_at = NULL
		 WHERE status = 'confirmed';
	});
	is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'"),
		'0', 'no job confirmed before the replay');

	srand(20);
	%a = replay(3, @deliveries);
	is($a{'processed/200'} // 0, $N, 'each confirmation applied once');
	is($a{'ignored/200'} // 0, 5, 'each failure of a dead attempt stored and ignored once');
	is($a{'already_processed/200'} // 0, 2 * ($N + 5), 'every other delivery a duplicate');
	is(join(',', grep { !/^(processed|ignored|already_processed)\/200$/ } sort keys %a), '',
		'no delivery rejected');
	is($node->safe_psql('postgres', $JOBS), $jobs_before,
		'every job confirmed with the signature, asset id and leaf nonce the worker had seen');
	is($node->safe_psql('postgres', $ATTEMPTS), $attempts_before, 'the attempts are as the worker left them');
	is($node->safe_psql('postgres', "SELECT count(*) || ' ' || count(DISTINCT event_id) FROM mint.webhook_events"),
		($N + 5) . ' ' . ($N + 5), 'one stored event per delivery');
	is($node->safe_psql('postgres',
		"SELECT count(*) FROM mint.webhook_events WHERE status = 'processed' AND applied = 'confirmed'"),
		$N, 'the stored events say which ones confirmed a job');
	check_exactly_once($node, $fake, 0, $N - 1);
	is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_jobs WHERE updated_at > confirmed_at"),
		'0', 'no job touched after its confirmation');

	$node->stop;
	stop_fake($fake);
}

sub read_log
{
	open(my $fh, '<', $log) or return ();
	my @d = map { decode_json($_) } grep { /\S/ } <$fh>;
	close($fh);
	return @d;
}

# Deliver each delivery $times times, in a shuffled order; count the answers
# by "status/http_status".
sub replay
{
	my ($times, @d) = @_;
	my @all = shuffle((@d) x $times);
	my $sql = "CREATE TABLE IF NOT EXISTS replay (n serial, answer jsonb); TRUNCATE replay;\n";
	for my $x (@all)
	{
		my $h = encode_base64(encode_json($x->{headers}), '');
		my $b = encode_base64(encode('UTF-8', $x->{body}), '');
		$sql .= "INSERT INTO replay (answer) SELECT mint.process_webhook('fake', "
		  . "convert_from(decode('$h', 'base64'), 'UTF8')::jsonb, decode('$b', 'base64'));\n";
	}
	$node->safe_psql('postgres', $sql);
	my %count;
	for my $line (split /\n/, $node->safe_psql('postgres',
		"SELECT k || '|' || count(*) FROM (SELECT (answer->>'status') || '/' || (answer->>'http_status') AS k FROM replay) r GROUP BY k"))
	{
		my ($k, $v) = split /\|/, $line;
		$count{$k} = $v;
	}
	note explain \%count;
	return %count;
}
