# Helpers for mint_ext's TAP tests: the fake Solana cluster, a cluster with
# the extension and its worker, tickets, and the ledger checks every worker
# test ends with.
package MintTest;

use strict;
use warnings;

use Exporter 'import';
use File::Spec;
use HTTP::Tiny;
use JSON::PP;
use Math::BigInt;
use POSIX ':sys_wait_h';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

our @EXPORT = qw(start_fake stop_fake fake_control fake_get fake_ledger write_keypair
  new_mint_node init_mint_node catalog_snapshot wait_for enqueue_tickets wait_until worker_pids check_exactly_once query
  wait_confirmed b58_encode b58_decode random_address $TREE $OWNER $PAYER);

our $TREE  = '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu';
our $OWNER = 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse';
# The fee payer of the tests: seed 32 x 0x01 (the reference vectors' payer).
our $PAYER = 'AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9';
my @PAYER_SECRET = ((1) x 32,
	map { hex } unpack('(A2)*', '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c'));

# Base58 (the Bitcoin alphabet) and random addresses (trees, owners).
my @B58 = split //, '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
my %B58 = map { $B58[$_] => $_ } 0 .. 57;

sub b58_encode
{
	my ($bytes) = @_;
	my $n = Math::BigInt->from_hex(unpack('H*', $bytes) || '0');
	my $s = '';
	while ($n > 0)
	{
		my ($q, $r) = $n->copy->bdiv(58);
		$s = $B58[$r] . $s;
		$n = $q;
	}
	my ($zeros) = $bytes =~ /^(\x00*)/;
	return ('1' x length($zeros)) . $s;
}

sub b58_decode
{
	my ($s) = @_;
	my $n = Math::BigInt->new(0);
	for my $c (split //, $s)
	{
		die "not base58: $s" unless exists $B58{$c};
		$n = $n * 58 + $B58{$c};
	}
	my $hex = $n->is_zero ? '' : substr($n->as_hex, 2);
	$hex = "0$hex" if length($hex) % 2;
	my ($ones) = $s =~ /^(1*)/;
	return ("\x00" x length($ones)) . pack('H*', $hex);
}

sub random_address { return b58_encode(join('', map { chr(int(rand(256))) } 1 .. 32)) }

my $root = $ENV{TESTDIR} // '.';

# Fakes still running when a test ends, even by dying halfway, are stopped.
my %running_fakes;
END { kill 'TERM', keys %running_fakes; }
my $http = HTTP::Tiny->new(timeout => 30, keep_alive => 0);

# Start fake/solana-fake on a free loopback port.  %opt are its options
# without the leading dashes (slot_ms => 10 gives --slot-ms 10); the tests'
# tree $TREE exists there, created by $PAYER, unless tree => undef.
sub start_fake
{
	my (%opt) = @_;
	# the tests' tree exists on the fake cluster, created by the tests' payer
	# (tree => undef: no tree at all)
	$opt{tree} = "$TREE:$PAYER" unless exists $opt{tree};
	delete $opt{tree} unless defined $opt{tree};
	my $dir = PostgreSQL::Test::Utils::tempdir();
	my $bin = File::Spec->rel2abs("$root/fake/solana-fake");
	die "fake cluster not built: $bin" unless -x $bin;
	my @cmd = ($bin, '--listen', '127.0.0.1:0', '--port-file', "$dir/port");
	for my $k (sort keys %opt)
	{
		(my $flag = $k) =~ tr/_/-/;
		push @cmd, "--$flag", $opt{$k};
	}
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		open(STDOUT, '>', "$dir/fake.log") or die;
		open(STDERR, '>&', \*STDOUT) or die;
		exec(@cmd) or die "exec $bin: $!";
	}
	my $deadline = time() + 20;
	while (!-s "$dir/port")
	{
		die "fake cluster did not start: " . slurp_file("$dir/fake.log") if time() > $deadline;
		usleep(20_000);
	}
	my $port = slurp_file("$dir/port");
	$port =~ s/\s+//g;
	note "fake cluster pid $pid on port $port";
	$running_fakes{$pid} = 1;
	return { pid => $pid, port => $port, url => "http://127.0.0.1:$port", dir => $dir };
}

sub stop_fake
{
	my ($fake) = @_;
	return unless $fake && $fake->{pid};
	kill 'TERM', $fake->{pid};
	waitpid($fake->{pid}, 0);
	delete $running_fakes{ $fake->{pid} };
	$fake->{pid} = 0;
}

sub fake_get
{
	my ($fake, $path) = @_;
	my $r = $http->get("$fake->{url}$path");
	die "GET $path: $r->{status} $r->{content}" unless $r->{success};
	return decode_json($r->{content});
}

sub fake_control
{
	my ($fake, %settings) = @_;
	my $r = $http->post("$fake->{url}/control",
		{ content => encode_json(\%settings), headers => { 'content-type' => 'application/json' } });
	die "POST /control: $r->{status} $r->{content}" unless $r->{success};
	return decode_json($r->{content});
}

sub fake_ledger { return fake_get($_[0], '/ledger') }

sub write_keypair
{
	my ($path) = @_;
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh '[' . join(',', @PAYER_SECRET) . ']';
	close($fh);
	chmod(0600, $path);
	return $path;
}

# A cluster with mint_ext preloaded, pointed at the fake, the extension
# created and tenant 't' registered.  %conf adds or overrides settings.
sub new_mint_node
{
	my ($name, $fake, %conf) = @_;
	my $node = init_mint_node($name, $fake, %conf);
	$node->start;
	$node->safe_psql('postgres', qq{
		CREATE EXTENSION mint_ext;
		SELECT mint.register_tree('t', '$TREE');
	});
	return $node;
}

# The same cluster, initialised and configured but neither started nor with
# the extension created.
sub init_mint_node
{
	my ($name, $fake, %conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	# allows_streaming => 1: a primary for standbys (not a setting)
	my $streaming = delete $conf{allows_streaming};
	# UTF8 whatever the machine's locale (a minimal Debian has none: SQL_ASCII)
	$node->init(extra => ['--encoding=UTF8'], $streaming ? (allows_streaming => 1) : ());
	my $key = write_keypair(PostgreSQL::Test::Utils::tempdir() . '/payer.json');
	my %settings = (
		shared_preload_libraries => "'mint_ext'",
		'mint.database'          => "'postgres'",
		'mint.rpc_url'           => "'$fake->{url}'",
		'mint.keypair_path'      => "'$key'",
		'mint.lease'             => "'3s'",
		'mint.poll_interval'     => "'50ms'",
		'mint.backoff_base'      => "'100ms'",
		'mint.backoff_max'       => "'1s'",
		'mint.rpc_timeout'       => "'2s'",
		'mint.max_attempts'      => 20,
		# a kill -9 of a worker makes the postmaster reinitialise; go on after it
		restart_after_crash      => 'on',
		%conf);
	delete $settings{$_} for grep { !defined $settings{$_} } keys %settings;
	$node->append_conf('postgresql.conf',
		join('', map { "$_ = $settings{$_}\n" } sort keys %settings));
	return $node;
}

# Every object of the extension in database $db, with its definition,
# privileges and comment, one line each, sorted: two databases whose
# snapshots are equal have the same extension objects.
sub catalog_snapshot
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, q{
		WITH m AS (
			SELECT d.classid, d.objid
			  FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
			 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
			   AND e.extname = 'mint_ext')
		SELECT pg_describe_object(m.classid, m.objid, 0) || ' => ' || COALESCE(CASE m.classid
			WHEN 'pg_proc'::regclass THEN (
				SELECT pg_get_functiondef(p.oid) || ' acl=' || COALESCE(p.proacl::text, '')
				  FROM pg_proc p WHERE p.oid = m.objid)
			WHEN 'pg_class'::regclass THEN (
				SELECT c.relkind::text || ' acl=' || COALESCE(c.relacl::text, '')
				    || ' options=' || COALESCE(c.reloptions::text, '')
				    || ' view=' || COALESCE(pg_get_viewdef(c.oid), '')
				    || ' columns=' || COALESCE((
				         SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
				                || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
				                || COALESCE(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
				                || COALESCE(' acl=' || a.attacl::text, ''), ', ' ORDER BY a.attnum)
				           FROM pg_attribute a
				           LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
				          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
				    || ' constraints=' || COALESCE((
				         SELECT string_agg(x.conname || ' ' || pg_get_constraintdef(x.oid), ', '
				                           ORDER BY x.conname)
				           FROM pg_constraint x WHERE x.conrelid = c.oid), '')
				    || ' indexes=' || COALESCE((
				         SELECT string_agg(pg_get_indexdef(i.indexrelid), ', '
				                           ORDER BY pg_get_indexdef(i.indexrelid))
				           FROM pg_index i WHERE i.indrelid = c.oid), '')
				    || ' triggers=' || COALESCE((
				         SELECT string_agg(pg_get_triggerdef(t.oid), ', ' ORDER BY t.tgname)
				           FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal), '')
				    || ' policies=' || COALESCE((
				         SELECT string_agg(pol.polname || ' ' || pol.polcmd::text
				                           || COALESCE(pg_get_expr(pol.polqual, pol.polrelid), ''),
				                           ', ' ORDER BY pol.polname)
				           FROM pg_policy pol WHERE pol.polrelid = c.oid), '')
				    || ' rls=' || c.relrowsecurity::text
				  FROM pg_class c WHERE c.oid = m.objid)
			WHEN 'pg_type'::regclass THEN (
				SELECT t.typtype::text || ' acl=' || COALESCE(t.typacl::text, '')
				    || ' labels=' || COALESCE((
				         SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
				           FROM pg_enum e WHERE e.enumtypid = t.oid), '')
				    || ' attributes=' || COALESCE((
				         SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod),
				                           ', ' ORDER BY a.attnum)
				           FROM pg_attribute a
				          WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '')
				  FROM pg_type t WHERE t.oid = m.objid)
			END, '')
			|| ' comment=' || COALESCE((
			     SELECT ds.description FROM pg_description ds
			      WHERE ds.objoid = m.objid AND ds.classoid = m.classid AND ds.objsubid = 0), '')
		  FROM m
		UNION ALL
		SELECT 'configuration table ' || t.tab || ' => ' || t.cond
		  FROM pg_extension e,
		       unnest(e.extconfig::regclass[]::text[], e.extcondition) AS t(tab, cond)
		 WHERE e.extname = 'mint_ext'
		ORDER BY 1});
}

# Tickets T-<from>..T-<to> of tenant 't', each with its own metadata uri so
# the ledger's per-uri count is a per-ticket count.
sub enqueue_tickets
{
	my ($node, $from, $to, $batch) = @_;
	$batch //= 500;
	for (my $i = $from; $i <= $to; $i += $batch)
	{
		my $last = $i + $batch - 1;
		$last = $to if $last > $to;
		# retried across a crash-restart: the call is idempotent
		query($node, qq{
			SELECT count(*) FROM mint.mint_tickets('t', (SELECT jsonb_agg(jsonb_build_object(
				'ticket_id', 'T-' || i, 'owner', '$OWNER',
				'metadata', jsonb_build_object('name', 'Seat ' || i, 'symbol', 'TIX',
					'uri', 'https://tickets.example/t/' || i || '.json')))
			FROM generate_series($i, $last) i))});
	}
}

# wait_until without a failure of its own: for ok(wait_for(...), '...').
sub wait_for
{
	my ($timeout, $check) = @_;
	my $deadline = time() + $timeout;
	while (time() < $deadline)
	{
		return 1 if $check->();
		usleep(100_000);
	}
	return 0;
}

sub wait_until
{
	my ($what, $timeout, $check) = @_;
	my $deadline = time() + $timeout;
	while (time() < $deadline)
	{
		return 1 if $check->();
		usleep(100_000);
	}
	fail("timed out after ${timeout}s waiting for $what");
	return 0;
}

# A query that may meet the server restarting after a crash: retried for a
# while instead of failing the test.
sub query
{
	my ($node, $sql) = @_;
	for (1 .. 100)
	{
		# psql may also lose its pipe while the server restarts: IPC::Run dies then
		my ($ret, $out, $err) = eval { $node->psql('postgres', $sql) };
		return $out if defined $ret && $ret == 0;
		usleep(200_000);
	}
	die "query failed repeatedly: $sql";
}

sub worker_pids
{
	my ($node) = @_;
	my $out = query($node,
		"SELECT string_agg(pid::text, ' ') FROM mint.worker_status WHERE pid IS NOT NULL");
	return grep { /\d/ } split(/ /, $out);
}

sub wait_confirmed
{
	my ($node, $n, $timeout) = @_;
	return wait_until("$n confirmed mints", $timeout, sub {
		query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == $n });
}

# The invariant, from the fake cluster's ledger: every ticket of T-<from>..
# T-<to> minted exactly once, each job confirmed with the ledger's signature
# and asset id, and nothing else minted.
sub check_exactly_once
{
	my ($node, $fake, $from, $to) = @_;
	my $n = $to - $from + 1;
	my $ledger = fake_ledger($fake);
	my %by_uri;
	for my $m (@{ $ledger->{mints} })
	{
		next if defined $m->{err};
		push @{ $by_uri{ $m->{uri} } }, $m;
	}
	my @dups = grep { @{ $by_uri{$_} } > 1 } keys %by_uri;
	is(scalar(@dups), 0, "no ticket minted twice") or diag("minted twice: @dups[0..($#dups < 4 ? $#dups : 4)]");
	is(scalar(keys %by_uri), $n, "$n tickets minted on chain");

	my $rows = $node->safe_psql('postgres', qq{
		SELECT ticket_id, status, coalesce(signature, ''), coalesce(asset_id, '')
		  FROM mint.mint_jobs WHERE tenant_id = 't' ORDER BY ticket_id});
	my ($confirmed, $matching) = (0, 0);
	for my $line (split /\n/, $rows)
	{
		my ($ticket, $status, $sig, $asset) = split /\|/, $line;
		next unless $ticket =~ /^T-(\d+)$/ && $1 >= $from && $1 <= $to;
		$confirmed++ if $status eq 'confirmed';
		my $m = $by_uri{"https://tickets.example/t/$1.json"};
		$matching++
		  if $m && @$m == 1 && $m->[0]{signature} eq $sig && $m->[0]{asset_id} eq $asset;
	}
	is($confirmed, $n, "every job confirmed");
	is($matching, $n, "every job carries the ledger's signature and asset id");
}

1;
