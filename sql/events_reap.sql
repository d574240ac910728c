-- Retention of the outbox (issue 20): mint.reap_events() deletes events past
-- mint.event_retention with their deliveries, per tenant oldest first and
-- only as a prefix of the sequence: never an event with a pending delivery
-- (to an enabled or a disabled endpoint), nor any later event of its
-- tenant, nor one still in its retention.  What is kept has no gap;
-- numbering goes on; mint.events_oldest() tells a consumer where the feed
-- starts now.  (The worker's own reaping: t/052_outbound_lifecycle.pl.)
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT mint.register_tree('rp', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
SELECT mint.register_tree('rq', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
INSERT INTO mint.mint_jobs (tenant_id, ticket_id, owner, metadata, fingerprint)
SELECT t, 'R-' || i, 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse',
       jsonb_build_object('name', 'r', 'uri', 'https://x/' || i), '\x00'
  FROM generate_series(1, 8) i, (VALUES ('rp'), ('rq')) v(t);
-- A tenant that never had an event starts at 1.
SELECT mint.events_oldest('rp') AS oldest;

-- Events 1..3 of rp before its endpoint exists, 4..6 after (a delivery
-- each); rq has two.
UPDATE mint.mint_jobs SET status = 'failed' WHERE tenant_id = 'rp' AND ticket_id IN ('R-1', 'R-2', 'R-3');
SELECT mint.add_outbound_endpoint('rp', 'live', 'https://hooks.example.org/mint') ~ '^whsec_' AS secret_shown;
UPDATE mint.mint_jobs SET status = 'failed' WHERE tenant_id = 'rp' AND ticket_id IN ('R-4', 'R-5', 'R-6');
UPDATE mint.mint_jobs SET status = 'cancelled' WHERE tenant_id = 'rq' AND ticket_id IN ('R-1', 'R-2');
-- 4 delivered, 5 pending, 6 given up (as the worker leaves them).
UPDATE mint.outbound_deliveries SET status = 'delivered', attempts = 1, delivered_at = now() WHERE seq = 4;
UPDATE mint.outbound_deliveries SET status = 'failed', attempts = 8 WHERE seq = 6;
SELECT seq, ticket_id, status FROM mint.delivery_log WHERE tenant_id = 'rp' ORDER BY seq;

-- Nothing is past the retention (30 days by default): nothing is reaped.
SHOW mint.event_retention;
SELECT mint.reap_events() AS reaped;
-- A month later (the events made older):
UPDATE mint.events SET occurred_at = occurred_at - interval '31 days' WHERE tenant_id IN ('rp', 'rq');
-- In batches: the oldest first.
SELECT mint.reap_events(2) AS reaped;
SELECT tenant_id, min(seq), max(seq), count(*) FROM mint.events WHERE tenant_id IN ('rp', 'rq')
 GROUP BY 1 ORDER BY 1;
-- The rest, up to rp's event 5: its delivery is pending, so 5 stays and so
-- does 6 (given up, old, but later): what is kept has no gap.
SELECT mint.reap_events() AS reaped;
SELECT tenant_id, seq, ticket_id FROM mint.events WHERE tenant_id IN ('rp', 'rq') ORDER BY 1, 2;
SELECT seq, ticket_id, status FROM mint.delivery_log WHERE tenant_id = 'rp' ORDER BY seq;
SELECT mint.events_oldest('rp') AS oldest_rp, mint.events_oldest('rq') AS oldest_rq;
-- The feed starts at the oldest kept; a cursor below it missed the others.
SELECT seq, ticket_id FROM mint.events_since('rp', 0);
-- A disabled endpoint's pending deliveries stay, and so do their events:
-- it resumes from where it stopped.
SELECT mint.disable_outbound_endpoint('rp', 'live');
SELECT mint.reap_events() AS reaped;
SELECT seq, status FROM mint.delivery_log WHERE tenant_id = 'rp' ORDER BY seq;
-- Once delivered, they go.
UPDATE mint.outbound_deliveries SET status = 'delivered', delivered_at = now() WHERE seq = 5 AND tenant_id = 'rp';
SELECT mint.reap_events() AS reaped;
SELECT count(*) AS events, (SELECT count(*) FROM mint.outbound_deliveries WHERE tenant_id = 'rp') AS deliveries
  FROM mint.events WHERE tenant_id = 'rp';
-- (No endpoint from here on: no deliveries.)
SELECT mint.remove_outbound_endpoint('rp', 'live');
-- Nothing kept: the oldest is the number the next one gets, and numbering
-- goes on from the counter.
SELECT mint.events_oldest('rp') AS oldest, last_seq FROM mint.event_counters WHERE tenant_id = 'rp';
UPDATE mint.mint_jobs SET status = 'cancelled' WHERE tenant_id = 'rp' AND ticket_id IN ('R-7', 'R-8');
SELECT seq, ticket_id, event_type FROM mint.events_since('rp', 0);
SELECT mint.events_oldest('rp') AS oldest;

-- A young event stops the prefix even when a later one is old.
UPDATE mint.events SET occurred_at = occurred_at - interval '31 days' WHERE tenant_id = 'rp' AND seq = 8;
SELECT mint.reap_events() AS reaped;
SELECT seq FROM mint.events WHERE tenant_id = 'rp' ORDER BY seq;

-- mint.event_retention: by a superuser, at least an hour.
UPDATE mint.events SET occurred_at = now() - interval '3 hours' WHERE tenant_id = 'rp' AND seq = 7;
SET mint.event_retention = '59min';
SET mint.event_retention = '2h';
SELECT mint.reap_events() AS reaped;
SELECT seq FROM mint.events WHERE tenant_id = 'rp' ORDER BY seq;
RESET mint.event_retention;

-- Bad input.
SELECT mint.reap_events(0);
\echo :SQLSTATE
SELECT mint.reap_events(NULL);
\echo :SQLSTATE
SELECT mint.events_oldest(NULL);
\echo :SQLSTATE
SELECT mint.events_oldest(repeat('x', 200));
\echo :SQLSTATE

-- An application's role: events_oldest of its tenants (granted with the
-- tenant), no reaping, no setting.
CREATE ROLE rp_app;
SELECT mint.grant_tenant('rp', 'rp_app');
SET ROLE rp_app;
SELECT mint.events_oldest('rp') AS oldest;
SELECT mint.events_oldest('rq');
\echo :SQLSTATE
SELECT mint.reap_events();
\echo :SQLSTATE
SET mint.event_retention = '2h';
\echo :SQLSTATE
RESET ROLE;
SELECT mint.revoke_tenant('rp', 'rp_app');
SET ROLE rp_app;
SELECT mint.events_oldest('rp');
\echo :SQLSTATE
RESET ROLE;
DROP ROLE rp_app;

DELETE FROM mint.events WHERE tenant_id IN ('rp', 'rq');
DELETE FROM mint.event_counters WHERE tenant_id IN ('rp', 'rq');
DELETE FROM mint.mint_jobs WHERE tenant_id IN ('rp', 'rq');
DELETE FROM mint.trees WHERE tenant_id IN ('rp', 'rq');
