-- The job state machine (src/worker/state.sql), driven directly, as the
-- worker drives it: every write is fenced by the lease token, a new attempt
-- needs every earlier one dead, and confirmed is absorbing.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
SELECT mint.register_tree('sm', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
-- the worker's reading of the tree: no job is dealt to a tree before its capacity is known
SELECT mint._tree_facts('9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu', 16384, 0, 1::smallint, 14, 64, 0,
  false, NULL, NULL) > 0 AS read;
-- claims are global: keep the other tests' queued jobs out of the way
UPDATE mint.mint_jobs SET next_attempt_at = now() + interval '1 day' WHERE status = 'queued';
SELECT count(*) FROM mint.mint_tickets('sm', (SELECT jsonb_agg(jsonb_build_object('ticket_id', 'S-' || i,
  'owner', :'owner', 'metadata', jsonb_build_object('name', 'S' || i, 'uri', 'https://x/' || i)))
  FROM generate_series(1, 3) i));
-- attempt rows need a signature, blockhash, bytes: these stand for them
CREATE FUNCTION pg_temp.rec(ticket text, token bigint, sig text) RETURNS integer LANGUAGE sql AS $$
  SELECT count(*)::integer FROM mint._record_attempts(ARRAY['sm'], ARRAY[ticket], ARRAY[token], ARRAY[sig],
    ARRAY['bh'], ARRAY[100::bigint], ARRAY['9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu'],
    ARRAY['\x01'::bytea], 60000, 'genesis-of-the-test',
    ARRAY[1400::bigint], ARRAY[99000]) $$;
CREATE FUNCTION pg_temp.job(ticket text) RETURNS text LANGUAGE sql AS $$
  SELECT status || ' attempts=' || attempts || ' token=' || lease_token || ' sig=' || coalesce(signature, '-')
         || ' asset=' || coalesce(asset_id, '-')
    FROM mint.mint_jobs WHERE tenant_id = 'sm' AND ticket_id = ticket $$;

-- NM4 claim: SKIP LOCKED + lease; a claimed job is nobody else's until its lease expires
SELECT ticket_id, lease_token, status FROM mint._claim(2, 60000, NULL) ORDER BY ticket_id;
SELECT ticket_id, lease_token, status FROM mint._claim(2, 60000, NULL) ORDER BY ticket_id;
SELECT count(*) AS claimable FROM mint._claim(10, 60000, NULL);

-- NM6 record before send: the attempt is stored with its signature
SELECT pg_temp.rec('S-1', 1, 'sig-1a') AS recorded;
SELECT pg_temp.job('S-1');
SELECT attempt_no, signature, state, lease_token, priority_fee, compute_unit_limit FROM mint.mint_attempts WHERE ticket_id = 'S-1';
-- QJ4 no second transaction while the first may still land
SELECT pg_temp.rec('S-1', 1, 'sig-1b') AS recorded_while_pending;
-- DL6 a stale token records nothing
SELECT pg_temp.rec('S-2', 0, 'sig-2-stale') AS recorded_with_stale_token;
SELECT count(*) AS attempts_of_s2 FROM mint.mint_attempts WHERE ticket_id = 'S-2';
-- the same bytes as another job's attempt (its signature) record nothing, and are no error
SELECT pg_temp.rec('S-2', 1, 'sig-1a') AS recorded_with_taken_signature;
SELECT pg_temp.job('S-2');

-- DL5 the lease of a dead worker expires; another claim takes the job over
-- (the token moves on), and the old token's writes are refused
UPDATE mint.mint_jobs SET lease_until = now() - interval '1 second' WHERE ticket_id = 'S-1';
SELECT ticket_id, lease_token, status FROM mint._claim(10, 60000, NULL);
SELECT count(*) AS confirmed_by_stale FROM mint._confirm(ARRAY['sm'], ARRAY['S-1'], ARRAY[1::bigint],
  ARRAY['sig-1a'], ARRAY['asset-1'], ARRAY[0::bigint]);
SELECT count(*) AS requeued_by_stale FROM mint._requeue(ARRAY['sm'], ARRAY['S-1'], ARRAY[1::bigint],
  ARRAY[0], ARRAY['x'], ARRAY['x'], ARRAY['x']);
SELECT count(*) AS renewed_by_stale FROM mint._renew(ARRAY['sm'], ARRAY['S-1'], ARRAY[1::bigint], 60000);
SELECT pg_temp.job('S-1');
-- QJ6 / NM7 the new holder confirms: signature, asset id, nonce, time in one step
SELECT count(*) AS confirmed FROM mint._confirm(ARRAY['sm'], ARRAY['S-1'], ARRAY[2::bigint],
  ARRAY['sig-1a'], ARRAY['asset-1'], ARRAY[7::bigint]);
SELECT pg_temp.job('S-1'), (SELECT leaf_nonce FROM mint.mint_jobs WHERE ticket_id = 'S-1') AS nonce,
       (SELECT confirmed_at IS NOT NULL FROM mint.mint_jobs WHERE ticket_id = 'S-1') AS has_time,
       (SELECT state FROM mint.mint_attempts WHERE signature = 'sig-1a') AS attempt;

-- NM3 confirmed is absorbing: nothing the worker or a webhook does moves it
SELECT count(*) AS failed_confirmed FROM mint._fail(ARRAY['sm'], ARRAY['S-1'], ARRAY[2::bigint],
  ARRAY['x'], ARRAY['x'], ARRAY['x']);
SELECT count(*) AS requeued_confirmed FROM mint._requeue(ARRAY['sm'], ARRAY['S-1'], ARRAY[2::bigint],
  ARRAY[0], ARRAY['x'], ARRAY['x'], ARRAY['x']);
SELECT count(*) AS dead_after_confirm FROM mint._attempts_dead(ARRAY['sm'], ARRAY['S-1'], ARRAY[2::bigint],
  ARRAY['sig-1a'], ARRAY['landed_err'], ARRAY['x'], ARRAY['x'], ARRAY['x']);
SELECT * FROM mint._apply_mint_event('sig-1a', false, NULL, NULL, 'late failure');
SELECT * FROM mint._apply_mint_event('sig-1a', true, 'asset-1', 7, NULL);
SELECT pg_temp.job('S-1');

-- QJ4 / NM8 a new attempt only after the earlier one is dead
SELECT pg_temp.rec('S-2', 1, 'sig-2a') AS recorded;
SELECT count(*) AS dead FROM mint._attempts_dead(ARRAY['sm'], ARRAY['S-2'], ARRAY[1::bigint],
  ARRAY['sig-2a'], ARRAY['expired'], ARRAY['expired'], ARRAY[''], ARRAY['never landed']);
SELECT count(*) AS dead_twice FROM mint._attempts_dead(ARRAY['sm'], ARRAY['S-2'], ARRAY[1::bigint],
  ARRAY['sig-2a'], ARRAY['expired'], ARRAY['expired'], ARRAY[''], ARRAY['never landed']);
SELECT pg_temp.rec('S-2', 1, 'sig-2b') AS recorded_after_expiry;
SELECT attempt_no, signature, state FROM mint.mint_attempts WHERE ticket_id = 'S-2' ORDER BY 1;

-- QJ5 / RS6 fail with the reason; operators retry or cancel
SELECT count(*) AS failed FROM mint._fail(ARRAY['sm'], ARRAY['S-2'], ARRAY[1::bigint],
  ARRAY['transaction'], ARRAY['6016'], ARRAY['landed with an error']);
SELECT status, last_error_class, last_error_code, last_error_message FROM mint.jobs WHERE ticket_id = 'S-2';
-- cancel is refused while an attempt may still land (sig-2b is pending)
SELECT mint.cancel_mint('sm', 'S-2');
\echo :SQLSTATE
SELECT status, attempts FROM mint.retry_mint('sm', 'S-2');
SELECT attempt_base, retries, next_attempt_at <= now() AS due FROM mint.mint_jobs WHERE ticket_id = 'S-2';
SELECT mint.retry_mint('sm', 'S-2');
\echo :SQLSTATE
SELECT mint.retry_mint('sm', 'nope');
\echo :SQLSTATE

-- RS1 backoff: a requeued job is not due before its delay
UPDATE mint.mint_jobs SET status = 'in_flight', lease_token = lease_token + 1 WHERE ticket_id = 'S-3';
SELECT count(*) AS requeued FROM mint._requeue(ARRAY['sm'], ARRAY['S-3'],
  (SELECT ARRAY[lease_token] FROM mint.mint_jobs WHERE ticket_id = 'S-3'), ARRAY[600000],
  ARRAY['rpc'], ARRAY['429'], ARRAY['rate limited']);
SELECT status, retries, next_attempt_at > now() + interval '9 minutes' AS delayed FROM mint.mint_jobs WHERE ticket_id = 'S-3';
-- a claim now takes the retried S-2, not the delayed S-3
SELECT ticket_id, status FROM mint._claim(10, 60000, NULL) ORDER BY 1;
-- a queued job with nothing pending can be cancelled, and stays cancelled
SELECT status FROM mint.cancel_mint('sm', 'S-3');
SELECT status FROM mint.cancel_mint('sm', 'S-3');

-- webhooks: success for a pending attempt confirms even a failed job, and fences its worker
-- (S-2 is held by the claim above; it fails with its token first)
SELECT count(*) AS failed FROM mint._fail(ARRAY['sm'], ARRAY['S-2'],
  (SELECT ARRAY[lease_token] FROM mint.mint_jobs WHERE ticket_id = 'S-2'), ARRAY['x'], ARRAY['x'], ARRAY['x']);
SELECT lease_token AS token_before FROM mint.mint_jobs WHERE ticket_id = 'S-2' \gset
SELECT * FROM mint._apply_mint_event('sig-2b', true, 'asset-2', 9, NULL);
SELECT pg_temp.job('S-2'), (SELECT lease_token > :token_before FROM mint.mint_jobs WHERE ticket_id = 'S-2') AS fenced;
SELECT * FROM mint._apply_mint_event('no-such-signature', true, NULL, NULL, NULL);

-- a batch is recorded reading mint_attempts a few times, whatever its size:
-- the refusals are looked up once (they were an anti-join, and a plan made
-- while the table was nearly empty scanned it once per job, this statement's
-- own new rows included)
SELECT count(*) FROM mint.mint_tickets('sm', (SELECT jsonb_agg(jsonb_build_object('ticket_id', 'B-' || i,
  'owner', :'owner', 'metadata', jsonb_build_object('name', 'B' || i, 'uri', 'https://x/b' || i)))
  FROM generate_series(1, 300) i)) AS batch;
BEGIN;
CREATE TEMP TABLE claimed ON COMMIT DROP AS SELECT * FROM mint._claim(300, 60000, NULL);
SELECT pg_stat_get_xact_numscans('mint.mint_attempts'::regclass) AS scans_before \gset
SELECT count(*) AS recorded FROM mint._record_attempts(
  (SELECT array_agg(tenant_id ORDER BY ticket_id) FROM claimed), (SELECT array_agg(ticket_id ORDER BY ticket_id) FROM claimed),
  (SELECT array_agg(lease_token ORDER BY ticket_id) FROM claimed), (SELECT array_agg('sig-' || ticket_id ORDER BY ticket_id) FROM claimed),
  array_fill('bh'::text, ARRAY[300]), array_fill(100::bigint, ARRAY[300]),
  array_fill('9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu'::text, ARRAY[300]),
  array_fill('\x01'::bytea, ARRAY[300]), 60000, 'genesis-of-the-test',
  array_fill(NULL::bigint, ARRAY[300]), array_fill(NULL::integer, ARRAY[300]));
-- 2 (the two lookups); 301 as anti-joins
SELECT pg_stat_get_xact_numscans('mint.mint_attempts'::regclass) - :scans_before < 10 AS read_a_few_times;
ROLLBACK;
