-- Sending outbound webhooks again (issue 20): mint.redeliver() (a range of
-- a tenant's events, e.g. after the platform lost its own data; or only the
-- deliveries that were given up) and mint.redeliver_event() (one event).
-- The same webhook-id and the same body as the first time; bad input is
-- refused with a clear error and writes nothing; events already reaped
-- cannot be sent again.  (The requests themselves: t/052_outbound_lifecycle.pl.)
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT mint.register_tree('rs', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
INSERT INTO mint.mint_jobs (tenant_id, ticket_id, owner, metadata, fingerprint)
SELECT 'rs', 'S-' || i, 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse',
       jsonb_build_object('name', 's', 'uri', 'https://x/' || i), '\x00'
  FROM generate_series(1, 5) i;
SELECT mint.add_outbound_endpoint('rs', 'p', 'https://hooks.example.org/p') ~ '^whsec_' AS secret_shown;
UPDATE mint.mint_jobs SET status = 'failed' WHERE tenant_id = 'rs' AND ticket_id IN ('S-1', 'S-2', 'S-3', 'S-4');
-- An endpoint registered later has none of these.
SELECT mint.add_outbound_endpoint('rs', 'late', 'https://hooks.example.org/late') ~ '^whsec_' AS secret_shown;
-- As the worker leaves them: 1 and 2 delivered, 3 given up, 4 pending.
UPDATE mint.outbound_deliveries SET status = 'delivered', attempts = 1, delivered_at = now(), last_http_status = 204
 WHERE tenant_id = 'rs' AND seq IN (1, 2);
UPDATE mint.outbound_deliveries SET status = 'failed', attempts = 8, last_http_status = 503, last_error = 'HTTP 503'
 WHERE tenant_id = 'rs' AND seq = 3;
SELECT endpoint_id, seq, status, attempts FROM mint.delivery_log WHERE tenant_id = 'rs' ORDER BY 1, 2;
CREATE TEMPORARY TABLE before AS SELECT * FROM mint.outbound_deliveries WHERE tenant_id = 'rs';
SELECT s.event_id AS e1 FROM mint.events s WHERE s.tenant_id = 'rs' AND s.seq = 1 \gset
SELECT s.event_id AS e3 FROM mint.events s WHERE s.tenant_id = 'rs' AND s.seq = 3 \gset

-- Bad input: a clear error, nothing written.
SELECT mint.redeliver('rs', 'p', NULL);
\echo :SQLSTATE
SELECT mint.redeliver(NULL, 'p', 0);
\echo :SQLSTATE
SELECT mint.redeliver('rs', 'p', -1);
\echo :SQLSTATE
SELECT mint.redeliver('rs', 'p', 3, 3);
\echo :SQLSTATE
SELECT mint.redeliver('rs', 'p', 0, only_failed => NULL);
\echo :SQLSTATE
SELECT mint.redeliver('rs', 'nope', 0);
\echo :SQLSTATE
SELECT mint.redeliver('rs', repeat('x', 500), 0);
\echo :SQLSTATE
SELECT mint.redeliver_event('rs', 'p', NULL);
\echo :SQLSTATE
SELECT mint.redeliver_event('rs', 'p', 'evt_' || repeat('z', 300));
\echo :SQLSTATE
SELECT mint.redeliver_event('rs', 'p', 'evt_00000000000000000000000000000000');
\echo :SQLSTATE
SELECT mint.redeliver_event('rs', 'nope', :'e1');
\echo :SQLSTATE
SELECT mint.redeliver_event('other', 'p', :'e1');
\echo :SQLSTATE
SELECT count(*) AS changed FROM (
	SELECT * FROM mint.outbound_deliveries WHERE tenant_id = 'rs' EXCEPT SELECT * FROM before) x;

-- No application role may send again.
CREATE ROLE rs_app;
SELECT mint.grant_tenant('rs', 'rs_app');
SET ROLE rs_app;
SELECT mint.redeliver('rs', 'p', 0);
\echo :SQLSTATE
SELECT mint.redeliver_event('rs', 'p', :'e1');
\echo :SQLSTATE
RESET ROLE;
SELECT mint.revoke_tenant('rs', 'rs_app');
DROP ROLE rs_app;

-- The given-up delivery, once: pending again from its first attempt; a
-- second call finds it pending.
SELECT mint.redeliver_event('rs', 'p', :'e3') AS made_pending;
SELECT mint.redeliver_event('rs', 'p', :'e3') AS made_pending;
SELECT seq, status, attempts, last_http_status, next_attempt_at <= now() AS due FROM mint.delivery_log
 WHERE tenant_id = 'rs' AND endpoint_id = 'p' ORDER BY seq;
-- Only the given-up ones: none now; one after it is given up again.
SELECT mint.redeliver('rs', 'p', 0, only_failed => true) AS made_pending;
UPDATE mint.outbound_deliveries SET status = 'failed' WHERE tenant_id = 'rs' AND endpoint_id = 'p' AND seq = 3;
SELECT mint.redeliver('rs', 'p', 0, only_failed => true) AS made_pending;
-- Everything after 0: the delivered ones again (3 and 4 are pending already).
SELECT mint.redeliver('rs', 'p', 0) AS made_pending;
SELECT seq, status, attempts, delivered_at FROM mint.delivery_log
 WHERE tenant_id = 'rs' AND endpoint_id = 'p' ORDER BY seq;
-- The later endpoint gets the events it never had: a range, then the rest.
SELECT mint.redeliver('rs', 'late', 1, 3) AS made_pending;
SELECT mint.redeliver('rs', 'late', 0) AS made_pending;
SELECT mint.redeliver_event('rs', 'late', :'e1') AS made_pending;
SELECT seq, status FROM mint.delivery_log WHERE tenant_id = 'rs' AND endpoint_id = 'late' ORDER BY seq;

-- The worker sends them with the event's id and its body, the bytes of the
-- first delivery.
SELECT c.endpoint_id, e.seq, c.event_id = e.event_id AS same_id, c.body = e.payload::text AS same_body
  FROM mint._claim_deliveries(20, 60000) c
  JOIN mint.events e USING (tenant_id, event_id)
 ORDER BY 1, 2;

-- A disabled endpoint: made pending, they wait for it to be enabled.
UPDATE mint.outbound_deliveries SET status = 'delivered', lease_until = NULL WHERE tenant_id = 'rs';
SELECT mint.disable_outbound_endpoint('rs', 'p');
SELECT mint.redeliver('rs', 'p', 2) AS made_pending;
SELECT count(*) AS claimed_while_disabled FROM mint._claim_deliveries(20, 60000);
SELECT mint.enable_outbound_endpoint('rs', 'p');
SELECT e.seq FROM mint._claim_deliveries(20, 60000) c JOIN mint.events e USING (tenant_id, event_id) ORDER BY 1;

-- Reaped events cannot be sent again: a NOTICE says which, the rest goes.
UPDATE mint.outbound_deliveries SET status = 'delivered', lease_until = NULL WHERE tenant_id = 'rs';
UPDATE mint.events SET occurred_at = occurred_at - interval '31 days' WHERE tenant_id = 'rs';
SELECT mint.reap_events() AS reaped;
UPDATE mint.mint_jobs SET status = 'cancelled' WHERE tenant_id = 'rs' AND ticket_id = 'S-5';
UPDATE mint.outbound_deliveries SET status = 'delivered' WHERE tenant_id = 'rs';
SELECT mint.redeliver('rs', 'p', 0) AS made_pending;
SELECT mint.redeliver('rs', 'p', 1, 3) AS made_pending;
\set VERBOSITY sqlstate
SELECT mint.redeliver_event('rs', 'p', :'e1');
\set VERBOSITY default
SELECT endpoint_id, seq, status FROM mint.delivery_log WHERE tenant_id = 'rs' ORDER BY endpoint_id, seq;

SELECT mint.remove_outbound_endpoint('rs', 'p');
SELECT mint.remove_outbound_endpoint('rs', 'late');
DROP TABLE before;
DELETE FROM mint.events WHERE tenant_id = 'rs';
DELETE FROM mint.event_counters WHERE tenant_id = 'rs';
DELETE FROM mint.mint_jobs WHERE tenant_id = 'rs';
DELETE FROM mint.trees WHERE tenant_id = 'rs';
