# A change of mint.rpc_url (SIGHUP) to a cluster whose chain is lower must
# not carry the old cluster's finalized height over: it would "prove"
# signatures of the new cluster expired while they land, and a second
# transaction would mint the ticket again.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use Test::More;

my $a = start_fake(slot_ms => 10, finalized_lag => 4, seed => 17);
fake_control($a, advance => 3000);
my $node = new_mint_node('switch', $a);
enqueue_tickets($node, 0, 0);
wait_confirmed($node, 1, 60);

# A fresh cluster, near height 0, with slower blocks than A's finalized lead.
my $b = start_fake(slot_ms => 100, finalized_lag => 8, seed => 18);
$node->safe_psql('postgres', "ALTER SYSTEM SET mint.rpc_url = '$b->{url}'; SELECT pg_reload_conf()");
enqueue_tickets($node, 1, 100);
wait_confirmed($node, 101, 120);
my $ledger = fake_ledger($b);
my %n;
$n{ $_->{uri} }++ for grep { !defined $_->{err} } @{ $ledger->{mints} };
is(scalar(grep { $n{$_} > 1 } keys %n), 0, 'no ticket minted twice on the new cluster');
is(scalar(keys %n), 100, 'the 100 new tickets minted there once each');
is($node->safe_psql('postgres', "SELECT count(*) FROM mint.mint_attempts WHERE state = 'expired'"),
	'0', 'no attempt was declared expired on the old cluster\'s height');

$node->stop;
stop_fake($a);
stop_fake($b);
done_testing();
