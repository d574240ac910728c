-- mint.process_webhook(): verified over the raw body in constant time,
-- deduplicated by a unique key, applied once and monotonically through the
-- job state machine (docs/AUDIT.md WI1-WI6).
\set VERBOSITY default
\set SHOW_CONTEXT never
-- After a failing call, psql's SQLSTATE variable shows the error code.

-- pgcrypto signs the test deliveries, independently of the extension's code.
CREATE EXTENSION pgcrypto;
CREATE FUNCTION wh_sign(secret text, id text, ts text, body bytea) RETURNS text
LANGUAGE sql AS $$
	SELECT 'v1,' || encode(hmac(convert_to(id || '.' || ts || '.', 'UTF8') || body,
	                            decode(regexp_replace(secret, '^whsec_', ''), 'base64'), 'sha256'),
	                       'base64')
$$;
-- Headers of a fresh delivery, its timestamp `skew` seconds from the wall clock.
CREATE FUNCTION wh_headers(secret text, id text, body bytea, skew integer DEFAULT 0) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('content-type', 'application/json', 'webhook-id', id,
	                          'webhook-timestamp', t.ts, 'webhook-signature', wh_sign(secret, id, t.ts, body))
	  FROM (SELECT (floor(extract(epoch FROM clock_timestamp()))::bigint + skew)::text AS ts) t
$$;
\set k1 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
\set k2 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'
\set k3 'whsec_b6Ovv5eS7H5seJrGSStBYDivs8v2/KrFjfMaVZYsi7w='
-- A delivery from provider 'fake' signed with secret `secret`.
CREATE FUNCTION wh(id text, body text, skew integer DEFAULT 0,
	secret text DEFAULT 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') RETURNS jsonb
LANGUAGE sql AS $$
	SELECT mint.process_webhook('fake', wh_headers(secret, id, convert_to(body, 'UTF8'), skew), body)
$$;
CREATE FUNCTION wh_counters() RETURNS TABLE (processed bigint, duplicates bigint, ignored bigint,
	rej_signature bigint, rej_timestamp bigint, rej_malformed bigint, rej_too_large bigint, rej_endpoint bigint)
LANGUAGE sql AS $$ SELECT * FROM mint._webhook_counters() $$;
CREATE TEMP TABLE c0 AS SELECT * FROM wh_counters();

-- =====================================================================
-- 1. Standard Webhooks conformance vectors (reference section 1.3), on the
--    verification of process_webhook with an injected clock.  'ok' or the
--    HTTP status and reason of the rejection.
-- =====================================================================
\set v1_id 'msg_p5jXN8AQM9LWM0D4loKWxJek'
\set v1_body '{"test": 2432232314}'
\set v1_sig 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
CREATE TEMP TABLE vec (n serial, name text, secret text, headers jsonb, body bytea, now bigint);
INSERT INTO vec (name, secret, headers, body, now) VALUES
 ('V1 canonical', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V1 secret without whsec_', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V2 rust', :'k2', jsonb_build_object('webhook-id', 'msg_27UH4WbU6Z5A5EzD8u03UvzRbpk', 'webhook-timestamp', '1649367553', 'webhook-signature', 'v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw='), convert_to('{"email":"test@example.com","username":"test_user"}', 'UTF8'), 1649367553),
 ('V2 negative', :'k2', jsonb_build_object('webhook-id', 'msg_27UH4WbU6Z5A5EzD8u03UvzRbpk', 'webhook-timestamp', '1649367553', 'webhook-signature', 'v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU='), convert_to('{"email":"test@example.com","username":"test_user"}', 'UTF8'), 1649367553),
 ('V3 1 MiB', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,txpEUxqWZJ5nteTnymUVa+7C4NHpBeXJ6CsBAW0c3/A='), convert_to(repeat('a', 1048576), 'UTF8'), 1614265330),
 ('V3 256 KiB', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,Mw4Pe2WgApuT7NSqnSq0PQPV9gbLdggCl9B865x5Xh0='), convert_to(repeat('a', 262144), 'UTF8'), 1614265330),
 ('V3 262143', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,NTItnqyWMoFhk2Bbe5V/BMdcFRWgcSQaTgqLHX7FC7c='), convert_to(repeat('a', 262143), 'UTF8'), 1614265330),
 ('V3 1 MiB, body one byte short', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,txpEUxqWZJ5nteTnymUVa+7C4NHpBeXJ6CsBAW0c3/A='), convert_to(repeat('a', 1048575), 'UTF8'), 1614265330),
 ('V4.2 webhook-id missing', :'k1', jsonb_build_object('webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.3 webhook-timestamp missing', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.4 webhook-timestamp hello', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', 'hello', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.5 webhook-signature missing', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.6 junk signature', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,dawfeoifkpqwoekfpqoekf'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.7 last char changed', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA='), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.8 tail replaced', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLawdd'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.9 truncated to 8 chars', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,g0hM9S'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.10 empty signature', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.11 multi-signature, unknown v2', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ' || :'v1_sig' || ' v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc='), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V4.12 now - 301', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265631),
 ('V4.12 now - 299', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265629),
 ('now - 300 exactly (pinned: accepted, as JS and Rust)', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265630),
 ('now + 300 exactly (pinned: accepted)', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265030),
 ('V4.13 now + 301', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265029),
 ('V4.13 now + 299', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265031),
 ('V4.14 empty body', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', wh_sign(:'k1', :'v1_id', '1614265330', '')), '', 1614265330),
 ('V4.16 rust multi-signature', :'k2', jsonb_build_object('webhook-id', 'msg_27UH4WbU6Z5A5EzD8u03UvzRbpk', 'webhook-timestamp', '1649367553', 'webhook-signature', 'v1,tFtCZ5RDCPxzWQRWXWPgrCgE2frDBe9gjpbWQxnVfsQ= v1,Mm7xgUVICxZfQ3bgf0h0Dof65L/IFx+PnZvnDWPCX6Q= v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw= v1,9DfC1c3eeOrXB6w/5dIDydLNQaEyww5KalE5jLBZucE='), convert_to('{"email":"test@example.com","username":"test_user"}', 'UTF8'), 1649367553),
 ('V4.17 mixed-case header names', :'k1', jsonb_build_object('Webhook-Id', :'v1_id', 'WEBHOOK-TIMESTAMP', '1614265330', 'Webhook-Signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V5 v1a only (no public key here)', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=='), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V5 v1a then valid v1', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', 'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg== ' || :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('V6 v1', :'k3', jsonb_build_object('webhook-id', '7a2486b3-31cf-4bd3-a460-df8845d16cd5', 'webhook-timestamp', '1737987215', 'webhook-signature', 'v1,iayM3VaiYCEDP/CxWUFWcxUCJk2YmBDQHtHTsaHzrwo='), convert_to('{"greetings": "Hello World"}', 'UTF8'), 1737987215),
 ('V6 unpadded v1', :'k3', jsonb_build_object('webhook-id', '7a2486b3-31cf-4bd3-a460-df8845d16cd5', 'webhook-timestamp', '1737987215', 'webhook-signature', 'v1,iayM3VaiYCEDP/CxWUFWcxUCJk2YmBDQHtHTsaHzrwo'), convert_to('{"greetings": "Hello World"}', 'UTF8'), 1737987215),
 ('V6 other payload', :'k3', jsonb_build_object('webhook-id', '7a2486b3-31cf-4bd3-a460-df8845d16cd5', 'webhook-timestamp', '1737987215', 'webhook-signature', 'v1,iayM3VaiYCEDP/CxWUFWcxUCJk2YmBDQHtHTsaHzrwo='), convert_to('{"greetings": "Hello"}', 'UTF8'), 1737987215),
 ('V6 other timestamp', :'k3', jsonb_build_object('webhook-id', '7a2486b3-31cf-4bd3-a460-df8845d16cd5', 'webhook-timestamp', '1737987216', 'webhook-signature', 'v1,iayM3VaiYCEDP/CxWUFWcxUCJk2YmBDQHtHTsaHzrwo='), convert_to('{"greetings": "Hello World"}', 'UTF8'), 1737987216),
 ('V6 other id', :'k3', jsonb_build_object('webhook-id', '7a2486b3-31cf-4bd3-a460-df8845d16cd6', 'webhook-timestamp', '1737987215', 'webhook-signature', 'v1,iayM3VaiYCEDP/CxWUFWcxUCJk2YmBDQHtHTsaHzrwo='), convert_to('{"greetings": "Hello World"}', 'UTF8'), 1737987215),
 ('V6 v1a signature', :'k3', jsonb_build_object('webhook-id', '7a2486b3-31cf-4bd3-a460-df8845d16cd5', 'webhook-timestamp', '1737987215', 'webhook-signature', 'v1a,J/b6YbswScYdpR1AvAXOM2HR/jdSzawexEQ+N/6dHBcKtvJFd9yivsCDkwVE6A1G2C9wFFwQENUhio5rNrpiAw=='), convert_to('{"greetings": "Hello World"}', 'UTF8'), 1737987215),
 ('V6 no version', :'k3', jsonb_build_object('webhook-id', '7a2486b3-31cf-4bd3-a460-df8845d16cd5', 'webhook-timestamp', '1737987215', 'webhook-signature', 'iayM3VaiYCEDP/CxWUFWcxUCJk2YmBDQHtHTsaHzrwo='), convert_to('{"greetings": "Hello World"}', 'UTF8'), 1737987215),
 ('V6 empty version', :'k3', jsonb_build_object('webhook-id', '7a2486b3-31cf-4bd3-a460-df8845d16cd5', 'webhook-timestamp', '1737987215', 'webhook-signature', ',iayM3VaiYCEDP/CxWUFWcxUCJk2YmBDQHtHTsaHzrwo='), convert_to('{"greetings": "Hello World"}', 'UTF8'), 1737987215),
 ('wrong secret (V2 key on V1)', :'k2', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('body re-serialised by jsonb', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(('{"test": 2432232314}'::jsonb)::text || ' ', 'UTF8'), 1614265330),
 ('timestamp 01614265330 (not canonical)', :'k1', jsonb_build_object('webhook-id', :'v1_id', 'webhook-timestamp', '01614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330),
 ('webhook-id with a dot', :'k1', jsonb_build_object('webhook-id', 'msg.1', 'webhook-timestamp', '1614265330', 'webhook-signature', :'v1_sig'), convert_to(:'v1_body', 'UTF8'), 1614265330);
SELECT name, mint._webhook_verify(ARRAY[secret], headers, body, now) AS verdict FROM vec ORDER BY n;

-- Rotation inside the verifier: two active keys, either one signs.
SELECT mint._webhook_verify(ARRAY[:'k2', :'k1'], headers, body, now) AS v1_with_two_keys,
       mint._webhook_verify(ARRAY[:'k2', :'k3'], headers, body, now) AS v1_with_other_keys
  FROM vec WHERE name = 'V1 canonical';

-- V4.15: an empty secret is refused.
SELECT mint._webhook_key('standard', '');
\echo :SQLSTATE
SELECT mint._webhook_key('standard', 'whsec_');
\echo :SQLSTATE
SELECT mint._webhook_key('standard', 'whsec_not*base64');
\echo :SQLSTATE
SELECT mint._webhook_key('standard', 'whsec_c2hvcnQ=');   -- 5 bytes: too short a key
\echo :SQLSTATE
-- 24 bytes, with or without prefix or padding; a 64-byte key is kept whole.
SELECT encode(mint._webhook_key('standard', :'k1'), 'hex') AS v1_key,
       mint._webhook_key('standard', :'k1') = mint._webhook_key('standard', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') AS prefix_optional,
       mint._webhook_key('standard', :'k3') = mint._webhook_key('standard', rtrim(:'k3', '=')) AS padding_optional,
       length(mint._webhook_key('standard', 'whsec_' || replace(encode(sha512('k'), 'base64'), E'\n', ''))) AS key64_len;

-- A 64-byte key is used in full (a 32-byte truncation would not verify).
SELECT mint._webhook_verify(ARRAY[k], jsonb_build_object('webhook-id', 'msg_1', 'webhook-timestamp', '1614265330',
           'webhook-signature', wh_sign(k, 'msg_1', '1614265330', 'x')), 'x', 1614265330) AS full_key,
       mint._webhook_verify(ARRAY['whsec_' || encode(substr(sha512('k'), 1, 32), 'base64')],
           jsonb_build_object('webhook-id', 'msg_1', 'webhook-timestamp', '1614265330',
           'webhook-signature', wh_sign(k, 'msg_1', '1614265330', 'x')), 'x', 1614265330) AS truncated_key
  FROM (SELECT 'whsec_' || replace(encode(sha512('k'), 'base64'), E'\n', '') AS k) s;

-- =====================================================================
-- 2. Endpoints and secrets
-- =====================================================================
SELECT mint.add_webhook_endpoint('fake', 'standard', :'k1') AS secret_id;
SELECT mint.add_webhook_endpoint('fake', 'standard', :'k1');
\echo :SQLSTATE
SELECT mint.add_webhook_endpoint('other', 'stripe', :'k1');
\echo :SQLSTATE
SELECT mint.add_webhook_endpoint('other', 'standard', 'whsec_');
\echo :SQLSTATE
SELECT mint.add_webhook_endpoint('bad name', 'standard', :'k1');
\echo :SQLSTATE
SELECT mint.add_webhook_endpoint(NULL, 'standard', :'k1');
\echo :SQLSTATE
SELECT mint.add_webhook_endpoint('other', 'helius', '');
\echo :SQLSTATE
SELECT provider FROM mint.webhook_endpoints ORDER BY 1;   -- the failed calls wrote nothing
SELECT provider, scheme, tolerance, max_body_bytes, retention, enabled FROM mint.webhook_endpoints;
SELECT provider, secret_id, fingerprint, not_after, active FROM mint.webhook_secret_status;
-- The stored key is the decoded whsec_ key, not the text.
SELECT encode(secret, 'hex') AS stored_key FROM mint.webhook_secrets;

-- =====================================================================
-- 3. Jobs as the worker leaves them: three tickets submitted, one attempt each.
-- =====================================================================
\set sig1 '2fBhoTU7BchSKkgLEMxb8d8fJ4NJQ4KdZQxN5TJwxMsc4denDsBn4pLnFBbuE9zpofaKqUJZPiTRn7zaQbCyznBy'
\set sig2 '3pAqE74Zke1svHnqwVhCSZr3R4AfnM2WpQduhKRjBkQLFszcJ6rtnYE1t8cx7JPNUDG1H76xFgxUo6NZyJqvY5oU'
\set sig3 '3yYmhGMJijwqLCZpn9DAAg4VaJ18rXLqasvK6A56W78T6Mm84JmUx5iehiNCByjpvomiRhRiXpfWKLdBp7eCZLsm'
\set sig4 '2qKM31LyPn7nsMNRCGtQvZw9xLwgghwEt2efZcD9aNz8W2Nr6bF6HXoTD4oBkTDUe7ojbg3XyEy9up7vNVD6idBH'
\set sig_unknown '5RP4591YwM9xtPGgbbjpkncRGLKTHExHenwLzGKqeSJhw8fACiWNHAUWgdqhbikyguMeiVHXxARduLVcDPnZs8PH'
\set tree '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu'
\set asset1 'AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9'
\set asset3 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
SELECT mint.register_tree('whk', :'tree');
INSERT INTO mint.mint_jobs (tenant_id, ticket_id, owner, metadata, fingerprint, status, attempts,
                            signature, lease_token, lease_until, submitted_at)
SELECT 'whk', 'T-' || i, 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse',
       jsonb_build_object('name', 'Ticket ' || i, 'uri', 'https://x/' || i), sha256(i::text::bytea),
       'submitted', 1, sig, 1, now() + interval '1 minute', now()
  FROM (VALUES (1, :'sig1'), (2, :'sig2'), (3, :'sig3'), (4, :'sig4')) v(i, sig);
INSERT INTO mint.mint_attempts (tenant_id, ticket_id, attempt_no, signature, recent_blockhash,
                                last_valid_block_height, merkle_tree, signed_tx, lease_token)
SELECT tenant_id, ticket_id, 1, signature, 'EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N', 1000,
       :'tree', '\x01'::bytea, 1
  FROM mint.mint_jobs WHERE tenant_id = 'whk';

-- =====================================================================
-- 4. Standard deliveries: applied once (WI3, WI4), monotonically (WI5)
-- =====================================================================
\set conf1 '{"type":"mint.confirmed","timestamp":"2026-01-01T00:00:00Z","data":{"signature":"' :sig1 '","status":"confirmed","slot":10,"tree":"' :tree '","leaf_nonce":7,"asset_id":"' :asset1 '","owner":"GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse","error":null}}'
SELECT wh('msg_conf1', :'conf1');
SELECT job_id, status, asset_id, leaf_nonce, signature = :'sig1' AS sig_ok, confirmed_at IS NOT NULL AS confirmed_at,
       lease_until IS NULL AS lease_released
  FROM mint.mint_jobs WHERE tenant_id = 'whk' AND ticket_id = 'T-1';
SELECT state FROM mint.mint_attempts WHERE signature = :'sig1';
SELECT provider, event_id, event_type, status, applied, job_id, reason, error,
       payload->'data'->>'asset_id' = :'asset1' AS payload_kept,
       expires_at - received_at AS retention
  FROM mint.webhook_events;

-- WI4: the same event again (a retry: new timestamp, new signature) is a duplicate.
SELECT wh('msg_conf1', :'conf1', 5);
SELECT wh('msg_conf1', :'conf1', -5);
SELECT count(*) AS events FROM mint.webhook_events;
-- WI3: the unique key decides; the job was changed once.
SELECT status, updated_at = confirmed_at AS not_touched_again FROM mint.mint_jobs WHERE tenant_id = 'whk' AND ticket_id = 'T-1';

-- WI5: a late failure never overrides a confirmation.
\set fail1 '{"type":"mint.failed","data":{"signature":"' :sig1 '","status":"failed","leaf_nonce":null,"asset_id":null,"error":{"InstructionError":[0,{"Custom":6001}]}}}'
SELECT wh('msg_fail1', :'fail1');
SELECT status, asset_id, leaf_nonce, last_error_message FROM mint.mint_jobs WHERE tenant_id = 'whk' AND ticket_id = 'T-1';
SELECT state FROM mint.mint_attempts WHERE signature = :'sig1';

-- A failure of a pending attempt marks the attempt dead (the worker then
-- decides); the job does not move.  The error is kept with the event (WI6).
\set fail2 '{"type":"mint.failed","data":{"signature":"' :sig2 '","status":"failed","leaf_nonce":null,"asset_id":null,"error":{"InstructionError":[0,{"Custom":6001}]}}}'
SELECT wh('msg_fail2', :'fail2');
SELECT status FROM mint.mint_jobs WHERE tenant_id = 'whk' AND ticket_id = 'T-2';
SELECT state, error_class, error_message FROM mint.mint_attempts WHERE signature = :'sig2';
SELECT event_id, status, applied, error FROM mint.webhook_events WHERE event_id = 'msg_fail2';
-- A later confirmation of a job that another delivery already confirmed: no change.
\set conf1b '{"type":"mint.confirmed","data":{"signature":"' :sig1 '","leaf_nonce":7,"asset_id":"' :asset1 '"}}'
SELECT wh('msg_conf1_again', :'conf1b');

-- A confirmation for a signature of no attempt: stored, answered ignored, no error.
\set conf_unknown '{"type":"mint.confirmed","data":{"signature":"' :sig_unknown '","leaf_nonce":1,"asset_id":"' :asset3 '"}}'
SELECT wh('msg_unknown', :'conf_unknown');
SELECT event_id, status, applied, reason, job_id FROM mint.webhook_events WHERE event_id = 'msg_unknown';
-- An event type this extension does not handle: stored and ignored.
SELECT wh('msg_ping', '{"type":"ping"}');
SELECT count(*) AS jobs_changed FROM mint.mint_jobs WHERE tenant_id = 'whk' AND status <> 'submitted';

-- =====================================================================
-- 5. Rejected deliveries: clear answers, nothing stored (WI1, WI2)
-- =====================================================================
CREATE TEMP TABLE before AS SELECT count(*) AS n FROM mint.webhook_events;
\set conf4 '{"type":"mint.confirmed","data":{"signature":"' :sig4 '","leaf_nonce":9,"asset_id":"' :asset3 '"}}'
-- Replay window, relative to the wall clock (WI2).
SELECT wh('msg_stale', :'conf4', -301);
SELECT wh('msg_future', :'conf4', 301);
-- Signatures (WI1).
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')) - 'webhook-signature', :'conf4');
SELECT mint.process_webhook('fake', wh_headers(:'k2', 'msg_x', convert_to(:'conf4', 'UTF8')), :'conf4');
-- Tampered: signed over one body, another delivered.
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')),
                            replace(:'conf4', '"leaf_nonce":9', '"leaf_nonce":8'));
-- Signed over the raw body, but the body was re-serialised on the way (jsonb::text).
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')), (:'conf4'::jsonb)::text);
-- Signed for another id (the id is part of the signed content).
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')) || '{"webhook-id": "msg_y"}', :'conf4');
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')) || '{"webhook-signature": "v1,"}', :'conf4');
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')) || '{"webhook-signature": "garbage"}', :'conf4');
-- Malformed headers.
SELECT mint.process_webhook('fake', '[]', :'conf4');
SELECT mint.process_webhook('fake', '"webhook-id"', :'conf4');
SELECT mint.process_webhook('fake', '{}', :'conf4');
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')) || '{"webhook-timestamp": "hello"}', :'conf4');
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')) || '{"webhook-timestamp": 1614265330}', :'conf4');
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')) || '{"Webhook-Id": "msg_x"}', :'conf4');
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg.x', convert_to(:'conf4', 'UTF8')), :'conf4');
SELECT mint.process_webhook('fake', wh_headers(:'k1', repeat('m', 257), convert_to(:'conf4', 'UTF8')), :'conf4');
-- Correctly signed, but the JSON is unusable: 400, nothing stored.
SELECT wh('msg_bad1', '{"type": "mint.confirmed", ');
SELECT wh('msg_bad2', repeat('[', 200000));
SELECT wh('msg_bad3', '[1, 2]');
SELECT wh('msg_bad4', '{"type":"mint.confirmed"}');
SELECT wh('msg_bad5', '{"type":"mint.confirmed","data":{"signature":"0OIl"}}');
SELECT wh('msg_bad6', '{"type":"mint.confirmed","data":{"signature":"' || :'sig4' || '","leaf_nonce":-1}}');
SELECT wh('msg_bad7', '{"type":"mint.confirmed","data":{"signature":"' || :'sig4' || '","asset_id":"nope"}}');
SELECT wh('msg_bad8', '{"type":"mint.confirmed","data":{"signature":"' || :'sig4' || '","leaf_nonce":1e400}}');
-- Unknown and disabled endpoints.
SELECT mint.process_webhook('nobody', wh_headers(:'k1', 'msg_x', convert_to(:'conf4', 'UTF8')), :'conf4');
-- Misuse raises: a NULL argument.
SELECT mint.process_webhook(NULL, '{}', '');
\echo :SQLSTATE
SELECT mint.process_webhook('fake', NULL, '');
\echo :SQLSTATE
SELECT count(*) - (SELECT n FROM before) AS stored_by_rejections FROM mint.webhook_events;
SELECT status FROM mint.mint_jobs WHERE tenant_id = 'whk' AND ticket_id = 'T-4';

-- ±299 s is inside the window (WI2); each is a new event.
SELECT wh('msg_past299', '{"type":"ping"}', -299);
SELECT wh('msg_future299', '{"type":"ping"}', 299);
-- A wider tolerance is per endpoint.
SELECT mint.alter_webhook_endpoint('fake', tolerance => '10 minutes');
SELECT wh('msg_past500', '{"type":"ping"}', -500)->>'status' AS tolerance_600;
SELECT mint.alter_webhook_endpoint('fake', tolerance => '5 minutes');
SELECT wh('msg_past500b', '{"type":"ping"}', -500)->>'status' AS tolerance_300;

-- =====================================================================
-- 6. Body size: 1 MiB accepted, one byte more refused before any work.
-- =====================================================================
CREATE TEMP TABLE big AS
SELECT b || repeat('a', 1048576 - octet_length(b) - 3) || '"}}' AS body
  FROM (SELECT '{"type":"mint.note","data":{"pad":"'::text AS b) s;
SELECT octet_length(body) FROM big;
SELECT wh('msg_1mib', body) FROM big;
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_1mib_plus', convert_to(body || ' ', 'UTF8')), body || ' ') FROM big;
SELECT mint.alter_webhook_endpoint('fake', max_body_bytes => 100);
SELECT wh('msg_small', repeat(' ', 90) || '{"type":"ping"}');
SELECT mint.alter_webhook_endpoint('fake', max_body_bytes => 1048576);

-- =====================================================================
-- 7. The bytea variant: the raw bytes, UTF-8.
-- =====================================================================
\set conf3 '{"type":"mint.confirmed","data":{"signature":"' :sig3 '","leaf_nonce":3,"asset_id":"' :asset3 '","note":"caf\u00e9 ☕"}}'
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_conf3', convert_to(:'conf3', 'UTF8')), convert_to(:'conf3', 'UTF8'));
SELECT status, asset_id, leaf_nonce FROM mint.mint_jobs WHERE tenant_id = 'whk' AND ticket_id = 'T-3';
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_latin1', '\x7b2274797065223a2270696e67e9227d'::bytea), '\x7b2274797065223a2270696e67e9227d'::bytea);
SELECT mint.process_webhook('fake', wh_headers(:'k1', 'msg_nul', '\x7b7d00'::bytea), '\x7b7d00'::bytea);

-- =====================================================================
-- 8. Rotation: several active secrets; retired ones stop verifying (WI2).
-- =====================================================================
SELECT mint.add_webhook_secret('fake', :'k2') AS new_secret_id;
SELECT wh('msg_rot_old', '{"type":"ping"}', 0, :'k1')->>'status' AS signed_old,
       wh('msg_rot_new', '{"type":"ping"}', 0, :'k2')->>'status' AS signed_new;
-- The sender signs with both during the switch: two v1 entries in one header.
SELECT mint.process_webhook('fake', h || jsonb_build_object('webhook-signature',
           wh_sign(:'k3', 'msg_rot_both', h->>'webhook-timestamp', '{"type":"ping"}') || ' ' || (h->>'webhook-signature')),
       '{"type":"ping"}')->>'status' AS signed_unknown_and_new
  FROM wh_headers(:'k2', 'msg_rot_both', '{"type":"ping"}') h;
-- Rotate to k3 with no grace: k1 and k2 retire at once.
SELECT mint.rotate_webhook_secret('fake', :'k3', grace => '0') AS rotated_to;
SELECT secret_id, active FROM mint.webhook_secret_status WHERE provider = 'fake' ORDER BY secret_id;
SELECT wh('msg_rot_k1', '{"type":"ping"}', 0, :'k1')->>'reason' AS k1_after,
       wh('msg_rot_k2', '{"type":"ping"}', 0, :'k2')->>'reason' AS k2_after,
       wh('msg_rot_k3', '{"type":"ping"}', 0, :'k3')->>'status' AS k3_after;
-- A grace period keeps the old secret until it ends; retire ends it at once.
SELECT mint.rotate_webhook_secret('fake', :'k1') AS rotated_to;
SELECT secret_id, active, not_after IS NOT NULL AS retiring FROM mint.webhook_secret_status
 WHERE provider = 'fake' ORDER BY secret_id;
SELECT wh('msg_grace_k3', '{"type":"ping"}', 0, :'k3')->>'status' AS k3_in_grace;
SELECT mint.retire_webhook_secret('fake', 3);
SELECT wh('msg_retired_k3', '{"type":"ping"}', 0, :'k3')->>'reason' AS k3_retired;
SELECT mint.retire_webhook_secret('fake', 99);
\echo :SQLSTATE
-- Disabled endpoint: refused.
SELECT mint.alter_webhook_endpoint('fake', enabled => false);
SELECT wh('msg_disabled', '{"type":"ping"}');
SELECT mint.alter_webhook_endpoint('fake', enabled => true);

-- =====================================================================
-- 9. Helius: a configured Authorization value; an array of transactions;
--    event id = <signature>:<type>.
-- =====================================================================
SELECT mint.add_webhook_endpoint('helius', 'helius', 'Bearer hel-secret-1') AS secret_id;
SELECT encode(secret, 'escape') = 'Bearer hel-secret-1' AS stored_value FROM mint.webhook_secrets WHERE provider = 'helius';
\set hel4 '[{"type":"COMPRESSED_NFT_MINT","source":"BUBBLEGUM","signature":"' :sig4 '","slot":11,"timestamp":1700000000,"transactionError":null,"events":{"compressed":[{"type":"COMPRESSED_NFT_MINT","treeId":"' :tree '","assetId":"' :asset3 '","leafIndex":12,"seq":13,"newLeafOwner":"GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse"}]}}]'
SELECT mint.process_webhook('helius', '{"Authorization": "Bearer hel-secret-1"}', :'hel4');
SELECT status, asset_id, leaf_nonce FROM mint.mint_jobs WHERE tenant_id = 'whk' AND ticket_id = 'T-4';
SELECT mint.process_webhook('helius', '{"authorization": "Bearer hel-secret-1"}', :'hel4');
SELECT mint.process_webhook('helius', '{"Authorization": "Bearer hel-secret-2"}', :'hel4');
SELECT mint.process_webhook('helius', '{"Authorization": "Bearer hel-secret-1x"}', :'hel4');
SELECT mint.process_webhook('helius', '{"content-type": "application/json"}', :'hel4');
SELECT mint.process_webhook('helius', '{"Authorization": "Bearer hel-secret-1"}', '{"signature": 1}');
SELECT mint.process_webhook('helius', '{"Authorization": "Bearer hel-secret-1"}', '[]');
-- Several transactions in one delivery: one already seen, a failure of an
-- unknown signature, and the compressed event given as an object.
SELECT mint.process_webhook('helius', '{"Authorization": "Bearer hel-secret-1"}',
  '[' || trim(both '[]' from :'hel4') || ',{"type":"COMPRESSED_NFT_MINT","signature":"' || :'sig_unknown'
      || '","transactionError":{"InstructionError":[0,{"Custom":1}]},"events":{"compressed":{"assetId":"' || :'asset1' || '","leafIndex":2}}}]');
SELECT event_id, status, applied, error FROM mint.webhook_events WHERE provider = 'helius' ORDER BY event_id;
-- Rotation of the Authorization value.
SELECT mint.rotate_webhook_secret('helius', 'Bearer hel-secret-2', grace => '1 hour');
SELECT mint.process_webhook('helius', '{"Authorization": "Bearer hel-secret-1"}', :'hel4')->>'status' AS old_value,
       mint.process_webhook('helius', '{"Authorization": "Bearer hel-secret-2"}', :'hel4')->>'status' AS new_value;

-- =====================================================================
-- 10. Counters (mint.stats) moved for every outcome; rejections counted.
-- =====================================================================
SELECT c.processed - c0.processed AS processed, c.duplicates - c0.duplicates AS duplicates,
       c.ignored - c0.ignored AS ignored, c.rej_signature - c0.rej_signature AS rej_signature,
       c.rej_timestamp - c0.rej_timestamp AS rej_timestamp, c.rej_malformed - c0.rej_malformed AS rej_malformed,
       c.rej_too_large - c0.rej_too_large AS rej_too_large, c.rej_endpoint - c0.rej_endpoint AS rej_endpoint
  FROM wh_counters() c, c0;
SELECT webhooks_processed >= 4 AND webhooks_rejected >= 30 AS in_stats FROM mint.stats;

-- =====================================================================
-- 11. Retention and reaping (WI6)
-- =====================================================================
SELECT DISTINCT expires_at - received_at AS default_retention FROM mint.webhook_events;
SELECT mint.alter_webhook_endpoint('fake', retention => '1 day');
SELECT wh('msg_retention', '{"type":"ping"}')->>'status';
SELECT expires_at - received_at AS endpoint_retention FROM mint.webhook_events WHERE event_id = 'msg_retention';
SELECT count(*) AS total FROM mint.webhook_events \gset
UPDATE mint.webhook_events SET expires_at = now() - interval '1 second'
 WHERE event_id IN ('msg_ping', 'msg_past299', 'msg_future299');
SELECT mint.reap_webhook_events(2) AS reaped, mint.reap_webhook_events(2) AS reaped_next,
       mint.reap_webhook_events(2) AS nothing_left;
SELECT :total - count(*) AS gone FROM mint.webhook_events;
-- After reaping, a redelivery is new again, and still cannot move a job backwards.
UPDATE mint.webhook_events SET expires_at = now() - interval '1 second' WHERE event_id = 'msg_fail1';
SELECT mint.reap_webhook_events(10);
SELECT wh('msg_fail1', :'fail1');
SELECT status FROM mint.mint_jobs WHERE tenant_id = 'whk' AND ticket_id = 'T-1';

-- =====================================================================
-- 12. Security: secrets readable by no application role.
-- =====================================================================
CREATE ROLE wh_app LOGIN;
SELECT mint.grant_tenant('whk', 'wh_app');
SELECT mint.grant_webhook_receiver('wh_app');
SELECT p.oid::regprocedure AS function, p.prosecdef AS security_definer, p.proconfig
  FROM pg_proc p WHERE p.proname = 'process_webhook' ORDER BY 1;
SET ROLE wh_app;
SELECT count(*) FROM mint.webhook_secrets;
\echo :SQLSTATE
SELECT count(*) FROM mint.webhook_endpoints;
\echo :SQLSTATE
SELECT count(*) FROM mint.webhook_events;
\echo :SQLSTATE
SELECT * FROM mint.webhook_secret_status;
\echo :SQLSTATE
SELECT mint.add_webhook_secret('fake', :'k2');
\echo :SQLSTATE
SELECT mint._webhook_verify(ARRAY[:'k1'], '{}', '', 0);
\echo :SQLSTATE
SELECT mint.reap_webhook_events(1);
\echo :SQLSTATE
-- The receiver role can deliver (the function reads the secrets as its owner).
SELECT wh('msg_as_app', '{"type":"ping"}')->>'status' AS as_app;
RESET ROLE;
SELECT mint.revoke_webhook_receiver('wh_app');
SELECT mint.revoke_tenant('whk', 'wh_app');
DROP ROLE wh_app;

-- Clean up for the other tests.
DELETE FROM mint.webhook_events;
DELETE FROM mint.webhook_secrets;
DELETE FROM mint.webhook_endpoints;
DELETE FROM mint.mint_attempts WHERE tenant_id = 'whk';
DELETE FROM mint.mint_jobs WHERE tenant_id = 'whk';
DELETE FROM mint.trees WHERE tenant_id = 'whk';
DROP FUNCTION wh(text, text, integer, text), wh_headers(text, text, bytea, integer),
              wh_sign(text, text, text, bytea), wh_counters();
DROP EXTENSION pgcrypto;
