
-- ---------------------------------------------------------------------------
-- Operator views of the worker side
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@._worker_status(
	OUT worker integer, OUT pid integer, OUT state text,
	OUT reason_code text, OUT reason text, OUT reason_since timestamptz,
	OUT inflight integer, OUT rpc_pending integer, OUT sent bigint, OUT confirmed bigint,
	OUT failed bigint, OUT requeued bigint, OUT rpc_errors bigint, OUT inconclusive bigint,
	OUT context_not_reached bigint, OUT sent_extra bigint, OUT send_extra_errors bigint,
	OUT last_rpc_error text,
	OUT last_rpc_error_at timestamptz, OUT started_at timestamptz,
	OUT rpc_url text, OUT library_version text, OUT sql_version text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mint_worker_status'
LANGUAGE C VOLATILE;

-- One row per configured worker: pid, state ('blocked' when a condition of
-- the whole worker stops it), the condition that stops progress (reason_code,
-- reason, since when; NULL when there is none), jobs held, calls in flight,
-- counters since it started, its last RPC error, the RPC URL with
-- credentials redacted, and the library's and the installed SQL's versions.
CREATE VIEW @extschema@.worker_status AS
SELECT * FROM @extschema@._worker_status();

COMMENT ON VIEW @extschema@.worker_status IS 'The mint_ext background workers, as they report themselves';

-- Per tenant: jobs by status, confirmations per second over the last
-- minute, age of the oldest queued job, attempts per confirmed mint.
CREATE VIEW @extschema@.tenant_stats AS
SELECT * FROM @extschema@._tenant_stats();  -- src/api/functions.sql: only the visible tenants

COMMENT ON VIEW @extschema@.tenant_stats IS 'Mint jobs per tenant: counts by status, rate, queue age, attempts per mint';

-- One row: the same over every tenant the role may see, and webhook
-- deliveries by outcome since the server started (rejected deliveries are
-- counted here and stored nowhere).
CREATE VIEW @extschema@.stats AS
SELECT COALESCE(pg_catalog.sum(t.queued), 0)::bigint AS queued,
       COALESCE(pg_catalog.sum(t.in_flight), 0)::bigint AS in_flight,
       COALESCE(pg_catalog.sum(t.submitted), 0)::bigint AS submitted,
       COALESCE(pg_catalog.sum(t.confirmed), 0)::bigint AS confirmed,
       COALESCE(pg_catalog.sum(t.failed), 0)::bigint AS failed,
       COALESCE(pg_catalog.sum(t.cancelled), 0)::bigint AS cancelled,
       COALESCE(pg_catalog.sum(t.confirmed_per_second_1m), 0) AS confirmed_per_second_1m,
       pg_catalog.max(t.oldest_queued_age) AS oldest_queued_age,
       pg_catalog.round(pg_catalog.sum(t.attempts_per_mint * t.confirmed)
                        / NULLIF(pg_catalog.sum(t.confirmed), 0), 3) AS attempts_per_mint,
       w.processed AS webhooks_processed, w.duplicates AS webhooks_duplicate,
       w.ignored AS webhooks_ignored,
       w.rejected_signature + w.rejected_timestamp + w.rejected_malformed
         + w.rejected_too_large + w.rejected_endpoint AS webhooks_rejected
  FROM @extschema@._webhook_counters() w LEFT JOIN @extschema@.tenant_stats t ON true
 GROUP BY w.processed, w.duplicates, w.ignored, w.rejected_signature, w.rejected_timestamp,
          w.rejected_malformed, w.rejected_too_large, w.rejected_endpoint;

COMMENT ON VIEW @extschema@.stats IS 'Mint jobs by status over the visible tenants, rates, and webhook deliveries by outcome';
