-- Outbound webhooks, the SQL side (issue 20): endpoints and keys an operator
-- registers (https only, unless mint.delivery_allow_loopback), keys no
-- application role can read, a delivery per endpoint made at each event's
-- commit, and the worker's claim and settle functions: per-ticket order, one
-- probe at a time for a failing endpoint, disabled after the schedule,
-- resumed by an operator.  (The requests themselves: t/051_outbound_webhooks.pl.)
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT mint.register_tree('ob', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
INSERT INTO mint.mint_jobs (tenant_id, ticket_id, owner, metadata, fingerprint)
SELECT 'ob', 'O-' || i, 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse',
       jsonb_build_object('name', 'o', 'uri', 'https://x/' || i), '\x00'
  FROM generate_series(1, 4) i;

-- Registration: bad input is refused with a clear error and writes nothing;
-- the URL (which may carry a token) is never quoted.
SELECT mint.add_outbound_endpoint('ob', 'p', 'http://127.0.0.1:9/hook?token=s3cr3t');
\echo :SQLSTATE
SELECT mint.add_outbound_endpoint('ob', 'p', 'ftp://example.org/');
\echo :SQLSTATE
SELECT mint.add_outbound_endpoint('ob', 'p', 'https://user:pw@example.org/');
\echo :SQLSTATE
SELECT mint.add_outbound_endpoint('ob', 'p', 'https://example.org/' || repeat('a', 3000));
\echo :SQLSTATE
SELECT mint.add_outbound_endpoint('ob', 'p/q', 'https://example.org/');
\echo :SQLSTATE
SELECT mint.add_outbound_endpoint('o:b', 'p', 'https://example.org/');
\echo :SQLSTATE
SELECT mint.add_outbound_endpoint(NULL, 'p', 'https://example.org/');
\echo :SQLSTATE
SELECT count(*) AS endpoints FROM mint.outbound_endpoints;
SELECT mint.add_outbound_endpoint('ob', 'https', 'https://hooks.example.org/mint') ~ '^whsec_[A-Za-z0-9+/]{32}$' AS secret_shown;
SELECT mint.add_outbound_endpoint('ob', 'https', 'https://hooks.example.org/mint');
\echo :SQLSTATE
SET mint.delivery_allow_loopback = on;
SELECT mint.add_outbound_endpoint('ob', 'p', 'http://127.0.0.1:9/hook') ~ '^whsec_' AS secret_shown;
SELECT mint.add_outbound_endpoint('ob', 'q', 'http://example.org/hook');
\echo :SQLSTATE
RESET mint.delivery_allow_loopback;
SELECT mint.add_outbound_signing_key('ob', 'p') ~ '^whpk_[A-Za-z0-9+/]{43}=$' AS public_key_shown;
SELECT mint.rotate_outbound_secret('ob', 'p', '1 hour') ~ '^whsec_' AS rotated;
SELECT mint.rotate_outbound_secret('ob', 'p', '-1 hour');
\echo :SQLSTATE
SELECT mint.rotate_outbound_secret('ob', 'nope');
\echo :SQLSTATE
SELECT mint.rotate_outbound_secret('ob', 'p', '1 hour', 'password');
\echo :SQLSTATE
SELECT endpoint_id, secret_id, kind, octet_length(secret) AS bytes, octet_length(public_key) AS pk_bytes,
       not_after IS NOT NULL AS retiring
  FROM mint.outbound_secrets ORDER BY endpoint_id, secret_id;
-- The status view shows fingerprints and public keys, never a secret.
SELECT endpoint_id, enabled, failures, pending, jsonb_array_length(keys) AS keys,
       keys::text ~ 'whsec_' AS shows_a_secret
  FROM mint.outbound_endpoint_status ORDER BY endpoint_id;
SELECT mint.remove_outbound_endpoint('ob', 'https');

-- No application role reads the endpoints, the keys, the deliveries, or
-- calls the operator or worker functions.
CREATE ROLE ob_app;
SELECT mint.grant_tenant('ob', 'ob_app');
SET ROLE ob_app;
SELECT * FROM mint.outbound_secrets;
\echo :SQLSTATE
SELECT * FROM mint.outbound_endpoints;
\echo :SQLSTATE
SELECT * FROM mint.outbound_deliveries;
\echo :SQLSTATE
SELECT * FROM mint.outbound_endpoint_status;
\echo :SQLSTATE
SELECT * FROM mint.delivery_log;
\echo :SQLSTATE
SELECT * FROM mint._claim_deliveries(10, 1000);
\echo :SQLSTATE
SELECT mint.add_outbound_endpoint('ob', 'mine', 'https://evil.example/');
\echo :SQLSTATE
SELECT mint.enable_outbound_endpoint('ob', 'p');
\echo :SQLSTATE
RESET ROLE;

-- A delivery per endpoint for each event, made at its commit; none for a
-- rolled-back change.
UPDATE mint.mint_jobs SET status = 'failed', last_error_class = 'transaction' WHERE tenant_id = 'ob';
SELECT ticket_id, status FROM mint.retry_mint('ob', 'O-1');
BEGIN;
SELECT ticket_id, status FROM mint.cancel_mint('ob', 'O-2');
ROLLBACK;
SELECT seq, ticket_id, event_type, status, attempts FROM mint.delivery_log ORDER BY seq;

-- The worker's claim: per ticket only the first pending delivery (O-1's
-- retried event waits for its failed one).
\set sched '{100, 200}'
SELECT d.ticket_id, e.event_type, c.url, c.body = e.payload::text AS body_is_payload,
       cardinality(c.secrets) AS secrets, cardinality(c.signing_keys) AS signing_keys
  FROM mint._claim_deliveries(10, 60000) c
  JOIN mint.outbound_deliveries d USING (tenant_id, endpoint_id, event_id)
  JOIN mint.events e USING (tenant_id, event_id)
 ORDER BY d.seq;
-- Leased: not claimed again.
SELECT count(*) AS claimed_again FROM mint._claim_deliveries(10, 60000);
-- O-1's first event delivered, the two others refused with 503 at once:
-- the failures of requests in flight together count once.
SELECT mint._deliveries_done(array_agg(d.tenant_id ORDER BY d.seq), array_agg(d.endpoint_id ORDER BY d.seq),
	array_agg(d.event_id ORDER BY d.seq), array_agg(d.ticket_id = 'O-1' ORDER BY d.seq),
	array_agg(CASE WHEN d.ticket_id = 'O-1' THEN 204 ELSE 503 END ORDER BY d.seq),
	array_agg(CASE WHEN d.ticket_id = 'O-1' THEN '' ELSE 'HTTP 503' END ORDER BY d.seq), :'sched')
  FROM mint.outbound_deliveries d WHERE d.lease_until IS NOT NULL;
SELECT seq, ticket_id, event_type, status, attempts, last_http_status, last_error FROM mint.delivery_log ORDER BY seq;
SELECT enabled, failures, retry_at > now() AS backing_off FROM mint.outbound_endpoint_status;
-- Failing: nothing before retry_at, then one probe at a time.
SELECT count(*) AS claimed_while_backing_off FROM mint._claim_deliveries(10, 60000);
UPDATE mint.outbound_endpoints SET retry_at = now() - interval '1 s';
UPDATE mint.outbound_deliveries SET next_attempt_at = now() - interval '1 s' WHERE status = 'pending';
SELECT count(*) AS probes FROM mint._claim_deliveries(10, 60000);
-- Every step of the schedule fails (one probe each): the endpoint is
-- disabled, its deliveries wait.
SELECT mint._deliveries_done(ARRAY['ob'], ARRAY['p'], ARRAY[d.event_id], ARRAY[false], ARRAY[0],
	ARRAY['Failed to connect'], :'sched')
  FROM mint.outbound_deliveries d WHERE d.lease_until IS NOT NULL;
SELECT enabled, failures FROM mint.outbound_endpoint_status;
UPDATE mint.outbound_endpoints SET retry_at = now() - interval '1 s';
UPDATE mint.outbound_deliveries SET next_attempt_at = now() - interval '1 s' WHERE status = 'pending';
SELECT mint._deliveries_done(ARRAY['ob'], ARRAY['p'], ARRAY[c.event_id], ARRAY[false], ARRAY[0],
	ARRAY['Failed to connect'], :'sched')
  FROM mint._claim_deliveries(10, 60000) c;
SELECT enabled, failures, disabled_reason, pending FROM mint.outbound_endpoint_status;
SELECT count(*) AS claimed_while_disabled FROM mint._claim_deliveries(10, 60000);
-- An operator enables it: the pending deliveries are due at once, in order.
SELECT mint.enable_outbound_endpoint('ob', 'p');
SELECT enabled, failures, disabled_reason FROM mint.outbound_endpoint_status;
SELECT d.ticket_id, e.event_type
  FROM mint._claim_deliveries(10, 60000) c
  JOIN mint.outbound_deliveries d USING (tenant_id, endpoint_id, event_id)
  JOIN mint.events e USING (tenant_id, event_id)
 ORDER BY d.seq;
SELECT mint.disable_outbound_endpoint('ob', 'p');
SELECT enabled, disabled_reason FROM mint.outbound_endpoint_status;

-- The metrics count them.
SELECT metric, tenant_id, label, value FROM mint.metrics
 WHERE metric IN ('deliveries', 'delivery_endpoints') ORDER BY 1, 3;

SELECT mint.revoke_tenant('ob', 'ob_app');
DROP ROLE ob_app;
SELECT mint.remove_outbound_endpoint('ob', 'p');
DELETE FROM mint.events WHERE tenant_id = 'ob';
DELETE FROM mint.event_counters WHERE tenant_id = 'ob';
DELETE FROM mint.mint_jobs WHERE tenant_id = 'ob';
DELETE FROM mint.trees WHERE tenant_id = 'ob';
