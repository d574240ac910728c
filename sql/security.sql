-- Security: default deny, tenant confinement, pinned search_path.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
\set meta '{"name":"S","uri":"https://example.com/s.json"}'
SELECT mint.register_tree('sec-a', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
SELECT mint.register_tree('sec-b', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
CREATE ROLE regress_mint_a;
CREATE ROLE regress_mint_b;
CREATE ROLE regress_mint_none;
CREATE ROLE regress_mint_a_member IN ROLE regress_mint_a;
SELECT mint.grant_tenant('sec-a', 'regress_mint_a');
SELECT mint.grant_tenant('sec-b', 'regress_mint_b');
SELECT created FROM mint.mint_ticket('sec-b', 'B-secret', :'owner', :'meta');

-- Nothing in schema mint is usable by PUBLIC but is_address().
SELECT p.proname FROM pg_proc p, aclexplode(p.proacl) a
 WHERE p.pronamespace = 'mint'::regnamespace AND a.grantee = 0 ORDER BY 1;
SELECT c.relname FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relnamespace = 'mint'::regnamespace AND a.grantee = 0 ORDER BY 1;
-- Every SECURITY DEFINER function pins search_path.
SELECT p.proname, p.proconfig FROM pg_proc p
 WHERE p.pronamespace = 'mint'::regnamespace AND p.prosecdef ORDER BY 1;

-- A role without a tenant cannot use the API at all.
SET ROLE regress_mint_none;
SELECT mint.mint_ticket('sec-a', 'A-1', :'owner', :'meta');
\echo :SQLSTATE
RESET ROLE;

-- Tenant A's role mints and reads for A ...
SET ROLE regress_mint_a;
SELECT job_id, created FROM mint.mint_ticket('sec-a', 'A-1', :'owner', :'meta');
SELECT job_id, status FROM mint.get_mint('sec-a', 'A-1');
-- ... but can neither mint for nor read tenant B ...
SELECT mint.mint_ticket('sec-b', 'A-2', :'owner', :'meta');
\echo :SQLSTATE
SELECT mint.mint_tickets('sec-b', jsonb_build_array(jsonb_build_object('ticket_id', 'A-3', 'owner', :'owner', 'metadata', :'meta'::jsonb)));
\echo :SQLSTATE
SELECT mint.get_mint('sec-b', 'B-secret');
\echo :SQLSTATE
SELECT tenant_id, ticket_id FROM mint.jobs ORDER BY 1, 2;
-- ... nor touch the tables or the operator functions.
SELECT count(*) FROM mint.mint_jobs;
\echo :SQLSTATE
SELECT count(*) FROM mint.idempotency_keys;
\echo :SQLSTATE
UPDATE mint.mint_jobs SET status = 'confirmed';
\echo :SQLSTATE
SELECT mint.register_tree('sec-a', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
\echo :SQLSTATE
SELECT mint.grant_tenant('sec-b', 'regress_mint_a');
\echo :SQLSTATE
-- A trigger on its own table cannot enqueue for B either.
CREATE TEMP TABLE my_tickets (tenant text, id text, wallet text, meta jsonb);
CREATE TRIGGER t AFTER INSERT ON my_tickets FOR EACH ROW EXECUTE FUNCTION mint.enqueue_mint('tenant', 'id', 'wallet', 'meta');
INSERT INTO my_tickets VALUES ('sec-b', 'A-4', :'owner', :'meta');
\echo :SQLSTATE
INSERT INTO my_tickets VALUES ('sec-a', 'A-5', :'owner', :'meta');
RESET ROLE;
-- A search_path of the caller's cannot redirect the definer functions: a
-- hostile now() placed before pg_catalog is not what stamps the key's expiry.
CREATE SCHEMA regress_evil;
CREATE FUNCTION regress_evil.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '2000-01-01'::timestamptz $$;
GRANT USAGE ON SCHEMA regress_evil TO PUBLIC;
SET ROLE regress_mint_a;
SET search_path = regress_evil, pg_catalog;
SELECT now() AS hostile_now;
SELECT created FROM mint.mint_ticket('sec-a', 'A-6', :'owner', :'meta', 'evil-key');
RESET search_path;
RESET ROLE;
SELECT expires_at > '2001-01-01' AS real_clock FROM mint.idempotency_keys WHERE idempotency_key = 'evil-key';
DROP SCHEMA regress_evil CASCADE;

-- Membership counts: a member of A's role acts for A.
SET ROLE regress_mint_a_member;
SELECT job_id FROM mint.get_mint('sec-a', 'A-1');
SELECT mint.get_mint('sec-b', 'B-secret');
\echo :SQLSTATE
RESET ROLE;

-- Tenant B's role sees only B.
SET ROLE regress_mint_b;
SELECT tenant_id, ticket_id FROM mint.jobs ORDER BY 1, 2;
RESET ROLE;

-- Nothing of A's attempts on B was written.
SELECT tenant_id, ticket_id FROM mint.mint_jobs WHERE tenant_id IN ('sec-a', 'sec-b') ORDER BY 1, 2;

-- Revoking the tenant takes the rights away.
SELECT mint.revoke_tenant('sec-a', 'regress_mint_a');
SET ROLE regress_mint_a;
SELECT mint.get_mint('sec-a', 'A-1');
\echo :SQLSTATE
RESET ROLE;

DROP TABLE my_tickets;
DELETE FROM mint.tenant_roles;
REVOKE ALL ON SCHEMA mint FROM regress_mint_b;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mint FROM regress_mint_b;
REVOKE ALL ON ALL TABLES IN SCHEMA mint FROM regress_mint_b;
DROP ROLE regress_mint_a_member, regress_mint_a, regress_mint_b, regress_mint_none;
