-- Issue 13, finding 6: the grant functions compose.  grant_tenant and
-- grant_webhook_receiver both give a role USAGE on schema mint; it used to
-- go with revoke_tenant even while the role was still a webhook receiver
-- (its process_webhook then failed "permission denied for schema mint"),
-- and revoke_webhook_receiver left it behind.  Now a role keeps USAGE while
-- one of the two still needs it, and loses it with the last one.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
\set meta '{"name":"G","uri":"https://example.com/g.json"}'
SELECT mint.register_tree('grt', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
SELECT mint.add_webhook_endpoint('grt-hook', 'helius', 'Bearer grt-secret');
CREATE ROLE regress_grt_both;
CREATE ROLE regress_grt_hook;
CREATE ROLE regress_grt_tenant;
-- What a role may do, as that role.
CREATE FUNCTION pg_temp.can(r name) RETURNS TABLE (schema_usage boolean, webhook text, tenant text)
LANGUAGE plpgsql AS $$
BEGIN
	schema_usage := has_schema_privilege(r, 'mint', 'USAGE');
	EXECUTE format('SET LOCAL ROLE %I', r);
	BEGIN
		webhook := mint.process_webhook('grt-hook', '{"Authorization": "Bearer grt-secret"}', '[]')->>'http_status';
	EXCEPTION WHEN others THEN
		webhook := SQLSTATE || ' ' || SQLERRM;
	END;
	BEGIN
		tenant := (mint.get_mint('grt', 'G-1')).status;
	EXCEPTION WHEN others THEN
		tenant := SQLSTATE || ' ' || SQLERRM;
	END;
	RESET ROLE;
	RETURN NEXT;
END;
$$;
SELECT count(*) FROM mint.mint_ticket('grt', 'G-1', :'owner', :'meta');

-- Sequence 1: a tenant role that is also the webhook receiver loses its
-- tenant; it is still the webhook receiver.
SELECT mint.grant_tenant('grt', 'regress_grt_both');
SELECT mint.grant_webhook_receiver('regress_grt_both');
BEGIN; SELECT * FROM pg_temp.can('regress_grt_both'); COMMIT;
SELECT mint.revoke_tenant('grt', 'regress_grt_both');
BEGIN; SELECT * FROM pg_temp.can('regress_grt_both'); COMMIT;
-- ... and then stops being it: nothing is left.
SELECT mint.revoke_webhook_receiver('regress_grt_both');
BEGIN; SELECT * FROM pg_temp.can('regress_grt_both'); COMMIT;

-- Sequence 2: a webhook receiver only; revoking it takes USAGE too.
SELECT mint.grant_webhook_receiver('regress_grt_hook');
BEGIN; SELECT * FROM pg_temp.can('regress_grt_hook'); COMMIT;
SELECT mint.revoke_webhook_receiver('regress_grt_hook');
BEGIN; SELECT * FROM pg_temp.can('regress_grt_hook'); COMMIT;

-- Sequence 3: the other order; the receiver goes first, the tenant stays.
SELECT mint.grant_webhook_receiver('regress_grt_tenant');
SELECT mint.grant_tenant('grt', 'regress_grt_tenant');
SELECT mint.revoke_webhook_receiver('regress_grt_tenant');
BEGIN; SELECT * FROM pg_temp.can('regress_grt_tenant'); COMMIT;
SELECT mint.revoke_tenant('grt', 'regress_grt_tenant');
BEGIN; SELECT * FROM pg_temp.can('regress_grt_tenant'); COMMIT;

-- Nothing of mint's is left granted to any of them.
SELECT count(*) AS grants_left FROM (
	SELECT a.grantee FROM pg_proc p, aclexplode(p.proacl) a WHERE p.pronamespace = 'mint'::regnamespace
	UNION ALL
	SELECT a.grantee FROM pg_class c, aclexplode(c.relacl) a WHERE c.relnamespace = 'mint'::regnamespace
	UNION ALL
	SELECT a.grantee FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'mint') g
 WHERE g.grantee IN ('regress_grt_both'::regrole, 'regress_grt_hook'::regrole, 'regress_grt_tenant'::regrole);
SELECT mint.revoke_webhook_receiver(NULL);
\echo :SQLSTATE

DROP ROLE regress_grt_both, regress_grt_hook, regress_grt_tenant;
DELETE FROM mint.webhook_endpoints WHERE provider = 'grt-hook';
DELETE FROM mint.mint_jobs WHERE tenant_id = 'grt';
DELETE FROM mint.trees WHERE tenant_id = 'grt';
