-- Standard Webhooks v1a (issue 20, deliverable 5): mint.process_webhook()
-- verifies ed25519 signatures over the same content as v1 (id "." timestamp
-- "." body) with the whpk_ public keys registered per endpoint; entries of
-- unknown versions are ignored, a header of nothing else is refused; public
-- keys rotate and retire like secrets.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- After a failing call, psql's SQLSTATE variable shows the error code.

-- Fixtures, made once with an independent ed25519 implementation: Node
-- 20.20's node:crypto (OpenSSL), cross-checked with Python's cryptography
-- 48.0 (identical output: ed25519 signatures are deterministic).  Key X is
-- the PKCS#8 key 302e020100300506032b657004220420 || SHA-256('mint_ext v1a
-- fixture key X'); pkX = 'whpk_' || base64(its raw 32-byte public key);
-- sigX_<body> = base64(crypto.sign(null, Buffer.from('msg_v1a_1' + '.' +
-- '1737987215' + '.' + body), keyX)), for the bodies
--   m1     {"type":"ping","data":{"n":1}}
--   empty  (the empty body)
--   utf8   {"type":"ping","note":"café ☕"}   (UTF-8)
--   big    262144 times 'a'
-- sigA_m1_malleated is sigA_m1 with its S replaced by S + L (L the order of
-- the base point); node:crypto's verify refuses it, and so must we.
\set pkA 'whpk_ojO3bW2DK7d3I9AnEQILaF4uRwsKzqKZ9y+iIe4iaE4='
\set pkB 'whpk_TuTLfBuuKCq80gbxu8Ti1GgaqEyC2G2mAVAhut9kJmU='
\set pkC 'whpk_OnzTZf9z0zZxa5rlT25C7UQc+XTSkEJwA0HtVBJjb9o='
\set sigA_m1 'y+rJPk3ULItP6jaj1J843TGBMhTC2nE8pQrZqzpnBXCkw0vxAmvWwHSocBueZYW1m4vaHbxVJLWJbIvVWTTlCw=='
\set sigA_empty 'dkDjebMCVKJngxorlKLRV1CDrxv0yFtM8NNTM4X7sQ3h8RcwifpvhiqFFZbHf0d8o9xsxmhYTv9iCMicLDoRBw=='
\set sigA_utf8 'HCGwlqY2mHLO9EGsLTYAftaO0yMSOz6WTTr0RNeGWXesa5lo0uN3W/Mjzk81qgT6pyE1pPFy1dC3QYW/N9hqAg=='
\set sigA_big 'GGIadQWd+mCVcxJuWomqxx1UBr7bJqbXoIjzbr37z8nmDK9jaBR6L5dmy1nPakYfSytSCtC98efQ6cLbvBDaBA=='
\set sigB_m1 'R01mun+wR9TDHLlhxICtEz18YITd0GVHD5yNRmEugEVLeqiKUS7VgyA34KdWd5tKMkJxvmWnKiDccC9qAzHYAQ=='
\set sigC_m1 '9Cu6XkDfTC2RbC2uIVyEYljMx86D4ZQUcVNGa+GyAzKJS6IcfwOcph2lw0lWaRFuBlmZKGPdLKabX2On/ZFNDA=='
\set sigA_m1_malleated 'y+rJPk3ULItP6jaj1J843TGBMhTC2nE8pQrZqzpnBXCRl0FOHc7oGEtFaL58X2TKm4vaHbxVJLWJbIvVWTTlGw=='
\set id 'msg_v1a_1'
\set ts 1737987215
\set m1 '{"type":"ping","data":{"n":1}}'
-- HMAC secrets (v1) for the mixed deliveries; pgcrypto signs them.
\set k1 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
\set k2 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'

CREATE EXTENSION pgcrypto;
CREATE FUNCTION v1(secret text, id text, ts text, body bytea) RETURNS text
LANGUAGE sql AS $$
	SELECT 'v1,' || encode(hmac(convert_to(id || '.' || ts || '.', 'UTF8') || body,
	                            decode(regexp_replace(secret, '^whsec_', ''), 'base64'), 'sha256'),
	                       'base64')
$$;
-- The fixture delivery's headers with a given webhook-signature.
CREATE FUNCTION hdr(sig text, id text DEFAULT 'msg_v1a_1', ts text DEFAULT '1737987215') RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('webhook-id', id, 'webhook-timestamp', ts, 'webhook-signature', sig)
$$;
CREATE FUNCTION wh_counters() RETURNS TABLE (processed bigint, duplicates bigint, ignored bigint,
	rej_signature bigint, rej_timestamp bigint, rej_malformed bigint, rej_too_large bigint, rej_endpoint bigint)
LANGUAGE sql AS $$ SELECT * FROM mint._webhook_counters() $$;
CREATE TEMP TABLE c0 AS SELECT * FROM wh_counters();

-- =====================================================================
-- 1. Public keys: whpk_ + base64 of 32 bytes that are a valid ed25519
--    point; clear errors (22023) that never quote the value.
-- =====================================================================
SELECT encode(mint._webhook_key('standard', :'pkA'), 'hex') AS pkA_raw,
       mint._webhook_key('standard', :'pkA') = mint._webhook_key('standard', rtrim(:'pkA', '=')) AS padding_optional,
       mint._webhook_key_kind('standard', :'pkA') AS kind_pk,
       mint._webhook_key_kind('standard', :'k1') AS kind_whsec,
       mint._webhook_key_kind('helius', :'pkA') AS kind_helius;
SELECT mint._webhook_key('standard', 'whpk_');
\echo :SQLSTATE
SELECT mint._webhook_key('standard', 'whpk_not*base64');
\echo :SQLSTATE
SELECT mint._webhook_key('standard', 'whpk_' || encode('\x0102'::bytea || sha256('x'), 'base64'));  -- 34 bytes
\echo :SQLSTATE
SELECT mint._webhook_key('standard', 'whpk_' || encode(substr(sha256('x'), 1, 31), 'base64'));      -- 31 bytes
\echo :SQLSTATE
SELECT mint._webhook_key('standard', 'whpk_' || repeat('A', 200));
\echo :SQLSTATE
-- 32 bytes, but not a valid point: the identity (small order), and 2^255 - 1
-- (not canonical).
SELECT mint._webhook_key('standard', 'whpk_' || encode('\x01'::bytea || decode(repeat('00', 31), 'hex'), 'base64'));
\echo :SQLSTATE
SELECT mint._webhook_key('standard', 'whpk_' || encode(decode(repeat('ff', 31) || '7f', 'hex'), 'base64'));
\echo :SQLSTATE
-- The sender's secret key is refused, and not quoted.
SELECT mint._webhook_key('standard', 'whsk_' || encode(sha512('sk'), 'base64'));
\echo :SQLSTATE
-- The whpk_ prefix is what makes a public key: without it, base64 of 32
-- bytes is an HMAC secret.
SELECT mint._webhook_key_kind('standard', substr(:'pkA', 6)) AS without_prefix;

-- =====================================================================
-- 2. Verification vectors, on the verification of process_webhook with an
--    injected clock (now = the fixture's timestamp unless given).  'ok' or
--    the HTTP status and reason of the rejection.
-- =====================================================================
CREATE TEMP TABLE vec (n serial, name text, keys text[], headers jsonb, body bytea, now bigint DEFAULT 1737987215);
INSERT INTO vec (name, keys, headers, body) VALUES
 ('valid',                        ARRAY[:'pkA'], hdr('v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('valid, empty body',            ARRAY[:'pkA'], hdr('v1a,' || :'sigA_empty'), ''),
 ('valid, UTF-8 body',            ARRAY[:'pkA'], hdr('v1a,' || :'sigA_utf8'), convert_to('{"type":"ping","note":"café ☕"}', 'UTF8')),
 ('valid, 256 KiB body',          ARRAY[:'pkA'], hdr('v1a,' || :'sigA_big'), convert_to(repeat('a', 262144), 'UTF8')),
 ('valid, mixed-case headers',    ARRAY[:'pkA'], jsonb_build_object('Webhook-Id', :'id', 'WEBHOOK-TIMESTAMP', :'ts', 'Webhook-Signature', 'v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('tampered body',                ARRAY[:'pkA'], hdr('v1a,' || :'sigA_m1'), convert_to('{"type":"ping","data":{"n":2}}', 'UTF8')),
 ('body one byte longer',         ARRAY[:'pkA'], hdr('v1a,' || :'sigA_m1'), convert_to(:'m1' || ' ', 'UTF8')),
 ('256 KiB body one byte short',  ARRAY[:'pkA'], hdr('v1a,' || :'sigA_big'), convert_to(repeat('a', 262143), 'UTF8')),
 ('tampered timestamp',           ARRAY[:'pkA'], hdr('v1a,' || :'sigA_m1', ts => '1737987216'), convert_to(:'m1', 'UTF8')),
 ('tampered id',                  ARRAY[:'pkA'], hdr('v1a,' || :'sigA_m1', id => 'msg_v1a_2'), convert_to(:'m1', 'UTF8')),
 ('wrong key (C signed, A known)', ARRAY[:'pkA'], hdr('v1a,' || :'sigC_m1'), convert_to(:'m1', 'UTF8')),
 ('wrong key (A signed, B known)', ARRAY[:'pkB'], hdr('v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('two keys, B signed',           ARRAY[:'pkA', :'pkB'], hdr('v1a,' || :'sigB_m1'), convert_to(:'m1', 'UTF8')),
 ('two entries, the second good', ARRAY[:'pkA'], hdr('v1a,' || :'sigC_m1' || ' v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('two entries, two keys (rotation)', ARRAY[:'pkB'], hdr('v1a,' || :'sigA_m1' || ' v1a,' || :'sigB_m1'), convert_to(:'m1', 'UTF8')),
 ('malleated (S + L)',            ARRAY[:'pkA'], hdr('v1a,' || :'sigA_m1_malleated'), convert_to(:'m1', 'UTF8')),
 ('unpadded signature',           ARRAY[:'pkA'], hdr('v1a,' || rtrim(:'sigA_m1', '=')), convert_to(:'m1', 'UTF8')),
 ('signature not base64',         ARRAY[:'pkA'], hdr('v1a,' || '!!!!' || substr(:'sigA_m1', 5)), convert_to(:'m1', 'UTF8')),
 ('signature of 63 bytes',        ARRAY[:'pkA'], hdr('v1a,' || encode(substr(decode(:'sigA_m1', 'base64'), 1, 63), 'base64')), convert_to(:'m1', 'UTF8')),
 ('signature of 65 bytes',        ARRAY[:'pkA'], hdr('v1a,' || encode(decode(:'sigA_m1', 'base64') || '\x00'::bytea, 'base64')), convert_to(:'m1', 'UTF8')),
 ('empty signature',              ARRAY[:'pkA'], hdr('v1a,'), convert_to(:'m1', 'UTF8')),
 ('v1a, but no public key',       ARRAY[:'k1'], hdr('v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('v1 good, v1a junk',            ARRAY[:'k1', :'pkA'], hdr(v1(:'k1', :'id', :'ts', convert_to(:'m1', 'UTF8')) || ' v1a,' || :'sigC_m1'), convert_to(:'m1', 'UTF8')),
 ('v1 wrong, v1a good',           ARRAY[:'k1', :'pkA'], hdr(v1(:'k2', :'id', :'ts', convert_to(:'m1', 'UTF8')) || ' v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('v1 (no secret), v1a good',     ARRAY[:'pkA'], hdr(v1(:'k1', :'id', :'ts', convert_to(:'m1', 'UTF8')) || ' v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('v1 (no secret), v1a wrong',    ARRAY[:'pkA'], hdr(v1(:'k1', :'id', :'ts', convert_to(:'m1', 'UTF8')) || ' v1a,' || :'sigC_m1'), convert_to(:'m1', 'UTF8')),
 ('v1 wrong, v1a wrong',          ARRAY[:'k1', :'pkA'], hdr(v1(:'k2', :'id', :'ts', convert_to(:'m1', 'UTF8')) || ' v1a,' || :'sigC_m1'), convert_to(:'m1', 'UTF8')),
 ('v1 only, no secret',           ARRAY[:'pkA'], hdr(v1(:'k1', :'id', :'ts', convert_to(:'m1', 'UTF8'))), convert_to(:'m1', 'UTF8')),
 ('tampered body, v1 and v1a',    ARRAY[:'k1', :'pkA'], hdr(v1(:'k1', :'id', :'ts', convert_to(:'m1', 'UTF8')) || ' v1a,' || :'sigA_m1'), convert_to('{"type":"ping","data":{"n":2}}', 'UTF8')),
 ('only unknown versions',        ARRAY[:'k1', :'pkA'], hdr('v2,' || :'sigA_m1' || ' v1b,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('version is case-sensitive',    ARRAY[:'pkA'], hdr('V1A,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('unknown version, then v1a',    ARRAY[:'pkA'], hdr('v2,' || :'sigA_m1' || ' v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('unknown and malformed only',   ARRAY[:'pkA'], hdr('v2,abc ' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('empty header',                 ARRAY[:'pkA'], hdr(''), convert_to(:'m1', 'UTF8')),
 ('blank header',                 ARRAY[:'pkA'], hdr('   '), convert_to(:'m1', 'UTF8')),
 ('8 v1a entries, the last good', ARRAY[:'pkA'], hdr(repeat('v1a,' || :'sigC_m1' || ' ', 7) || 'v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('9 v1a entries: refused',       ARRAY[:'pkA'], hdr(repeat('v1a,' || :'sigC_m1' || ' ', 8) || 'v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8')),
 ('9 v1a entries and a good v1',  ARRAY[:'k1', :'pkA'], hdr(repeat('v1a,' || :'sigC_m1' || ' ', 9) || v1(:'k1', :'id', :'ts', convert_to(:'m1', 'UTF8'))), convert_to(:'m1', 'UTF8'));
INSERT INTO vec (name, keys, headers, body, now) VALUES
 ('valid, now - 300',             ARRAY[:'pkA'], hdr('v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8'), 1737987515),
 ('valid, but now - 301',         ARRAY[:'pkA'], hdr('v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8'), 1737987516),
 ('valid, but now + 301',         ARRAY[:'pkA'], hdr('v1a,' || :'sigA_m1'), convert_to(:'m1', 'UTF8'), 1737986914);
SELECT name, mint._webhook_verify(keys, headers, body, now) AS verdict FROM vec ORDER BY n;

-- =====================================================================
-- 3. Public keys per endpoint: add, rotate, retire; the view shows them.
--    mint._webhook_verify_endpoint is process_webhook's verification
--    against the endpoint's active keys, with an injected clock.
-- =====================================================================
CREATE FUNCTION ep(sig text, body text DEFAULT '{"type":"ping","data":{"n":1}}') RETURNS text
LANGUAGE sql AS $$
	SELECT mint._webhook_verify_endpoint('v1a', hdr(sig), convert_to(body, 'UTF8'), 1737987215)
$$;
SELECT mint.add_webhook_endpoint('v1a', 'standard', :'pkA') AS public_key_id;
-- A bad public key writes nothing.
SELECT mint.add_webhook_secret('v1a', 'whpk_' || encode(substr(sha256('x'), 1, 31), 'base64'));
\echo :SQLSTATE
SELECT mint.add_webhook_endpoint('v1a-bad', 'standard', 'whpk_');
\echo :SQLSTATE
SELECT mint.rotate_webhook_secret('v1a', 'whsk_' || encode(sha512('sk'), 'base64'));
\echo :SQLSTATE
SELECT provider, count(*) FROM mint.webhook_secrets WHERE provider LIKE 'v1a%' GROUP BY 1;
-- A v1 secret beside it (the sender may sign both ways).
SELECT mint.add_webhook_secret('v1a', :'k1') AS secret_id;
SELECT secret_id, kind, fingerprint, not_after, active FROM mint.webhook_secret_status
 WHERE provider = 'v1a' ORDER BY secret_id;
-- The fingerprint is that of the key's 32 raw bytes; the stored key is them.
SELECT fingerprint = substr(encode(sha256(decode(substr(:'pkA', 6), 'base64')), 'hex'), 1, 8) AS fingerprint_of_raw_key
  FROM mint.webhook_secret_status WHERE provider = 'v1a' AND secret_id = 1;
SELECT secret = decode(substr(:'pkA', 6), 'base64') AS stored_raw FROM mint.webhook_secrets
 WHERE provider = 'v1a' AND secret_id = 1;
SELECT ep('v1a,' || :'sigA_m1') AS a, ep('v1a,' || :'sigB_m1') AS b,
       ep(v1(:'k1', :'id', :'ts', convert_to(:'m1', 'UTF8'))) AS v1_k1;
-- Rotate to B with a grace period: A stays active until it ends; the v1
-- secret is of another kind and is left alone.
SELECT mint.rotate_webhook_secret('v1a', :'pkB', grace => '1 hour') AS rotated_to;
SELECT secret_id, kind, active, not_after IS NOT NULL AS retiring FROM mint.webhook_secret_status
 WHERE provider = 'v1a' ORDER BY secret_id;
SELECT ep('v1a,' || :'sigA_m1') AS a_in_grace, ep('v1a,' || :'sigB_m1') AS b,
       ep('v1a,' || :'sigA_m1' || ' v1a,' || :'sigB_m1') AS both,
       ep(v1(:'k1', :'id', :'ts', convert_to(:'m1', 'UTF8'))) AS v1_k1;
-- Retired: A no longer verifies, B does.
SELECT mint.retire_webhook_secret('v1a', 1);
SELECT ep('v1a,' || :'sigA_m1') AS a_retired, ep('v1a,' || :'sigB_m1') AS b,
       ep('v1a,' || :'sigA_m1' || ' v1a,' || :'sigB_m1') AS both;
-- Rotating the v1 secret leaves the public keys alone.
SELECT mint.rotate_webhook_secret('v1a', :'k2', grace => '0') AS rotated_to;
SELECT secret_id, kind, active FROM mint.webhook_secret_status WHERE provider = 'v1a' ORDER BY secret_id;
SELECT ep(v1(:'k1', :'id', :'ts', convert_to(:'m1', 'UTF8'))) AS v1_k1_retired,
       ep(v1(:'k2', :'id', :'ts', convert_to(:'m1', 'UTF8'))) AS v1_k2,
       ep('v1a,' || :'sigB_m1') AS b;
-- A retirement in the future: active until then.
SELECT mint.retire_webhook_secret('v1a', 3, now() + interval '1 hour');
SELECT ep('v1a,' || :'sigB_m1') AS b_until_later;
SELECT mint.retire_webhook_secret('v1a', 3);
SELECT ep('v1a,' || :'sigB_m1') AS b_retired;
SELECT mint.retire_webhook_secret('v1a', 4);
SELECT ep('v1a,' || :'sigB_m1') AS nothing_active;
-- A public key as the endpoint's only kind of key, from the start.
SELECT mint.add_webhook_secret('v1a', :'pkC') AS c;
SELECT ep('v1a,' || :'sigC_m1') AS c, ep(v1(:'k2', :'id', :'ts', convert_to(:'m1', 'UTF8'))) AS v1_k2_retired;
-- The endpoint's own checks come first.
SELECT mint._webhook_verify_endpoint('nobody', hdr('v1a,' || :'sigC_m1'), convert_to(:'m1', 'UTF8'), 1737987215) AS unknown;
SELECT mint.alter_webhook_endpoint('v1a', enabled => false);
SELECT ep('v1a,' || :'sigC_m1') AS disabled;
SELECT mint.alter_webhook_endpoint('v1a', enabled => true, max_body_bytes => 10);
SELECT ep('v1a,' || :'sigC_m1') AS too_large;
SELECT mint.alter_webhook_endpoint('v1a', max_body_bytes => 1048576);
-- The table refuses a public key that is not 32 bytes, however it comes.
INSERT INTO mint.webhook_secrets (provider, secret_id, secret, kind, created_at)
VALUES ('v1a', 99, '\x00', 'public_key', '2026-01-01 00:00:00+00');
\echo :SQLSTATE
-- A Helius value is taken as it is, prefix or not.
SELECT mint.add_webhook_endpoint('v1a-helius', 'helius', :'pkA') AS helius_id;
SELECT kind, fingerprint = substr(encode(sha256(convert_to(:'pkA', 'UTF8')), 'hex'), 1, 8) AS literal
  FROM mint.webhook_secret_status WHERE provider = 'v1a-helius';

-- =====================================================================
-- 4. process_webhook (the wall clock): v1a entries count as signatures, a
--    header of unknown versions is refused; nothing stored when rejected.
--    (A fixture signature is for a fixed timestamp, so through the wall
--    clock it is either stale or for another timestamp; its acceptance is
--    shown by the verification above, which process_webhook shares.)
-- =====================================================================
SELECT mint.add_webhook_endpoint('v1a-live', 'standard', :'pkA') AS live_id;
SELECT mint.add_webhook_secret('v1a-live', :'k1') AS live_secret;
CREATE TEMP TABLE before AS SELECT count(*) AS n FROM mint.webhook_events;
-- The fixture as it was sent: too old now (the timestamp is checked first).
SELECT mint.process_webhook('v1a-live', hdr('v1a,' || :'sigA_m1'), :'m1');
-- The wall clock's timestamp, for the deliveries below.
SELECT floor(extract(epoch FROM clock_timestamp()))::bigint::text AS t \gset
-- Signed for another timestamp.
SELECT mint.process_webhook('v1a-live', hdr('v1a,' || :'sigA_m1', ts => :'t'), :'m1');
-- Only unknown versions.
SELECT mint.process_webhook('v1a-live', hdr('v2,' || :'sigA_m1', ts => :'t'), :'m1');
-- Too many v1a entries.
SELECT mint.process_webhook('v1a-live', hdr(repeat('v1a,' || :'sigA_m1' || ' ', 9), ts => :'t'), :'m1');
SELECT count(*) - (SELECT n FROM before) AS stored_by_rejections FROM mint.webhook_events;
-- A good v1 entry among v1a and unknown ones: accepted (a ping: stored,
-- ignored), and deduplicated as usual.
SELECT mint.process_webhook('v1a-live',
         hdr('v1a,' || :'sigC_m1' || ' v2,xyz ' || v1(:'k1', 'msg_v1a_live', :'t', convert_to(:'m1', 'UTF8')), 'msg_v1a_live', :'t'),
         convert_to(:'m1', 'UTF8')) AS mixed;
SELECT mint.process_webhook('v1a-live',
         hdr(v1(:'k1', 'msg_v1a_live', :'t', convert_to(:'m1', 'UTF8')) || ' v1a,' || :'sigA_m1', 'msg_v1a_live', :'t'),
         :'m1') AS again;
SELECT event_id, status, reason FROM mint.webhook_events WHERE provider = 'v1a-live';
-- Counted in mint.stats like every outcome: 1 stale, 3 signature, 1 ignored, 1 duplicate.
SELECT c.processed - c0.processed AS processed, c.duplicates - c0.duplicates AS duplicates,
       c.ignored - c0.ignored AS ignored, c.rej_signature - c0.rej_signature AS rej_signature,
       c.rej_timestamp - c0.rej_timestamp AS rej_timestamp, c.rej_malformed - c0.rej_malformed AS rej_malformed,
       c.rej_too_large - c0.rej_too_large AS rej_too_large, c.rej_endpoint - c0.rej_endpoint AS rej_endpoint
  FROM wh_counters() c, c0;

-- =====================================================================
-- 5. The internal functions are granted to no one.
-- =====================================================================
CREATE ROLE regress_v1a_app;
SELECT mint.grant_webhook_receiver('regress_v1a_app');
SET ROLE regress_v1a_app;
SELECT mint._webhook_verify_endpoint('v1a', hdr('v1a,' || :'sigC_m1'), convert_to(:'m1', 'UTF8'), 1737987215);
\echo :SQLSTATE
SELECT mint._webhook_key_kind('standard', :'pkA');
\echo :SQLSTATE
SELECT * FROM mint.webhook_secret_status;
\echo :SQLSTATE
RESET ROLE;
SELECT mint.revoke_webhook_receiver('regress_v1a_app');
DROP ROLE regress_v1a_app;

-- Clean up for the other tests.
DELETE FROM mint.webhook_events WHERE provider LIKE 'v1a%';
DELETE FROM mint.webhook_endpoints WHERE provider LIKE 'v1a%';
DROP FUNCTION ep(text, text), hdr(text, text, text), v1(text, text, text, bytea), wh_counters();
DROP EXTENSION pgcrypto;
