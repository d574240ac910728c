-- The outbox and the change feed (issue 20 parts 1-2): an event per outcome,
-- written in the transaction of the change, numbered per tenant at commit;
-- mint.events_since() shows a role only its tenants' events.
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE EXTENSION pgcrypto;
SELECT mint.register_tree('ev-a', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
SELECT mint.register_tree('ev-b', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
SELECT v.t AS tenant, (SELECT count(*) FROM mint.mint_tickets(v.t, (SELECT jsonb_agg(jsonb_build_object(
	'ticket_id', 'E-' || i, 'owner', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse',
	'metadata', jsonb_build_object('name', 'Seat ' || i, 'uri', 'https://tickets.example/e/' || i)))
	FROM generate_series(1, 4) i))) AS jobs
  FROM (VALUES ('ev-a'), ('ev-b')) v(t);
-- Enqueueing is no outcome: no event yet.
SELECT count(*) AS events FROM mint.events WHERE tenant_id LIKE 'ev-%';

-- A failure (as the worker's _fail leaves it), a cancel, a retry.
UPDATE mint.mint_jobs SET status = 'failed', last_error_class = 'transaction', last_error_code = '6016',
       last_error_message = 'landed with an error'
 WHERE ticket_id = 'E-1';
SELECT ticket_id, status FROM mint.cancel_mint('ev-a', 'E-2');
SELECT ticket_id, status FROM mint.retry_mint('ev-a', 'E-1');
-- Rolled back: neither an event nor a sequence number.
BEGIN;
SELECT ticket_id, status FROM mint.cancel_mint('ev-a', 'E-3');
SELECT count(*) AS uncommitted_events, count(seq) AS numbered FROM mint.events WHERE tenant_id = 'ev-a' AND ticket_id = 'E-3';
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT ticket_id, status FROM mint.cancel_mint('ev-a', 'E-4');
ROLLBACK TO SAVEPOINT s;
SELECT ticket_id, status FROM mint.cancel_mint('ev-b', 'E-4');
COMMIT;
-- Changes that are no outcome (claims, parameter changes) write nothing.
UPDATE mint.mint_jobs SET status = 'in_flight' WHERE tenant_id = 'ev-a' AND ticket_id = 'E-3';
UPDATE mint.mint_jobs SET status = 'queued' WHERE tenant_id = 'ev-a' AND ticket_id = 'E-3';
SELECT tenant_id, seq, event_type, ticket_id, payload->'data'->>'previous_status' AS previous,
       payload->'data'->'error' AS error, (payload->'data'->>'sequence')::bigint = seq AS seq_in_payload,
       payload->'data'->>'event_id' = event_id AS id_in_payload, event_id ~ '^evt_[0-9a-f]{32}$' AS id_form
  FROM mint.events WHERE tenant_id LIKE 'ev-%' ORDER BY tenant_id, seq;
SELECT * FROM mint.event_counters WHERE tenant_id LIKE 'ev-%' ORDER BY tenant_id;

-- A confirmation applied by a provider's webhook, committed by the
-- receiver's role (no privilege on mint.events): the event carries the
-- signature and the asset id.
\set sig '2fBhoTU7BchSKkgLEMxb8d8fJ4NJQ4KdZQxN5TJwxMsc4denDsBn4pLnFBbuE9zpofaKqUJZPiTRn7zaQbCyznBy'
INSERT INTO mint.mint_attempts (tenant_id, ticket_id, attempt_no, signature, recent_blockhash,
	last_valid_block_height, merkle_tree, signed_tx, lease_token)
VALUES ('ev-a', 'E-3', 1, :'sig', 'bh', 100, '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu', '\x00', 1);
UPDATE mint.mint_jobs SET status = 'submitted', attempts = 1, signature = :'sig' WHERE tenant_id = 'ev-a' AND ticket_id = 'E-3';
SELECT mint.add_webhook_endpoint('ev-hook', 'standard', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') AS secret_id;
CREATE ROLE ev_receiver;
SELECT mint.grant_webhook_receiver('ev_receiver');
\set body '{"type":"mint.confirmed","data":{"signature":"2fBhoTU7BchSKkgLEMxb8d8fJ4NJQ4KdZQxN5TJwxMsc4denDsBn4pLnFBbuE9zpofaKqUJZPiTRn7zaQbCyznBy","leaf_nonce":3,"asset_id":"GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse"}}'
SELECT 'v1,' || encode(hmac(convert_to('msg_e3.' || floor(extract(epoch FROM now()))::bigint || '.' || :'body', 'UTF8'),
	decode('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'), 'sha256'), 'base64') AS whsig,
	floor(extract(epoch FROM now()))::bigint AS whts \gset
SET ROLE ev_receiver;
BEGIN;
SELECT mint.process_webhook('ev-hook', jsonb_build_object('webhook-id', 'msg_e3', 'webhook-timestamp', :'whts',
	'webhook-signature', :'whsig'), :'body')->>'status' AS delivery;
COMMIT;
RESET ROLE;
SELECT seq, event_type, ticket_id, payload->'data'->>'signature' AS signature,
       payload->'data'->>'asset_id' AS asset_id, payload->'data'->>'status' AS status
  FROM mint.events WHERE tenant_id = 'ev-a' AND event_type = 'mint.confirmed';

-- =====================================================================
-- The feed: a tenant's role sees its tenant's events only.
-- =====================================================================
CREATE ROLE ev_app_a;
CREATE ROLE ev_app_b;
SELECT mint.grant_tenant('ev-a', 'ev_app_a');
SELECT mint.grant_tenant('ev-b', 'ev_app_b');
SET ROLE ev_app_a;
SELECT seq, event_type, ticket_id FROM mint.events_since('ev-a');
SELECT seq, event_type, ticket_id FROM mint.events_since('ev-a', 1, 2);
SELECT seq FROM mint.events_since('ev-a', 4);
SELECT * FROM mint.events_since('ev-b');
\echo :SQLSTATE
SELECT * FROM mint.events;
\echo :SQLSTATE
SELECT * FROM mint.event_counters;
\echo :SQLSTATE
RESET ROLE;
SET ROLE ev_app_b;
SELECT seq, event_type, ticket_id FROM mint.events_since('ev-b');
SELECT * FROM mint.events_since('ev-a');
\echo :SQLSTATE
RESET ROLE;
-- Bad input: a clear error, nothing echoed unbounded.
SELECT * FROM mint.events_since('ev-a', -1);
\echo :SQLSTATE
SELECT * FROM mint.events_since('ev-a', 0, 0);
\echo :SQLSTATE
SELECT * FROM mint.events_since('ev-a', 0, 10001);
\echo :SQLSTATE
SELECT * FROM mint.events_since(NULL);
\echo :SQLSTATE
SELECT * FROM mint.events_since(repeat('x', 200));
\echo :SQLSTATE
-- revoke_tenant takes the feed away with the tenant.
SELECT mint.revoke_tenant('ev-a', 'ev_app_a');
SET ROLE ev_app_a;
SELECT * FROM mint.events_since('ev-a');
\echo :SQLSTATE
RESET ROLE;

-- The numbering trigger (src/api/events.c) numbers a transaction's events in
-- one call of mint._number_events(): once for three rows, once more for two
-- rows inserted after the first numbering, never for rows that carry their
-- number (a restore), and a subtransaction's abort undoes what it numbered.
BEGIN;
SET LOCAL track_functions = 'all';
INSERT INTO mint.events (tenant_id, event_id, event_type, ticket_id, job_id, payload)
SELECT 'ev-n', 'evt_n' || i, 'mint.confirmed', 'N-' || i, 'mint:ev-n:N-' || i, '{"data": {}}'
  FROM generate_series(1, 3) i;
SET CONSTRAINTS mint.events_sequence IMMEDIATE;
SET CONSTRAINTS mint.events_sequence DEFERRED;
SELECT pg_stat_get_xact_function_calls('mint._number_events()'::regprocedure) AS calls;
INSERT INTO mint.events (tenant_id, event_id, event_type, ticket_id, job_id, payload)
SELECT 'ev-n', 'evt_n' || i, 'mint.confirmed', 'N-' || i, 'mint:ev-n:N-' || i, '{"data": {}}'
  FROM generate_series(4, 5) i;
INSERT INTO mint.events (tenant_id, event_id, seq, event_type, ticket_id, job_id, payload)
SELECT 'ev-r', 'evt_r' || i, i, 'mint.confirmed', 'R-' || i, 'mint:ev-r:R-' || i, '{"data": {}}'
  FROM generate_series(1, 3) i;
SET CONSTRAINTS mint.events_sequence IMMEDIATE;
SET CONSTRAINTS mint.events_sequence DEFERRED;
SELECT pg_stat_get_xact_function_calls('mint._number_events()'::regprocedure) AS calls;
-- numbered inside a savepoint that is rolled back: numbered again at commit
INSERT INTO mint.events (tenant_id, event_id, event_type, ticket_id, job_id, payload)
VALUES ('ev-n', 'evt_n6', 'mint.confirmed', 'N-6', 'mint:ev-n:N-6', '{"data": {}}');
SAVEPOINT s;
SET CONSTRAINTS mint.events_sequence IMMEDIATE;
SELECT seq FROM mint.events WHERE event_id = 'evt_n6';
ROLLBACK TO SAVEPOINT s;
SELECT seq FROM mint.events WHERE event_id = 'evt_n6';
COMMIT;
SELECT tenant_id, event_id, seq, payload->'data'->'sequence' AS in_payload
  FROM mint.events WHERE tenant_id IN ('ev-n', 'ev-r') ORDER BY tenant_id, seq;
SELECT * FROM mint.event_counters WHERE tenant_id IN ('ev-n', 'ev-r') ORDER BY 1;

DELETE FROM mint.events WHERE tenant_id LIKE 'ev-%';
DELETE FROM mint.event_counters WHERE tenant_id LIKE 'ev-%';
DELETE FROM mint.webhook_endpoints WHERE provider = 'ev-hook';
DELETE FROM mint.mint_attempts WHERE tenant_id LIKE 'ev-%';
DELETE FROM mint.mint_jobs WHERE tenant_id LIKE 'ev-%';
DELETE FROM mint.trees WHERE tenant_id LIKE 'ev-%';
SELECT mint.revoke_tenant('ev-b', 'ev_app_b');
SELECT mint.revoke_webhook_receiver('ev_receiver');
DROP ROLE ev_app_a;
DROP ROLE ev_app_b;
DROP ROLE ev_receiver;
DROP EXTENSION pgcrypto;
