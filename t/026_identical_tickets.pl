# Tickets with the same owner and the same metadata (a buyer's tickets of one
# kind) are different mints.  Under one blockhash their transactions would be
# the same bytes, so one signature and one mint on chain for all of them;
# the second record collided with the first's signature (a unique violation
# that stopped the worker at every restart).  Each must get transaction
# bytes of its own: 60 such tickets, two workers, one transaction.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $fake = start_fake(slot_ms => 50, finalized_lag => 2, seed => 26);
my $node = new_mint_node('identical', $fake, 'mint.workers' => 2);
my $n = 60;

$node->safe_psql('postgres', qq{
	SELECT count(*) FROM generate_series(1, $n) i,
	       mint.mint_ticket('t', 'same-' || i, '$MintTest::OWNER',
	                        '{"name": "General admission", "symbol": "TIX",
	                          "uri": "https://tickets.example/t/ga.json"}')});
wait_confirmed($node, $n, 120);

is(query($node, "SELECT count(DISTINCT signature) FROM mint.mint_attempts WHERE state = 'landed_ok'"),
	$n, "$n landed attempts, each its own signature");
is(query($node, "SELECT count(*) FROM mint.mint_attempts WHERE state <> 'landed_ok'"),
	0, 'and no other attempt: nothing was retried');
is(query($node, "SELECT count(DISTINCT asset_id) FROM mint.mint_jobs WHERE status = 'confirmed'"),
	$n, 'every job has an asset of its own');
cmp_ok(query($node, "SELECT count(DISTINCT compute_unit_limit) FROM mint.mint_attempts"),
	'>', 1, 'the transactions differ by the compute units they ask for');

my @ok = grep { !defined $_->{err} } @{ fake_ledger($fake)->{mints} };
is(scalar(@ok), $n, "the chain has $n mints");
my %sigs = map { $_->{signature} => 1 } @ok;
is(scalar(keys %sigs), $n, 'of as many transactions');
is(query($node, "SELECT count(*) FROM mint.mint_jobs j WHERE status = 'confirmed'
                   AND signature = ANY ('{" . join(',', keys %sigs) . "}'::text[])"),
	$n, 'and each job carries the signature of one of them');
unlike(slurp_file($node->logfile), qr/mint_attempts_signature_key/, 'no record collided');

$node->stop;
stop_fake($fake);

# A restarted worker no longer knows which bytes it built.  Under the same
# blockhash (the chain is paused here, so the blockhash stays) the next
# identical ticket is built into the bytes of the first one's recorded
# attempt.  The record refuses it, and the job is built again with more units.
# It used to be a unique violation that stopped the worker at every restart.
my $paused = start_fake(slot_ms => 50, finalized_lag => 2, seed => 126);
my $one = new_mint_node('restarted', $paused, 'mint.workers' => 1);
my $md = '{"name": "Balcony", "symbol": "TIX", "uri": "https://tickets.example/t/balcony.json"}';
# both builds are a fresh worker's first, so both take the paused chain's blockhash
sub restart_worker
{
	my ($before) = worker_pids($one);
	kill 'KILL', $before;
	wait_until('the worker is back', 60, sub { my ($now) = worker_pids($one); $now && $now != $before });
}
fake_control($paused, paused => JSON::PP::true);
restart_worker();
$one->safe_psql('postgres', "SELECT mint.mint_ticket('t', 'again-1', '$MintTest::OWNER', '$md')");
wait_until('the first attempt is recorded', 30, sub {
	query($one, "SELECT count(*) FROM mint.mint_attempts WHERE ticket_id = 'again-1'") == 1 });
restart_worker();
$one->safe_psql('postgres', "SELECT mint.mint_ticket('t', 'again-2', '$MintTest::OWNER', '$md')");
wait_until('the second attempt is recorded', 30, sub {
	query($one, "SELECT count(*) FROM mint.mint_attempts WHERE ticket_id = 'again-2'") == 1 });
is(query($one, "SELECT count(DISTINCT recent_blockhash) FROM mint.mint_attempts"), 1,
	'both attempts were made under one blockhash');
isnt(query($one, "SELECT compute_unit_limit FROM mint.mint_attempts WHERE ticket_id = 'again-2'"),
	query($one, "SELECT compute_unit_limit FROM mint.mint_attempts WHERE ticket_id = 'again-1'"),
	'the second asks for other units than the first');
fake_control($paused, paused => JSON::PP::false);
wait_confirmed($one, 2, 60);
@ok = grep { !defined $_->{err} } @{ fake_ledger($paused)->{mints} };
is(scalar(@ok), 2, 'the chain has both mints');
unlike(slurp_file($one->logfile), qr/mint_attempts_signature_key/, 'no record collided after the restart');

$one->stop;
stop_fake($paused);
done_testing();
