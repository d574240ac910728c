# The extension must be preloaded, and what the API accepted survives a crash
# (docs/AUDIT.md IK3: keys are stored durably, with the job, never only in memory).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $owner = 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse';
my $meta  = '{"name":"D","uri":"https://example.com/d.json"}';

# Without shared_preload_libraries the extension refuses to load, clearly.
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
my ($ret, $out, $err) = $plain->psql('postgres', 'CREATE EXTENSION mint_ext');
isnt($ret, 0, 'CREATE EXTENSION fails without preloading');
like($err, qr/must be loaded via shared_preload_libraries/, 'error says why');
$plain->stop;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'mint_ext'\nmint.workers = 0\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION mint_ext;
	SELECT mint.register_tree('dur', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
});
my $first = $node->safe_psql('postgres',
	"SELECT job_id || ' ' || created || ' ' || replayed FROM mint.mint_ticket('dur', 'D-1', '$owner', '$meta', 'dur-key')");
is($first, 'mint:dur:D-1 true false', 'job created with a key');

# Crash: immediate shutdown, no checkpoint.
$node->stop('immediate');
$node->start;

my $again = $node->safe_psql('postgres',
	"SELECT job_id || ' ' || created || ' ' || replayed FROM mint.mint_ticket('dur', 'D-1', '$owner', '$meta', 'dur-key')");
is($again, 'mint:dur:D-1 true true', 'after a crash the key replays the original result');
($ret, $out, $err) = $node->psql('postgres',
	"SELECT mint.mint_ticket('dur', 'D-2', '$owner', '$meta', 'dur-key')");
like($err, qr/already used with different parameters/, 'and still rejects other parameters');
is($node->safe_psql('postgres', 'SELECT count(*) FROM mint.mint_jobs'), '1', 'one job');

$node->stop;
done_testing();
