# Crashes and lost answers against the real programs (svm cluster): the
# worker killed at its crash points between recording an attempt and
# sending it and between sending and recording the answer, kill -9 at random
# moments, answers to sendTransaction lost after the cluster accepted the
# transactions (svm/server.js POST /control/drop_responses), and a kill -9
# while answers are being lost.  Every ticket is still minted once, as the
# programs' own events say.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use MintTest;
use SvmTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

srand(32);
my $svm = start_svm(slot_ms => 20, finalized_lag => 4);
svm_airdrop($svm, $PAYER, 500_000_000_000);
my $tree = svm_create_tree($svm, max_depth => 14, max_buffer_size => 64, canopy_depth => 0);
my $ctree = svm_create_tree($svm, max_depth => 14, max_buffer_size => 64, canopy_depth => 0);
my $coll = svm_create_collection($svm);
my $crash_file = PostgreSQL::Test::Utils::tempdir() . '/crash';
my $node = svm_mint_node('svm_crash', $svm, 'mint.test_crash_file' => "'$crash_file'",
	'mint.batch_size' => 20);
$node->safe_psql('postgres', qq{
	SELECT mint.register_tree('c', '$tree->{tree}');
	SELECT mint.register_tree('cc', '$ctree->{tree}', '$coll->{mint}');
});
my $json = JSON::PP->new->utf8->canonical;
my $n = 0;
sub enqueue
{
	my ($count) = @_;
	for my $t (qw(c cc))
	{
		my @items = map {
			my $id = "C-" . ($n + $_);
			{ ticket_id => $id, owner => random_address(), metadata => random_metadata("$t/$id") }
		} 1 .. $count;
		query($node, "SELECT count(*) FROM mint.mint_tickets('$t', \$J\$" . $json->encode(\@items) . "\$J\$::jsonb)");
	}
	$n += $count;
}
sub replaced
{
	my ($before) = @_;
	my $deadline = time() + 30;
	while (time() < $deadline)
	{
		my ($now) = worker_pids($node);
		return 1 if $now && $now != $before;
		usleep(20_000);
	}
	return 0;
}

my %killed;
for my $round (1 .. 6)
{
	my ($before) = worker_pids($node);
	my $point = (qw(after_record after_send random))[ $round % 3 ];
	if ($point eq 'random')
	{
		enqueue(20);
		usleep(50_000 + int(rand(200_000)));
		kill 'KILL', $before;
	}
	else
	{
		# armed before the work arrives
		open(my $fh, '>', $crash_file) or die;
		print $fh "$point\n";
		close($fh);
		enqueue(20);
	}
	if (replaced($before)) { $killed{$point}++ }
	else { unlink $crash_file; note "round $round: $point not reached" }
}
unlink $crash_file;
my $kills = 0;
$kills += $_ for values %killed;
ok(($killed{after_record} // 0) >= 1 && ($killed{after_send} // 0) >= 1 && ($killed{random} // 0) >= 1 && $kills >= 5,
	"the worker died at each crash point and at random moments ($kills times: "
	  . join(', ', map { "$_ " . ($killed{$_} // 0) } qw(after_record after_send random)) . ')');

# Lost answers: the cluster executes the sends, the worker hears nothing.
svm_control($svm, 'drop_responses', count => 8);
enqueue(20);
wait_until('8 lost answers', 60, sub { svm_control($svm, undef)->{dropped_responses} >= 8 });
# and a kill -9 while answers are lost
svm_control($svm, 'drop_responses', count => 4);
my ($before) = worker_pids($node);
enqueue(20);
wait_until('a lost answer', 60, sub { svm_control($svm, undef)->{dropped_responses} >= 9 });
kill 'KILL', $before;
ok(replaced($before), 'killed while answers were lost');
cmp_ok(svm_control($svm, undef)->{dropped_responses}, '>=', 9, 'answers to sendTransaction were lost');
svm_control($svm, 'drop_responses', count => 0);

wait_until("$n tickets of each tenant confirmed", 240, sub {
	query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == 2 * $n });
check_svm_exactly_once($node, $svm, 'c', 'cc');
my $stats = decode_json(HTTP::Tiny->new->get("$svm->{url}/stats")->{content});
cmp_ok($stats->{methods}{sendTransaction}{duplicate} // 0, '>=', 1,
	'the same bytes were sent again (and not executed again)');
cmp_ok($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_attempts"), '>=', 2 * $n,
	"at least one recorded attempt per ticket ($n of each tenant)");

$node->stop;
stop_svm($svm);
done_testing();
