
-- ---------------------------------------------------------------------------
-- Operator views of the worker side
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@._worker_status(
	OUT worker integer, OUT pid integer, OUT state text, OUT inflight integer,
	OUT rpc_pending integer, OUT sent bigint, OUT confirmed bigint, OUT failed bigint,
	OUT requeued bigint, OUT rpc_errors bigint, OUT last_rpc_error text,
	OUT last_rpc_error_at timestamptz, OUT started_at timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mint_worker_status'
LANGUAGE C VOLATILE;

-- One row per configured worker: pid, state, jobs held, calls in flight,
-- counters since it started, its last RPC error.
CREATE VIEW @extschema@.worker_status AS
SELECT * FROM @extschema@._worker_status();

COMMENT ON VIEW @extschema@.worker_status IS 'The mint_ext background workers, as they report themselves';

-- Per tenant: jobs by status, confirmation rate over the last minute, age of
-- the oldest queued job, attempts per confirmed mint.
CREATE VIEW @extschema@.stats WITH (security_barrier) AS
SELECT j.tenant_id,
       pg_catalog.count(*) FILTER (WHERE j.status = 'queued') AS queued,
       pg_catalog.count(*) FILTER (WHERE j.status = 'in_flight') AS in_flight,
       pg_catalog.count(*) FILTER (WHERE j.status = 'submitted') AS submitted,
       pg_catalog.count(*) FILTER (WHERE j.status = 'confirmed') AS confirmed,
       pg_catalog.count(*) FILTER (WHERE j.status = 'failed') AS failed,
       pg_catalog.count(*) FILTER (WHERE j.status = 'cancelled') AS cancelled,
       pg_catalog.round(pg_catalog.count(*) FILTER (
           WHERE j.status = 'confirmed' AND j.confirmed_at > pg_catalog.now() - interval '1 minute') / 60.0, 2)
           AS confirmed_per_second_1m,
       pg_catalog.max(pg_catalog.now() - j.created_at) FILTER (WHERE j.status = 'queued')
           AS oldest_queued_age,
       pg_catalog.round(pg_catalog.avg(j.attempts) FILTER (WHERE j.status = 'confirmed'), 3)
           AS attempts_per_mint
  FROM @extschema@.mint_jobs j
 WHERE @extschema@.has_tenant_access(j.tenant_id)
 GROUP BY j.tenant_id;

COMMENT ON VIEW @extschema@.stats IS 'Mint jobs per tenant: counts by status, rate, queue age, attempts per mint';

CREATE FUNCTION @extschema@.wake_at_commit()
RETURNS void
AS 'MODULE_PATHNAME', 'mint_wake_at_commit_sql'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.preview_transaction(tenant_id text, ticket_id text, recent_blockhash text)
RETURNS text
AS 'MODULE_PATHNAME', 'mint_preview_transaction'
LANGUAGE C STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.preview_transaction(text, text, text) IS
'Base64 of the transaction the worker would build for the job with this blockhash, signatures zeroed';
