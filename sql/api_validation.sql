-- Call-time validation: every bad request is refused with a clear error and
-- a standard SQLSTATE, and writes nothing.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- After each call, psql's SQLSTATE variable shows the error code.

-- No tree yet: refused (55000), nothing written.
\set meta '{"name":"Ticket #1","symbol":"TIX","uri":"https://example.com/t/1.json","creators":[{"address":"AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9","share":100}]}'
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
SELECT status FROM mint.mint_ticket('acme', 'T-1', :'owner', :'meta');
\echo :SQLSTATE

-- register_tree validates its input.
SELECT mint.register_tree('acme', 'not-base58-0OIl');
\echo :SQLSTATE
SELECT mint.register_tree('acme:x', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
\echo :SQLSTATE
SELECT mint.register_tree('acme', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
\echo :SQLSTATE

-- is_address: base58 of exactly 32 bytes.
SELECT a, mint.is_address(a) FROM (VALUES
  ('9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu'),   -- valid
  ('11111111111111111111111111111111'),               -- system program, valid
  ('1111111111111111111111111111111'),                -- 31 zero bytes
  ('111111111111111111111111111111111'),              -- 33 zero bytes
  ('9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu1'),  -- too long
  ('0hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu'),   -- '0' is not base58
  ('')) v(a);

-- Identifiers.
SELECT mint.mint_ticket('', 'T-1', :'owner', :'meta');
\echo :SQLSTATE
SELECT mint.mint_ticket('ac:me', 'T-1', :'owner', :'meta');
\echo :SQLSTATE
SELECT mint.mint_ticket(repeat('a', 65), 'T-1', :'owner', :'meta');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', '', :'owner', :'meta');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', repeat('t', 129), :'owner', :'meta');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', E'T\n1', :'owner', :'meta');
\echo :SQLSTATE
SELECT mint.mint_ticket(NULL, 'T-1', :'owner', :'meta');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', NULL, :'meta');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', NULL);
\echo :SQLSTATE

-- Owner: base58 of 32 bytes.
SELECT mint.mint_ticket('acme', 'T-1', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcd', :'meta');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdsO', :'meta');
\echo :SQLSTATE

-- Metadata: Bubblegum's limits, in UTF-8 bytes.
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '[]');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '{"symbol":"TIX","uri":"https://x"}');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', jsonb_build_object('name', repeat('n', 33), 'uri', 'https://x'));
\echo :SQLSTATE
-- 11 characters but 32 bytes: 'é' is two bytes, so 16 of them are 32 bytes (fits), 17 are 34 (too long)
SELECT (mint.mint_ticket('acme', 'T-utf8-ok', :'owner', jsonb_build_object('name', repeat('é', 16), 'uri', 'https://x'))).status;
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', jsonb_build_object('name', repeat('é', 17), 'uri', 'https://x'));
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', jsonb_build_object('name', 'n', 'symbol', repeat('S', 11), 'uri', 'https://x'));
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', jsonb_build_object('name', 'n', 'uri', 'https://x/' || repeat('u', 191)));
\echo :SQLSTATE
SELECT (mint.mint_ticket('acme', 'T-uri-200', :'owner', jsonb_build_object('name', 'n', 'uri', 'https://x/' || repeat('u', 190)))).status;
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '{"name":"n","uri":"https://x","seller_fee_basis_points":10001}');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '{"name":"n","uri":"https://x","seller_fee_basis_points":-1}');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '{"name":"n","uri":"https://x","seller_fee_basis_points":1.5}');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '{"name":"n","uri":"https://x","is_mutable":"yes"}');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '{"name":"n","uri":"https://x","colour":"red"}');
\echo :SQLSTATE
-- creators: at most 5, shares sum to 100, valid distinct addresses
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '{"name":"n","uri":"https://x","creators":[{"address":"AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9","share":60}]}');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '{"name":"n","uri":"https://x","creators":[{"address":"AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9","share":50},{"address":"AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9","share":50}]}');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', '{"name":"n","uri":"https://x","creators":[{"address":"nope","share":100}]}');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', jsonb_build_object('name', 'n', 'uri', 'https://x', 'creators',
  (SELECT jsonb_agg(jsonb_build_object('address', a, 'share', 100 / 6)) FROM (VALUES
   ('AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9'), ('AKkzLhjhyFtM9j7WAhbaqYpFe49cXeJBg2kzLRC2PnNa'),
   ('GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'), ('9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu'),
   ('8SFqwqnq4whPhs8icwHA2hQg3hUoN1qrCLK1SBx3WKwe'), ('H1qSrtbWH1FSqVJD3ihd27tskVqeA3rK99PCrMFeD1r9')) c(a))));
\echo :SQLSTATE
SELECT (mint.mint_ticket('acme', 'T-5-creators', :'owner', jsonb_build_object('name', 'n', 'uri', 'https://x', 'creators',
  (SELECT jsonb_agg(jsonb_build_object('address', a, 'share', 20)) FROM (VALUES
   ('AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9'), ('AKkzLhjhyFtM9j7WAhbaqYpFe49cXeJBg2kzLRC2PnNa'),
   ('GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'), ('9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu'),
   ('8SFqwqnq4whPhs8icwHA2hQg3hUoN1qrCLK1SBx3WKwe')) c(a))))).status;
\echo :SQLSTATE

-- Idempotency keys: non-empty, at most 255 printable ASCII characters.
SELECT mint.mint_ticket('acme', 'T-1', :'owner', :'meta', '');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', :'meta', repeat('k', 256));
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', :'meta', E'key\tTab');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', :'meta', 'clé');
\echo :SQLSTATE
SELECT mint.mint_ticket('acme', 'T-1', :'owner', :'meta', ' padded');
\echo :SQLSTATE

-- A collection tree uses the larger mint_to_collection_v1 transaction; the
-- largest metadata Bubblegum allows still fits 1232 bytes and is accepted
-- (the size check itself is exercised by the Solana client's unit tests).
SELECT mint.register_tree('big', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu', '8SFqwqnq4whPhs8icwHA2hQg3hUoN1qrCLK1SBx3WKwe');
\echo :SQLSTATE
SELECT (mint.mint_ticket('big', 'B-small', :'owner', :'meta')).status;
\echo :SQLSTATE
SELECT (mint.mint_ticket('big', 'B-largest', :'owner', jsonb_build_object('name', repeat('n', 32), 'symbol', repeat('s', 10),
  'uri', 'https://x/' || repeat('u', 190), 'creators',
  (SELECT jsonb_agg(jsonb_build_object('address', a, 'share', 20)) FROM (VALUES
   ('AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9'), ('AKkzLhjhyFtM9j7WAhbaqYpFe49cXeJBg2kzLRC2PnNa'),
   ('GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'), ('9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu'),
   ('8SFqwqnq4whPhs8icwHA2hQg3hUoN1qrCLK1SBx3WKwe')) c(a))))).status;
\echo :SQLSTATE

-- Nothing was written by any refused call: only the accepted tickets exist.
SELECT tenant_id, ticket_id, status, attempts FROM mint.mint_jobs WHERE tenant_id IN ('acme', 'big') ORDER BY 1, 2;
SELECT count(*) AS keys FROM mint.idempotency_keys WHERE tenant_id IN ('acme', 'big');
