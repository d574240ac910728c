# Issue 13, finding 1: no tenant can aim at another tenant's advisory lock.
#
# The lock keys used to be PostgreSQL's hash_bytes_extended (Jenkins'
# lookup3) of tenant NUL name with a fixed seed.  lookup3's mix() and final()
# are invertible, so a tenant could compute one of its own ticket ids (or
# idempotency keys) whose key equals another tenant's, hold it in an open
# transaction, and make that tenant's calls wait and fail (55P03) or answer
# MX001.  This test
#
#  1. implements that old formula in Perl and checks it against the server's
#     own hash_bytes_extended (hashtextextended() is the same function over a
#     text's bytes) on strings of every tail length, so the Perl is the
#     server's hash;
#  2. forges, by inverting final() and mix(), a ticket id and an idempotency
#     key of tenant alpha whose old lock keys equal those of bravo's ticket
#     B-1 and key order-1005, and checks the collision under the old formula;
#  3. shows that with the keyed hash the forged ids no longer block bravo
#     (today's code: 55P03 after mint.lock_timeout, and MX001), and that the
#     keys in pg_locks are not the old formula's;
#  4. shows that the key is drawn per server start (the same ticket's lock
#     key differs after a restart), and that a worker holds one session lock
#     whose key is the id its jobs carry (mint_jobs.lease_holder).
#
# What it cannot prove: that SipHash-2-4 under a secret key resists such
# forgery; that is libsodium's and SipHash's claim.  It proves that the
# public, invertible formula is gone and that the key is shared and
# per start.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;

# ---------------------------------------------------------------------------
# PostgreSQL's hash_bytes_extended (src/common/hashfn.c, little-endian), its
# mix() and final(), and their inverses.
# ---------------------------------------------------------------------------
my $M    = 0xffffffff;
my $SEED = (0x6d696e74 << 32) | 0x5f657874;    # the old MINT_LOCK_SEED, "mint_ext"

sub rot { my ($x, $k) = @_; return (($x << $k) | ($x >> (32 - $k))) & $M }

sub mix
{
	my ($a, $b, $c) = @_;
	$a = ($a - $c) & $M; $a ^= rot($c, 4);  $c = ($c + $b) & $M;
	$b = ($b - $a) & $M; $b ^= rot($a, 6);  $a = ($a + $c) & $M;
	$c = ($c - $b) & $M; $c ^= rot($b, 8);  $b = ($b + $a) & $M;
	$a = ($a - $c) & $M; $a ^= rot($c, 16); $c = ($c + $b) & $M;
	$b = ($b - $a) & $M; $b ^= rot($a, 19); $a = ($a + $c) & $M;
	$c = ($c - $b) & $M; $c ^= rot($b, 4);  $b = ($b + $a) & $M;
	return ($a, $b, $c);
}

sub unmix
{
	my ($a, $b, $c) = @_;
	$b = ($b - $a) & $M; $c ^= rot($b, 4);  $c = ($c + $b) & $M;
	$a = ($a - $c) & $M; $b ^= rot($a, 19); $b = ($b + $a) & $M;
	$c = ($c - $b) & $M; $a ^= rot($c, 16); $a = ($a + $c) & $M;
	$b = ($b - $a) & $M; $c ^= rot($b, 8);  $c = ($c + $b) & $M;
	$a = ($a - $c) & $M; $b ^= rot($a, 6);  $b = ($b + $a) & $M;
	$c = ($c - $b) & $M; $a ^= rot($c, 4);  $a = ($a + $c) & $M;
	return ($a, $b, $c);
}

sub final
{
	my ($a, $b, $c) = @_;
	$c ^= $b; $c = ($c - rot($b, 14)) & $M;
	$a ^= $c; $a = ($a - rot($c, 11)) & $M;
	$b ^= $a; $b = ($b - rot($a, 25)) & $M;
	$c ^= $b; $c = ($c - rot($b, 16)) & $M;
	$a ^= $c; $a = ($a - rot($c, 4)) & $M;
	$b ^= $a; $b = ($b - rot($a, 14)) & $M;
	$c ^= $b; $c = ($c - rot($b, 24)) & $M;
	return ($a, $b, $c);
}

sub unfinal
{
	my ($a, $b, $c) = @_;
	$c = ($c + rot($b, 24)) & $M; $c ^= $b;
	$b = ($b + rot($a, 14)) & $M; $b ^= $a;
	$a = ($a + rot($c, 4)) & $M;  $a ^= $c;
	$c = ($c + rot($b, 16)) & $M; $c ^= $b;
	$b = ($b + rot($a, 25)) & $M; $b ^= $a;
	$a = ($a + rot($c, 11)) & $M; $a ^= $c;
	$c = ($c + rot($b, 14)) & $M; $c ^= $b;
	return ($a, $b, $c);
}

# The state after the seed and every whole 12-byte block of $k, for a key
# of $len bytes; and the tail.
sub absorb
{
	my ($k, $len) = @_;
	my $a = my $b = my $c = (0x9e3779b9 + $len + 3923095) & $M;
	($a, $b, $c) = mix(($a + ($SEED >> 32)) & $M, ($b + ($SEED & $M)) & $M, $c);
	my $off = 0;
	while (length($k) - $off >= 12)
	{
		my ($w0, $w1, $w2) = unpack('V3', substr($k, $off, 12));
		($a, $b, $c) = mix(($a + $w0) & $M, ($b + $w1) & $M, ($c + $w2) & $M);
		$off += 12;
	}
	return ($a, $b, $c, substr($k, $off));
}

sub old_hash
{
	my ($k) = @_;
	my ($a, $b, $c, $tail) = absorb($k, length($k));
	my @t = map { ord } split //, $tail;
	for my $i (0 .. $#t)
	{
		# bytes 0-3 go to a, 4-7 to b, 8-10 to c from its second byte
		if    ($i < 4) { $a = ($a + ($t[$i] << (8 * $i))) & $M }
		elsif ($i < 8) { $b = ($b + ($t[$i] << (8 * ($i - 4)))) & $M }
		else           { $c = ($c + ($t[$i] << (8 * ($i - 7)))) & $M }
	}
	($a, $b, $c) = final($a, $b, $c);
	return ($b << 32) | $c;
}

# The old mint_lock_key(tenant, name), as pg_locks shows it: "classid objid".
sub old_lock_key
{
	my ($tenant, $name) = @_;
	my $h = old_hash("$tenant\0$name");
	return sprintf('%u %u', $h >> 32, $h & $M);
}

# A 30-byte name for tenant $tenant (5 letters: 36 bytes in all, three whole
# blocks) starting with $prefix, whose old key is that of ($t2, $n2): random
# bytes fill the first two blocks; the third is solved for by running
# final() and mix() backwards from the target with a random first word,
# until its twelve bytes are printable ASCII (not '$': the tests dollar-quote).
sub forge
{
	my ($tenant, $prefix, $t2, $n2) = @_;
	my $target = old_hash("$t2\0$n2");
	my ($bt, $ct) = (($target >> 32) & $M, $target & $M);
	my @ok = grep { $_ ne '$' } map { chr } 0x21 .. 0x7e;
	my %ok = map { $_ => 1 } @ok;
	die "forge needs a 5-byte tenant and prefix" unless length($tenant) == 5 && length($prefix) == 5;
	for (1 .. 1000)
	{
		my $fill = join('', map { $ok[ int(rand(@ok)) ] } 1 .. 13);
		my ($a2, $b2, $c2) = absorb("$tenant\0$prefix$fill", 36);
		for (1 .. 5000)
		{
			my ($a3, $b3, $c3) = unmix(unfinal(int(rand(2**32)), $bt, $ct));
			my $w = pack('V3', ($a3 - $a2) & $M, ($b3 - $b2) & $M, ($c3 - $c2) & $M);
			next if grep { !$ok{$_} } split //, $w;
			return "$prefix$fill$w";
		}
	}
	die "no forgery found";
}

# ---------------------------------------------------------------------------
# The cluster: no worker at first.
# ---------------------------------------------------------------------------
my $fake = start_fake(slot_ms => 400, finalized_lag => 32, seed => 30);
my $node = init_mint_node('lock_keys', $fake, 'mint.workers' => 0);
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION mint_ext;
	SELECT mint.register_tree('alpha', '$TREE');
	SELECT mint.register_tree('bravo', '$TREE');
	CREATE ROLE regress_alpha LOGIN;
	CREATE ROLE regress_bravo LOGIN;
	SELECT mint.grant_tenant('alpha', 'regress_alpha');
	SELECT mint.grant_tenant('bravo', 'regress_bravo');
});
my $meta = '{"name": "Seat", "uri": "https://tickets.example/s.json"}';

# 1. The Perl formula is the server's hash_bytes_extended.
{
	my @s = map {
		my $l = $_;
		join('', map { chr(0x21 + int(rand(94))) } 1 .. $l) =~ s/\$/x/gr
	} (0 .. 40, 12, 24, 36);
	my $got = $node->safe_psql('postgres',
		'SELECT concat_ws(\' \', ' . join(", ", map { "hashtextextended(\$q\$$_\$q\$, $SEED)" } @s) . ')');
	my @want = map { unpack('q', pack('Q', old_hash($_))) } @s;
	is($got, join(' ', @want),
		'the Perl lookup3 equals the server\'s hash_bytes_extended for ' . scalar(@s) . ' strings of 0 to 40 bytes');
}

# 2. Forgeries against the old formula.
my $evil_ticket = forge('alpha', 'EVIL-', 'bravo', 'B-1');
my $evil_key    = forge('alpha', 'EVIL-', 'bravo', 'order-1005');
note "forged ticket id $evil_ticket, idempotency key $evil_key";
is(old_lock_key('alpha', $evil_ticket), old_lock_key('bravo', 'B-1'),
	"under the old formula alpha's ticket $evil_ticket has bravo's B-1's lock key");
is(old_lock_key('alpha', $evil_key), old_lock_key('bravo', 'order-1005'),
	"under the old formula alpha's key $evil_key has bravo's order-1005's lock key");
isnt(old_lock_key('alpha', 'A-1'), old_lock_key('bravo', 'B-1'), 'an ordinary pair does not collide');

# The advisory lock keys (classid objid) a backend holds in namespace $ns.
sub held_keys
{
	my ($pid, $ns) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT string_agg(classid || ' ' || objid, ',' ORDER BY classid, objid) FROM pg_locks
		 WHERE locktype = 'advisory' AND objsubid = $ns AND pid = $pid AND granted});
}

# 3. Alpha holds its forged ticket and key in an open transaction; bravo's
#    calls go through at once.
my $alpha = $node->background_psql('postgres', on_error_stop => 0);
$alpha->query_safe('SET ROLE regress_alpha');
my $alpha_pid = $alpha->query_safe('SELECT pg_backend_pid()');
$alpha->query_safe('BEGIN');
$alpha->query_safe(qq{SELECT created FROM mint.mint_ticket('alpha', \$q\$$evil_ticket\$q\$, '$OWNER', '$meta')});
$alpha->query_safe(qq{SELECT created FROM mint.mint_ticket('alpha', 'A-2', '$OWNER', '$meta',
	idempotency_key => \$q\$$evil_key\$q\$)});
my $alpha_ticket_keys = held_keys($alpha_pid, 19796);
my $alpha_key_keys = held_keys($alpha_pid, 19787);
like($alpha_ticket_keys, qr/^\d+ \d+,\d+ \d+$/, 'alpha holds two ticket locks (namespace 19796)');
like($alpha_key_keys, qr/^\d+ \d+$/, 'and one key lock (namespace 19787)');
unlike(",$alpha_ticket_keys,", qr/,\Q@{[old_lock_key('alpha', $evil_ticket)]}\E,/,
	"the forged ticket's lock key is not the old formula's");
isnt($alpha_key_keys, old_lock_key('alpha', $evil_key), "the forged idempotency key's lock key is not the old formula's");

my ($ret, $out, $err) = $node->psql('postgres', qq{
	SET ROLE regress_bravo;
	SET mint.lock_timeout = '2s';
	SELECT created FROM mint.mint_ticket('bravo', 'B-1', '$OWNER', '$meta');});
is("$ret|$out|$err", '0|t|', "bravo's B-1 is enqueued while alpha holds its forged ticket (was 55P03)");
($ret, $out, $err) = $node->psql('postgres', qq{
	SET ROLE regress_bravo;
	SELECT created FROM mint.mint_ticket('bravo', 'B-2', '$OWNER', '$meta', idempotency_key => 'order-1005');});
is("$ret|$out|$err", '0|t|', "bravo's key order-1005 is used while alpha holds its forged key (was MX001)");

# Bravo's locks, held in a transaction next to alpha's: other keys.
my $bravo = $node->background_psql('postgres', on_error_stop => 0);
$bravo->query_safe('SET ROLE regress_bravo');
$bravo->query_safe("SET mint.lock_timeout = '2s'");
my $bravo_pid = $bravo->query_safe('SELECT pg_backend_pid()');
$bravo->query_safe('BEGIN');
$bravo->query(qq{SELECT created FROM mint.mint_ticket('bravo', 'B-1', '$OWNER', '$meta')});
my $bravo_keys = held_keys($bravo_pid, 19796);
isnt($bravo_keys, old_lock_key('bravo', 'B-1'), "bravo's B-1 lock key is not the old formula's");
unlike(",$alpha_ticket_keys,", qr/,\Q$bravo_keys\E,/, "alpha's forged ticket and bravo's B-1 have different keys");
$bravo->query('COMMIT');
$bravo->quit;
$alpha->query_safe('COMMIT');
$alpha->quit;

# 4. The key is drawn per server start ...
sub lock_key_of
{
	my ($tenant, $ticket) = @_;
	my $s = $node->background_psql('postgres');
	my $pid = $s->query_safe('SELECT pg_backend_pid()');
	$s->query_safe('BEGIN');
	$s->query_safe(qq{SELECT created FROM mint.mint_ticket('$tenant', '$ticket', '$OWNER', '$meta')});
	my $k = held_keys($pid, 19796);
	$s->query_safe('ROLLBACK');
	$s->quit;
	return $k;
}
my $k1 = lock_key_of('alpha', 'A-1');
is(lock_key_of('alpha', 'A-1'), $k1, 'the same ticket has the same lock key in another session');
$node->restart;
my $k2 = lock_key_of('alpha', 'A-1');
isnt($k2, $k1, 'after a restart the same ticket has another lock key (the key is drawn at start)');
isnt($k2, old_lock_key('alpha', 'A-1'), 'neither is the old formula\'s');

# A worker holds one session lock (namespace 19799) on its incarnation's
# id, and the job it claimed names that id: while it watches a sent mint
# (finalized 32 blocks of 400 ms behind), the lock's key is W-1's lease_holder.
$node->safe_psql('postgres', 'DELETE FROM mint.idempotency_keys; DELETE FROM mint.mint_jobs');
$node->append_conf('postgresql.conf', "mint.workers = 1\n");
$node->restart;
$node->safe_psql('postgres', "SELECT created FROM mint.mint_ticket('alpha', 'W-1', '$OWNER', '$meta')");
wait_until('the worker to send W-1', 30, sub {
	$node->safe_psql('postgres', "SELECT status FROM mint.mint_jobs WHERE ticket_id = 'W-1'") eq 'submitted' });
my ($worker) = worker_pids($node);
my $worker_key = held_keys($worker, 19799);
like($worker_key, qr/^\d+ \d+$/, 'the worker holds one session lock in namespace 19799');
is($node->safe_psql('postgres', q{
	SELECT ((lease_holder >> 32) & 4294967295) || ' ' || (lease_holder & 4294967295)
	  FROM mint.mint_jobs WHERE ticket_id = 'W-1'}), $worker_key, "W-1's lease_holder is the key of the worker's lock");

$node->stop;
stop_fake($fake);
done_testing();
