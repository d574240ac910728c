-- Issue 13, finding 3: a Helius delivery is processed in time linear in its
-- transactions (the per-event answers were concatenated into one jsonb,
-- copied at every event: 10,000 transactions took 14.5 s), and it may carry
-- at most mint.webhook_max_events of them (default 1000): past that it is
-- answered 413 like a body over max_body_bytes, stores nothing, and is
-- counted as too large.  The timing itself is measured by
-- bench/webhook_scale.sh (tests assert no timings).
\set VERBOSITY default
\set SHOW_CONTEXT never
SHOW mint.webhook_max_events;
SELECT mint.add_webhook_endpoint('lim', 'helius', 'Bearer lim-secret');
-- A Helius body of n transactions (signatures from `first` on), none of
-- them about a job of ours.
CREATE FUNCTION pg_temp.helius(first integer, n integer) RETURNS text LANGUAGE sql AS $$
	SELECT jsonb_agg(jsonb_build_object(
		'signature', 'Sig' || translate(lpad(i::text, 60, '1'), '0', 'z'),
		'type', 'TRANSFER', 'transactionError', NULL) ORDER BY i)::text
	  FROM generate_series(first, first + n - 1) i
$$;
SELECT w.rejected_too_large AS too_large_before FROM mint._webhook_counters() w \gset
-- The cap is the operator's (superuser) setting; a small one for the test.
SET mint.webhook_max_events = 10;
-- At the cap: accepted, one event each.
SELECT r->>'status' AS status, r->>'http_status' AS http, jsonb_array_length(r->'events') AS events
  FROM mint.process_webhook('lim', '{"Authorization": "Bearer lim-secret"}', pg_temp.helius(1, 10)) r;
-- Four times the cap: refused whole, 413, nothing stored.
SELECT mint.process_webhook('lim', '{"Authorization": "Bearer lim-secret"}', pg_temp.helius(101, 40));
SELECT mint.process_webhook('lim', '{"Authorization": "Bearer lim-secret"}', convert_to(pg_temp.helius(101, 11), 'UTF8'));
SELECT count(*) AS events_stored_all_of_the_first FROM mint.webhook_events WHERE provider = 'lim';
SELECT w.rejected_too_large - :too_large_before AS counted_too_large FROM mint._webhook_counters() w;
-- Otherwise unchanged: the same delivery again is a duplicate of each event
-- (`<signature>:<type>`), answered in request order.
SELECT r->>'status' AS status, (SELECT array_agg(e->>'status') FROM jsonb_array_elements(r->'events') e) AS each,
       r->'events'->0->>'event_id' = r->>'event_id' AS head_is_first
  FROM mint.process_webhook('lim', '{"Authorization": "Bearer lim-secret"}', pg_temp.helius(1, 10)) r;
SELECT (SELECT array_agg(e->>'event_id' ORDER BY o) FROM jsonb_array_elements(r->'events') WITH ORDINALITY x(e, o))
     = (SELECT array_agg('Sig' || translate(lpad(i::text, 60, '1'), '0', 'z') || ':TRANSFER' ORDER BY i)
          FROM generate_series(1, 10) i) AS answers_in_request_order
  FROM mint.process_webhook('lim', '{"Authorization": "Bearer lim-secret"}', pg_temp.helius(1, 10)) r;
RESET mint.webhook_max_events;
-- A receiver cannot raise the cap for itself.
CREATE ROLE regress_lim_receiver;
SELECT mint.grant_webhook_receiver('regress_lim_receiver');
SET ROLE regress_lim_receiver;
SET mint.webhook_max_events = 100000;
\echo :SQLSTATE
RESET ROLE;
SELECT mint.revoke_webhook_receiver('regress_lim_receiver');
DROP ROLE regress_lim_receiver;
DELETE FROM mint.webhook_endpoints WHERE provider = 'lim';
