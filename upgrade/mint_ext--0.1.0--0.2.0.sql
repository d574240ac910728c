-- mint_ext 0.1.0 -> 0.2.0.  Every schema change of the 0.2.0 release, in the
-- order it was made; t/003_upgrade.pl checks that 0.1.0 updated with this
-- script has exactly the objects of a fresh 0.2.0 install.
\echo Use "ALTER EXTENSION mint_ext UPDATE TO '0.2.0'" to load this file. \quit

-- mint.worker_status: the condition that stops a worker (reason_code, reason,
-- reason_since), the RPC URL as shown (redacted), the library's and the
-- installed SQL's versions.
DROP VIEW @extschema@.worker_status;
DROP FUNCTION @extschema@._worker_status();
CREATE FUNCTION @extschema@._worker_status(
	OUT worker integer, OUT pid integer, OUT state text,
	OUT reason_code text, OUT reason text, OUT reason_since timestamptz,
	OUT inflight integer, OUT rpc_pending integer, OUT sent bigint, OUT confirmed bigint,
	OUT failed bigint, OUT requeued bigint, OUT rpc_errors bigint, OUT last_rpc_error text,
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
REVOKE ALL ON @extschema@.worker_status FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._worker_status() FROM PUBLIC;

-- A claim clears the reason a job was held back (last_error_class 'blocked').
CREATE OR REPLACE FUNCTION @extschema@._claim(batch_size integer, lease_ms integer)
RETURNS TABLE (tenant_id text, ticket_id text, lease_token bigint, status @extschema@.job_status,
               owner text, metadata text, attempts integer, attempt_base integer, retries integer,
               merkle_tree text, collection_mint text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH expired AS (
		SELECT j.tenant_id, j.ticket_id FROM @extschema@.mint_jobs j
		 WHERE j.status IN ('in_flight', 'submitted') AND j.lease_until < pg_catalog.now()
		 ORDER BY j.lease_until
		 LIMIT batch_size
		   FOR UPDATE SKIP LOCKED
	), due AS (
		SELECT j.tenant_id, j.ticket_id FROM @extschema@.mint_jobs j
		 WHERE j.status = 'queued' AND j.next_attempt_at <= pg_catalog.now()
		 ORDER BY j.next_attempt_at
		 LIMIT batch_size
		   FOR UPDATE SKIP LOCKED
	), pick AS (
		SELECT * FROM (SELECT * FROM expired UNION ALL SELECT * FROM due) p LIMIT batch_size
	)
	UPDATE @extschema@.mint_jobs j
	   SET status = CASE WHEN j.status = 'queued' THEN 'in_flight'::@extschema@.job_status ELSE j.status END,
	       lease_token = j.lease_token + 1,
	       lease_until = pg_catalog.now() + pg_catalog.make_interval(secs => lease_ms / 1000.0),
	       updated_at = pg_catalog.now(),
	       -- a reason it was held back no longer holds once a worker takes it
	       last_error_class = NULLIF(j.last_error_class, 'blocked'),
	       last_error_code = CASE WHEN j.last_error_class = 'blocked' THEN NULL ELSE j.last_error_code END,
	       last_error_message = CASE WHEN j.last_error_class = 'blocked' THEN NULL ELSE j.last_error_message END
	  FROM pick
	 WHERE j.tenant_id = pick.tenant_id AND j.ticket_id = pick.ticket_id
	RETURNING j.tenant_id, j.ticket_id, j.lease_token, j.status, j.owner, j.metadata::text,
	          j.attempts, j.attempt_base, j.retries,
	          (SELECT t.merkle_tree FROM @extschema@.trees t WHERE t.tenant_id = j.tenant_id AND t.active),
	          (SELECT t.collection_mint FROM @extschema@.trees t WHERE t.tenant_id = j.tenant_id AND t.active)
$$;

-- Jobs held back by a condition of the whole worker are told why.
CREATE FUNCTION @extschema@._hold_back(reason_code text, reason text, batch_size integer)
RETURNS integer
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH queued AS (
		SELECT j.tenant_id, j.ticket_id FROM @extschema@.mint_jobs j
		 WHERE j.status = 'queued'
		   AND (j.last_error_class IS DISTINCT FROM 'blocked'
		        OR j.last_error_code IS DISTINCT FROM reason_code
		        OR j.last_error_message IS DISTINCT FROM reason)
		 ORDER BY j.next_attempt_at
		 LIMIT batch_size
		   FOR UPDATE SKIP LOCKED
	), held AS (
		SELECT j.tenant_id, j.ticket_id FROM @extschema@.mint_jobs j
		 WHERE j.lease_until IS NOT NULL AND j.status = 'in_flight'
		   AND (j.last_error_class IS DISTINCT FROM 'blocked'
		        OR j.last_error_code IS DISTINCT FROM reason_code
		        OR j.last_error_message IS DISTINCT FROM reason)
		 LIMIT batch_size
		   FOR UPDATE SKIP LOCKED
	), told AS (
		UPDATE @extschema@.mint_jobs j
		   SET last_error_class = 'blocked', last_error_code = reason_code,
		       last_error_message = reason
		  FROM (SELECT * FROM queued UNION ALL SELECT * FROM held) pick
		 WHERE j.tenant_id = pick.tenant_id AND j.ticket_id = pick.ticket_id
		RETURNING 1
	)
	SELECT pg_catalog.count(*)::integer FROM told
$$;
REVOKE ALL ON FUNCTION @extschema@._hold_back(text, text, integer) FROM PUBLIC;

-- The re-queue of a job whose parameters changed moves from the API's C into
-- the state machine.
CREATE FUNCTION @extschema@._change_params(tenant_id text, ticket_id text, owner text,
	metadata jsonb, fingerprint bytea, idempotency_key text)
RETURNS SETOF @extschema@.mint_jobs
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE @extschema@.mint_jobs j
	   SET owner = _change_params.owner, metadata = _change_params.metadata,
	       fingerprint = _change_params.fingerprint,
	       idempotency_key = _change_params.idempotency_key, status = 'queued',
	       lease_token = j.lease_token + 1, lease_until = NULL,
	       next_attempt_at = pg_catalog.now(), updated_at = pg_catalog.clock_timestamp()
	 WHERE j.tenant_id = _change_params.tenant_id AND j.ticket_id = _change_params.ticket_id
	   AND j.fingerprint <> _change_params.fingerprint
	   AND j.status IN ('queued', 'in_flight') AND j.attempts = 0
	RETURNING j.*
$$;
REVOKE ALL ON FUNCTION @extschema@._change_params(text, text, text, jsonb, bytea, text) FROM PUBLIC;

-- cancel_mint: a confirmed job gets its own message and hint.
CREATE OR REPLACE FUNCTION @extschema@.cancel_mint(tenant_id text, ticket_id text)
RETURNS @extschema@.mint_result
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	j @extschema@.mint_jobs;
	pending integer;
BEGIN
	SELECT * INTO j FROM @extschema@.mint_jobs m
	 WHERE m.tenant_id = cancel_mint.tenant_id AND m.ticket_id = cancel_mint.ticket_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no mint job for ticket "%" of tenant "%"', ticket_id, tenant_id
			USING ERRCODE = 'no_data_found';
	END IF;
	IF j.status = 'cancelled' THEN
		RETURN @extschema@._result(j);
	END IF;
	IF j.status = 'confirmed' THEN
		RAISE EXCEPTION 'job % is confirmed; it can be cancelled only while queued or failed', j.job_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Its NFT exists on chain (asset ' || COALESCE(j.asset_id, 'not recorded') || '); a confirmed mint is final.';
	END IF;
	IF j.status NOT IN ('queued', 'failed') THEN
		RAISE EXCEPTION 'job % is %; it can be cancelled only while queued or failed', j.job_id, j.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'A worker is working on it; wait for it to settle.';
	END IF;
	SELECT pg_catalog.count(*) INTO pending FROM @extschema@.mint_attempts a
	 WHERE a.tenant_id = j.tenant_id AND a.ticket_id = j.ticket_id AND a.state IN ('pending', 'landed_ok');
	IF pending > 0 THEN
		RAISE EXCEPTION 'job % has a signed transaction that may still land', j.job_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Retry it instead, or wait until its blockhash has expired.';
	END IF;
	UPDATE @extschema@.mint_jobs m
	   SET status = 'cancelled', lease_until = NULL, updated_at = pg_catalog.now()
	 WHERE m.tenant_id = j.tenant_id AND m.ticket_id = j.ticket_id
	RETURNING * INTO j;
	RETURN @extschema@._result(j);
END;
$$;
