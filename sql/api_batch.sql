-- mint.mint_tickets(): all or nothing, one result row per item, in order.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
SELECT mint.register_tree('batch', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');

CREATE FUNCTION pg_temp.tickets(first int, last int, bad int DEFAULT NULL) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT jsonb_agg(jsonb_build_object(
           'ticket_id', 'B-' || i,
           'owner', CASE WHEN i = bad THEN 'not-an-address' ELSE 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse' END,
           'metadata', jsonb_build_object('name', 'Seat ' || i, 'uri', 'https://example.com/s/' || i || '.json'))
         ORDER BY i)
    FROM generate_series(first, last) i
$$;

-- AE2: one bad item (the 4th) -> nothing written, and the error names it.
SELECT * FROM mint.mint_tickets('batch', pg_temp.tickets(1, 5, 4));
\echo :SQLSTATE
SELECT count(*) AS jobs FROM mint.mint_jobs WHERE tenant_id = 'batch';

-- AE3: per-item status, in request order; created only for new tickets.
SELECT ticket_id, job_id, status, created FROM mint.mint_tickets('batch', pg_temp.tickets(1, 3));
SELECT ticket_id, status, created FROM mint.mint_tickets('batch', pg_temp.tickets(2, 5));
SELECT ticket_id, status FROM mint.get_mint('batch', 'B-4');
SELECT count(*) AS jobs FROM mint.mint_jobs WHERE tenant_id = 'batch';

-- The same ticket twice in one batch: one job; with different parameters: refused.
SELECT ticket_id, created FROM mint.mint_tickets('batch',
  pg_temp.tickets(6, 6) || pg_temp.tickets(7, 7) || pg_temp.tickets(6, 6));
SELECT mint.mint_tickets('batch', pg_temp.tickets(8, 8) ||
  jsonb_build_array(jsonb_build_object('ticket_id', 'B-8', 'owner', :'owner', 'metadata', '{"name":"other","uri":"https://x"}'::jsonb)));
\echo :SQLSTATE
SELECT count(*) AS b8_jobs FROM mint.mint_jobs WHERE ticket_id = 'B-8';

-- A batch whose 2nd item conflicts with a job already signed: nothing written.
UPDATE mint.mint_jobs SET status = 'submitted', attempts = 1, signature = 's' WHERE tenant_id = 'batch' AND ticket_id = 'B-1';
SELECT mint.mint_tickets('batch', pg_temp.tickets(9, 9) ||
  jsonb_build_array(jsonb_build_object('ticket_id', 'B-1', 'owner', :'owner', 'metadata', '{"name":"changed","uri":"https://x"}'::jsonb)));
\echo :SQLSTATE
SELECT count(*) AS b9_jobs FROM mint.mint_jobs WHERE ticket_id = 'B-9';

-- Shape errors are clear.
SELECT mint.mint_tickets('batch', '{}');
\echo :SQLSTATE
SELECT mint.mint_tickets('batch', '[]');
\echo :SQLSTATE
SELECT mint.mint_tickets('batch', '[1]');
\echo :SQLSTATE
SELECT mint.mint_tickets('batch', '[{"ticket_id":"x","owner":"GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse"}]');
\echo :SQLSTATE
SELECT mint.mint_tickets('batch', '[{"ticket_id":7,"owner":"GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse","metadata":{}}]');
\echo :SQLSTATE
SELECT mint.mint_tickets('batch', '[{"ticket_id":"x","owner":"GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse","metadata":{"name":"n","uri":"u"},"extra":1}]');
\echo :SQLSTATE
SELECT mint.mint_tickets('batch', NULL);
\echo :SQLSTATE
SET mint.max_batch = 3;
SELECT mint.mint_tickets('batch', pg_temp.tickets(20, 23));
\echo :SQLSTATE
RESET mint.max_batch;

-- A batch with a key: replayed whole, in the original order, with the original created flags.
SELECT ticket_id, created, replayed FROM mint.mint_tickets('batch', pg_temp.tickets(10, 12), 'batch-key');
SELECT ticket_id, created, replayed FROM mint.mint_tickets('batch', pg_temp.tickets(10, 12), 'batch-key');
SELECT count(*) AS jobs FROM mint.mint_jobs WHERE tenant_id = 'batch';
