# mint.metrics through Debian's prometheus-postgres-exporter with the
# project's queries file (src/worker/metrics.yaml): the exporter, started on
# a free loopback port against this cluster, serves every row of the view
# under its metric name, and the numbers are the jobs' and attempts' own:
# confirmed mints, jobs failed for want of a tree (by error class), a queued
# backlog and its age, attempts per mint, events written, the worker.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MintTest;
use HTTP::Tiny;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

my $exporter = '/usr/bin/prometheus-postgres-exporter';
plan skip_all => "$exporter is not installed (scripts/deps.sh test installs it)" unless -x $exporter;
my $queries = "$FindBin::Bin/../src/worker/metrics.yaml";

my $fake = start_fake(slot_ms => 10, finalized_lag => 4, seed => 50);
my $node = new_mint_node('metrics', $fake);

# tenant t: 10 confirmed mints; tenant u (no tree): 2 jobs the worker fails
# (validation: its tree is withdrawn with the tickets); tenant q: a backlog of 3 due in an hour, the oldest 90 s old.
enqueue_tickets($node, 1, 10);
$node->safe_psql('postgres', qq{
	BEGIN;
	SELECT mint.register_tree('u', '$TREE');
	SELECT count(*) FROM mint.mint_tickets('u', '[{"ticket_id": "U-1", "owner": "$OWNER", "metadata": {"name": "u", "uri": "https://x/u1"}},
	                                              {"ticket_id": "U-2", "owner": "$OWNER", "metadata": {"name": "u", "uri": "https://x/u2"}}]');
	UPDATE mint.trees SET active = false WHERE tenant_id = 'u';
	-- failed as a job the worker could not build fails (the events trigger sees it)
	UPDATE mint.mint_jobs SET status = 'failed', last_error_class = 'validation',
	       last_error_code = 'no_tree', last_error_message = 'tenant "u" has no active merkle tree'
	 WHERE tenant_id = 'u';
	COMMIT;
	INSERT INTO mint.mint_jobs (tenant_id, ticket_id, owner, metadata, fingerprint, next_attempt_at, created_at)
	SELECT 'q', 'Q-' || i, '$OWNER', jsonb_build_object('name', 'q', 'uri', 'https://x/q' || i), '\\x00',
	       now() + interval '1 hour', now() - make_interval(secs => 30 * i)
	  FROM generate_series(1, 3) i;
});
wait_until('10 confirmed and 2 failed jobs', 60, sub {
	$node->safe_psql('postgres',
		"SELECT count(*) FILTER (WHERE status = 'confirmed') || ' ' || count(*) FILTER (WHERE status = 'failed') FROM mint.mint_jobs")
	  eq '10 2' });

# The exporter, as this cluster's superuser over its socket.
my $port = PostgreSQL::Test::Cluster::get_free_port();
my $dir = PostgreSQL::Test::Utils::tempdir();
my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0)
{
	$ENV{DATA_SOURCE_NAME} = sprintf('host=%s port=%d user=%s dbname=postgres sslmode=disable',
		$node->host, $node->port, scalar(getpwuid($<)));
	open(STDOUT, '>', "$dir/exporter.log") or die;
	open(STDERR, '>&', \*STDOUT) or die;
	exec($exporter, "--web.listen-address=127.0.0.1:$port", "--extend.query-path=$queries",
		'--disable-settings-metrics', '--log.level=warn')
	  or die "exec $exporter: $!";
}
END { kill 'TERM', $pid if $pid; }
note "exporter pid $pid on port $port";

my $http = HTTP::Tiny->new(timeout => 10);
my $scrape;
wait_until('the exporter to serve mint metrics', 30, sub {
	my $r = $http->get("http://127.0.0.1:$port/metrics");
	$scrape = $r->{content} if $r->{success};
	return $r->{success} && $r->{content} =~ /^mint_jobs_count\{/m;
}) or diag(slurp_file("$dir/exporter.log"));
like($scrape, qr/^pg_up 1$/m, 'the exporter reached the cluster');

# Every sample of a mint_ metric, as "name{labels sorted} value".
my %got;
for my $line (split /\n/, $scrape // '')
{
	next unless $line =~ /^(mint_\w+)\{([^}]*)\} (\S+)$/;
	my ($name, $labels, $v) = ($1, $2, $3);
	my %l = $labels =~ /(\w+)="([^"]*)"/g;
	delete $l{server};    # the exporter's own label
	# numbers as numbers: the exporter writes large ones as 1.073741824e+09
	$got{ $name . '{' . join(',', map { "$_=$l{$_}" } sort keys %l) . '}' } = 0 + $v;
}

is($got{'mint_jobs_count{status=confirmed,tenant_id=t}'}, 10, 'confirmed jobs of t');
is($got{'mint_jobs_count{status=failed,tenant_id=u}'}, 2, 'failed jobs of u');
is($got{'mint_jobs_count{status=queued,tenant_id=q}'}, 3, 'the queue depth of q');
my $age = $got{'mint_oldest_age_seconds{status=queued,tenant_id=q}'};
ok(defined $age && $age >= 90 && $age < 150, 'the age of the oldest queued job of q (90 s and the test\'s time)')
  or diag("age: " . ($age // 'none'));
is($got{'mint_job_errors_count{class=validation,tenant_id=u}'}, 2, 'the failures of u by error class');
is($got{'mint_attempts_count{state=landed_ok,tenant_id=t}'}, 10, 'landed attempts of t');
is($got{'mint_attempts_per_mint_ratio{tenant_id=t}'}, 1, 'one attempt per mint');
is($got{'mint_events_total{tenant_id=t}'}, 10, 'ten confirmed events of t');
is($got{'mint_events_total{tenant_id=u}'}, 2, 'two failed events of u');
ok(!exists $got{'mint_events_total{tenant_id=q}'}, 'no event for the queued tenant');
is($got{'mint_tree_leaves_count{kind=minted,tenant_id=t}'}, 10, 'the leaves used in the pool of t');
is($got{'mint_tree_leaves_count{kind=capacity,tenant_id=t}'}, 2**30, 'and its capacity (the fake\'s unlimited tree: 2^30)');
is($got{'mint_tree_leaves_count{kind=reserved,tenant_id=t}'}, 0, 'nothing in flight');
ok(exists $got{'mint_rpc_errors_total{class=error}'}, 'the workers\' RPC errors by class');
ok(($got{'mint_workers_count{state=idle}'} // 0) + ($got{'mint_workers_count{state=working}'} // 0) == 1,
	'one worker, idle or working');
ok(exists $got{'mint_webhooks_received_total{outcome=processed}'}, 'inbound webhook counters');

# Every row of the view is served, with its value (the time-dependent age
# aside), and nothing else.
my %view;
my %name = (tree_leaves => 'mint_tree_leaves_count', jobs => 'mint_jobs_count', oldest_age_seconds => 'mint_oldest_age_seconds',
	attempts_per_mint => 'mint_attempts_per_mint_ratio', attempts => 'mint_attempts_count',
	job_errors => 'mint_job_errors_count', events => 'mint_events_total',
	rpc_errors => 'mint_rpc_errors_total', workers => 'mint_workers_count',
	webhooks_received => 'mint_webhooks_received_total', deliveries => 'mint_deliveries_count',
	delivery_endpoints => 'mint_delivery_endpoints_count');
my %label = (tree_leaves => 'kind', jobs => 'status', oldest_age_seconds => 'status', attempts => 'state', job_errors => 'class',
	rpc_errors => 'class', workers => 'state', webhooks_received => 'outcome', deliveries => 'status',
	delivery_endpoints => 'state');
for my $row (split /\n/, $node->safe_psql('postgres',
	"SELECT metric, coalesce(tenant_id, ''), coalesce(label, ''), value FROM mint.metrics"))
{
	my ($m, $t, $l, $v) = split /\|/, $row;
	my %k;
	$k{tenant_id} = $t if $t ne '';
	$k{ $label{$m} } = $l if $label{$m};
	$view{ $name{$m} . '{' . join(',', map { "$_=$k{$_}" } sort keys %k) . '}' } = $m eq 'oldest_age_seconds' ? 'age' : 0 + $v;
}
$got{$_} = 'age' for grep { /^mint_oldest_age_seconds/ } keys %got;
is_deeply(\%got, \%view, 'the exporter serves exactly the rows of mint.metrics');
cmp_ok(scalar(keys %view), '>=', 15, 'the view has the rows above');

kill 'TERM', $pid;
waitpid($pid, 0);
$pid = 0;
$node->stop;
stop_fake($fake);
done_testing();
