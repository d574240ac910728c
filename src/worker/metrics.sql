
-- ---------------------------------------------------------------------------
-- Metrics (issue 20): one row per (metric, tenant, label), a number each,
-- for a scraper (src/worker/metrics.yaml: Debian's prometheus-postgres-
-- exporter).  Tenant rows are those of the tenants the role may see (every
-- tenant for a superuser), like mint.tenant_stats; the rows with no tenant
-- (workers, inbound webhooks) are the server's.  README.md lists the metrics.
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@._metrics()
RETURNS TABLE (metric text, tenant_id text, label text, value double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	scope text[] := @extschema@._visible_tenants();
BEGIN
	-- jobs by status, and the age of the oldest job of each unsettled status
	RETURN QUERY
	SELECT 'jobs', j.tenant_id, j.status::text, pg_catalog.count(*)::double precision
	  FROM @extschema@.mint_jobs j
	 WHERE scope IS NULL OR j.tenant_id = ANY (scope)
	 GROUP BY j.tenant_id, j.status;
	RETURN QUERY
	SELECT 'oldest_age_seconds', j.tenant_id, j.status::text,
	       pg_catalog.date_part('epoch', pg_catalog.now() - pg_catalog.min(j.created_at))
	  FROM @extschema@.mint_jobs j
	 WHERE (scope IS NULL OR j.tenant_id = ANY (scope))
	   AND j.status IN ('queued', 'in_flight', 'submitted', 'failed')
	 GROUP BY j.tenant_id, j.status;
	-- signed transactions per confirmed mint; attempts by state
	RETURN QUERY
	SELECT 'attempts_per_mint', j.tenant_id, NULL::text, pg_catalog.avg(j.attempts)::double precision
	  FROM @extschema@.mint_jobs j
	 WHERE (scope IS NULL OR j.tenant_id = ANY (scope)) AND j.status = 'confirmed'
	 GROUP BY j.tenant_id;
	RETURN QUERY
	SELECT 'attempts', a.tenant_id, a.state, pg_catalog.count(*)::double precision
	  FROM @extschema@.mint_attempts a
	 WHERE scope IS NULL OR a.tenant_id = ANY (scope)
	 GROUP BY a.tenant_id, a.state;
	-- unsettled jobs by the class of their last error (rpc, transaction,
	-- validation, exhausted, blocked)
	RETURN QUERY
	SELECT 'job_errors', j.tenant_id, j.last_error_class, pg_catalog.count(*)::double precision
	  FROM @extschema@.mint_jobs j
	 WHERE (scope IS NULL OR j.tenant_id = ANY (scope))
	   AND j.last_error_class IS NOT NULL AND j.status NOT IN ('confirmed', 'cancelled')
	 GROUP BY j.tenant_id, j.last_error_class;
	-- events written (the last sequence number)
	RETURN QUERY
	SELECT 'events', c.tenant_id, NULL::text, c.last_seq::double precision
	  FROM @extschema@.event_counters c
	 WHERE scope IS NULL OR c.tenant_id = ANY (scope);
	-- outbound webhook deliveries by status (src/worker/deliver.sql), and
	-- the endpoints, enabled or disabled
	RETURN QUERY
	SELECT 'deliveries', d.tenant_id, d.status, pg_catalog.count(*)::double precision
	  FROM @extschema@.outbound_deliveries d
	 WHERE scope IS NULL OR d.tenant_id = ANY (scope)
	 GROUP BY d.tenant_id, d.status;
	RETURN QUERY
	SELECT 'delivery_endpoints', o.tenant_id, CASE WHEN o.enabled THEN 'enabled' ELSE 'disabled' END,
	       pg_catalog.count(*)::double precision
	  FROM @extschema@.outbound_endpoints o
	 WHERE scope IS NULL OR o.tenant_id = ANY (scope)
	 GROUP BY o.tenant_id, o.enabled;
	-- the pools' leaves: capacity, used (minted) and dealt to jobs in flight
	-- (reserved), over each tenant's active ready trees
	RETURN QUERY
	SELECT 'tree_leaves', t.tenant_id, x.kind, pg_catalog.sum(x.n)::double precision
	  FROM @extschema@.trees t,
	       LATERAL (VALUES ('capacity', t.capacity), ('minted', t.minted),
	                       ('reserved', t.reserved::bigint)) AS x(kind, n)
	 WHERE (scope IS NULL OR t.tenant_id = ANY (scope)) AND t.active AND t.state = 'ready'
	   AND x.n IS NOT NULL
	 GROUP BY t.tenant_id, x.kind;
	-- the workers' RPC errors by class since they started, summed
	RETURN QUERY
	SELECT 'rpc_errors', NULL::text, x.class, pg_catalog.sum(x.n)::double precision
	  FROM @extschema@._worker_status() w,
	       LATERAL (VALUES ('error', w.rpc_errors), ('inconclusive', w.inconclusive),
	                       ('context_not_reached', w.context_not_reached),
	                       ('send_extra', w.send_extra_errors)) AS x(class, n)
	 GROUP BY x.class;
	RETURN QUERY
	SELECT 'workers', NULL::text, w.state, pg_catalog.count(*)::double precision
	  FROM @extschema@._worker_status() w
	 GROUP BY w.state;
	-- inbound webhook deliveries by outcome since the server started
	RETURN QUERY
	SELECT 'webhooks_received', NULL::text, x.outcome, x.n::double precision
	  FROM @extschema@._webhook_counters() c,
	       LATERAL (VALUES ('processed', c.processed), ('duplicate', c.duplicates),
	                       ('ignored', c.ignored), ('rejected_signature', c.rejected_signature),
	                       ('rejected_timestamp', c.rejected_timestamp),
	                       ('rejected_malformed', c.rejected_malformed),
	                       ('rejected_too_large', c.rejected_too_large),
	                       ('rejected_endpoint', c.rejected_endpoint)) AS x(outcome, n);
END;
$$;

CREATE VIEW @extschema@.metrics AS
SELECT * FROM @extschema@._metrics();

COMMENT ON VIEW @extschema@.metrics IS
'Metrics for a scraper: one row per metric, tenant and label (src/worker/metrics.yaml)';
