# Several send paths (mint.send_urls): the same signed bytes go to every
# send-only endpoint, with skipPreflight and maxRetries 0, while mint.rpc_url
# decides; a dead send path costs nothing but its counter.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use IO::Socket::INET;
use JSON::PP;
use MIME::Base64;
use PostgreSQL::Test::Utils;
use Test::More;

# A send-only endpoint that records every JSON-RPC request it gets.
sub start_recorder
{
	my ($log) = @_;
	my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16,
		ReuseAddr => 1) or die "listen: $!";
	my $port = $srv->sockport;
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		$SIG{CHLD} = 'IGNORE';
		while (my $c = $srv->accept)
		{
			next if fork();    # one process per connection (keep-alive)
			$SIG{CHLD} = "DEFAULT";
			while (1)
			{
				my ($head, $line) = ('', '');
				while (defined($line = <$c>)) { $head .= $line; last if $line eq "\r\n"; }
				last unless $head =~ /Content-Length:\s*(\d+)/i;
				my $len = $1;
				my $body = '';
				read($c, $body, $len);
				open(my $fh, '>>', $log) or die;
				print $fh "$body\n";
				close($fh);
				my $req = decode_json($body);
				my @r = map { { jsonrpc => '2.0', id => $_->{id}, result => 'recorded' } }
				  (ref $req eq 'ARRAY' ? @$req : ($req));
				my $out = encode_json(ref $req eq 'ARRAY' ? \@r : $r[0]);
				print $c "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
				  . length($out) . "\r\n\r\n$out";
			}
			exit 0;
		}
		exit 0;
	}
	close($srv);
	return ($pid, "http://127.0.0.1:$port");
}

my $log = PostgreSQL::Test::Utils::tempdir() . '/sends.jsonl';
my ($rec_pid, $rec_url) = start_recorder($log);
my $dead = 'http://127.0.0.1:' . PostgreSQL::Test::Cluster::get_free_port();
my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 23, blockhash_window => 400);
my $node = new_mint_node('send_paths', $fake, 'mint.send_urls' => "'$rec_url, $dead'");
fake_control($fake, p_never_lands => 0.3);    # re-broadcasts and new attempts happen
enqueue_tickets($node, 1, 60);
ok(wait_for(120, sub { query($node, "SELECT count(*) FROM mint.mint_jobs WHERE status = 'confirmed'") == 60 }),
	'every ticket confirmed with two send paths, one of them dead');
check_exactly_once($node, $fake, 1, 60);

# every signature of every attempt went to the recorder, as sent, with
# skipPreflight and maxRetries 0
my %seen;
open(my $fh, '<', $log) or die "no sends recorded: $!";
my ($calls, $ok_cfg) = (0, 0);
while (my $line = <$fh>)
{
	my $req = decode_json($line);
	for my $c (ref $req eq 'ARRAY' ? @$req : ($req))
	{
		next unless $c->{method} eq 'sendTransaction';
		$calls++;
		my ($tx, $cfg) = @{ $c->{params} };
		$ok_cfg++ if $cfg->{encoding} eq 'base64' && $cfg->{skipPreflight} && defined $cfg->{maxRetries}
		  && $cfg->{maxRetries} == 0;
		my $wire = decode_base64($tx);
		$seen{ b58_encode(substr($wire, 1, 64)) }++;    # one signature: its count byte, then 64 bytes
	}
}
close($fh);
is($ok_cfg, $calls, "each of the $calls sends to the send path had skipPreflight and maxRetries 0");
my @sigs = split /\n/, query($node, 'SELECT signature FROM mint.mint_attempts');
is(scalar(grep { !$seen{$_} } @sigs), 0, 'every attempt\'s signed bytes reached the send path (' . scalar(@sigs) . ' attempts)');
cmp_ok(scalar(grep { $seen{$_} > 1 } @sigs), '>', 0, 'unknown signatures were re-broadcast there');
my ($extra, $errors) = split /\|/, query($node, 'SELECT sent_extra, send_extra_errors FROM mint.worker_status');
cmp_ok($extra, '>=', $calls > 0 ? 1 : 0, "the accepted sends are counted ($extra)");
cmp_ok($errors, '>', 0, "the dead send path's failures are counted ($errors)");
like(slurp_file($node->logfile), qr/also sends through http:\/\/127\.0\.0\.1:\d+/, 'the send paths are logged');

$node->stop;
stop_fake($fake);
kill 'TERM', $rec_pid;
waitpid($rec_pid, 0);
done_testing();
