# Issue 13, finding 7: no secret reaches the server log from a function that
# takes one, even when the call fails.
#
# With log_min_error_statement = error (the default), a failing statement is
# logged with its text ("STATEMENT: ..."), and the text of
# SELECT mint.add_webhook_endpoint('p', 'standard', 'whsec_...') holds the
# secret.  The functions that take a secret (add_webhook_endpoint,
# add_webhook_secret, rotate_webhook_secret, _webhook_key) now raise every
# error with errhidestmt, and process_webhook (whose headers hold a Helius
# secret) too.  Each call below fails in its own way with a secret of its
# own; the log must have each error, and none of the secrets.  A failing
# call without a secret is logged with its statement, as before: statement
# logging is on, so the secrets' absence means something.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MIME::Base64;
use MintTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = init_mint_node('secret_log', { url => 'http://127.0.0.1:9' },
	'mint.workers' => 0, log_min_error_statement => 'error', log_statement => 'none');
$node->start;

# A Standard Webhooks secret whose text is unique to case $n.
sub whsec { my ($n) = @_; return 'whsec_' . encode_base64(sprintf('secret-key-of-case-%02d-xyz', $n), '') }
my %secret = (
	1  => whsec(1),                                  # duplicate endpoint (42710): the red team's case
	2  => 'whsec_SECRET02not*base64*',               # not base64 (22023, raised in C)
	3  => 'whsec_' . encode_base64('short3', ''),    # too short a key (22023, C)
	4  => 'Bearer SECRET04-provider',                # invalid provider (22023)
	5  => 'Bearer SECRET05-scheme',                  # unknown scheme (22023)
	6  => 'Bearer SECRET06-tolerance',               # bad tolerance (22023)
	7  => 'Bearer SECRET07-no-endpoint',             # add_webhook_secret, no such endpoint (P0002)
	8  => 'whsec_SECRET08###',                       # add_webhook_secret, bad base64 (22023)
	9  => whsec(9),                                  # rotate_webhook_secret, negative grace (22023)
	10 => 'Bearer SECRET10-rotate-nowhere',          # rotate_webhook_secret, no such endpoint (P0002)
	11 => 'whsec_SECRET11!!',                        # mint._webhook_key (22023)
	12 => 'Bearer SECRET12-header',                  # process_webhook with a NULL body (22004)
	13 => 'Bearer SECRET13-lock-timeout',            # add_webhook_secret waits for a lock (55P03)
	14 => 'Bearer SECRET14-statement-timeout',       # and is cancelled (57014)
);
$node->safe_psql('postgres', qq{
	CREATE EXTENSION mint_ext;
	SELECT mint.add_webhook_endpoint('p', 'standard', '@{[whsec(0)]}');
	SELECT mint.add_webhook_endpoint('hel', 'helius', 'Bearer SECRET00-helius');
});

my @cases = (
	[ 1,  qq{SELECT mint.add_webhook_endpoint('p', 'standard', '$secret{1}')}, qr/webhook endpoint "p" already exists/ ],
	[ 2,  qq{SELECT mint.add_webhook_endpoint('q', 'standard', '$secret{2}')}, qr/webhook secret is not valid base64/ ],
	[ 3,  qq{SELECT mint.add_webhook_endpoint('r', 'standard', '$secret{3}')}, qr/webhook secret decodes to 6 bytes/ ],
	[ 4,  qq{SELECT mint.add_webhook_endpoint('bad provider', 'helius', '$secret{4}')}, qr/invalid provider "bad provider"/ ],
	[ 5,  qq{SELECT mint.add_webhook_endpoint('s', 'nosuch', '$secret{5}')}, qr/unknown webhook scheme "nosuch"/ ],
	[ 6,  qq{SELECT mint.add_webhook_endpoint('t', 'helius', '$secret{6}', tolerance => '2 days')},
		qr/tolerance must be positive and at most 1 day/ ],
	[ 7,  qq{SELECT mint.add_webhook_secret('nope', '$secret{7}')}, qr/no webhook endpoint "nope"/ ],
	[ 8,  qq{SELECT mint.add_webhook_secret('p', '$secret{8}')}, qr/webhook secret is not valid base64/ ],
	[ 9,  qq{SELECT mint.rotate_webhook_secret('p', '$secret{9}', grace => '-1 hour')},
		qr/grace must be a non-negative interval/ ],
	[ 10, qq{SELECT mint.rotate_webhook_secret('nowhere', '$secret{10}')}, qr/no webhook endpoint "nowhere"/ ],
	[ 11, qq{SELECT mint._webhook_key('standard', '$secret{11}')}, qr/webhook secret is not valid base64/ ],
	[ 12, qq{SELECT mint.process_webhook('hel', '{"Authorization": "$secret{12}"}', NULL::text)},
		qr/provider, headers and body must not be null/ ],
);

# Hold the endpoint's row, so that adding a secret to it waits.
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN');
$holder->query_safe("SELECT 1 FROM mint.webhook_endpoints WHERE provider = 'hel' FOR UPDATE");
push @cases,
  [ 13, qq{SET lock_timeout = '200ms'; SELECT mint.add_webhook_secret('hel', '$secret{13}')},
	qr/canceling statement due to lock timeout/ ],
  [ 14, qq{SET statement_timeout = '200ms'; SELECT mint.add_webhook_secret('hel', '$secret{14}')},
	qr/canceling statement due to statement timeout/ ];

my $log_start = -s $node->logfile;
for my $c (@cases)
{
	my ($n, $sql, $want) = @$c;
	my ($ret, $out, $err) = $node->psql('postgres', $sql);
	isnt($ret, 0, "case $n fails");
	like($err, $want, "case $n: the caller gets the error");
}
$holder->query_safe('ROLLBACK');
$holder->quit;
# A failing call without a secret, as the control.
$node->psql('postgres', "SELECT mint.alter_webhook_endpoint('control-no-such-endpoint', enabled => false)");

my $log = substr(slurp_file($node->logfile), $log_start);
like($log, qr/ERROR:  no webhook endpoint "control-no-such-endpoint"\n.*STATEMENT:  SELECT mint\.alter_webhook_endpoint\('control-no-such-endpoint'/s,
	'statement logging is on: a failing call without a secret is logged with its statement');
for my $c (@cases)
{
	my ($n, $sql, $want) = @$c;
	like($log, qr/ERROR:  $want/, "case $n: the error is in the server log");
	my $s = $secret{$n};
	my $core = $s =~ s/^(whsec_|Bearer )//r;
	ok(index($log, $core) < 0, "case $n: the server log does not hold its secret");
}
unlike($log, qr/STATEMENT:  [^\n]*mint\.(add_webhook_endpoint|add_webhook_secret|rotate_webhook_secret|_webhook_key|process_webhook)/,
	'no statement calling a function that takes a secret is logged');

$node->stop;
done_testing();
