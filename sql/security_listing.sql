-- Issue 13, finding 2: the job listings reveal nothing about another
-- tenant's rows, not even to EXPLAIN ANALYZE.  mint.jobs used to be a
-- security_barrier view over mint.mint_jobs filtered by has_tenant_access():
-- leakproof quals (=, <, >=) of the caller's became index conditions below
-- the barrier, so "Rows Removed by Filter" told tenant A whether tenant B's
-- ticket existed, and a plain EXPLAIN ANALYZE counted B's rows.  Now the
-- view reads mint._jobs(), a SECURITY DEFINER function (never inlined) that
-- reads only the caller's tenants: every probe below gives the same plan and
-- the same row counts whether B's ticket exists or not.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
\set meta '{"name":"L","uri":"https://example.com/l.json"}'
SELECT mint.register_tree('list-a', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
SELECT mint.register_tree('list-b', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
CREATE ROLE regress_list_a;
CREATE ROLE regress_list_b;
SELECT mint.grant_tenant('list-a', 'regress_list_a');
SELECT mint.grant_tenant('list-b', 'regress_list_b');
SELECT count(*) FROM mint.mint_ticket('list-a', 'A-1', :'owner', :'meta');
SELECT count(*) FROM mint.mint_tickets('list-b', (SELECT jsonb_agg(jsonb_build_object(
	'ticket_id', 'B-' || i, 'owner', :'owner', 'metadata', :'meta'::jsonb)) FROM generate_series(1, 3) i));
VACUUM ANALYZE mint.mint_jobs;

-- EXPLAIN ANALYZE output as one text, without timings.
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
	o text := '';
BEGIN
	FOR r IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
		o := o || r || E'\n';
	END LOOP;
	RETURN o;
END;
$$;
-- The plan of `query` with each ? replaced by the literal `val`, and that
-- literal shown as ? again: two probes that differ only in the value they
-- look for are equal exactly when the plan says nothing about the value.
CREATE FUNCTION pg_temp.probe(query text, val text) RETURNS text LANGUAGE sql AS $$
	SELECT replace(pg_temp.plan(replace(query, '?', quote_literal(val))), quote_literal(val), '?')
$$;

SET ROLE regress_list_a;
SET enable_seqscan = off;
-- The red team's probe, for B's existing ticket and for one that does not
-- exist.  It used to answer "Rows Removed by Filter: 1" for B-1 only.
SELECT pg_temp.probe($$SELECT 1 FROM mint.jobs WHERE tenant_id = 'list-b' AND ticket_id = ?$$, 'B-1') AS existing;
SELECT pg_temp.probe($$SELECT 1 FROM mint.jobs WHERE tenant_id = 'list-b' AND ticket_id = ?$$, 'B-1')
     = pg_temp.probe($$SELECT 1 FROM mint.jobs WHERE tenant_id = 'list-b' AND ticket_id = ?$$, 'B-404') AS same_answer;
-- Range predicates (how the red team walked tenant B's ids), and tenants.
SELECT pg_temp.probe($$SELECT 1 FROM mint.jobs WHERE tenant_id = 'list-b' AND ticket_id >= ?$$, 'B-2')
     = pg_temp.probe($$SELECT 1 FROM mint.jobs WHERE tenant_id = 'list-b' AND ticket_id >= ?$$, 'B-9') AS same_for_ranges,
       pg_temp.probe($$SELECT 1 FROM mint.jobs WHERE tenant_id >= ?$$, 'list-b')
     = pg_temp.probe($$SELECT 1 FROM mint.jobs WHERE tenant_id >= ?$$, 'list-z') AS same_for_tenants,
       pg_temp.probe($$SELECT 1 FROM mint.jobs WHERE tenant_id = ?$$, 'list-b')
     = pg_temp.probe($$SELECT 1 FROM mint.jobs WHERE tenant_id = ?$$, 'list-q') AS same_for_tenant_names;
RESET enable_seqscan;
-- A plain EXPLAIN ANALYZE counts A's one row (it counted B's three as
-- removed by the filter).
SELECT pg_temp.plan('SELECT * FROM mint.jobs') AS all_rows;
SELECT tenant_id, ticket_id FROM mint.jobs ORDER BY 1, 2;
RESET ROLE;

-- mint.tenant_stats (and so mint.stats) had the same construction.  They are
-- granted to no one; a dashboard role an operator lets read them sees only
-- its tenants, and learns nothing more from EXPLAIN ANALYZE.
GRANT SELECT ON mint.tenant_stats TO regress_list_a;
GRANT EXECUTE ON FUNCTION mint._tenant_stats() TO regress_list_a;
SET ROLE regress_list_a;
SELECT tenant_id, queued FROM mint.tenant_stats ORDER BY 1;
SELECT pg_temp.probe($$SELECT 1 FROM mint.tenant_stats WHERE tenant_id = ?$$, 'list-b') AS stats_existing;
SELECT pg_temp.probe($$SELECT 1 FROM mint.tenant_stats WHERE tenant_id = ?$$, 'list-b')
     = pg_temp.probe($$SELECT 1 FROM mint.tenant_stats WHERE tenant_id = ?$$, 'list-q') AS stats_same_answer;
RESET ROLE;
REVOKE SELECT ON mint.tenant_stats FROM regress_list_a;
REVOKE EXECUTE ON FUNCTION mint._tenant_stats() FROM regress_list_a;

-- The planner cannot push a condition into the listing: the functions are
-- SECURITY DEFINER with a SET clause (never inlined), and a superuser still
-- sees every tenant.
SELECT p.proname, p.prosecdef, p.proconfig IS NOT NULL AS has_set_clause,
       (SELECT l.lanname FROM pg_language l WHERE l.oid = p.prolang) AS language
  FROM pg_proc p WHERE p.oid IN ('mint._jobs()'::regprocedure, 'mint._tenant_stats()'::regprocedure)
 ORDER BY 1;
SELECT tenant_id, count(*) FROM mint.jobs WHERE tenant_id LIKE 'list-%' GROUP BY 1 ORDER BY 1;
SELECT tenant_id, queued FROM mint.tenant_stats WHERE tenant_id LIKE 'list-%' ORDER BY 1;

-- Members and revocation behave as before: a role without a tenant sees nothing.
SELECT mint.revoke_tenant('list-a', 'regress_list_a');
SET ROLE regress_list_a;
SELECT count(*) FROM mint.jobs;
\echo :SQLSTATE
RESET ROLE;

DELETE FROM mint.tenant_roles WHERE tenant_id LIKE 'list-%';
REVOKE ALL ON SCHEMA mint FROM regress_list_b;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mint FROM regress_list_b;
REVOKE ALL ON ALL TABLES IN SCHEMA mint FROM regress_list_b;
DROP ROLE regress_list_a, regress_list_b;
