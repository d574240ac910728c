# Fees that land under congestion.  The fake cluster is congested: a
# transaction paying less than 1,000 micro-lamports per compute unit never
# lands (the leader fills its blocks with better-paying ones), and
# getRecentPrioritizationFees reports a market of 0, 200, ... 1,800 (each in
# 15 of the last 150 slots: its 25th percentile is 400).
#  1. A fixed fee below the market (mint.priority_fee = 500): attempts expire
#     one after another, nothing lands, each pays exactly 500.
#  2. A dynamic fee (mint.priority_fee_max = 800, below the market): each
#     re-built attempt pays more, never more than the cap; still nothing lands.
#  3. The cap raised to 2,000 at the 25th percentile: a new ticket's attempts
#     pay 400, 900, 1,400 (a quarter of the cap more each time), the third
#     lands; every ticket confirmed exactly once; the fee each attempt
#     recorded is the price its signed bytes carried (the fake's ledger).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use Test::More;

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, blockhash_window => 30,
	min_priority_fee => 1000, seed => 24);
my $node = new_mint_node('fees', $fake, 'mint.priority_fee' => 500, 'mint.max_attempts' => 50);

sub attempts_of
{
	my ($from, $to) = @_;
	my %fees;
	for my $line (split /\n/, query($node, qq{
		SELECT ticket_id, attempt_no, coalesce(priority_fee, -1), coalesce(compute_unit_limit, -1),
		       state, signature
		  FROM mint.mint_attempts
		 WHERE substr(ticket_id, 3)::int BETWEEN $from AND $to
		 ORDER BY ticket_id, attempt_no}))
	{
		my ($t, $n, $fee, $limit, $state, $sig) = split /\|/, $line;
		push @{ $fees{$t} }, { n => $n, fee => $fee, limit => $limit, state => $state, sig => $sig };
	}
	return \%fees;
}

sub reload
{
	my (%conf) = @_;
	$node->append_conf('postgresql.conf', join('', map { "$_ = $conf{$_}\n" } sort keys %conf));
	$node->reload;
}

sub min_attempts
{
	my ($from, $to) = @_;
	return query($node, qq{SELECT coalesce(min(attempts), 0) FROM mint.mint_jobs
		WHERE substr(ticket_id, 3)::int BETWEEN $from AND $to});
}

# 1. a fixed fee below the market
enqueue_tickets($node, 1, 10);
ok(wait_for(120, sub { min_attempts(1, 10) >= 3 }), 'fixed fee: every ticket re-built at least twice');
my $a = attempts_of(1, 10);
my @all = map { @$_ } values %$a;
is(scalar(grep { $_->{fee} != 500 } @all), 0, 'every attempt pays the fixed fee (' . scalar(@all) . ' attempts)');
is(scalar(grep { $_->{limit} <= 0 } @all), 0, 'every attempt carries a compute-unit limit');
is(query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'"), 0,
	'nothing confirmed');
is(scalar(@{ fake_ledger($fake)->{mints} }), 0, 'nothing landed: a fixed fee below the market is priced out');

# 2. a dynamic fee with a cap below the market
reload('mint.priority_fee' => 0, 'mint.priority_fee_max' => 800, 'mint.priority_fee_percentile' => 25);
enqueue_tickets($node, 11, 15);
ok(wait_for(120, sub { min_attempts(11, 15) >= 4 }), 'capped below the market: re-built again and again');
$a = attempts_of(11, 15);
@all = map { @$_ } values %$a;
is(scalar(grep { $_->{fee} > 800 || $_->{fee} < 400 } @all), 0,
	'no attempt pays more than the cap, none less than the percentile');
my $rising = 0;
for my $t (keys %$a)
{
	my @f = map { $_->{fee} } @{ $a->{$t} };
	$rising++ if $f[0] == 400 && $f[1] == 600 && $f[2] == 800 && !grep { $_ != 800 } @f[3 .. $#f];
}
is($rising, 5, 'each ticket pays 400, 600, then the cap of 800 (a quarter of the cap more per re-build)');
is(scalar(@{ fake_ledger($fake)->{mints} }), 0, 'still nothing landed');

# 3. the cap above the market
reload('mint.priority_fee_max' => 2000);
enqueue_tickets($node, 16, 40);
ok(wait_for(180, sub {
	query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == 40 }),
	'with a cap above the market every ticket is confirmed');
check_exactly_once($node, $fake, 1, 40);
$a = attempts_of(16, 40);
my ($stepped, $third) = (0, 0);
for my $t (keys %$a)
{
	my @f = map { $_->{fee} } @{ $a->{$t} };
	# attempt n pays min(2000, 400 + 500 (n - 1)); the first at or above the market lands
	# (a slow machine can let one expire unsent: then the next one, dearer, lands)
	my $rule = !grep { $f[$_] != ($_ * 500 + 400 < 2000 ? $_ * 500 + 400 : 2000) } 0 .. $#f;
	$stepped++ if $rule && @f >= 3 && $a->{$t}[-1]{state} eq 'landed_ok';
	$third++ if "@f" eq '400 900 1400';
}
is($stepped, 25, 'a new ticket pays 400, 900, 1,400 (and more if need be): its first attempts below the market never land');
note "$third of 25 landed on exactly the third attempt";
$a = attempts_of(1, 40);
@all = map { @$_ } values %$a;
is(scalar(grep { $_->{fee} > 2000 } @all), 0, 'no attempt ever paid more than the cap');
my %price = map { $_->{signature} => $_->{cu_price} } grep { !defined $_->{err} } @{ fake_ledger($fake)->{mints} };
my @landed = grep { $_->{state} eq 'landed_ok' } @all;
is(scalar(grep { defined $price{ $_->{sig} } && $price{ $_->{sig} } == $_->{fee} } @landed), 40,
	'each landed attempt recorded the price its signed bytes carried');
is(scalar(grep { $_->{fee} < 1000 } @landed), 0, 'nothing paying below the market landed');

$node->stop;
stop_fake($fake);
done_testing();
