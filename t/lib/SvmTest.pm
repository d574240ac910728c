# Helpers for the TAP tests against the real programs: svm/server.js (a
# JSON-RPC cluster whose transactions run in the real Bubblegum, Account
# Compression, Noop and Token Metadata programs under LiteSVM) on a free
# loopback port, its control endpoints (airdrop, trees and collections made
# with the tests' payer key, signing, lost responses), its ledger of the
# events the programs emitted, random tickets within Bubblegum's limits, and
# the exactly-once check against that ledger.
#
# These tests need Node and svm/node_modules (bash svm/setup.sh, which
# scripts/test.sh runs): without them they fail, they never skip.
package SvmTest;

use strict;
use warnings;

use Exporter 'import';
use File::Spec;
use HTTP::Tiny;
use JSON::PP;
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

our @EXPORT = qw(start_svm stop_svm svm_control svm_rpc svm_ledger svm_airdrop svm_create_tree
  svm_create_collection svm_create_core_collection svm_sign svm_send svm_blockhash payer_secret
  random_metadata svm_mint_node parse_message ledger_by_signature
  check_svm_exactly_once $BUBBLEGUM);

our $BUBBLEGUM = 'BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY';

my $root = $ENV{TESTDIR} // '.';
my %running;
END { kill 'TERM', keys %running; }
my $http = HTTP::Tiny->new(timeout => 120, keep_alive => 0);

# The tests' payer (seed 32 x 0x01, $MintTest::PAYER) as the 64 numbers of
# its Solana CLI keypair file, written and read back by MintTest::write_keypair.
my @secret;
sub payer_secret
{
	return [@secret] if @secret;
	my $f = PostgreSQL::Test::Utils::tempdir() . '/payer.json';
	write_keypair($f);
	@secret = @{ decode_json(slurp_file($f)) };
	die "payer key: expected 64 numbers" unless @secret == 64;
	return [@secret];
}

# A failure that stops the test: shown in prove's output (a plain die goes
# to the test's log only), never a skip.
sub loud
{
	my ($msg) = @_;
	fail('the real-programs cluster can run');
	diag($msg);
	die "$msg\n";
}

# The node binary: a system Node >= 20.18, or the one svm/setup.sh installed
# into /opt/mint_ext-node as root (scripts/node.sh; run as another user it
# would look in svm/.node of this copy).
sub node_binary
{
	my @env = -d '/opt/mint_ext-node' ? ('MINT_EXT_NODE_PREFIX=/opt/mint_ext-node') : ();
	my $out = `env @env bash "$root/scripts/node.sh" 2>&1`;
	my @lines = split /\n/, $out;
	my $node = $lines[-1] // '';
	loud("no Node.js for the svm tests (bash svm/setup.sh installs it): $out") if $? != 0 || !-x $node;
	return $node;
}

# Start svm/server.js on a free loopback port.  %opt: slot_ms, finalized_lag,
# blockhash_window, paused (1), bubblegum (v1|v2).
sub start_svm
{
	my (%opt) = @_;
	my $svm_dir = File::Spec->rel2abs("$root/svm");
	loud("svm/node_modules is missing: run 'bash svm/setup.sh' (scripts/test.sh does) before these tests")
	  unless -d "$svm_dir/node_modules/litesvm";
	my $node = node_binary();
	my $dir = PostgreSQL::Test::Utils::tempdir();
	my @cmd = ($node, "$svm_dir/server.js", '--listen', '127.0.0.1:0', '--port-file', "$dir/port");
	push @cmd, '--paused' if delete $opt{paused};
	for my $k (sort keys %opt)
	{
		(my $flag = $k) =~ tr/_/-/;
		push @cmd, "--$flag", $opt{$k};
	}
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		open(STDOUT, '>', "$dir/svm.log") or die;
		open(STDERR, '>&', \*STDOUT) or die;
		exec(@cmd) or die "exec $node: $!";
	}
	$running{$pid} = 1;
	my $deadline = time() + 60;
	while (!-s "$dir/port")
	{
		if (waitpid($pid, POSIX::WNOHANG()) == $pid || time() > $deadline)
		{
			delete $running{$pid};
			kill 'KILL', $pid;
			loud("svm cluster did not start: " . slurp_file("$dir/svm.log"));
		}
		usleep(20_000);
	}
	my $port = slurp_file("$dir/port");
	$port =~ s/\s+//g;
	note "svm cluster pid $pid on port $port";
	return { pid => $pid, port => $port, url => "http://127.0.0.1:$port", dir => $dir };
}

sub stop_svm
{
	my ($svm) = @_;
	return unless $svm && $svm->{pid};
	kill 'TERM', $svm->{pid};
	waitpid($svm->{pid}, 0);
	delete $running{ $svm->{pid} };
	$svm->{pid} = 0;
}

sub post_json
{
	my ($svm, $path, $body) = @_;
	my $r = $http->post("$svm->{url}$path",
		{ content => encode_json($body), headers => { 'content-type' => 'application/json' } });
	return ($r->{status}, $r->{content});
}

# POST /control/<action> (or /control with no action); dies unless 200.
sub svm_control
{
	my ($svm, $action, %body) = @_;
	my ($status, $content) = post_json($svm, defined $action ? "/control/$action" : '/control', \%body);
	die "svm control $action: $status $content" unless $status == 200;
	return decode_json($content);
}

# One JSON-RPC call: the whole response ({result} or {error}).
sub svm_rpc
{
	my ($svm, $method, @params) = @_;
	my ($status, $content) = post_json($svm, '/', { jsonrpc => '2.0', id => 1, method => $method, params => \@params });
	die "svm rpc $method: HTTP $status $content" unless $status == 200;
	return decode_json($content);
}

sub svm_ledger
{
	my ($svm, $query) = @_;
	my $r = $http->get("$svm->{url}/ledger" . ($query // ''));
	die "GET /ledger: $r->{status}" unless $r->{success};
	return decode_json($r->{content});
}

sub svm_airdrop
{
	my ($svm, $address, $lamports) = @_;
	return svm_control($svm, 'airdrop', address => $address, lamports => $lamports);
}

# A V1 tree created by the payer (the worker's key is its creator).
sub svm_create_tree
{
	my ($svm, %opt) = @_;
	return svm_control($svm, 'create_tree', payer_secret => payer_secret(), version => 1,
		max_depth => 14, max_buffer_size => 64, canopy_depth => 0, %opt);
}

# A Token Metadata collection NFT whose update authority is the payer.
sub svm_create_collection
{
	my ($svm, %opt) = @_;
	return svm_control($svm, 'create_collection_v1', payer_secret => payer_secret(), %opt);
}

# An MPL Core collection with the BubblegumV2 plugin whose update authority is
# the payer (%opt: royalties => {basis_points}, permanent_freeze => 0|1,
# update_delegate => address, name, uri).
sub svm_create_core_collection
{
	my ($svm, %opt) = @_;
	return svm_control($svm, 'create_core_collection', payer_secret => payer_secret(), %opt);
}

# The payer's signature into a transaction's zeroed slot: (base64, signature).
sub svm_sign
{
	my ($svm, $b64) = @_;
	my $r = svm_control($svm, 'sign', tx_base64 => $b64, secret => payer_secret());
	return ($r->{tx_base64}, $r->{signature});
}

# sendTransaction (base64, preflight at finalized): the JSON-RPC response.
sub svm_send
{
	my ($svm, $b64, %cfg) = @_;
	return svm_rpc($svm, 'sendTransaction', $b64, { encoding => 'base64', maxRetries => 0, %cfg });
}

sub svm_blockhash
{
	my ($svm, $commitment) = @_;
	my $r = svm_rpc($svm, 'getLatestBlockhash', { commitment => $commitment // 'finalized' });
	die "getLatestBlockhash: " . encode_json($r) unless $r->{result};
	return $r->{result}{value}{blockhash};
}

# ---------------------------------------------------------------- random tickets
# A string of at most $max UTF-8 bytes (at least $min) from ASCII and 2-, 3-
# and 4-byte characters.
my @CHARS = ('a' .. 'z', 'A' .. 'Z', '0' .. '9', ' ', '-', '#', "\x{e9}", "\x{df}", "\x{20ac}",
	"\x{3042}", "\x{1f3ab}");

sub random_text
{
	my ($min, $max) = @_;
	my $want = $min + int(rand($max - $min + 1));
	my ($s, $bytes) = ('', 0);
	while ($bytes < $want)
	{
		my $c = $CHARS[ int(rand(@CHARS)) ];
		my $n = length(Encode::encode('UTF-8', $c));
		next if $bytes + $n > $max;
		$s .= $c;
		$bytes += $n;
		last if $bytes >= $min && $bytes + 1 > $max;
	}
	return $s;
}

# Random metadata within Bubblegum's limits: name <= 32 bytes, symbol <= 10,
# uri <= 200 (unique: it names $tag), fee 0-10000, 0-5 distinct creators
# whose shares sum to 100, the payer among them sometimes (verified or not:
# it signs), the others never verified; %opt{collection}: a collection key
# to put in (for a tenant with a verified collection, its mint; otherwise
# any address, unverified).
sub random_metadata
{
	my ($tag, %opt) = @_;
	my $uri = "https://tickets.example/$tag/";
	my $room = 200 - length($uri);
	my $tail = int(rand(3)) == 0 ? $room : int(rand($room + 1));
	$uri .= join('', map { ('a' .. 'z', '0' .. '9')[ int(rand(36)) ] } 1 .. $tail);
	my %md = (
		name                   => random_text(1, 32),
		uri                    => $uri,
		seller_fee_basis_points => int(rand(3)) == 0 ? 10000 : int(rand(10001)));
	my $sym = int(rand(4));
	$md{symbol} = random_text(0, 10) if $sym;
	$md{is_mutable} = JSON::PP::true if int(rand(3)) == 0;
	$md{is_mutable} = JSON::PP::false if int(rand(3)) == 0 && !exists $md{is_mutable};
	$md{primary_sale_happened} = int(rand(2)) ? JSON::PP::true : JSON::PP::false if int(rand(2));
	my $n = $opt{creators} // int(rand(6));
	if ($n > 0)
	{
		my @cuts = sort { $a <=> $b } map { int(rand(101)) } 1 .. $n - 1;
		my @shares = map { ($cuts[$_] // 100) - ($_ ? $cuts[ $_ - 1 ] : 0) } 0 .. $n - 1;
		my @creators;
		my $with_payer = $opt{payer_creator} // int(rand(2));
		for my $i (0 .. $n - 1)
		{
			my %c = (address => random_address(), share => $shares[$i]);
			if ($i == 0 && $with_payer)
			{
				$c{address} = $MintTest::PAYER;
				my $v = $opt{verified} // int(rand(2));
				$c{verified} = $v ? JSON::PP::true : JSON::PP::false;
			}
			elsif (int(rand(3)) == 0)
			{
				$c{verified} = JSON::PP::false;
			}
			push @creators, \%c;
		}
		# the payer is not always the first creator
		push @creators, shift @creators if @creators > 1 && int(rand(2));
		$md{creators} = \@creators;
	}
	elsif (int(rand(3)) == 0)
	{
		$md{creators} = [];
	}
	$md{collection} = $opt{collection} if defined $opt{collection};
	return \%md;
}

# ---------------------------------------------------------------- clusters
# A PostgreSQL cluster with mint_ext whose worker talks to $svm (or to
# whatever rpc_url %conf gives), the extension created.
sub svm_mint_node
{
	my ($name, $svm, %conf) = @_;
	my $node = init_mint_node($name, $svm, %conf);
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION mint_ext');
	return $node;
}

# ---------------------------------------------------------------- messages
# A legacy transaction (bytes) -> {sigs, header offset, keys [bytes],
# instructions [{program (b58), accounts, data_offset, data_len}]}.
sub parse_message
{
	my ($tx) = @_;
	my $off = 0;
	my $shortvec = sub {
		my ($v, $shift) = (0, 0);
		while (1)
		{
			my $b = ord(substr($tx, $off++, 1));
			$v |= ($b & 0x7f) << $shift;
			last unless $b & 0x80;
			$shift += 7;
		}
		return $v;
	};
	my $nsig = $shortvec->();
	$off += 64 * $nsig;
	my %m = (nsig => $nsig, message_offset => $off);
	$off += 3;
	my $nkeys = $shortvec->();
	$m{keys} = [ map { substr($tx, $off + 32 * $_, 32) } 0 .. $nkeys - 1 ];
	$off += 32 * $nkeys + 32;
	my $nix = $shortvec->();
	for (1 .. $nix)
	{
		my $prog = ord(substr($tx, $off++, 1));
		my $na = $shortvec->();
		my @acc = map { ord(substr($tx, $off + $_, 1)) } 0 .. $na - 1;
		$off += $na;
		my $nd = $shortvec->();
		push @{ $m{instructions} },
		  { program => b58_encode($m{keys}[$prog]), accounts => \@acc, data_offset => $off, data_len => $nd };
		$off += $nd;
	}
	die "trailing bytes in transaction" unless $off == length($tx);
	return \%m;
}

sub ledger_by_signature
{
	my ($ledger) = @_;
	return { map { $_->{signature} => $_ } @{ $ledger->{mints} } };
}

# The invariant from what the programs emitted: every job of @tenants
# confirmed once, with the signature and the asset id of the one successful
# mint of its uri, whose event's id, owner and nonce are the job's; nothing
# else minted; leaf nonces 0..n-1 in every tree.  Returns the ledger.
sub check_svm_exactly_once
{
	my ($node, $svm, @tenants) = @_;
	my $ledger = svm_ledger($svm);
	my $in = join(',', map { "'$_'" } @tenants);
	my $rows = $node->safe_psql('postgres', qq{
		SELECT tenant_id, ticket_id, status, coalesce(signature, ''), coalesce(asset_id, ''),
		       coalesce(leaf_nonce::text, ''), coalesce(merkle_tree, ''), owner, metadata->>'uri'
		  FROM mint.mint_jobs WHERE tenant_id IN ($in) ORDER BY 1, 2});
	my %by_uri;
	push @{ $by_uri{ $_->{uri} } }, $_ for grep { $_->{status} eq 'ok' } @{ $ledger->{mints} };
	my ($jobs, $confirmed, $matching) = (0, 0, 0);
	my @bad;
	for my $line (split /\n/, $rows)
	{
		my ($tenant, $ticket, $status, $sig, $asset, $nonce, $tree, $owner, $uri) = split /\|/, $line, 9;
		$jobs++;
		$confirmed++ if $status eq 'confirmed';
		my $m = $by_uri{$uri} // [];
		if (@$m == 1 && $m->[0]{signature} eq $sig && $m->[0]{asset_id} eq $asset
			&& $m->[0]{event}{id} eq $asset && $m->[0]{event}{owner} eq $owner
			&& $m->[0]{event}{nonce} eq $nonce && $m->[0]{tree} eq $tree)
		{
			$matching++;
		}
		else { push @bad, "$tenant/$ticket: " . scalar(@$m) . " mints" }
	}
	my $minted = grep { $_->{status} eq 'ok' } @{ $ledger->{mints} };
	is($ledger->{uris_with_duplicates}, 0, 'the programs minted no ticket twice');
	is($confirmed, $jobs, "all $jobs jobs confirmed");
	is($matching, $jobs, 'each job has the signature, asset id, owner, nonce and tree of the one mint of its ticket')
	  or diag(join("\n", @bad[ 0 .. ($#bad < 9 ? $#bad : 9) ]));
	is($minted, $jobs, 'and nothing else was minted');
	my %nonces;
	push @{ $nonces{ $_->{tree} } }, $_->{event}{nonce} for grep { $_->{status} eq 'ok' } @{ $ledger->{mints} };
	my $trees_ok = grep {
		my @n = sort { $a <=> $b } @{ $nonces{$_} };
		join(',', @n) eq join(',', 0 .. $#n)
	} keys %nonces;
	is($trees_ok, scalar(keys %nonces), 'leaf nonces are 0..n-1 in each of the ' . scalar(keys %nonces) . ' trees');
	return $ledger;
}

require Encode;
require POSIX;

1;
