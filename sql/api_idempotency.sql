-- Idempotency of the SQL API: natural key, idempotency keys, upsert rules.
\set SHOW_CONTEXT never
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
\set owner2 'AKkzLhjhyFtM9j7WAhbaqYpFe49cXeJBg2kzLRC2PnNa'
\set meta '{"name":"Ticket #10","symbol":"TIX","uri":"https://example.com/t/10.json"}'
\set meta2 '{"name":"Ticket #10 (moved)","symbol":"TIX","uri":"https://example.com/t/10b.json"}'
SELECT mint.register_tree('idem', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
SELECT mint.register_tree('other', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');

-- AE1 / IK6 / QJ1 / QJ2 / UP5: one job per ticket, deterministic id, the
-- stored row returned by the same statement.
SELECT job_id, status, attempts, created, replayed FROM mint.mint_ticket('idem', 'T-10', :'owner', :'meta');
SELECT job_id, status, attempts, created, replayed FROM mint.mint_ticket('idem', 'T-10', :'owner', :'meta');
-- the same parameters written differently (key order, whitespace) are the same request
SELECT job_id, created FROM mint.mint_ticket('idem', 'T-10', :'owner',
  '{"uri":"https://example.com/t/10.json",  "symbol":"TIX", "name":"Ticket #10"}');
SELECT count(*) FROM mint.mint_jobs WHERE tenant_id = 'idem' AND ticket_id = 'T-10';

-- UP3 / UP4: new parameters while nothing was signed update the job, move
-- updated_at and fence out any worker that claimed it (lease token bumped).
UPDATE mint.mint_jobs SET updated_at = updated_at - interval '1 minute', status = 'in_flight', lease_token = 7
 WHERE tenant_id = 'idem' AND ticket_id = 'T-10';
CREATE TEMP TABLE before AS SELECT updated_at, lease_token FROM mint.mint_jobs WHERE tenant_id = 'idem' AND ticket_id = 'T-10';
SELECT status, created FROM mint.mint_ticket('idem', 'T-10', :'owner2', :'meta2');
SELECT j.owner = :'owner2' AS owner_changed, j.metadata->>'name' AS name, j.status,
       j.updated_at > b.updated_at AS updated_at_moved, j.lease_token = b.lease_token + 1 AS fenced
  FROM mint.mint_jobs j, before b WHERE j.tenant_id = 'idem' AND j.ticket_id = 'T-10';

-- Once an attempt is recorded (what the worker does before it sends), other
-- parameters are refused (MX003) and the job is unchanged; the same
-- parameters return the job as it is, never resetting it.
UPDATE mint.mint_jobs SET status = 'submitted', attempts = 1, signature = 'sig-1', lease_token = lease_token + 1
 WHERE tenant_id = 'idem' AND ticket_id = 'T-10';
SELECT mint.mint_ticket('idem', 'T-10', :'owner', :'meta');
\echo :SQLSTATE
SELECT status, attempts, signature, created FROM mint.mint_ticket('idem', 'T-10', :'owner2', :'meta2');
SELECT owner = :'owner2' AS owner_kept, status, attempts, signature FROM mint.mint_jobs WHERE tenant_id = 'idem' AND ticket_id = 'T-10';

-- QJ7 / NM3 / NM5: a confirmed job is returned as stored, never minted again.
UPDATE mint.mint_jobs SET status = 'confirmed', asset_id = 'asset-1', confirmed_at = now()
 WHERE tenant_id = 'idem' AND ticket_id = 'T-10';
SELECT status, signature, asset_id, attempts, created FROM mint.mint_ticket('idem', 'T-10', :'owner2', :'meta2');
SELECT status, signature, asset_id FROM mint.mint_jobs WHERE tenant_id = 'idem' AND ticket_id = 'T-10';

-- AE5: get_mint is read only (works in a read-only transaction) and stable.
BEGIN TRANSACTION READ ONLY;
SELECT job_id, status, signature, asset_id, created, replayed FROM mint.get_mint('idem', 'T-10');
SELECT job_id, status, signature, asset_id, created, replayed FROM mint.get_mint('idem', 'T-10');
SELECT mint.get_mint('idem', 'no-such-ticket') IS NULL AS unknown_is_null;
COMMIT;

-- IK1 / IK3 / QJ3: a key is stored with the job, in the same transaction.
SELECT job_id, status, created, replayed, idempotency_key FROM mint.mint_ticket('idem', 'T-11', :'owner', :'meta', 'key-A');
SELECT tenant_id, idempotency_key, operation, ticket_ids, created_flags,
       expires_at - created_at AS ttl FROM mint.idempotency_keys WHERE idempotency_key = 'key-A';
SELECT idempotency_key, length(fingerprint) AS fingerprint_bytes FROM mint.mint_jobs WHERE ticket_id = 'T-11';

-- IK5: the same key again returns the original result, marked replayed.
SELECT job_id, status, created, replayed FROM mint.mint_ticket('idem', 'T-11', :'owner', :'meta', 'key-A');

-- IK4: the same key with other parameters is refused (MX002), writes nothing.
SELECT mint.mint_ticket('idem', 'T-12', :'owner', :'meta', 'key-A');
\echo :SQLSTATE
SELECT mint.mint_ticket('idem', 'T-11', :'owner2', :'meta', 'key-A');
\echo :SQLSTATE
SELECT mint.mint_tickets('idem', jsonb_build_array(jsonb_build_object('ticket_id', 'T-11', 'owner', :'owner', 'metadata', :'meta'::jsonb)), 'key-A');
\echo :SQLSTATE
SELECT count(*) AS t12_jobs FROM mint.mint_jobs WHERE ticket_id = 'T-12';
SELECT owner = :'owner' AS t11_unchanged FROM mint.mint_jobs WHERE ticket_id = 'T-11';

-- IK2: keys are scoped by tenant: the same key in another tenant is another key.
SELECT job_id, created, replayed FROM mint.mint_ticket('other', 'T-11', :'owner2', :'meta2', 'key-A');
SELECT tenant_id, idempotency_key FROM mint.idempotency_keys WHERE idempotency_key = 'key-A' ORDER BY 1;

-- Errors are not stored: a refused call leaves its key free for a good one.
SELECT mint.mint_ticket('idem', 'T-13', 'bad-owner', :'meta', 'key-B');
\echo :SQLSTATE
SELECT count(*) AS stored FROM mint.idempotency_keys WHERE idempotency_key = 'key-B';
SELECT job_id, created, replayed FROM mint.mint_ticket('idem', 'T-13', :'owner', :'meta', 'key-B');

-- UP6: job, key and wake-up commit or roll back together.
SELECT mint.wake_count() AS wakes_before \gset
BEGIN;
SELECT created FROM mint.mint_ticket('idem', 'T-14', :'owner', :'meta', 'key-C');
ROLLBACK;
SELECT (SELECT count(*) FROM mint.mint_jobs WHERE ticket_id = 'T-14') AS jobs,
       (SELECT count(*) FROM mint.idempotency_keys WHERE idempotency_key = 'key-C') AS keys,
       mint.wake_count() - :wakes_before AS wakes;
BEGIN;
SELECT created FROM mint.mint_ticket('idem', 'T-14', :'owner', :'meta', 'key-C');
COMMIT;
SELECT (SELECT count(*) FROM mint.mint_jobs WHERE ticket_id = 'T-14') AS jobs,
       (SELECT count(*) FROM mint.idempotency_keys WHERE idempotency_key = 'key-C') AS keys,
       mint.wake_count() - :wakes_before AS wakes;
-- a replay or an unchanged job wakes nobody
SELECT created, replayed FROM mint.mint_ticket('idem', 'T-14', :'owner', :'meta', 'key-C');
SELECT created FROM mint.mint_ticket('idem', 'T-14', :'owner', :'meta');
SELECT mint.wake_count() - :wakes_before AS wakes;

-- IK5: TTL (mint.idempotency_ttl) and reaping.  An expired key is a new key.
SET mint.idempotency_ttl = '1h';
SELECT created FROM mint.mint_ticket('idem', 'T-15', :'owner', :'meta', 'key-D');
SELECT expires_at - created_at AS ttl FROM mint.idempotency_keys WHERE idempotency_key = 'key-D';
RESET mint.idempotency_ttl;
UPDATE mint.idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key IN ('key-B', 'key-D');
SELECT ticket_id, created, replayed FROM mint.mint_ticket('idem', 'T-16', :'owner', :'meta', 'key-D');
SELECT ticket_ids FROM mint.idempotency_keys WHERE idempotency_key = 'key-D';
SELECT mint.reap_idempotency_keys(10) AS reaped;
SELECT idempotency_key FROM mint.idempotency_keys WHERE tenant_id = 'idem' ORDER BY 1;
SELECT mint.reap_idempotency_keys(10) AS reaped_again;

-- A repeated call with the same parameters writes nothing (no transaction id
-- is even assigned): the duplicate path is read only.
BEGIN;
SELECT created FROM mint.mint_ticket('idem', 'T-14', :'owner', :'meta');
SELECT pg_current_xact_id_if_assigned() IS NULL AS wrote_nothing;
COMMIT;

-- A key is looked up through the table's primary key whatever the table held
-- when the backend first looked one up: a kept query plan made on an empty
-- mint.idempotency_keys scanned the whole table at every call.
BEGIN;
TRUNCATE mint.idempotency_keys;
ANALYZE mint.idempotency_keys;
SELECT seq_scan AS seq_scans_before FROM pg_stat_xact_user_tables WHERE relid = 'mint.idempotency_keys'::regclass \gset
SELECT count(*) AS keyed FROM generate_series(1, 200) i,
  LATERAL mint.mint_ticket('idem', 'K-' || i, :'owner', :'meta', 'kk-' || i) m WHERE m.created;
SELECT count(*) AS replayed FROM generate_series(1, 200) i,
  LATERAL mint.mint_ticket('idem', 'K-' || i, :'owner', :'meta', 'kk-' || i) m WHERE m.replayed;
-- 0 sequential scans in these 400 calls (400 with the kept query plan)
SELECT seq_scan - :seq_scans_before < 5 AS keys_read_by_index FROM pg_stat_xact_user_tables
 WHERE relid = 'mint.idempotency_keys'::regclass;
ROLLBACK;
