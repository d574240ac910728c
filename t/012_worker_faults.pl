# The RPC misbehaves: 20 % lost responses (the transaction lands, the answer
# is lost), 50 % of sends that never land (a re-broadcast may), 5 % 5xx, 5 % timeouts, all at
# once.  Still exactly one mint per ticket, every ticket confirmed.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use Test::More;

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 12);
my $node = new_mint_node('faults', $fake, 'mint.rpc_timeout' => "'500ms'");
fake_control($fake, p_lost_response => 0.20, p_never_lands => 0.50, p_5xx => 0.05,
	p_timeout => 0.05);
my $n = 500;
enqueue_tickets($node, 0, $n - 1);
wait_confirmed($node, $n, 300);
check_exactly_once($node, $fake, 0, $n - 1);

my $stats = fake_get($fake, '/stats');
note explain $stats;
my $attempts = $node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_attempts");
cmp_ok($attempts, '>', $n,
	"some tickets needed a second attempt (never-landing transactions expired): $attempts attempts");
is($node->safe_psql('postgres',
	"SELECT count(*) FROM mint.mint_jobs j WHERE (SELECT count(*) FROM mint.mint_attempts a
	   WHERE a.tenant_id = j.tenant_id AND a.ticket_id = j.ticket_id AND a.state = 'landed_ok') <> 1"),
	'0', 'exactly one landed attempt per job');

$node->stop;
stop_fake($fake);
done_testing();
