-- mint_ext 0.1.0 -> 0.2.0.  Every schema change of the 0.2.0 release, in the
-- order it was made; t/003_upgrade.pl checks that 0.1.0 updated with this
-- script has exactly the objects of a fresh 0.2.0 install.
\echo Use "ALTER EXTENSION mint_ext UPDATE TO '0.2.0'" to load this file. \quit

-- mint.worker_status: the condition that stops a worker (reason_code, reason,
-- reason_since), the RPC URL as shown (redacted), the library's and the
-- installed SQL's versions; counters of inconclusive status answers, of
-- lagging nodes' refusals and of the send-only paths.
DROP VIEW @extschema@.worker_status;
DROP FUNCTION @extschema@._worker_status();
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

-- Each attempt records the cluster it was made for (the endpoint's genesis
-- hash): it is judged only through an endpoint of that cluster.
ALTER TABLE @extschema@.mint_attempts ADD COLUMN genesis_hash text;
-- ... and its compute-budget price and limit (the priority fee it pays).
ALTER TABLE @extschema@.mint_attempts ADD COLUMN priority_fee bigint,
	ADD COLUMN compute_unit_limit integer;
DROP FUNCTION @extschema@._record_attempts(text[], text[], bigint[], text[], text[], bigint[],
	text[], bytea[], integer);
CREATE FUNCTION @extschema@._record_attempts(tenants text[], tickets text[], tokens bigint[],
	signatures text[], blockhashes text[], last_valid bigint[], trees text[], txs bytea[],
	lease_ms integer, genesis text, fees bigint[], cu_limits integer[])
RETURNS TABLE (tenant_id text, ticket_id text, attempt_no integer)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (
		UPDATE @extschema@.mint_jobs j
		   SET status = 'submitted', attempts = j.attempts + 1, signature = r.signature,
		       submitted_at = pg_catalog.now(), updated_at = pg_catalog.now(),
		       lease_until = pg_catalog.now() + pg_catalog.make_interval(secs => lease_ms / 1000.0)
		  FROM unnest(tenants, tickets, tokens, signatures, blockhashes, last_valid, trees, txs,
		              fees, cu_limits)
		       AS r(tenant_id, ticket_id, token, signature, blockhash, last_valid, tree, tx, fee,
		            cu_limit)
		 WHERE j.tenant_id = r.tenant_id AND j.ticket_id = r.ticket_id AND j.lease_token = r.token
		   AND j.status IN ('in_flight', 'submitted')
		   -- The refusals are read once, before the first row is inserted
		   -- (uncorrelated subqueries: each runs once, at the first row).  As
		   -- anti-joins, planned while the table was nearly empty (a new
		   -- installation, a first burst after a TRUNCATE), they scanned all
		   -- of mint_attempts for every job, the rows this statement had
		   -- inserted so far included: a first batch of 8,192 took 26 s.
		   AND ROW(j.tenant_id, j.ticket_id) <> ALL (ARRAY(
		           SELECT ROW(x.tenant_id, x.ticket_id)
		             FROM @extschema@.mint_attempts x
		             JOIN unnest(tenants, tickets) AS k(tenant_id, ticket_id)
		               ON x.tenant_id = k.tenant_id AND x.ticket_id = k.ticket_id
		            WHERE x.state IN ('pending', 'landed_ok')))
		   AND r.signature <> ALL (ARRAY(
		           SELECT y.signature FROM @extschema@.mint_attempts y WHERE y.signature = ANY (signatures)))
		RETURNING j.tenant_id, j.ticket_id, j.attempts, j.lease_token, r.signature, r.blockhash,
		          r.last_valid, r.tree, r.tx, r.fee, r.cu_limit
	)
	INSERT INTO @extschema@.mint_attempts AS a
		(tenant_id, ticket_id, attempt_no, signature, recent_blockhash, last_valid_block_height,
		 merkle_tree, signed_tx, lease_token, genesis_hash, priority_fee, compute_unit_limit)
	SELECT r.tenant_id, r.ticket_id, r.attempts, r.signature, r.blockhash, r.last_valid, r.tree, r.tx,
	       r.lease_token, genesis, r.fee, r.cu_limit
	  FROM r
	RETURNING a.tenant_id, a.ticket_id, a.attempt_no
$$;
REVOKE ALL ON FUNCTION @extschema@._record_attempts(text[], text[], bigint[], text[], text[],
	bigint[], text[], bytea[], integer, text, bigint[], integer[]) FROM PUBLIC;
DROP FUNCTION @extschema@._pending_attempts(text[], text[]);
CREATE FUNCTION @extschema@._pending_attempts(tenants text[], tickets text[])
RETURNS TABLE (tenant_id text, ticket_id text, attempt_no integer, signature text,
               last_valid_block_height bigint, signed_tx bytea, genesis_hash text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.tenant_id, a.ticket_id, a.attempt_no, a.signature, a.last_valid_block_height, a.signed_tx,
	       a.genesis_hash
	  FROM @extschema@.mint_attempts a
	  JOIN unnest(tenants, tickets) AS k(tenant_id, ticket_id)
	    ON a.tenant_id = k.tenant_id AND a.ticket_id = k.ticket_id
	 WHERE a.state = 'pending'
	 ORDER BY a.tenant_id, a.ticket_id, a.attempt_no
$$;
REVOKE ALL ON FUNCTION @extschema@._pending_attempts(text[], text[]) FROM PUBLIC;


-- Issue 13 (security).  Lock keys are a keyed hash (no schema change: the
-- library); the job listings read only the caller's tenants through
-- SECURITY DEFINER functions; errors quote at most a bounded prefix of an
-- input (mint._clip); Helius deliveries are processed in linear time and
-- capped by mint.webhook_max_events (413); the grant functions compose; the
-- functions that take a secret never log their statement (mint._raise_hidden).

CREATE FUNCTION @extschema@._clip(input text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN pg_catalog.octet_length(input) <= 64 THEN input
	            ELSE pg_catalog.left(input, 64) || '... ('
	                 || pg_catalog.octet_length(input) || ' bytes)' END
$$;

REVOKE ALL ON FUNCTION @extschema@._clip(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.register_tree(
	tenant_id text, merkle_tree text, collection_mint text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF tenant_id IS NULL OR merkle_tree IS NULL THEN
		RAISE EXCEPTION 'tenant_id and merkle_tree must not be null' USING ERRCODE = '22004';
	END IF;
	IF tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(tenant_id) USING ERRCODE = '22023',
			DETAIL = 'A tenant id is 1 to 64 letters, digits, ''.'', ''_'' or ''-''.';
	END IF;
	IF NOT @extschema@.is_address(merkle_tree) THEN
		RAISE EXCEPTION 'invalid merkle_tree "%"', @extschema@._clip(merkle_tree) USING ERRCODE = '22023',
			DETAIL = 'A tree is the base58 encoding of a 32-byte Solana address.';
	END IF;
	IF collection_mint IS NOT NULL AND NOT @extschema@.is_address(collection_mint) THEN
		RAISE EXCEPTION 'invalid collection_mint "%"', @extschema@._clip(collection_mint) USING ERRCODE = '22023',
			DETAIL = 'A collection mint is the base58 encoding of a 32-byte Solana address.';
	END IF;
	-- The tenant's other trees stop taking new mints; jobs already signed
	-- against them keep their recorded tree.
	UPDATE @extschema@.trees t
	   SET active = false, updated_at = pg_catalog.now()
	 WHERE t.tenant_id = register_tree.tenant_id AND t.active
	   AND t.merkle_tree <> register_tree.merkle_tree;
	INSERT INTO @extschema@.trees AS t (tenant_id, merkle_tree, collection_mint)
	VALUES (register_tree.tenant_id, register_tree.merkle_tree, register_tree.collection_mint)
	ON CONFLICT ON CONSTRAINT trees_pkey DO UPDATE
	   SET active = true, collection_mint = excluded.collection_mint,
	       updated_at = pg_catalog.now();
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.grant_tenant(tenant_id text, role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF tenant_id IS NULL OR role IS NULL THEN
		RAISE EXCEPTION 'tenant_id and role must not be null' USING ERRCODE = '22004';
	END IF;
	IF tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(tenant_id) USING ERRCODE = '22023';
	END IF;
	INSERT INTO @extschema@.tenant_roles (tenant_id, role_name)
	VALUES (grant_tenant.tenant_id, grant_tenant.role)
	ON CONFLICT DO NOTHING;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA @extschema@ TO %s', role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION '
		'@extschema@.mint_ticket(text, text, text, jsonb, text), '
		'@extschema@.mint_tickets(text, jsonb, text), '
		'@extschema@.get_mint(text, text), '
		'@extschema@.enqueue_mint(), '
		'@extschema@.has_tenant_access(text), '
		'@extschema@._jobs() TO %s', role);
	EXECUTE pg_catalog.format('GRANT SELECT ON @extschema@.jobs TO %s', role);
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.revoke_tenant(tenant_id text, role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.tenant_roles r
	 WHERE r.tenant_id = revoke_tenant.tenant_id AND r.role_name = revoke_tenant.role;
	-- The grants go with the role's last tenant ...
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant_roles r WHERE r.role_name = revoke_tenant.role) THEN
		EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION '
			'@extschema@.mint_ticket(text, text, text, jsonb, text), '
			'@extschema@.mint_tickets(text, jsonb, text), '
			'@extschema@.get_mint(text, text), '
			'@extschema@.enqueue_mint(), '
			'@extschema@.has_tenant_access(text), '
			'@extschema@._jobs() FROM %s', role);
		EXECUTE pg_catalog.format('REVOKE SELECT ON @extschema@.jobs FROM %s', role);
		-- ... but USAGE stays while the role is a webhook receiver.
		IF NOT EXISTS (
			SELECT 1 FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
			 WHERE p.oid = '@extschema@.process_webhook(text, jsonb, text)'::pg_catalog.regprocedure
			   AND a.grantee = revoke_tenant.role AND a.privilege_type = 'EXECUTE') THEN
			EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA @extschema@ FROM %s', role);
		END IF;
	END IF;
END;
$$;

CREATE FUNCTION @extschema@._visible_tenants()
RETURNS text[]
AS 'MODULE_PATHNAME', 'mint_visible_tenants'
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION @extschema@._visible_tenants() FROM PUBLIC;

CREATE FUNCTION @extschema@._jobs()
RETURNS TABLE (job_id text, tenant_id text, ticket_id text, status @extschema@.job_status,
	attempts integer, owner text, signature text, asset_id text, leaf_nonce bigint,
	merkle_tree text, last_error_class text, last_error_code text, last_error_message text,
	idempotency_key text, next_attempt_at timestamptz, lease_until timestamptz,
	created_at timestamptz, updated_at timestamptz, submitted_at timestamptz,
	confirmed_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	scope text[] := @extschema@._visible_tenants();
BEGIN
	IF scope IS NULL THEN
		RETURN QUERY
		SELECT j.job_id, j.tenant_id, j.ticket_id, j.status, j.attempts, j.owner,
		       j.signature, j.asset_id, j.leaf_nonce, j.merkle_tree,
		       j.last_error_class, j.last_error_code, j.last_error_message,
		       j.idempotency_key, j.next_attempt_at, j.lease_until,
		       j.created_at, j.updated_at, j.submitted_at, j.confirmed_at
		  FROM @extschema@.mint_jobs j;
	ELSE
		RETURN QUERY
		SELECT j.job_id, j.tenant_id, j.ticket_id, j.status, j.attempts, j.owner,
		       j.signature, j.asset_id, j.leaf_nonce, j.merkle_tree,
		       j.last_error_class, j.last_error_code, j.last_error_message,
		       j.idempotency_key, j.next_attempt_at, j.lease_until,
		       j.created_at, j.updated_at, j.submitted_at, j.confirmed_at
		  FROM @extschema@.mint_jobs j
		 WHERE j.tenant_id = ANY (scope);
	END IF;
END;
$$;

REVOKE ALL ON FUNCTION @extschema@._jobs() FROM PUBLIC;

CREATE FUNCTION @extschema@._tenant_stats()
RETURNS TABLE (tenant_id text, queued bigint, in_flight bigint, submitted bigint,
	confirmed bigint, failed bigint, cancelled bigint, confirmed_per_second_1m numeric,
	oldest_queued_age interval, attempts_per_mint numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	scope text[] := @extschema@._visible_tenants();
BEGIN
	RETURN QUERY
	SELECT j.tenant_id,
	       pg_catalog.count(*) FILTER (WHERE j.status = 'queued'),
	       pg_catalog.count(*) FILTER (WHERE j.status = 'in_flight'),
	       pg_catalog.count(*) FILTER (WHERE j.status = 'submitted'),
	       pg_catalog.count(*) FILTER (WHERE j.status = 'confirmed'),
	       pg_catalog.count(*) FILTER (WHERE j.status = 'failed'),
	       pg_catalog.count(*) FILTER (WHERE j.status = 'cancelled'),
	       pg_catalog.round(pg_catalog.count(*) FILTER (
	           WHERE j.status = 'confirmed' AND j.confirmed_at > pg_catalog.now() - interval '1 minute') / 60.0, 2),
	       pg_catalog.max(pg_catalog.now() - j.created_at) FILTER (WHERE j.status = 'queued'),
	       pg_catalog.round(pg_catalog.avg(j.attempts) FILTER (WHERE j.status = 'confirmed'), 3)
	  FROM @extschema@.mint_jobs j
	 WHERE scope IS NULL OR j.tenant_id = ANY (scope)
	 GROUP BY j.tenant_id;
END;
$$;

REVOKE ALL ON FUNCTION @extschema@._tenant_stats() FROM PUBLIC;

CREATE OR REPLACE VIEW @extschema@.jobs AS
SELECT * FROM @extschema@._jobs();
ALTER VIEW @extschema@.jobs RESET (security_barrier);
CREATE OR REPLACE VIEW @extschema@.tenant_stats AS
SELECT * FROM @extschema@._tenant_stats();
ALTER VIEW @extschema@.tenant_stats RESET (security_barrier);
-- The roles granted a tenant by 0.1.0 read mint.jobs through mint._jobs().
DO $$
DECLARE
	r regrole;
BEGIN
	FOR r IN SELECT DISTINCT t.role_name FROM @extschema@.tenant_roles t LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@._jobs() TO %s', r);
	END LOOP;
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@._webhook_accept(endpoint text, endpoint_scheme text,
	webhook_id text, body text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	doc jsonb;
	el jsonb;
	d jsonb;
	c jsonb;
	n integer := 0;
	ids text[] := '{}';
	types text[] := '{}';
	kinds text[] := '{}';          -- confirmed, failed, other
	sigs text[] := '{}';
	assets text[] := '{}';
	nonces bigint[] := '{}';
	errs text[] := '{}';
	payloads jsonb[] := '{}';
	v_type text;
	v_kind text;
	v_sig text;
	v_asset text;
	v_nonce bigint;
	v_err text;
	v_retention interval;
	inserted boolean;
	r record;
	st text;
	v_reason text;
	job text;
	answers jsonb[] := '{}';       -- appended in place (a jsonb array would be copied per event)
	n_processed integer := 0;
	n_duplicate integer := 0;
	head jsonb;
	v_applied text;
	v_max integer;
BEGIN
	BEGIN
		doc := body::jsonb;
	EXCEPTION WHEN others THEN
		RETURN @extschema@._webhook_answer('rejected', 400, webhook_id,
			'body is not valid JSON: ' || SQLERRM);
	END;

	-- Extract and check every event before writing anything.
	IF endpoint_scheme = 'standard' THEN
		IF pg_catalog.jsonb_typeof(doc) IS DISTINCT FROM 'object' THEN
			RETURN @extschema@._webhook_answer('rejected', 400, webhook_id, 'body is not a JSON object');
		END IF;
		IF pg_catalog.jsonb_typeof(doc->'type') IS DISTINCT FROM 'string' THEN
			RETURN @extschema@._webhook_answer('rejected', 400, webhook_id, 'body has no "type" string');
		END IF;
		v_type := doc->>'type';
		v_kind := CASE v_type WHEN 'mint.confirmed' THEN 'confirmed'
		                      WHEN 'mint.failed' THEN 'failed' ELSE 'other' END;
		v_sig := NULL; v_asset := NULL; v_nonce := NULL; v_err := NULL;
		IF v_kind <> 'other' THEN
			d := doc->'data';
			IF pg_catalog.jsonb_typeof(d) IS DISTINCT FROM 'object' THEN
				RETURN @extschema@._webhook_answer('rejected', 400, webhook_id, 'body has no "data" object');
			END IF;
			IF pg_catalog.jsonb_typeof(d->'signature') IS DISTINCT FROM 'string'
			   OR (d->>'signature') !~ '^[1-9A-HJ-NP-Za-km-z]{32,90}$' THEN
				RETURN @extschema@._webhook_answer('rejected', 400, webhook_id,
					'data.signature is not a base58 transaction signature');
			END IF;
			v_sig := d->>'signature';
			IF pg_catalog.jsonb_typeof(d->'asset_id') = 'string' THEN
				v_asset := d->>'asset_id';
				IF NOT @extschema@.is_address(v_asset) THEN
					RETURN @extschema@._webhook_answer('rejected', 400, webhook_id,
						'data.asset_id is not a base58 address');
				END IF;
			ELSIF COALESCE(pg_catalog.jsonb_typeof(d->'asset_id'), 'null') <> 'null' THEN
				RETURN @extschema@._webhook_answer('rejected', 400, webhook_id,
					'data.asset_id is not a string');
			END IF;
			IF pg_catalog.jsonb_typeof(d->'leaf_nonce') = 'number'
			   AND (d->>'leaf_nonce') ~ '^[0-9]{1,18}$' THEN
				v_nonce := (d->>'leaf_nonce')::bigint;
			ELSIF COALESCE(pg_catalog.jsonb_typeof(d->'leaf_nonce'), 'null') <> 'null' THEN
				RETURN @extschema@._webhook_answer('rejected', 400, webhook_id,
					'data.leaf_nonce is not a non-negative integer');
			END IF;
			v_err := CASE COALESCE(pg_catalog.jsonb_typeof(d->'error'), 'null')
			              WHEN 'null' THEN NULL WHEN 'string' THEN d->>'error'
			              ELSE (d->'error')::text END;
			IF v_kind = 'failed' AND v_err IS NULL THEN
				v_err := 'failed';
			END IF;
		END IF;
		n := 1;
		ids := ARRAY[webhook_id]; types := ARRAY[v_type]; kinds := ARRAY[v_kind];
		sigs := ARRAY[v_sig]; assets := ARRAY[v_asset]; nonces := ARRAY[v_nonce];
		errs := ARRAY[v_err]; payloads := ARRAY[doc];
	ELSE
		-- Helius: an array of enhanced transactions (a lone object is taken as one).
		IF pg_catalog.jsonb_typeof(doc) = 'object' THEN
			doc := pg_catalog.jsonb_build_array(doc);
		END IF;
		IF pg_catalog.jsonb_typeof(doc) IS DISTINCT FROM 'array' OR pg_catalog.jsonb_array_length(doc) = 0 THEN
			RETURN @extschema@._webhook_answer('rejected', 400, NULL,
				'body is not a non-empty JSON array of transactions');
		END IF;
		-- At most mint.webhook_max_events transactions per delivery (413
		-- past it, like a body over max_body_bytes): one delivery is one
		-- transaction of the caller's, held while its events are applied.
		v_max := COALESCE(pg_catalog.current_setting('mint.webhook_max_events', true)::integer, 1000);
		IF pg_catalog.jsonb_array_length(doc) > v_max THEN
			RETURN @extschema@._webhook_answer('rejected', 413, NULL,
				pg_catalog.format('more than %s transactions in one delivery (mint.webhook_max_events)', v_max));
		END IF;
		FOR el IN SELECT e FROM pg_catalog.jsonb_array_elements(doc) e LOOP
			IF pg_catalog.jsonb_typeof(el) IS DISTINCT FROM 'object'
			   OR pg_catalog.jsonb_typeof(el->'signature') IS DISTINCT FROM 'string'
			   OR (el->>'signature') !~ '^[1-9A-HJ-NP-Za-km-z]{32,90}$' THEN
				RETURN @extschema@._webhook_answer('rejected', 400, NULL,
					pg_catalog.format('transaction %s has no base58 "signature"', n + 1));
			END IF;
			v_sig := el->>'signature';
			v_type := CASE WHEN pg_catalog.jsonb_typeof(el->'type') = 'string'
			               AND pg_catalog.length(el->>'type') BETWEEN 1 AND 64
			               THEN el->>'type' ELSE 'UNKNOWN' END;
			IF COALESCE(pg_catalog.jsonb_typeof(el->'transactionError'), 'null') = 'null' THEN
				v_kind := 'confirmed';
				v_err := NULL;
			ELSE
				v_kind := 'failed';
				v_err := CASE pg_catalog.jsonb_typeof(el->'transactionError')
				              WHEN 'string' THEN el->>'transactionError'
				              ELSE (el->'transactionError')::text END;
			END IF;
			-- events.compressed: an array (SDK) or an object (docs' example).
			c := el->'events'->'compressed';
			IF pg_catalog.jsonb_typeof(c) = 'object' THEN
				c := pg_catalog.jsonb_build_array(c);
			END IF;
			v_asset := NULL; v_nonce := NULL;
			IF pg_catalog.jsonb_typeof(c) = 'array' THEN
				SELECT x->>'assetId',
				       CASE WHEN pg_catalog.jsonb_typeof(x->'leafIndex') = 'number'
				             AND (x->>'leafIndex') ~ '^[0-9]{1,18}$'
				            THEN (x->>'leafIndex')::bigint END
				  INTO v_asset, v_nonce
				  FROM pg_catalog.jsonb_array_elements(c) WITH ORDINALITY AS t(x, i)
				 WHERE pg_catalog.jsonb_typeof(x) = 'object'
				   AND pg_catalog.jsonb_typeof(x->'assetId') = 'string'
				   AND @extschema@.is_address(x->>'assetId')
				 ORDER BY (x->>'type' = 'COMPRESSED_NFT_MINT') DESC, i
				 LIMIT 1;
			END IF;
			n := n + 1;
			ids := ids || (v_sig || ':' || v_type); types := types || v_type;
			kinds := kinds || v_kind; sigs := sigs || v_sig; assets := assets || v_asset;
			nonces := nonces || v_nonce; errs := errs || v_err; payloads := payloads || el;
		END LOOP;
	END IF;

	SELECT COALESCE(e.retention,
	                pg_catalog.current_setting('mint.webhook_retention', true)::interval,
	                '7 days'::interval)
	  INTO v_retention
	  FROM @extschema@.webhook_endpoints e WHERE e.provider = endpoint;

	FOR i IN 1 .. n LOOP
		-- The unique key decides, in this transaction: a concurrent delivery
		-- of the same event waits here until this one commits or aborts.
		INSERT INTO @extschema@.webhook_events AS w
			(provider, event_id, event_type, signature, payload, expires_at)
		VALUES (endpoint, ids[i], types[i], sigs[i], payloads[i], pg_catalog.now() + v_retention)
		ON CONFLICT (provider, event_id) DO NOTHING
		RETURNING true INTO inserted;
		IF inserted IS NULL THEN
			SELECT w.job_id INTO job FROM @extschema@.webhook_events w
			 WHERE w.provider = endpoint AND w.event_id = ids[i];
			st := 'already_processed';
			v_reason := NULL;
			n_duplicate := n_duplicate + 1;
		ELSE
			job := NULL;
			v_reason := NULL;
			IF kinds[i] = 'other' THEN
				st := 'ignored';
				v_reason := 'event type not handled';
			ELSE
				SELECT a.job_id, a.applied INTO r
				  FROM @extschema@._apply_mint_event(sigs[i], kinds[i] = 'confirmed', assets[i],
				                                     nonces[i], errs[i]) a;
				job := r.job_id;
				v_applied := r.applied;
				IF r.applied IN ('confirmed', 'attempt_failed') THEN
					st := 'processed';
					n_processed := n_processed + 1;
				ELSE
					st := 'ignored';
					v_reason := CASE r.applied
					              WHEN 'unknown_signature' THEN 'no attempt has this signature'
					              WHEN 'already_confirmed' THEN 'the job was already confirmed'
					              ELSE 'the job is past this event' END;
				END IF;
			END IF;
			UPDATE @extschema@.webhook_events w
			   SET status = st, applied = v_applied, reason = v_reason, job_id = job,
			       error = errs[i], processed_at = pg_catalog.now()
			 WHERE w.provider = endpoint AND w.event_id = ids[i];
		END IF;
		answers := answers || @extschema@._webhook_answer(st, 200, ids[i], v_reason, job);
		inserted := NULL;
		v_applied := NULL;
	END LOOP;

	head := answers[1];
	IF n = 1 THEN
		RETURN head;
	END IF;
	-- Several events in one delivery: processed if any was, a duplicate if
	-- all were, else ignored; each event's own answer under "events".
	RETURN pg_catalog.jsonb_build_object(
		'status', CASE WHEN n_processed > 0 THEN 'processed'
		               WHEN n_duplicate = n THEN 'already_processed' ELSE 'ignored' END,
		'http_status', 200, 'event_id', head->'event_id', 'events', pg_catalog.to_jsonb(answers));
END;
$$;

CREATE FUNCTION @extschema@._raise_hidden(sqlstate text, message text, detail text, hint text)
RETURNS void
AS 'MODULE_PATHNAME', 'mint_raise_hidden'
LANGUAGE C VOLATILE;

REVOKE ALL ON FUNCTION @extschema@._raise_hidden(text, text, text, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.add_webhook_endpoint(provider text, scheme text, secret text,
	tolerance interval DEFAULT '5 minutes', max_body_bytes integer DEFAULT 1048576,
	retention interval DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e_state text;
	e_msg text;
	e_detail text;
	e_hint text;
BEGIN
	IF provider IS NULL OR scheme IS NULL OR secret IS NULL OR tolerance IS NULL
	   OR max_body_bytes IS NULL THEN
		RAISE EXCEPTION 'provider, scheme, secret, tolerance and max_body_bytes must not be null'
			USING ERRCODE = '22004';
	END IF;
	IF provider !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid provider "%"', @extschema@._clip(provider) USING ERRCODE = '22023',
			DETAIL = 'A provider is 1 to 64 letters, digits, ''.'', ''_'' or ''-''.';
	END IF;
	IF scheme NOT IN ('standard', 'helius') THEN
		RAISE EXCEPTION 'unknown webhook scheme "%"', @extschema@._clip(scheme) USING ERRCODE = '22023',
			HINT = 'The schemes are "standard" and "helius".';
	END IF;
	IF tolerance <= '0'::interval OR tolerance > '1 day'::interval THEN
		RAISE EXCEPTION 'tolerance must be positive and at most 1 day' USING ERRCODE = '22023';
	END IF;
	IF max_body_bytes NOT BETWEEN 0 AND 67108864 THEN
		RAISE EXCEPTION 'max_body_bytes must be between 0 and 64 MiB' USING ERRCODE = '22023';
	END IF;
	IF retention <= '0'::interval THEN
		RAISE EXCEPTION 'retention must be positive' USING ERRCODE = '22023';
	END IF;
	IF EXISTS (SELECT 1 FROM @extschema@.webhook_endpoints e WHERE e.provider = add_webhook_endpoint.provider) THEN
		RAISE EXCEPTION 'webhook endpoint "%" already exists', provider USING ERRCODE = '42710',
			HINT = 'Use mint.alter_webhook_endpoint() or mint.rotate_webhook_secret().';
	END IF;
	INSERT INTO @extschema@.webhook_endpoints (provider, scheme, tolerance, max_body_bytes, retention)
	VALUES (add_webhook_endpoint.provider, add_webhook_endpoint.scheme, add_webhook_endpoint.tolerance,
	        add_webhook_endpoint.max_body_bytes, add_webhook_endpoint.retention);
	RETURN @extschema@.add_webhook_secret(provider, secret);
EXCEPTION WHEN OTHERS OR query_canceled THEN
	GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
		e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
	PERFORM @extschema@._raise_hidden(e_state, e_msg, e_detail, e_hint);
	RETURN NULL;  -- not reached
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.alter_webhook_endpoint(provider text, enabled boolean DEFAULT NULL,
	tolerance interval DEFAULT NULL, max_body_bytes integer DEFAULT NULL,
	retention interval DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE @extschema@.webhook_endpoints e
	   SET enabled = COALESCE(alter_webhook_endpoint.enabled, e.enabled),
	       tolerance = COALESCE(alter_webhook_endpoint.tolerance, e.tolerance),
	       max_body_bytes = COALESCE(alter_webhook_endpoint.max_body_bytes, e.max_body_bytes),
	       retention = COALESCE(alter_webhook_endpoint.retention, e.retention),
	       updated_at = pg_catalog.now()
	 WHERE e.provider = alter_webhook_endpoint.provider;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no webhook endpoint "%"', @extschema@._clip(provider) USING ERRCODE = 'no_data_found';
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.retire_webhook_secret(provider text, secret_id integer,
	retire_at timestamptz DEFAULT pg_catalog.now())
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE @extschema@.webhook_secrets s
	   SET not_after = COALESCE(retire_webhook_secret.retire_at, pg_catalog.now())
	 WHERE s.provider = retire_webhook_secret.provider AND s.secret_id = retire_webhook_secret.secret_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no secret % for webhook endpoint "%"', secret_id, @extschema@._clip(provider)
			USING ERRCODE = 'no_data_found';
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.revoke_webhook_receiver(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF role IS NULL THEN
		RAISE EXCEPTION 'role must not be null' USING ERRCODE = '22004';
	END IF;
	EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION '
		'@extschema@.process_webhook(text, jsonb, text), '
		'@extschema@.process_webhook(text, jsonb, bytea) FROM %s', role);
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant_roles r
	                WHERE r.role_name = revoke_webhook_receiver.role) THEN
		EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA @extschema@ FROM %s', role);
	END IF;
END;
$$;

-- mint.preview_leaf(): the LeafSchema event the program emits for a job's
-- mint at a given leaf (asset id, owner, delegate, hashes, the event bytes),
-- computed by the code that builds the transaction.  Operators only.
CREATE FUNCTION @extschema@.preview_leaf(tenant_id text, ticket_id text, leaf_nonce bigint,
	OUT asset_id text, OUT leaf_owner text, OUT leaf_delegate text, OUT data_hash bytea,
	OUT creator_hash bytea, OUT leaf_hash bytea, OUT event bytea)
RETURNS record
AS 'MODULE_PATHNAME', 'mint_preview_leaf'
LANGUAGE C STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.preview_leaf(text, text, bigint) IS
'The LeafSchema event Bubblegum emits for the job''s mint at leaf leaf_nonce of the tenant''s tree: asset id, owner, delegate, hashes and the 209 event bytes';
REVOKE ALL ON FUNCTION @extschema@.preview_leaf(text, text, bigint) FROM PUBLIC;

-- Issue 20, inbound v1a (Standard Webhooks ed25519 signatures).  A standard
-- endpoint's keys may be "whpk_" public keys, kept in mint.webhook_secrets
-- (kind 'public_key', the 32 raw bytes) and added, rotated and retired by the
-- secret functions; process_webhook verifies "v1a,<base64>" entries with the
-- active ones and refuses a webhook-signature header of unknown versions
-- only.  rotate_webhook_secret retires the other keys of the new key's kind.
-- New internal functions: mint._webhook_key_kind, mint._webhook_verify_endpoint.
ALTER TABLE @extschema@.webhook_secrets
	ADD COLUMN kind text NOT NULL DEFAULT 'secret' CHECK (kind IN ('secret', 'public_key')),
	ADD CONSTRAINT webhook_secrets_public_key_length
		CHECK (kind <> 'public_key' OR pg_catalog.octet_length(secret) = 32);

CREATE FUNCTION @extschema@._webhook_key_kind(scheme text, secret text)
RETURNS text
AS 'MODULE_PATHNAME', 'mint_webhook_key_kind'
LANGUAGE C IMMUTABLE STRICT;
REVOKE ALL ON FUNCTION @extschema@._webhook_key_kind(text, text) FROM PUBLIC;

CREATE FUNCTION @extschema@._webhook_verify_endpoint(provider text, headers jsonb, body bytea,
	now bigint)
RETURNS text
AS 'MODULE_PATHNAME', 'mint_webhook_verify_endpoint'
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION @extschema@._webhook_verify_endpoint(text, jsonb, bytea, bigint) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.add_webhook_secret(provider text, secret text,
	not_after timestamptz DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.webhook_endpoints;
	id integer;
	e_state text;
	e_msg text;
	e_detail text;
	e_hint text;
BEGIN
	IF provider IS NULL OR secret IS NULL THEN
		RAISE EXCEPTION 'provider and secret must not be null' USING ERRCODE = '22004';
	END IF;
	SELECT * INTO e FROM @extschema@.webhook_endpoints x
	 WHERE x.provider = add_webhook_secret.provider FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no webhook endpoint "%"', @extschema@._clip(provider) USING ERRCODE = 'no_data_found';
	END IF;
	SELECT COALESCE(pg_catalog.max(s.secret_id), 0) + 1 INTO id
	  FROM @extschema@.webhook_secrets s WHERE s.provider = e.provider;
	INSERT INTO @extschema@.webhook_secrets (provider, secret_id, secret, not_after, kind)
	VALUES (e.provider, id, @extschema@._webhook_key(e.scheme, secret), add_webhook_secret.not_after,
	        @extschema@._webhook_key_kind(e.scheme, secret));
	RETURN id;
EXCEPTION WHEN OTHERS OR query_canceled THEN
	GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
		e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
	PERFORM @extschema@._raise_hidden(e_state, e_msg, e_detail, e_hint);
	RETURN NULL;  -- not reached
END;
$$;

COMMENT ON FUNCTION @extschema@.add_webhook_secret(text, text, timestamptz) IS
'Operator: add an active secret (or whpk_ public key) to an endpoint; returns its id';

CREATE OR REPLACE FUNCTION @extschema@.rotate_webhook_secret(provider text, secret text,
	grace interval DEFAULT '24 hours')
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id integer;
	e_state text;
	e_msg text;
	e_detail text;
	e_hint text;
BEGIN
	IF grace IS NULL OR grace < '0'::interval THEN
		RAISE EXCEPTION 'grace must be a non-negative interval' USING ERRCODE = '22023';
	END IF;
	id := @extschema@.add_webhook_secret(provider, secret);
	UPDATE @extschema@.webhook_secrets s
	   SET not_after = LEAST(COALESCE(s.not_after, 'infinity'), pg_catalog.now() + grace)
	 WHERE s.provider = rotate_webhook_secret.provider AND s.secret_id <> id
	   AND s.kind = (SELECT n.kind FROM @extschema@.webhook_secrets n
	                  WHERE n.provider = rotate_webhook_secret.provider AND n.secret_id = id)
	   AND (s.not_after IS NULL OR s.not_after > pg_catalog.now());
	RETURN id;
EXCEPTION WHEN OTHERS OR query_canceled THEN
	GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
		e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
	PERFORM @extschema@._raise_hidden(e_state, e_msg, e_detail, e_hint);
	RETURN NULL;  -- not reached
END;
$$;

COMMENT ON FUNCTION @extschema@.rotate_webhook_secret(text, text, interval) IS
'Operator: add a new secret (or public key) and retire the others of its kind after the grace period; returns the new id';

COMMENT ON FUNCTION @extschema@.add_webhook_endpoint(text, text, text, interval, integer, interval) IS
'Operator: a provider''s webhook endpoint (scheme standard or helius) with its first secret (or whpk_ public key)';

COMMENT ON FUNCTION @extschema@.retire_webhook_secret(text, integer, timestamptz) IS
'Operator: retire one secret or public key of an endpoint (at once unless a time is given)';

CREATE OR REPLACE VIEW @extschema@.webhook_secret_status AS
SELECT s.provider, s.secret_id,
       pg_catalog.substr(pg_catalog.encode(pg_catalog.sha256(s.secret), 'hex'), 1, 8) AS fingerprint,
       s.created_at, s.not_after,
       (s.not_after IS NULL OR s.not_after > pg_catalog.now()) AS active,
       s.kind
  FROM @extschema@.webhook_secrets s;

COMMENT ON VIEW @extschema@.webhook_secret_status IS
'Operator: the secrets and public keys of each webhook endpoint (id, short SHA-256 fingerprint, validity, kind), not their values';

-- ---------------------------------------------------------------------------
-- Tree pools (issue 16): several active trees per tenant, their capacity
-- and use counted, jobs dealt across them.
-- ---------------------------------------------------------------------------
DROP INDEX @extschema@.trees_one_active_per_tenant;
ALTER TABLE @extschema@.trees
	ADD COLUMN state text NOT NULL DEFAULT 'ready'
		CHECK (state IN ('creating', 'ready', 'failed')),
	ADD COLUMN origin text NOT NULL DEFAULT 'registered' CHECK (origin IN ('registered', 'created')),
	ADD COLUMN version smallint,
	ADD COLUMN max_depth integer,
	ADD COLUMN max_buffer_size integer,
	ADD COLUMN canopy_depth integer,
	ADD COLUMN capacity bigint,
	ADD COLUMN minted bigint NOT NULL DEFAULT 0,
	ADD COLUMN reserved integer NOT NULL DEFAULT 0,
	ADD COLUMN checked_at timestamptz,
	ADD COLUMN create_seed text,
	ADD COLUMN problem_code text,
	ADD COLUMN problem text,
	ADD COLUMN create_collection jsonb;
DROP TRIGGER trees_changed ON @extschema@.trees;
CREATE TRIGGER trees_changed
	AFTER INSERT OR DELETE OR TRUNCATE
	   OR UPDATE OF tenant_id, merkle_tree, collection_mint, active, state, version ON @extschema@.trees
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._trees_changed();

-- 0.1.0 wrote a job's tree at confirmation only: the leased jobs take the
-- tree of their latest attempt (or the tenant's one active tree), and the
-- counters start from the jobs as they are.
UPDATE @extschema@.mint_jobs j
   SET merkle_tree = COALESCE(
		(SELECT a.merkle_tree FROM @extschema@.mint_attempts a
		  WHERE a.tenant_id = j.tenant_id AND a.ticket_id = j.ticket_id
		  ORDER BY a.attempt_no DESC LIMIT 1),
		(SELECT t.merkle_tree FROM @extschema@.trees t WHERE t.tenant_id = j.tenant_id AND t.active))
 WHERE j.status IN ('in_flight', 'submitted') AND j.merkle_tree IS NULL;
UPDATE @extschema@.trees t
   SET reserved = (SELECT pg_catalog.count(*) FROM @extschema@.mint_jobs j
                    WHERE j.tenant_id = t.tenant_id AND j.merkle_tree = t.merkle_tree
                      AND j.status IN ('in_flight', 'submitted')),
       minted = COALESCE((SELECT pg_catalog.max(j.leaf_nonce) + 1 FROM @extschema@.mint_jobs j
                           WHERE j.tenant_id = t.tenant_id AND j.merkle_tree = t.merkle_tree
                             AND j.status = 'confirmed'), 0);

CREATE FUNCTION @extschema@.add_tree(
	tenant_id text, merkle_tree text, collection_mint text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	other text;
BEGIN
	IF tenant_id IS NULL OR merkle_tree IS NULL THEN
		RAISE EXCEPTION 'tenant_id and merkle_tree must not be null' USING ERRCODE = '22004';
	END IF;
	IF tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(tenant_id) USING ERRCODE = '22023',
			DETAIL = 'A tenant id is 1 to 64 letters, digits, ''.'', ''_'' or ''-''.';
	END IF;
	IF NOT @extschema@.is_address(merkle_tree) THEN
		RAISE EXCEPTION 'invalid merkle_tree "%"', @extschema@._clip(merkle_tree) USING ERRCODE = '22023',
			DETAIL = 'A tree is the base58 encoding of a 32-byte Solana address.';
	END IF;
	IF collection_mint IS NOT NULL AND NOT @extschema@.is_address(collection_mint) THEN
		RAISE EXCEPTION 'invalid collection_mint "%"', @extschema@._clip(collection_mint) USING ERRCODE = '22023',
			DETAIL = 'A collection mint is the base58 encoding of a 32-byte Solana address.';
	END IF;
	-- one collection per pool (the table is locked against a concurrent add)
	LOCK TABLE @extschema@.trees IN SHARE ROW EXCLUSIVE MODE;
	SELECT t.merkle_tree INTO other FROM @extschema@.trees t
	 WHERE t.tenant_id = add_tree.tenant_id AND t.active AND t.merkle_tree <> add_tree.merkle_tree
	   AND t.collection_mint IS DISTINCT FROM add_tree.collection_mint
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'tree % of tenant "%" mints into another collection', other, tenant_id
			USING ERRCODE = '55000',
			      HINT = 'The active trees of a tenant share its collection; use mint.register_tree() to switch.';
	END IF;
	INSERT INTO @extschema@.trees AS t (tenant_id, merkle_tree, collection_mint)
	VALUES (add_tree.tenant_id, add_tree.merkle_tree, add_tree.collection_mint)
	ON CONFLICT ON CONSTRAINT trees_pkey DO UPDATE
	   SET active = true, collection_mint = excluded.collection_mint,
	       updated_at = pg_catalog.now();
END;
$$;
REVOKE ALL ON FUNCTION @extschema@.add_tree(text, text, text) FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.add_tree(text, text, text) IS
'Add a Bubblegum tree to the tenant''s pool of active trees';

CREATE FUNCTION @extschema@._tree_usage()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE @extschema@.trees t
	   SET reserved = t.reserved + d.delta, minted = GREATEST(t.minted, d.next_leaf)
	  FROM (SELECT u.tenant_id, u.merkle_tree, pg_catalog.sum(u.delta)::integer AS delta,
	               COALESCE(pg_catalog.max(u.next_leaf), 0) AS next_leaf
	          FROM (SELECT n.tenant_id, n.merkle_tree, 1 AS delta, NULL::bigint AS next_leaf
	                  FROM new_jobs n WHERE n.status IN ('in_flight', 'submitted')
	                UNION ALL
	                SELECT o.tenant_id, o.merkle_tree, -1, NULL
	                  FROM old_jobs o WHERE o.status IN ('in_flight', 'submitted')
	                UNION ALL
	                SELECT n.tenant_id, n.merkle_tree, 0, n.leaf_nonce + 1
	                  FROM new_jobs n WHERE n.status = 'confirmed' AND n.leaf_nonce IS NOT NULL) u
	         WHERE u.merkle_tree IS NOT NULL
	         GROUP BY u.tenant_id, u.merkle_tree) d
	 WHERE t.tenant_id = d.tenant_id AND t.merkle_tree = d.merkle_tree
	   AND (d.delta <> 0 OR d.next_leaf > t.minted);
	RETURN NULL;
END;
$$;
CREATE TRIGGER mint_jobs_tree_usage
	AFTER UPDATE ON @extschema@.mint_jobs
	REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._tree_usage();
REVOKE ALL ON FUNCTION @extschema@._tree_usage() FROM PUBLIC;

-- One session lock per worker incarnation instead of one per job it holds
-- (src/common/locks.c): jobs name the worker that claimed them.
ALTER TABLE @extschema@.mint_jobs ADD COLUMN lease_holder bigint;
DROP FUNCTION @extschema@._claim(integer, integer);
-- Whether the worker incarnation with this id still runs: its session lock
-- is held (src/common/locks.c).
CREATE FUNCTION @extschema@._holder_alive(holder bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mint_holder_alive_sql'
LANGUAGE C VOLATILE STRICT;

-- claim: queued jobs that are due, and in_flight/submitted jobs whose lease
-- expired (their worker died); bump the lease token, take the lease.
-- LANGUAGE sql like the others, so planned again at every call (1-2 ms) with
-- the table's current size: a plan kept for the session (PL/pgSQL) was
-- built against the empty queue of a fresh worker, walked all of mint_jobs
-- for every job it claimed, and a burst of 20,000 drained at 319/s.
--
-- Trees: a job whose lease expired keeps its tree (an attempt into it may
-- be pending).  A queued job (every attempt dead) gets one of its tenant's
-- active ready trees with room: capacity - minted - reserved, counting the
-- jobs in flight, so a tree is never offered more than it can take.  The
-- tenant's trees are locked (a concurrent claim waits and then sees the
-- counters this one's commit leaves, mint._tree_usage) and the jobs are
-- dealt round-robin across them, spreading the trees' write locks.  A job no
-- tree has room for stays queued, told why, and is due again in a second.
CREATE FUNCTION @extschema@._claim(batch_size integer, lease_ms integer, holder bigint)
RETURNS TABLE (tenant_id text, ticket_id text, lease_token bigint, status @extschema@.job_status,
               owner text, metadata text, attempts integer, attempt_base integer, retries integer,
               merkle_tree text, collection_mint text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH expired AS (
		SELECT j.tenant_id, j.ticket_id, j.merkle_tree FROM @extschema@.mint_jobs j
		 WHERE j.status IN ('in_flight', 'submitted') AND j.lease_until < pg_catalog.now()
		   -- taken over from a dead worker only: a live one renews, or claims
		   -- its own again (a worker frozen past its lease keeps its jobs)
		   AND (j.lease_holder IS NULL OR j.lease_holder = holder
		        OR NOT @extschema@._holder_alive(j.lease_holder))
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
		-- rn: the place of a job without a tree among its tenant's (NULL for the others)
		-- queued: from due, so locked by this statement while queued
		SELECT p.tenant_id, p.ticket_id, p.merkle_tree, p.queued,
		       CASE WHEN p.merkle_tree IS NULL THEN pg_catalog.row_number() OVER (
		           PARTITION BY p.tenant_id, p.merkle_tree IS NULL ORDER BY p.ticket_id) END AS rn
		  FROM (SELECT e.tenant_id, e.ticket_id, e.merkle_tree, false AS queued FROM expired e
		        UNION ALL
		        SELECT d.tenant_id, d.ticket_id, NULL::text, true FROM due d
		        LIMIT batch_size) p
	), pool AS (
		SELECT t.tenant_id, t.merkle_tree,
		       LEAST(t.capacity - t.minted - t.reserved, batch_size) AS free
		  FROM @extschema@.trees t
		 WHERE t.active AND t.state = 'ready' AND t.capacity IS NOT NULL
		   AND t.tenant_id IN (SELECT n.tenant_id FROM pick n WHERE n.merkle_tree IS NULL)
		   FOR UPDATE
	), slots AS MATERIALIZED (
		-- per tenant, one row: its free leaves dealt round-robin over its trees
		-- (computed once: inlined, a join estimated at one row re-ran it per job).
		-- Jobs find their tree by their place (an array subscript), not by a
		-- join of the batch with the slots (quadratic in the batch size)
		SELECT p.tenant_id, pg_catalog.array_agg(p.merkle_tree ORDER BY s.k, p.merkle_tree) AS trees
		  FROM pool p, LATERAL pg_catalog.generate_series(1, p.free) AS s(k)
		 WHERE p.free > 0
		 GROUP BY p.tenant_id
	), placed AS (
		SELECT n.tenant_id, n.ticket_id, n.queued, COALESCE(n.merkle_tree, s.trees[n.rn]) AS merkle_tree
		  FROM pick n LEFT JOIN slots s ON s.tenant_id = n.tenant_id
	), held AS (
		UPDATE @extschema@.mint_jobs j
		   SET next_attempt_at = pg_catalog.now() + interval '1 second',
		       last_error_class = 'blocked', last_error_code = w.code, last_error_message = w.msg,
		       updated_at = pg_catalog.now()
		  FROM placed n CROSS JOIN LATERAL (
		       -- why: the worker's word on one of the tenant's trees, else the capacity
		       SELECT c.code, c.msg FROM (
		           SELECT 1 AS o, t.merkle_tree, t.problem_code AS code, t.problem AS msg
		             FROM @extschema@.trees t
		            WHERE t.tenant_id = n.tenant_id AND t.active AND t.problem_code IS NOT NULL
		           UNION ALL
		           SELECT 2, t.merkle_tree,
		                  CASE WHEN t.state = 'creating' THEN 'tree_creating' ELSE 'tree_not_checked' END,
		                  CASE WHEN t.state = 'creating' THEN 'tree ' || t.merkle_tree || ' is being created'
		                       ELSE 'the worker has not read tree ' || t.merkle_tree || ' yet' END
		             FROM @extschema@.trees t
		            WHERE t.tenant_id = n.tenant_id AND t.active AND t.capacity IS NULL
		           UNION ALL
		           SELECT 3, NULL, 'no_tree_capacity',
		                  'no active tree of the tenant has room for another mint (mint.trees)') c
		        ORDER BY c.o, c.merkle_tree LIMIT 1) w
		 -- n.queued, not j.status: a status condition let the planner walk every
		 -- queued job (mint_jobs_ready) for each claim instead of the primary key
		 WHERE n.merkle_tree IS NULL AND n.queued
		   AND j.tenant_id = n.tenant_id AND j.ticket_id = n.ticket_id
		RETURNING 1
	)
	UPDATE @extschema@.mint_jobs j
	   SET status = CASE WHEN j.status = 'queued' THEN 'in_flight'::@extschema@.job_status ELSE j.status END,
	       lease_token = j.lease_token + 1,
	       lease_until = pg_catalog.now() + pg_catalog.make_interval(secs => lease_ms / 1000.0),
	       lease_holder = holder,
	       updated_at = pg_catalog.now(),
	       merkle_tree = p.merkle_tree,
	       -- a reason it was held back no longer holds once a worker takes it
	       last_error_class = NULLIF(j.last_error_class, 'blocked'),
	       last_error_code = CASE WHEN j.last_error_class = 'blocked' THEN NULL ELSE j.last_error_code END,
	       last_error_message = CASE WHEN j.last_error_class = 'blocked' THEN NULL ELSE j.last_error_message END
	  FROM placed p
	 WHERE p.merkle_tree IS NOT NULL
	   AND j.tenant_id = p.tenant_id AND j.ticket_id = p.ticket_id
	RETURNING j.tenant_id, j.ticket_id, j.lease_token, j.status, j.owner, j.metadata::text,
	          j.attempts, j.attempt_base, j.retries, j.merkle_tree,
	          (SELECT t.collection_mint FROM @extschema@.trees t
	            WHERE t.tenant_id = j.tenant_id AND t.merkle_tree = j.merkle_tree)
$$;
REVOKE ALL ON FUNCTION @extschema@._holder_alive(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._claim(integer, integer, bigint) FROM PUBLIC;

CREATE FUNCTION @extschema@._tree_facts(tree text, capacity bigint, num_minted bigint,
	version smallint, max_depth integer, max_buffer_size integer, canopy_depth integer,
	is_full boolean, problem_code text, problem text)
RETURNS integer
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH before AS (
		SELECT t.tenant_id, (t.capacity IS NULL OR t.problem_code IS NOT NULL) AS unusable
		  FROM @extschema@.trees t WHERE t.merkle_tree = tree
	), u AS (
		UPDATE @extschema@.trees t
		   SET capacity = COALESCE(_tree_facts.capacity, t.capacity),
		       minted = GREATEST(t.minted, COALESCE(num_minted, 0),
		                         CASE WHEN is_full THEN COALESCE(_tree_facts.capacity, t.capacity, t.minted) ELSE 0 END),
		       version = COALESCE(_tree_facts.version, t.version),
		       max_depth = COALESCE(_tree_facts.max_depth, t.max_depth),
		       max_buffer_size = COALESCE(_tree_facts.max_buffer_size, t.max_buffer_size),
		       canopy_depth = COALESCE(_tree_facts.canopy_depth, t.canopy_depth),
		       problem_code = _tree_facts.problem_code, problem = _tree_facts.problem,
		       checked_at = pg_catalog.now()
		 WHERE t.merkle_tree = tree
		RETURNING t.tenant_id, t.capacity, t.problem_code
	), released AS (
		-- a tree that can now be minted into: its tenant's held-back jobs are due at once
		UPDATE @extschema@.mint_jobs j
		   SET next_attempt_at = pg_catalog.now()
		  FROM u JOIN before b ON b.tenant_id = u.tenant_id
		 WHERE b.unusable AND u.capacity IS NOT NULL AND u.problem_code IS NULL
		   AND j.tenant_id = u.tenant_id AND j.status = 'queued' AND j.last_error_class = 'blocked'
		   AND j.next_attempt_at > pg_catalog.now()
		RETURNING 1
	)
	SELECT pg_catalog.count(*)::integer FROM u
$$;
REVOKE ALL ON FUNCTION @extschema@._tree_facts(text, bigint, bigint, smallint, integer, integer,
	integer, boolean, text, text) FROM PUBLIC;

CREATE FUNCTION @extschema@._trees_to_check(batch_size integer)
RETURNS TABLE (merkle_tree text, collection_mint text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT DISTINCT ON (t.merkle_tree) t.merkle_tree, t.collection_mint FROM @extschema@.trees t
	 WHERE t.active AND t.state = 'ready'
	   AND (t.capacity IS NULL OR t.checked_at < pg_catalog.now() - interval '10 minutes')
	 LIMIT batch_size
$$;
REVOKE ALL ON FUNCTION @extschema@._trees_to_check(integer) FROM PUBLIC;

-- Trees created from SQL (issue 16): mint.create_tree(), mint.tree_cost(),
-- the creation attempts the worker records before it sends them.
CREATE TABLE @extschema@.tree_attempts (
	tenant_id               text NOT NULL,
	merkle_tree             text NOT NULL,
	attempt_no              integer NOT NULL,
	signature               text NOT NULL,
	last_valid_block_height bigint NOT NULL,
	signed_tx               bytea NOT NULL,
	genesis_hash            text NOT NULL,
	state                   text NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'landed_ok', 'landed_err', 'expired')),
	error_message           text,
	created_at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
	resolved_at             timestamptz,
	PRIMARY KEY (tenant_id, merkle_tree, attempt_no),
	UNIQUE (signature),
	FOREIGN KEY (tenant_id, merkle_tree) REFERENCES @extschema@.trees (tenant_id, merkle_tree)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tree_attempts', '');
REVOKE ALL ON @extschema@.tree_attempts FROM PUBLIC;

CREATE FUNCTION @extschema@.tree_cost(max_depth integer, max_buffer_size integer,
	canopy_depth integer DEFAULT 0, version integer DEFAULT 1,
	OUT capacity bigint, OUT account_bytes bigint, OUT tree_rent bigint, OUT config_rent bigint,
	OUT fee bigint, OUT total bigint, OUT mint_fee bigint, OUT mint_protocol_fee bigint)
RETURNS record
LANGUAGE C STABLE STRICT
AS 'MODULE_PATHNAME', 'mint_tree_cost';

COMMENT ON FUNCTION @extschema@.tree_cost(integer, integer, integer, integer) IS
'What creating a tree of this shape and version costs the fee payer (lamports), its capacity, and what each mint into it costs';
REVOKE ALL ON FUNCTION @extschema@.tree_cost(integer, integer, integer, integer) FROM PUBLIC;

CREATE FUNCTION @extschema@._tree_address(seed text, max_depth integer, max_buffer_size integer,
	canopy_depth integer, version integer)
RETURNS text
LANGUAGE C VOLATILE STRICT
AS 'MODULE_PATHNAME', 'mint_tree_address';

CREATE FUNCTION @extschema@._core_collection_address(seed text)
RETURNS text
LANGUAGE C VOLATILE STRICT
AS 'MODULE_PATHNAME', 'mint_core_collection_address';
REVOKE ALL ON FUNCTION @extschema@._tree_address(text, integer, integer, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._core_collection_address(text) FROM PUBLIC;

-- A new MPL Core collection's settings, checked and completed (22023 for
-- anything the creation could not carry); nothing of the input is echoed.
CREATE FUNCTION @extschema@._check_new_collection(c jsonb, version integer, collection_mint text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k text;
BEGIN
	IF version <> 2 THEN
		RAISE EXCEPTION 'a new Core collection goes with a V2 tree (version => 2)' USING ERRCODE = '22023';
	END IF;
	IF collection_mint IS NOT NULL THEN
		RAISE EXCEPTION 'give collection_mint or new_collection, not both' USING ERRCODE = '22023';
	END IF;
	IF pg_catalog.jsonb_typeof(c) <> 'object' THEN
		RAISE EXCEPTION 'new_collection must be a JSON object' USING ERRCODE = '22023';
	END IF;
	FOR k IN SELECT pg_catalog.jsonb_object_keys(c) LOOP
		IF k NOT IN ('name', 'uri', 'royalty_basis_points', 'royalty_recipient', 'permanent_freeze',
		             'freeze_authority') THEN
			RAISE EXCEPTION 'unknown new_collection key "%"', @extschema@._clip(k) USING ERRCODE = '22023',
				HINT = 'The keys are name, uri, royalty_basis_points, royalty_recipient, permanent_freeze and freeze_authority.';
		END IF;
	END LOOP;
	IF pg_catalog.jsonb_typeof(c -> 'name') IS DISTINCT FROM 'string'
	   OR pg_catalog.octet_length(c ->> 'name') NOT BETWEEN 1 AND 32 THEN
		RAISE EXCEPTION 'new_collection.name must be a string of 1 to 32 bytes' USING ERRCODE = '22023';
	END IF;
	IF pg_catalog.jsonb_typeof(c -> 'uri') IS DISTINCT FROM 'string'
	   OR pg_catalog.octet_length(c ->> 'uri') NOT BETWEEN 1 AND 200 THEN
		RAISE EXCEPTION 'new_collection.uri must be a string of 1 to 200 bytes' USING ERRCODE = '22023';
	END IF;
	IF c ? 'royalty_basis_points' AND (pg_catalog.jsonb_typeof(c -> 'royalty_basis_points') <> 'number'
	   OR (c ->> 'royalty_basis_points') !~ '^[0-9]{1,5}$' OR (c ->> 'royalty_basis_points')::integer > 10000) THEN
		RAISE EXCEPTION 'new_collection.royalty_basis_points must be an integer from 0 to 10000' USING ERRCODE = '22023';
	END IF;
	IF c ? 'royalty_recipient' AND (pg_catalog.jsonb_typeof(c -> 'royalty_recipient') <> 'string'
	   OR NOT @extschema@.is_address(c ->> 'royalty_recipient')) THEN
		RAISE EXCEPTION 'new_collection.royalty_recipient must be a base58 address' USING ERRCODE = '22023';
	END IF;
	IF c ? 'permanent_freeze' AND pg_catalog.jsonb_typeof(c -> 'permanent_freeze') <> 'boolean' THEN
		RAISE EXCEPTION 'new_collection.permanent_freeze must be true or false' USING ERRCODE = '22023';
	END IF;
	IF c ? 'freeze_authority' AND (pg_catalog.jsonb_typeof(c -> 'freeze_authority') <> 'string'
	   OR NOT @extschema@.is_address(c ->> 'freeze_authority')) THEN
		RAISE EXCEPTION 'new_collection.freeze_authority must be a base58 address' USING ERRCODE = '22023';
	END IF;
	RETURN pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('name', c -> 'name', 'uri', c -> 'uri',
		'royalty_basis_points', COALESCE((c ->> 'royalty_basis_points')::integer, 0),
		'royalty_recipient', c -> 'royalty_recipient',
		'permanent_freeze', COALESCE((c ->> 'permanent_freeze')::boolean, false),
		'freeze_authority', c -> 'freeze_authority'));
END;
$$;
REVOKE ALL ON FUNCTION @extschema@._check_new_collection(jsonb, integer, text) FROM PUBLIC;

CREATE FUNCTION @extschema@.create_tree(tenant_id text, max_depth integer,
	max_buffer_size integer, canopy_depth integer DEFAULT 0, collection_mint text DEFAULT NULL,
	version integer DEFAULT 1, new_collection jsonb DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
	seed text;
	address text;
	other text;
	coll jsonb;
BEGIN
	IF tenant_id IS NULL OR max_depth IS NULL OR max_buffer_size IS NULL OR canopy_depth IS NULL
	   OR version IS NULL THEN
		RAISE EXCEPTION 'tenant_id, max_depth, max_buffer_size, canopy_depth and version must not be null'
			USING ERRCODE = '22004';
	END IF;
	IF version NOT IN (1, 2) THEN
		RAISE EXCEPTION 'version must be 1 (Bubblegum V1, mint_v1) or 2 (Bubblegum V2, mint_v2)'
			USING ERRCODE = '22023';
	END IF;
	IF tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(tenant_id) USING ERRCODE = '22023',
			DETAIL = 'A tenant id is 1 to 64 letters, digits, ''.'', ''_'' or ''-''.';
	END IF;
	IF collection_mint IS NOT NULL AND NOT @extschema@.is_address(collection_mint) THEN
		RAISE EXCEPTION 'invalid collection_mint "%"', @extschema@._clip(collection_mint) USING ERRCODE = '22023',
			DETAIL = 'A collection mint is the base58 encoding of a 32-byte Solana address.';
	END IF;
	IF new_collection IS NOT NULL THEN
		coll := @extschema@._check_new_collection(new_collection, version, collection_mint);
	END IF;
	LOCK TABLE @extschema@.trees IN SHARE ROW EXCLUSIVE MODE;
	SELECT t.merkle_tree INTO other FROM @extschema@.trees t
	 WHERE t.tenant_id = create_tree.tenant_id AND t.active
	   AND (coll IS NOT NULL OR t.collection_mint IS DISTINCT FROM create_tree.collection_mint)
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'tree % of tenant "%" mints into another collection', other, tenant_id
			USING ERRCODE = '55000',
			      HINT = 'The active trees of a tenant share its collection; a new collection starts a new pool.';
	END IF;
	-- the tenant's next tree number; the seed fits createWithSeed's 32 bytes
	SELECT pg_catalog.count(*) + 1 INTO n FROM @extschema@.trees t
	 WHERE t.tenant_id = create_tree.tenant_id AND t.origin = 'created';
	seed := 'mx' || pg_catalog.substr(pg_catalog.encode(pg_catalog.sha256(
		pg_catalog.convert_to(create_tree.tenant_id, 'UTF8')), 'hex'), 1, 16) || '.' || n;
	address := @extschema@._tree_address(seed, max_depth, max_buffer_size, canopy_depth, version);
	IF coll IS NOT NULL THEN
		collection_mint := @extschema@._core_collection_address(seed);
	END IF;
	INSERT INTO @extschema@.trees AS t (tenant_id, merkle_tree, collection_mint, state, origin,
		version, max_depth, max_buffer_size, canopy_depth, create_seed, create_collection)
	VALUES (create_tree.tenant_id, address, create_tree.collection_mint, 'creating', 'created',
		create_tree.version, max_depth, max_buffer_size, canopy_depth, seed, coll);
	PERFORM @extschema@.wake_at_commit();
	RETURN address;
END;
$$;

COMMENT ON FUNCTION @extschema@.create_tree(text, integer, integer, integer, text, integer, jsonb) IS
'Create a Bubblegum tree for the tenant''s pool (the worker creates it on chain exactly once); returns its address';
REVOKE ALL ON FUNCTION @extschema@.create_tree(text, integer, integer, integer, text, integer, jsonb) FROM PUBLIC;

CREATE FUNCTION @extschema@._tree_creations(batch_size integer)
RETURNS TABLE (tenant_id text, merkle_tree text, create_seed text, max_depth integer,
               max_buffer_size integer, canopy_depth integer, attempts integer, signature text,
               last_valid_block_height bigint, signed_tx bytea, genesis_hash text, version smallint,
               coll_name text, coll_uri text, coll_royalty integer, coll_recipient text,
               coll_freeze boolean, coll_address text, coll_freeze_authority text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT t.tenant_id, t.merkle_tree, t.create_seed, t.max_depth, t.max_buffer_size, t.canopy_depth,
	       (SELECT pg_catalog.count(*)::integer FROM @extschema@.tree_attempts x
	         WHERE x.tenant_id = t.tenant_id AND x.merkle_tree = t.merkle_tree),
	       a.signature, a.last_valid_block_height, a.signed_tx, a.genesis_hash, COALESCE(t.version, 1),
	       t.create_collection ->> 'name', t.create_collection ->> 'uri',
	       (t.create_collection ->> 'royalty_basis_points')::integer,
	       t.create_collection ->> 'royalty_recipient', (t.create_collection ->> 'permanent_freeze')::boolean,
	       CASE WHEN t.create_collection IS NOT NULL THEN t.collection_mint END,
	       t.create_collection ->> 'freeze_authority'
	  FROM @extschema@.trees t
	  LEFT JOIN @extschema@.tree_attempts a
	    ON a.tenant_id = t.tenant_id AND a.merkle_tree = t.merkle_tree AND a.state = 'pending'
	 WHERE t.state = 'creating'
	 ORDER BY t.created_at
	 LIMIT batch_size
$$;
REVOKE ALL ON FUNCTION @extschema@._tree_creations(integer) FROM PUBLIC;

CREATE FUNCTION @extschema@._record_tree_attempt(tenant_id text, merkle_tree text, signature text,
	last_valid bigint, tx bytea, genesis text)
RETURNS integer
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO @extschema@.tree_attempts AS a
		(tenant_id, merkle_tree, attempt_no, signature, last_valid_block_height, signed_tx, genesis_hash)
	SELECT t.tenant_id, t.merkle_tree,
	       (SELECT COALESCE(pg_catalog.max(x.attempt_no), 0) + 1 FROM @extschema@.tree_attempts x
	         WHERE x.tenant_id = t.tenant_id AND x.merkle_tree = t.merkle_tree),
	       signature, last_valid, tx, genesis
	  FROM @extschema@.trees t
	 WHERE t.tenant_id = _record_tree_attempt.tenant_id AND t.merkle_tree = _record_tree_attempt.merkle_tree
	   AND t.state = 'creating'
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.tree_attempts x
	                    WHERE x.tenant_id = t.tenant_id AND x.merkle_tree = t.merkle_tree
	                      AND x.state IN ('pending', 'landed_ok'))
	RETURNING a.attempt_no
$$;
REVOKE ALL ON FUNCTION @extschema@._record_tree_attempt(text, text, text, bigint, bytea, text) FROM PUBLIC;

CREATE FUNCTION @extschema@._tree_attempt_done(tenant_id text, merkle_tree text, signature text,
	state text, error text, failed_code text)
RETURNS integer
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH a AS (
		UPDATE @extschema@.tree_attempts a
		   SET state = _tree_attempt_done.state, error_message = error, resolved_at = pg_catalog.now()
		 WHERE a.tenant_id = _tree_attempt_done.tenant_id AND a.merkle_tree = _tree_attempt_done.merkle_tree
		   AND a.signature = _tree_attempt_done.signature AND a.state = 'pending'
		   AND _tree_attempt_done.state IN ('landed_ok', 'landed_err', 'expired')
		RETURNING a.tenant_id, a.merkle_tree
	), t AS (
		UPDATE @extschema@.trees t
		   SET state = CASE WHEN _tree_attempt_done.state = 'landed_ok' THEN 'ready' ELSE 'failed' END,
		       active = t.active AND _tree_attempt_done.state = 'landed_ok',
		       problem_code = CASE WHEN _tree_attempt_done.state = 'landed_ok' THEN NULL ELSE failed_code END,
		       problem = CASE WHEN _tree_attempt_done.state = 'landed_ok' THEN NULL ELSE error END,
		       updated_at = pg_catalog.now()
		  FROM a
		 WHERE t.tenant_id = a.tenant_id AND t.merkle_tree = a.merkle_tree AND t.state = 'creating'
		   AND (_tree_attempt_done.state = 'landed_ok' OR failed_code IS NOT NULL)
		RETURNING 1
	)
	SELECT pg_catalog.count(*)::integer FROM a
$$;
REVOKE ALL ON FUNCTION @extschema@._tree_attempt_done(text, text, text, text, text, text) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Issue 20 part 1-2: the outbox (mint.events, numbered per tenant at commit
-- by mint.event_counters), the change feed mint.events_since() (granted
-- with the tenant) and the NOTIFY on channel mint_events.
-- ---------------------------------------------------------------------------

CREATE SEQUENCE @extschema@.events_ord_seq;

CREATE TABLE @extschema@.events (
	tenant_id   text NOT NULL,
	event_id    text NOT NULL,             -- 'evt_' and 32 hex digits
	seq         bigint,                    -- NULL only inside the writing transaction
	event_type  text NOT NULL
		CHECK (event_type IN ('mint.confirmed', 'mint.failed', 'mint.cancelled', 'mint.retried')),
	ticket_id   text NOT NULL,
	job_id      text NOT NULL,
	payload     jsonb NOT NULL,            -- the body every delivery sends, complete at commit
	occurred_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	ord         bigint NOT NULL DEFAULT pg_catalog.nextval('@extschema@.events_ord_seq'),
	PRIMARY KEY (tenant_id, event_id),
	UNIQUE (tenant_id, seq)
);
ALTER SEQUENCE @extschema@.events_ord_seq OWNED BY @extschema@.events.ord;
-- the writing transaction's own events, until they are numbered
CREATE INDEX events_unsequenced ON @extschema@.events (tenant_id, ord) WHERE seq IS NULL;

-- The last sequence number given per tenant.
CREATE TABLE @extschema@.event_counters (
	tenant_id text PRIMARY KEY,
	last_seq  bigint NOT NULL CHECK (last_seq > 0)
);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.events', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.event_counters', '');

-- UTC, microseconds, 'Z': the same text in every session.
CREATE FUNCTION @extschema@._rfc3339(t timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- AFTER UPDATE, once per statement (transition tables): one INSERT for every
-- job of the statement whose status changed to one the platform is told
-- about.  A row trigger cost a PL/pgSQL call per job, more than half of what
-- the worker's confirmation of a batch cost (bench/RESULTS.md, run 8).
CREATE FUNCTION @extschema@._job_event()
RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO @extschema@.events (tenant_id, event_id, event_type, ticket_id, job_id, payload, occurred_at)
	SELECT x.tenant_id, x.id, x.kind, x.ticket_id, x.job_id,
	       pg_catalog.jsonb_build_object(
	           'type', x.kind, 'timestamp', @extschema@._rfc3339(x.at),
	           'data', pg_catalog.jsonb_build_object(
	               'event_id', x.id, 'tenant_id', x.tenant_id, 'ticket_id', x.ticket_id,
	               'job_id', x.job_id, 'status', x.status::text, 'previous_status', x.old_status::text,
	               'attempts', x.attempts, 'signature', x.signature, 'asset_id', x.asset_id,
	               'merkle_tree', x.merkle_tree, 'leaf_nonce', x.leaf_nonce,
	               'error', CASE WHEN x.status = 'failed' THEN pg_catalog.jsonb_build_object(
	                   'class', x.last_error_class, 'code', x.last_error_code,
	                   'message', x.last_error_message) END)),
	       x.at
	  FROM (SELECT n.tenant_id, n.ticket_id, n.job_id, n.status, o.status AS old_status, n.attempts,
	               n.signature, n.asset_id, n.merkle_tree, n.leaf_nonce, n.last_error_class,
	               n.last_error_code, n.last_error_message,
	               CASE n.status WHEN 'confirmed' THEN 'mint.confirmed' WHEN 'failed' THEN 'mint.failed'
	                             WHEN 'cancelled' THEN 'mint.cancelled' ELSE 'mint.retried' END AS kind,
	               'evt_' || pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', '') AS id,
	               pg_catalog.now() AS at
	          FROM new_jobs n JOIN old_jobs o ON o.tenant_id = n.tenant_id AND o.ticket_id = n.ticket_id
	         WHERE o.status IS DISTINCT FROM n.status
	           AND (n.status IN ('confirmed', 'failed', 'cancelled') OR o.status = 'failed')
	         ORDER BY n.tenant_id, n.ticket_id) x;
	RETURN NULL;
END;
$$;

CREATE TRIGGER job_events
	AFTER UPDATE ON @extschema@.mint_jobs
	REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._job_event();

-- At commit: number the transaction's events.  The first of its deferred
-- triggers numbers all of them (the others find nothing to do).  Rows with
-- no number are this transaction's own: another transaction's are numbered
-- before they commit, and invisible until then.  The counters are taken in
-- tenant order, so two transactions never wait for each other's.  Fires as
-- whichever role commits (an application's, after a SECURITY DEFINER call):
-- SECURITY DEFINER.
CREATE FUNCTION @extschema@._sequence_events()
RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	numbered bigint;
BEGIN
	-- by the primary key, and seq read from the row: the partial index of
	-- unnumbered events still lists the row versions the first trigger
	-- replaced, and a lookup through it made a commit of n events O(n^2)
	SELECT e.seq INTO numbered FROM @extschema@.events e
	 WHERE e.tenant_id = NEW.tenant_id AND e.event_id = NEW.event_id;
	IF NOT FOUND OR numbered IS NOT NULL THEN
		RETURN NULL;
	END IF;
	WITH mine AS (
		SELECT e.tenant_id, e.event_id, e.ord FROM @extschema@.events e WHERE e.seq IS NULL
	), n AS (
		SELECT m.tenant_id, pg_catalog.count(*) AS n FROM mine m GROUP BY m.tenant_id
	), c AS (
		INSERT INTO @extschema@.event_counters AS c (tenant_id, last_seq)
		SELECT n.tenant_id, n.n FROM n ORDER BY n.tenant_id
		ON CONFLICT (tenant_id) DO UPDATE SET last_seq = c.last_seq + excluded.last_seq
		RETURNING c.tenant_id, c.last_seq
	), s AS (
		SELECT m.tenant_id, m.event_id,
		       c.last_seq - n.n + pg_catalog.row_number() OVER (PARTITION BY m.tenant_id ORDER BY m.ord) AS seq
		  FROM mine m JOIN n ON n.tenant_id = m.tenant_id JOIN c ON c.tenant_id = m.tenant_id
	)
	UPDATE @extschema@.events e
	   SET seq = s.seq,
	       payload = pg_catalog.jsonb_set(e.payload, '{data,sequence}', pg_catalog.to_jsonb(s.seq))
	  FROM s
	 WHERE e.tenant_id = s.tenant_id AND e.event_id = s.event_id;
	-- wakes the listeners (NOTIFY has no access control: a fixed channel,
	-- no payload) and the workers' deliveries
	PERFORM pg_catalog.pg_notify('mint_events', '');
	RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER events_sequence
	AFTER INSERT ON @extschema@.events
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION @extschema@._sequence_events();

-- Internal: raise 42501 unless the session's role may act for the tenant
-- (src/api/access.c).
CREATE FUNCTION @extschema@._check_tenant(tenant_id text)
RETURNS void
AS 'MODULE_PATHNAME', 'mint_check_tenant_sql'
LANGUAGE C STABLE STRICT;

-- ---------------------------------------------------------------------------
-- The change feed: events of one tenant after a sequence number, in order.
-- A consumer keeps the last number it processed and asks for the next ones;
-- LISTEN mint_events wakes it (the notification says nothing: it may be
-- another tenant's event).
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.events_since(tenant_id text, after bigint DEFAULT 0,
	"limit" integer DEFAULT 100)
RETURNS TABLE (seq bigint, event_id text, event_type text, ticket_id text, job_id text,
	occurred_at timestamptz, payload jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF tenant_id IS NULL OR after IS NULL OR "limit" IS NULL THEN
		RAISE EXCEPTION 'tenant_id, after and limit must not be null' USING ERRCODE = '22004';
	END IF;
	IF after < 0 THEN
		RAISE EXCEPTION 'after must be 0 or a sequence number, not %', after USING ERRCODE = '22023';
	END IF;
	IF "limit" < 1 OR "limit" > 10000 THEN
		RAISE EXCEPTION 'limit must be between 1 and 10000, not %', "limit" USING ERRCODE = '22023';
	END IF;
	IF events_since.tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(events_since.tenant_id)
			USING ERRCODE = '22023';
	END IF;
	PERFORM @extschema@._check_tenant(events_since.tenant_id);  -- 42501 unless the role may
	RETURN QUERY
	SELECT e.seq, e.event_id, e.event_type, e.ticket_id, e.job_id, e.occurred_at, e.payload
	  FROM @extschema@.events e
	 WHERE e.tenant_id = events_since.tenant_id AND e.seq > after
	 ORDER BY e.seq
	 LIMIT "limit";
END;
$$;

COMMENT ON FUNCTION @extschema@.events_since(text, bigint, integer) IS
'The events of a tenant after a sequence number, in commit order (only the tenants the role may act for)';

CREATE OR REPLACE FUNCTION @extschema@.grant_tenant(tenant_id text, role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF tenant_id IS NULL OR role IS NULL THEN
		RAISE EXCEPTION 'tenant_id and role must not be null' USING ERRCODE = '22004';
	END IF;
	IF tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(tenant_id) USING ERRCODE = '22023';
	END IF;
	INSERT INTO @extschema@.tenant_roles (tenant_id, role_name)
	VALUES (grant_tenant.tenant_id, grant_tenant.role)
	ON CONFLICT DO NOTHING;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA @extschema@ TO %s', role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION '
		'@extschema@.mint_ticket(text, text, text, jsonb, text), '
		'@extschema@.mint_tickets(text, jsonb, text), '
		'@extschema@.get_mint(text, text), '
		'@extschema@.enqueue_mint(), '
		'@extschema@.has_tenant_access(text), '
		'@extschema@.events_since(text, bigint, integer), '
		'@extschema@._jobs() TO %s', role);
	EXECUTE pg_catalog.format('GRANT SELECT ON @extschema@.jobs TO %s', role);
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.revoke_tenant(tenant_id text, role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.tenant_roles r
	 WHERE r.tenant_id = revoke_tenant.tenant_id AND r.role_name = revoke_tenant.role;
	-- The grants go with the role's last tenant ...
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant_roles r WHERE r.role_name = revoke_tenant.role) THEN
		EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION '
			'@extschema@.mint_ticket(text, text, text, jsonb, text), '
			'@extschema@.mint_tickets(text, jsonb, text), '
			'@extschema@.get_mint(text, text), '
			'@extschema@.enqueue_mint(), '
			'@extschema@.has_tenant_access(text), '
			'@extschema@.events_since(text, bigint, integer), '
			'@extschema@._jobs() FROM %s', role);
		EXECUTE pg_catalog.format('REVOKE SELECT ON @extschema@.jobs FROM %s', role);
		-- ... but USAGE stays while the role is a webhook receiver.
		IF NOT EXISTS (
			SELECT 1 FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
			 WHERE p.oid = '@extschema@.process_webhook(text, jsonb, text)'::pg_catalog.regprocedure
			   AND a.grantee = revoke_tenant.role AND a.privilege_type = 'EXECUTE') THEN
			EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA @extschema@ FROM %s', role);
		END IF;
	END IF;
END;
$$;

-- The roles already granted a tenant get the feed too.
DO $$
DECLARE
	r regrole;
BEGIN
	FOR r IN SELECT DISTINCT t.role_name FROM @extschema@.tenant_roles t LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION '
			'@extschema@.events_since(text, bigint, integer) TO %s', r);
	END LOOP;
END;
$$;

REVOKE ALL ON TABLE @extschema@.events, @extschema@.event_counters FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._rfc3339(timestamptz), @extschema@._job_event(),
	@extschema@._sequence_events(), @extschema@._check_tenant(text),
	@extschema@.events_since(text, bigint, integer) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Issue 20, deliverable 4 (metrics): the view mint.metrics over
-- mint._metrics() (SECURITY DEFINER, the visible tenants only).
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

REVOKE ALL ON TABLE @extschema@.metrics FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._metrics() FROM PUBLIC;
-- ---------------------------------------------------------------------------
-- Issue 20, deliverable 2 (signed outbound webhooks, delivered by worker 0):
-- mint.outbound_endpoints, mint.outbound_secrets, mint.outbound_deliveries,
-- the operator functions, the worker's _claim_deliveries/_deliveries_done,
-- the views mint.outbound_endpoint_status and mint.delivery_log; the events'
-- numbering makes the deliveries, and mint.metrics counts them.
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.outbound_endpoints (
	tenant_id       text NOT NULL CHECK (tenant_id ~ '^[A-Za-z0-9._-]{1,64}$'),
	endpoint_id     text NOT NULL CHECK (endpoint_id ~ '^[A-Za-z0-9._-]{1,64}$'),
	url             text NOT NULL CHECK (pg_catalog.octet_length(url) <= 2048),
	enabled         boolean NOT NULL DEFAULT true,
	failures        integer NOT NULL DEFAULT 0,   -- failed requests in a row
	retry_at        timestamptz,                  -- after a failure: when the next probe may go
	failing_since   timestamptz,
	disabled_at     timestamptz,
	disabled_reason text,
	created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_failure_at timestamptz,                  -- when the last failure was counted
	PRIMARY KEY (tenant_id, endpoint_id)
);

-- kind 'secret': a raw HMAC key (given out once as "whsec_" + base64);
-- kind 'signing_key': an ed25519 secret key (64 bytes, libsodium's form;
-- its public key, given out as "whpk_", is public_key).  Active while
-- not_after is NULL or in the future.
CREATE TABLE @extschema@.outbound_secrets (
	tenant_id   text NOT NULL,
	endpoint_id text NOT NULL,
	secret_id   integer NOT NULL,
	kind        text NOT NULL CHECK (kind IN ('secret', 'signing_key')),
	secret      bytea NOT NULL,
	public_key  bytea,
	created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
	not_after   timestamptz,
	PRIMARY KEY (tenant_id, endpoint_id, secret_id),
	FOREIGN KEY (tenant_id, endpoint_id) REFERENCES @extschema@.outbound_endpoints ON DELETE CASCADE,
	CHECK (kind <> 'signing_key' OR (pg_catalog.octet_length(secret) = 64
	                                 AND pg_catalog.octet_length(public_key) = 32))
);

-- One row per (endpoint, event).  pending until a 2xx answer (delivered),
-- or until its own attempts exhaust the schedule while the endpoint answers
-- others (failed).  lease_until: a worker has it in flight.
CREATE TABLE @extschema@.outbound_deliveries (
	tenant_id        text NOT NULL,
	endpoint_id      text NOT NULL,
	event_id         text NOT NULL,
	seq              bigint NOT NULL,
	ticket_id        text NOT NULL,
	status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
	attempts         integer NOT NULL DEFAULT 0,
	next_attempt_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
	lease_until      timestamptz,
	last_attempt_at  timestamptz,
	last_http_status integer,
	last_error       text,
	delivered_at     timestamptz,
	created_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, endpoint_id, event_id),
	FOREIGN KEY (tenant_id, endpoint_id) REFERENCES @extschema@.outbound_endpoints ON DELETE CASCADE
);
CREATE INDEX outbound_deliveries_due
	ON @extschema@.outbound_deliveries (next_attempt_at) WHERE status = 'pending';
-- per-ticket order: the earlier pending deliveries of a ticket
CREATE INDEX outbound_deliveries_ticket
	ON @extschema@.outbound_deliveries (tenant_id, endpoint_id, ticket_id, seq) WHERE status = 'pending';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.outbound_endpoints', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.outbound_secrets', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.outbound_deliveries', '');

-- Internal (C, libsodium): a new key.  'secret': 24 random bytes, shown as
-- "whsec_" + base64; 'signing_key': an ed25519 key pair, shown as "whpk_" +
-- base64 of the public key.
CREATE FUNCTION @extschema@._outbound_new_key(kind text, OUT secret bytea, OUT public_key bytea,
	OUT shown text)
RETURNS record
AS 'MODULE_PATHNAME', 'mint_outbound_new_key'
LANGUAGE C VOLATILE STRICT;

-- Internal: an endpoint of the tenant, locked, or an error.
CREATE FUNCTION @extschema@._outbound_endpoint(tenant_id text, endpoint_id text)
RETURNS @extschema@.outbound_endpoints
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.outbound_endpoints;
BEGIN
	IF tenant_id IS NULL OR endpoint_id IS NULL THEN
		RAISE EXCEPTION 'tenant_id and endpoint_id must not be null' USING ERRCODE = '22004';
	END IF;
	SELECT * INTO e FROM @extschema@.outbound_endpoints o
	 WHERE o.tenant_id = _outbound_endpoint.tenant_id AND o.endpoint_id = _outbound_endpoint.endpoint_id
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no outbound endpoint "%" for tenant "%"', @extschema@._clip(endpoint_id),
		      @extschema@._clip(tenant_id)
			USING ERRCODE = 'no_data_found';
	END IF;
	RETURN e;
END;
$$;

-- Operator: register an endpoint of a tenant; returns its first secret
-- ("whsec_...", shown this once: give it to the platform).  The URL is
-- https, or http on a loopback address when mint.delivery_allow_loopback is
-- on (tests).  It receives the tenant's events from the next commit on.
CREATE FUNCTION @extschema@.add_outbound_endpoint(tenant_id text, endpoint_id text, url text)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k record;
BEGIN
	IF tenant_id IS NULL OR endpoint_id IS NULL OR url IS NULL THEN
		RAISE EXCEPTION 'tenant_id, endpoint_id and url must not be null' USING ERRCODE = '22004';
	END IF;
	IF tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(tenant_id) USING ERRCODE = '22023';
	END IF;
	IF endpoint_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid endpoint_id "%"', @extschema@._clip(endpoint_id) USING ERRCODE = '22023';
	END IF;
	-- (the URL may carry a token: never quoted in an error)
	IF pg_catalog.octet_length(url) > 2048
	   OR url !~ '^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?$' AND NOT (
	      pg_catalog.current_setting('mint.delivery_allow_loopback')::boolean
	      AND url ~ '^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?(/[!-~]*)?$') THEN
		RAISE EXCEPTION 'invalid endpoint url'
			USING ERRCODE = '22023',
			      DETAIL = 'An endpoint url is https://host[:port][/path], at most 2048 bytes, no user info.',
			      HINT = 'http on a loopback address is accepted only with mint.delivery_allow_loopback on (tests).';
	END IF;
	IF pg_catalog.strpos(url, '@') > 0 THEN
		RAISE EXCEPTION 'invalid endpoint url' USING ERRCODE = '22023',
			DETAIL = 'An endpoint url carries no user info.';
	END IF;
	INSERT INTO @extschema@.outbound_endpoints (tenant_id, endpoint_id, url)
	VALUES (add_outbound_endpoint.tenant_id, add_outbound_endpoint.endpoint_id, add_outbound_endpoint.url)
	ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'outbound endpoint "%" of tenant "%" exists', endpoint_id, tenant_id
			USING ERRCODE = 'unique_violation',
			      HINT = 'Rotate its secret with mint.rotate_outbound_secret().';
	END IF;
	k := @extschema@._outbound_new_key('secret');
	INSERT INTO @extschema@.outbound_secrets (tenant_id, endpoint_id, secret_id, kind, secret)
	VALUES (add_outbound_endpoint.tenant_id, add_outbound_endpoint.endpoint_id, 1, 'secret', k.secret);
	RETURN k.shown;
END;
$$;

-- Operator: a new secret (or, kind 'signing_key', a new ed25519 key pair for
-- v1a); the others of its kind stay active for the grace period, so the
-- platform can switch.  Returns the new "whsec_" secret or "whpk_" public key.
CREATE FUNCTION @extschema@.rotate_outbound_secret(tenant_id text, endpoint_id text,
	grace interval DEFAULT '24 hours', kind text DEFAULT 'secret')
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.outbound_endpoints := @extschema@._outbound_endpoint(tenant_id, endpoint_id);
	k record;
	id integer;
BEGIN
	IF grace IS NULL OR grace < '0'::interval THEN
		RAISE EXCEPTION 'grace must be a non-negative interval' USING ERRCODE = '22023';
	END IF;
	IF kind IS NULL OR kind NOT IN ('secret', 'signing_key') THEN
		RAISE EXCEPTION 'kind must be secret or signing_key' USING ERRCODE = '22023';
	END IF;
	k := @extschema@._outbound_new_key(kind);
	UPDATE @extschema@.outbound_secrets s
	   SET not_after = LEAST(COALESCE(s.not_after, 'infinity'), pg_catalog.now() + grace)
	 WHERE s.tenant_id = e.tenant_id AND s.endpoint_id = e.endpoint_id
	   AND s.kind = rotate_outbound_secret.kind
	   AND (s.not_after IS NULL OR s.not_after > pg_catalog.now());
	SELECT COALESCE(pg_catalog.max(s.secret_id), 0) + 1 INTO id FROM @extschema@.outbound_secrets s
	 WHERE s.tenant_id = e.tenant_id AND s.endpoint_id = e.endpoint_id;
	INSERT INTO @extschema@.outbound_secrets (tenant_id, endpoint_id, secret_id, kind, secret, public_key)
	VALUES (e.tenant_id, e.endpoint_id, id, kind, k.secret, k.public_key);
	RETURN k.shown;
END;
$$;

-- Operator: a v1a signing key in addition to the secrets; returns "whpk_".
CREATE FUNCTION @extschema@.add_outbound_signing_key(tenant_id text, endpoint_id text)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.outbound_endpoints := @extschema@._outbound_endpoint(tenant_id, endpoint_id);
	k record := @extschema@._outbound_new_key('signing_key');
BEGIN
	INSERT INTO @extschema@.outbound_secrets (tenant_id, endpoint_id, secret_id, kind, secret, public_key)
	SELECT e.tenant_id, e.endpoint_id, COALESCE(pg_catalog.max(s.secret_id), 0) + 1, 'signing_key',
	       k.secret, k.public_key
	  FROM @extschema@.outbound_secrets s
	 WHERE s.tenant_id = e.tenant_id AND s.endpoint_id = e.endpoint_id;
	RETURN k.shown;
END;
$$;

-- Operator: stop delivering to an endpoint; its deliveries wait.
CREATE FUNCTION @extschema@.disable_outbound_endpoint(tenant_id text, endpoint_id text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.outbound_endpoints := @extschema@._outbound_endpoint(tenant_id, endpoint_id);
BEGIN
	UPDATE @extschema@.outbound_endpoints o
	   SET enabled = false, disabled_at = pg_catalog.now(), disabled_reason = 'disabled by an operator',
	       updated_at = pg_catalog.now()
	 WHERE o.tenant_id = e.tenant_id AND o.endpoint_id = e.endpoint_id AND o.enabled;
END;
$$;

-- Operator: deliver again to an endpoint (disabled by an operator or after
-- persistent failure): its pending deliveries resume where they stopped,
-- in order, from now.
CREATE FUNCTION @extschema@.enable_outbound_endpoint(tenant_id text, endpoint_id text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.outbound_endpoints := @extschema@._outbound_endpoint(tenant_id, endpoint_id);
BEGIN
	UPDATE @extschema@.outbound_endpoints o
	   SET enabled = true, failures = 0, retry_at = NULL, failing_since = NULL, last_failure_at = NULL,
	       disabled_at = NULL, disabled_reason = NULL, updated_at = pg_catalog.now()
	 WHERE o.tenant_id = e.tenant_id AND o.endpoint_id = e.endpoint_id;
	UPDATE @extschema@.outbound_deliveries d
	   SET next_attempt_at = pg_catalog.now(), attempts = 0
	 WHERE d.tenant_id = e.tenant_id AND d.endpoint_id = e.endpoint_id AND d.status = 'pending';
END;
$$;

-- Operator: drop an endpoint, its keys and its deliveries.
CREATE FUNCTION @extschema@.remove_outbound_endpoint(tenant_id text, endpoint_id text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.outbound_endpoints := @extschema@._outbound_endpoint(tenant_id, endpoint_id);
BEGIN
	DELETE FROM @extschema@.outbound_endpoints o
	 WHERE o.tenant_id = e.tenant_id AND o.endpoint_id = e.endpoint_id;
END;
$$;

-- ---------------------------------------------------------------------------
-- The worker's side (src/worker/deliver.c)
-- ---------------------------------------------------------------------------

-- Up to n deliveries that are due, leased for lease_ms, with what the worker
-- needs to send them: the URL, the body (fixed at the event's commit) and
-- the active keys.  Per ticket and endpoint only the first pending delivery
-- is due (per-ticket order; the one in flight is pending too).  An endpoint
-- that is failing gets one delivery at a time (a probe), and none before its
-- retry_at: a dead endpoint costs one request per step of the schedule.
CREATE FUNCTION @extschema@._claim_deliveries(n integer, lease_ms integer)
RETURNS TABLE (tenant_id text, endpoint_id text, event_id text, url text, body text,
	secrets bytea[], signing_keys bytea[])
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH cand AS (
		SELECT d.tenant_id, d.endpoint_id, d.event_id, d.next_attempt_at, d.seq, o.failures
		  FROM @extschema@.outbound_deliveries d
		  JOIN @extschema@.outbound_endpoints o
		    ON o.tenant_id = d.tenant_id AND o.endpoint_id = d.endpoint_id
		 WHERE d.status = 'pending' AND d.next_attempt_at <= pg_catalog.now()
		   AND (d.lease_until IS NULL OR d.lease_until < pg_catalog.now())
		   AND o.enabled AND (o.retry_at IS NULL OR o.retry_at <= pg_catalog.now())
		   AND NOT EXISTS (SELECT 1 FROM @extschema@.outbound_deliveries p
		                    WHERE p.tenant_id = d.tenant_id AND p.endpoint_id = d.endpoint_id
		                      AND p.ticket_id = d.ticket_id AND p.seq < d.seq AND p.status = 'pending')
		 ORDER BY d.next_attempt_at
		 LIMIT n * 16  -- a claim reads a bounded number of rows, however long the backlog
	), ranked AS (
		SELECT c.*, pg_catalog.row_number() OVER (PARTITION BY c.tenant_id, c.endpoint_id
		                                          ORDER BY c.next_attempt_at, c.seq) AS r
		  FROM cand c
	), pick AS (
		SELECT d.tenant_id, d.endpoint_id, d.event_id
		  FROM @extschema@.outbound_deliveries d
		  JOIN ranked c ON c.tenant_id = d.tenant_id AND c.endpoint_id = d.endpoint_id
		             AND c.event_id = d.event_id
		 WHERE c.r <= CASE WHEN c.failures > 0 THEN 1 ELSE n END
		 ORDER BY c.next_attempt_at, c.seq
		 LIMIT n
		   FOR UPDATE OF d SKIP LOCKED
	)
	UPDATE @extschema@.outbound_deliveries d
	   SET lease_until = pg_catalog.now() + pg_catalog.make_interval(secs => lease_ms / 1000.0),
	       last_attempt_at = pg_catalog.now()
	  FROM pick
	 WHERE d.tenant_id = pick.tenant_id AND d.endpoint_id = pick.endpoint_id
	   AND d.event_id = pick.event_id AND d.status = 'pending'
	RETURNING d.tenant_id, d.endpoint_id, d.event_id,
	          (SELECT o.url FROM @extschema@.outbound_endpoints o
	            WHERE o.tenant_id = d.tenant_id AND o.endpoint_id = d.endpoint_id),
	          (SELECT e.payload::text FROM @extschema@.events e
	            WHERE e.tenant_id = d.tenant_id AND e.event_id = d.event_id),
	          ARRAY(SELECT s.secret FROM @extschema@.outbound_secrets s
	                 WHERE s.tenant_id = d.tenant_id AND s.endpoint_id = d.endpoint_id
	                   AND s.kind = 'secret' AND (s.not_after IS NULL OR s.not_after > pg_catalog.now())
	                 ORDER BY s.secret_id),
	          ARRAY(SELECT s.secret FROM @extschema@.outbound_secrets s
	                 WHERE s.tenant_id = d.tenant_id AND s.endpoint_id = d.endpoint_id
	                   AND s.kind = 'signing_key' AND (s.not_after IS NULL OR s.not_after > pg_catalog.now())
	                 ORDER BY s.secret_id)
$$;

-- The answers: ok (a 2xx), the HTTP status (0: none), the error.  A success
-- settles the delivery and clears the endpoint's failures.  A failure of a
-- request sent after the endpoint's last counted failure counts against the
-- endpoint (its next probe after schedule_ms[failures]; the requests that
-- were in flight with a failed one fail with it and count once)
-- and the delivery (due again after schedule_ms[attempts]); when the
-- endpoint's failures pass the schedule it is disabled (its deliveries wait
-- for mint.enable_outbound_endpoint), and a delivery whose own attempts
-- pass it while the endpoint answers others is failed.
CREATE FUNCTION @extschema@._deliveries_done(tenants text[], endpoints text[], event_ids text[],
	ok boolean[], http_status integer[], errors text[], schedule_ms integer[])
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	steps integer := COALESCE(pg_catalog.array_length(schedule_ms, 1), 0);
	a integer;
	f integer;
	i integer;
	sent_at timestamptz;
	done integer := 0;
BEGIN
	FOR i IN 1 .. COALESCE(pg_catalog.array_length(event_ids, 1), 0) LOOP
		IF ok[i] THEN
			UPDATE @extschema@.outbound_deliveries d
			   SET status = 'delivered', attempts = d.attempts + 1, delivered_at = pg_catalog.now(),
			       lease_until = NULL, last_http_status = http_status[i], last_error = NULL
			 WHERE d.tenant_id = tenants[i] AND d.endpoint_id = endpoints[i] AND d.event_id = event_ids[i]
			   AND d.status = 'pending';
			UPDATE @extschema@.outbound_endpoints o
			   SET failures = 0, retry_at = NULL, failing_since = NULL
			 WHERE o.tenant_id = tenants[i] AND o.endpoint_id = endpoints[i]
			   AND (o.failures <> 0 OR o.retry_at IS NOT NULL);
		ELSE
			UPDATE @extschema@.outbound_deliveries d
			   SET attempts = d.attempts + 1, lease_until = NULL, last_http_status = NULLIF(http_status[i], 0),
			       last_error = pg_catalog.left(errors[i], 200)
			 WHERE d.tenant_id = tenants[i] AND d.endpoint_id = endpoints[i] AND d.event_id = event_ids[i]
			   AND d.status = 'pending'
			RETURNING d.attempts, d.last_attempt_at INTO a, sent_at;
			CONTINUE WHEN NOT FOUND;
			-- one step of the endpoint's schedule per failure of a request sent
			-- after the last one counted (the others were in flight with it)
			UPDATE @extschema@.outbound_endpoints o
			   SET failures = o.failures + 1, failing_since = COALESCE(o.failing_since, pg_catalog.now()),
			       last_failure_at = pg_catalog.now()
			 WHERE o.tenant_id = tenants[i] AND o.endpoint_id = endpoints[i]
			   AND (o.last_failure_at IS NULL OR o.last_failure_at <= sent_at)
			RETURNING o.failures INTO f;
			IF NOT FOUND THEN
				UPDATE @extschema@.outbound_deliveries d
				   SET status = CASE WHEN a > steps THEN 'failed' ELSE 'pending' END,
				       next_attempt_at = pg_catalog.now()
				           + pg_catalog.make_interval(secs => schedule_ms[LEAST(a, steps)] / 1000.0)
				 WHERE d.tenant_id = tenants[i] AND d.endpoint_id = endpoints[i] AND d.event_id = event_ids[i];
			ELSIF f > steps THEN
				UPDATE @extschema@.outbound_endpoints o
				   SET enabled = false, retry_at = NULL, disabled_at = pg_catalog.now(),
				       disabled_reason = pg_catalog.left('every attempt of the retry schedule failed, the last: '
				                                         || errors[i], 250),
				       updated_at = pg_catalog.now()
				 WHERE o.tenant_id = tenants[i] AND o.endpoint_id = endpoints[i] AND o.enabled;
				UPDATE @extschema@.outbound_deliveries d SET next_attempt_at = pg_catalog.now()
				 WHERE d.tenant_id = tenants[i] AND d.endpoint_id = endpoints[i] AND d.event_id = event_ids[i];
			ELSE
				UPDATE @extschema@.outbound_endpoints o
				   SET retry_at = pg_catalog.now() + pg_catalog.make_interval(secs => schedule_ms[f] / 1000.0)
				 WHERE o.tenant_id = tenants[i] AND o.endpoint_id = endpoints[i];
				UPDATE @extschema@.outbound_deliveries d
				   SET status = CASE WHEN a > steps THEN 'failed' ELSE 'pending' END,
				       next_attempt_at = pg_catalog.now()
				           + pg_catalog.make_interval(secs => schedule_ms[LEAST(a, steps)] / 1000.0)
				 WHERE d.tenant_id = tenants[i] AND d.endpoint_id = endpoints[i] AND d.event_id = event_ids[i];
			END IF;
		END IF;
		done := done + 1;
	END LOOP;
	RETURN done;
END;
$$;

-- ---------------------------------------------------------------------------
-- Views: the endpoints (no keys) and the delivery log, of the visible tenants.
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@._outbound_endpoint_status()
RETURNS TABLE (tenant_id text, endpoint_id text, url text, enabled boolean, failures integer,
	retry_at timestamptz, failing_since timestamptz, disabled_at timestamptz, disabled_reason text,
	pending bigint, delivered bigint, failed bigint, keys jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	scope text[] := @extschema@._visible_tenants();
BEGIN
	RETURN QUERY
	SELECT o.tenant_id, o.endpoint_id, o.url, o.enabled, o.failures, o.retry_at, o.failing_since,
	       o.disabled_at, o.disabled_reason,
	       (SELECT pg_catalog.count(*) FROM @extschema@.outbound_deliveries d
	         WHERE d.tenant_id = o.tenant_id AND d.endpoint_id = o.endpoint_id AND d.status = 'pending'),
	       (SELECT pg_catalog.count(*) FROM @extschema@.outbound_deliveries d
	         WHERE d.tenant_id = o.tenant_id AND d.endpoint_id = o.endpoint_id AND d.status = 'delivered'),
	       (SELECT pg_catalog.count(*) FROM @extschema@.outbound_deliveries d
	         WHERE d.tenant_id = o.tenant_id AND d.endpoint_id = o.endpoint_id AND d.status = 'failed'),
	       (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
	                   'secret_id', s.secret_id, 'kind', s.kind,
	                   'fingerprint', pg_catalog.substr(pg_catalog.encode(pg_catalog.sha256(s.secret), 'hex'), 1, 8),
	                   'public_key', CASE WHEN s.public_key IS NOT NULL
	                                      THEN 'whpk_' || pg_catalog.encode(s.public_key, 'base64') END,
	                   'not_after', s.not_after) ORDER BY s.secret_id), '[]')
	          FROM @extschema@.outbound_secrets s
	         WHERE s.tenant_id = o.tenant_id AND s.endpoint_id = o.endpoint_id)
	  FROM @extschema@.outbound_endpoints o
	 WHERE scope IS NULL OR o.tenant_id = ANY (scope);
END;
$$;

CREATE VIEW @extschema@.outbound_endpoint_status AS
SELECT * FROM @extschema@._outbound_endpoint_status();

COMMENT ON VIEW @extschema@.outbound_endpoint_status IS
'Outbound webhook endpoints of the visible tenants: state, deliveries by status, keys by fingerprint (never their values)';

CREATE FUNCTION @extschema@._delivery_log()
RETURNS TABLE (tenant_id text, endpoint_id text, seq bigint, event_id text, event_type text,
	ticket_id text, status text, attempts integer, last_http_status integer, last_error text,
	last_attempt_at timestamptz, next_attempt_at timestamptz, delivered_at timestamptz,
	created_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	scope text[] := @extschema@._visible_tenants();
BEGIN
	RETURN QUERY
	SELECT d.tenant_id, d.endpoint_id, d.seq, d.event_id, e.event_type, d.ticket_id, d.status,
	       d.attempts, d.last_http_status, d.last_error, d.last_attempt_at,
	       CASE WHEN d.status = 'pending' THEN d.next_attempt_at END, d.delivered_at, d.created_at
	  FROM @extschema@.outbound_deliveries d
	  JOIN @extschema@.events e ON e.tenant_id = d.tenant_id AND e.event_id = d.event_id
	 WHERE scope IS NULL OR d.tenant_id = ANY (scope);
END;
$$;

CREATE VIEW @extschema@.delivery_log AS
SELECT * FROM @extschema@._delivery_log();

COMMENT ON VIEW @extschema@.delivery_log IS
'Outbound webhook deliveries of the visible tenants: one row per endpoint and event';

COMMENT ON FUNCTION @extschema@.add_outbound_endpoint(text, text, text) IS
'Operator: an endpoint that receives a tenant''s events as signed webhooks; returns its secret (shown once)';
COMMENT ON FUNCTION @extschema@.rotate_outbound_secret(text, text, interval, text) IS
'Operator: a new secret (or v1a signing key) for an endpoint; the old ones stay active for the grace period';
COMMENT ON FUNCTION @extschema@.add_outbound_signing_key(text, text) IS
'Operator: an ed25519 key pair to sign an endpoint''s deliveries with v1a too; returns the whpk_ public key';
COMMENT ON FUNCTION @extschema@.disable_outbound_endpoint(text, text) IS
'Operator: stop delivering to an endpoint (its deliveries wait)';
COMMENT ON FUNCTION @extschema@.enable_outbound_endpoint(text, text) IS
'Operator: resume delivering to an endpoint, in order, from its first undelivered event';
COMMENT ON FUNCTION @extschema@.remove_outbound_endpoint(text, text) IS
'Operator: drop an endpoint with its keys and deliveries';

-- At commit: number the transaction's events.  Rows with no number are this
-- transaction's own: another transaction's are numbered before they commit,
-- and invisible until then.  The counters are taken in tenant order, so two
-- transactions never wait for each other's.  Each numbered event gets a
-- delivery row per outbound endpoint of its tenant.  Returns the highest
-- ord it numbered (NULL: none).  SQL, not PL/pgSQL: planned at each call
-- (once per committing transaction) with the table's size of the day.
CREATE FUNCTION @extschema@._number_events()
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- a plain index scan of events_unsequenced marks the entries of rows numbered
-- since the last vacuum dead, so the next commit skips them; a bitmap scan
-- (what the planner picks for a few thousand rows) reads them all every time
SET enable_bitmapscan = off
AS $$
	WITH mine AS (
		SELECT e.tenant_id, e.event_id, e.ord FROM @extschema@.events e WHERE e.seq IS NULL
	), n AS (
		SELECT m.tenant_id, pg_catalog.count(*) AS n FROM mine m GROUP BY m.tenant_id
	), c AS (
		INSERT INTO @extschema@.event_counters AS c (tenant_id, last_seq)
		SELECT n.tenant_id, n.n FROM n ORDER BY n.tenant_id
		ON CONFLICT (tenant_id) DO UPDATE SET last_seq = c.last_seq + excluded.last_seq
		RETURNING c.tenant_id, c.last_seq
	), s AS (
		SELECT m.tenant_id, m.event_id,
		       c.last_seq - n.n + pg_catalog.row_number() OVER (PARTITION BY m.tenant_id ORDER BY m.ord) AS seq
		  FROM mine m JOIN n ON n.tenant_id = m.tenant_id JOIN c ON c.tenant_id = m.tenant_id
	), u AS (
		UPDATE @extschema@.events e
		   SET seq = s.seq,
		       payload = pg_catalog.jsonb_set(e.payload, '{data,sequence}', pg_catalog.to_jsonb(s.seq))
		  FROM s
		 WHERE e.tenant_id = s.tenant_id AND e.event_id = s.event_id
		RETURNING e.tenant_id, e.event_id, e.seq, e.ticket_id
	), d AS (
		-- one delivery per endpoint of the tenant (src/worker/deliver.sql)
		INSERT INTO @extschema@.outbound_deliveries (tenant_id, endpoint_id, event_id, seq, ticket_id)
		SELECT u.tenant_id, o.endpoint_id, u.event_id, u.seq, u.ticket_id
		  FROM u JOIN @extschema@.outbound_endpoints o ON o.tenant_id = u.tenant_id
	)
	-- wakes the listeners (NOTIFY has no access control: a fixed channel,
	-- no payload)
	SELECT (SELECT pg_catalog.max(m.ord) FROM mine m)
	  FROM (SELECT pg_catalog.pg_notify('mint_events', '')) w
$$;

-- The deferred trigger: the first one of a transaction calls
-- _number_events(), the others know their row was numbered (src/api/events.c).
-- Not SECURITY DEFINER: it calls _number_events() as its own owner.
CREATE OR REPLACE FUNCTION @extschema@._sequence_events()
RETURNS trigger
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'mint_sequence_events';
REVOKE ALL ON FUNCTION @extschema@._number_events() FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@._metrics()
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

REVOKE ALL ON TABLE @extschema@.outbound_endpoints, @extschema@.outbound_secrets,
	@extschema@.outbound_deliveries, @extschema@.outbound_endpoint_status, @extschema@.delivery_log
	FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._outbound_new_key(text), @extschema@._outbound_endpoint(text, text),
	@extschema@.add_outbound_endpoint(text, text, text),
	@extschema@.rotate_outbound_secret(text, text, interval, text),
	@extschema@.add_outbound_signing_key(text, text), @extschema@.disable_outbound_endpoint(text, text),
	@extschema@.enable_outbound_endpoint(text, text), @extschema@.remove_outbound_endpoint(text, text),
	@extschema@._claim_deliveries(integer, integer),
	@extschema@._deliveries_done(text[], text[], text[], boolean[], integer[], text[], integer[]),
	@extschema@._outbound_endpoint_status(), @extschema@._delivery_log() FROM PUBLIC;

-- Pools that grow by themselves (issue 16): mint.set_tree_policy(), the
-- worker's mint._tree_rollover().
CREATE TABLE @extschema@.tree_policies (
	tenant_id       text PRIMARY KEY,
	max_depth       integer NOT NULL,
	max_buffer_size integer NOT NULL,
	canopy_depth    integer NOT NULL,
	collection_mint text,
	version         smallint NOT NULL DEFAULT 1 CHECK (version IN (1, 2)),  -- of the trees it creates
	min_free        bigint NOT NULL CHECK (min_free > 0),
	max_trees       integer NOT NULL CHECK (max_trees >= 0),
	max_spend       bigint NOT NULL CHECK (max_spend >= 0),
	created         integer NOT NULL DEFAULT 0,  -- trees it created so far
	spent           bigint NOT NULL DEFAULT 0,   -- their cost, lamports
	updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tree_policies', '');
REVOKE ALL ON @extschema@.tree_policies FROM PUBLIC;

CREATE FUNCTION @extschema@.set_tree_policy(tenant_id text, max_depth integer,
	max_buffer_size integer, canopy_depth integer DEFAULT 0, max_trees integer DEFAULT 10,
	max_spend bigint DEFAULT NULL, min_free bigint DEFAULT NULL, collection_mint text DEFAULT NULL,
	version integer DEFAULT 1)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c record;
BEGIN
	IF tenant_id IS NULL OR max_depth IS NULL OR max_buffer_size IS NULL OR canopy_depth IS NULL
	   OR max_trees IS NULL OR max_spend IS NULL THEN
		RAISE EXCEPTION 'tenant_id, the shape, max_trees and max_spend must not be null'
			USING ERRCODE = '22004', HINT = 'max_spend is the most the worker may spend on trees, in lamports.';
	END IF;
	IF tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(tenant_id) USING ERRCODE = '22023',
			DETAIL = 'A tenant id is 1 to 64 letters, digits, ''.'', ''_'' or ''-''.';
	END IF;
	IF collection_mint IS NOT NULL AND NOT @extschema@.is_address(collection_mint) THEN
		RAISE EXCEPTION 'invalid collection_mint "%"', @extschema@._clip(collection_mint) USING ERRCODE = '22023',
			DETAIL = 'A collection mint is the base58 encoding of a 32-byte Solana address.';
	END IF;
	IF version IS NULL OR version NOT IN (1, 2) THEN
		RAISE EXCEPTION 'version must be 1 (Bubblegum V1) or 2 (Bubblegum V2)' USING ERRCODE = '22023';
	END IF;
	IF max_trees < 0 OR max_spend < 0 OR min_free <= 0 THEN
		RAISE EXCEPTION 'max_trees and max_spend must not be negative, min_free must be positive'
			USING ERRCODE = '22023';
	END IF;
	c := @extschema@.tree_cost(max_depth, max_buffer_size, canopy_depth, version);  -- checks the shape
	INSERT INTO @extschema@.tree_policies AS p (tenant_id, max_depth, max_buffer_size, canopy_depth,
		collection_mint, version, min_free, max_trees, max_spend)
	VALUES (set_tree_policy.tenant_id, max_depth, max_buffer_size, canopy_depth, collection_mint,
		set_tree_policy.version, COALESCE(min_free, GREATEST(c.capacity / 4, 1)), max_trees, max_spend)
	ON CONFLICT ON CONSTRAINT tree_policies_pkey DO UPDATE
	   SET max_depth = excluded.max_depth, max_buffer_size = excluded.max_buffer_size,
	       canopy_depth = excluded.canopy_depth, collection_mint = excluded.collection_mint,
	       version = excluded.version,
	       min_free = excluded.min_free, max_trees = excluded.max_trees,
	       max_spend = excluded.max_spend, updated_at = pg_catalog.now();
	PERFORM @extschema@.wake_at_commit();
END;
$$;

COMMENT ON FUNCTION @extschema@.set_tree_policy(text, integer, integer, integer, integer, bigint, bigint, text, integer) IS
'Let the worker create the tenant''s next tree when its pool runs low, within a number of trees and a spend';
REVOKE ALL ON FUNCTION @extschema@.set_tree_policy(text, integer, integer, integer, integer, bigint, bigint, text, integer) FROM PUBLIC;

CREATE FUNCTION @extschema@.drop_tree_policy(tenant_id text)
RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH d AS (DELETE FROM @extschema@.tree_policies p WHERE p.tenant_id = drop_tree_policy.tenant_id
	           RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM d)
$$;

COMMENT ON FUNCTION @extschema@.drop_tree_policy(text) IS
'The worker no longer creates trees for the tenant by itself';
REVOKE ALL ON FUNCTION @extschema@.drop_tree_policy(text) FROM PUBLIC;

CREATE FUNCTION @extschema@._tree_rollover()
RETURNS TABLE (tenant_id text, merkle_tree text, free bigint, reason text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p record;
	f bigint;
	cost bigint;
	addr text;
BEGIN
	FOR p IN SELECT * FROM @extschema@.tree_policies ORDER BY 1 FOR UPDATE LOOP
		IF EXISTS (SELECT 1 FROM @extschema@.trees t
		            WHERE t.tenant_id = p.tenant_id AND t.state = 'creating') THEN
			CONTINUE;
		END IF;
		SELECT COALESCE(pg_catalog.sum(GREATEST(COALESCE(t.capacity, (1::bigint << t.max_depth))
		                                         - t.minted - t.reserved, 0)), 0)
		  INTO f FROM @extschema@.trees t
		 WHERE t.tenant_id = p.tenant_id AND t.active AND t.state IN ('ready', 'creating')
		   AND (t.capacity IS NOT NULL OR t.max_depth IS NOT NULL);
		IF f >= p.min_free THEN
			CONTINUE;
		END IF;
		cost := (@extschema@.tree_cost(p.max_depth, p.max_buffer_size, p.canopy_depth, p.version)).total;
		IF p.created >= p.max_trees THEN
			RETURN QUERY SELECT p.tenant_id, NULL::text, f,
				pg_catalog.format('the pool of tenant "%s" has %s free leaves and its tree policy allows no more trees (max_trees %s)',
				                  p.tenant_id, f, p.max_trees);
		ELSIF p.spent + cost > p.max_spend THEN
			RETURN QUERY SELECT p.tenant_id, NULL::text, f,
				pg_catalog.format('the pool of tenant "%s" has %s free leaves and another tree (%s lamports) would pass its policy''s max_spend (%s of %s spent)',
				                  p.tenant_id, f, cost, p.spent, p.max_spend);
		ELSE
			BEGIN
				addr := @extschema@.create_tree(p.tenant_id, p.max_depth, p.max_buffer_size,
				                                p.canopy_depth, p.collection_mint, p.version);
				UPDATE @extschema@.tree_policies x
				   SET created = x.created + 1, spent = x.spent + cost, updated_at = pg_catalog.now()
				 WHERE x.tenant_id = p.tenant_id;
				RETURN QUERY SELECT p.tenant_id, addr, f, NULL::text;
			EXCEPTION WHEN OTHERS THEN
				-- e.g. the key unreadable, the pool's collection changed: said, not fatal
				RETURN QUERY SELECT p.tenant_id, NULL::text, f,
					'could not create the next tree of tenant "' || p.tenant_id || '": ' || SQLERRM;
			END;
		END IF;
	END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION @extschema@._tree_rollover() FROM PUBLIC;

-- mint.metrics: the pools' fill (tree_leaves)
CREATE OR REPLACE FUNCTION @extschema@._metrics()
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

-- ---------------------------------------------------------------------------
-- Issue 20, retention and resend: mint.reap_events (called by worker 0,
-- mint.event_retention), mint.events_oldest (granted with a tenant),
-- mint.redeliver and mint.redeliver_event (operators).
-- ---------------------------------------------------------------------------
-- the reaper (mint.reap_events: the deliveries of a tenant's oldest events)
-- and redeliveries (a range of sequence numbers)
CREATE INDEX outbound_deliveries_seq ON @extschema@.outbound_deliveries (tenant_id, seq);

-- ---------------------------------------------------------------------------
-- Retention (docs/DESIGN.md §13): worker 0 reaps events older than
-- mint.event_retention (src/worker/deliver.c, mint.reap_events), each
-- tenant's oldest first and only as a prefix of its sequence: an event is
-- kept while it is younger than the retention or any delivery of it is
-- pending (an endpoint's, enabled or disabled), and so is every later event
-- of its tenant.  What is kept of a tenant is therefore always the numbers
-- from mint.events_oldest() to the last given, without a gap, and numbering
-- goes on from the counter (mint.event_counters is never reaped).  A
-- delivery goes with its event.
-- ---------------------------------------------------------------------------

-- The oldest sequence number of the tenant's events still kept: the first
-- that events_since(tenant, 0) returns.  With nothing kept, the number the
-- next event will get (1 for a tenant that never had one).  A consumer
-- whose cursor is below events_oldest() - 1 missed the events in between:
-- they were reaped before it read them.
CREATE FUNCTION @extschema@.events_oldest(tenant_id text)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF tenant_id IS NULL THEN
		RAISE EXCEPTION 'tenant_id must not be null' USING ERRCODE = '22004';
	END IF;
	IF events_oldest.tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(events_oldest.tenant_id)
			USING ERRCODE = '22023';
	END IF;
	PERFORM @extschema@._check_tenant(events_oldest.tenant_id);  -- 42501 unless the role may
	RETURN COALESCE(
		(SELECT e.seq FROM @extschema@.events e
		  WHERE e.tenant_id = events_oldest.tenant_id AND e.seq IS NOT NULL
		  ORDER BY e.seq LIMIT 1),
		(SELECT c.last_seq + 1 FROM @extschema@.event_counters c
		  WHERE c.tenant_id = events_oldest.tenant_id),
		1);
END;
$$;

COMMENT ON FUNCTION @extschema@.events_oldest(text) IS
'The sequence number of the tenant''s oldest event still kept (events before it were reaped), or the next number when none is kept';

-- Delete up to batch_size events past mint.event_retention (30 days unless
-- set) with their deliveries, per tenant oldest first, stopping at the
-- tenant's first event that must stay: one younger than the retention, one
-- with a pending delivery (to any endpoint, enabled or disabled), or one
-- locked by a redelivery (mint.redeliver takes FOR KEY SHARE on the events
-- it sends again).  Returns how many events (the worker calls it).
CREATE FUNCTION @extschema@.reap_events(batch_size integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	horizon timestamptz;
	room integer := batch_size;
	t text;
	cand bigint[];
	held bigint[];
	upto bigint;
	blocked bigint;
	n integer;
	total integer := 0;
BEGIN
	IF batch_size IS NULL OR batch_size < 1 OR batch_size > 100000 THEN
		RAISE EXCEPTION 'batch_size must be between 1 and 100000' USING ERRCODE = '22023';
	END IF;
	horizon := pg_catalog.now() - COALESCE(pg_catalog.current_setting('mint.event_retention', true)::interval,
	                                       '30 days'::interval);
	-- the tenants whose oldest kept event is past the retention
	FOR t IN SELECT c.tenant_id FROM @extschema@.event_counters c
	          WHERE (SELECT e.occurred_at FROM @extschema@.events e
	                  WHERE e.tenant_id = c.tenant_id AND e.seq IS NOT NULL
	                  ORDER BY e.seq LIMIT 1) <= horizon
	          ORDER BY c.tenant_id LOOP
		EXIT WHEN room <= 0;
		-- its oldest events, in order, up to the first one still in its retention
		SELECT pg_catalog.array_agg(x.seq ORDER BY x.seq) INTO cand
		  FROM (SELECT y.seq, pg_catalog.bool_and(y.occurred_at <= horizon) OVER (ORDER BY y.seq) AS old
		          FROM (SELECT e.seq, e.occurred_at FROM @extschema@.events e
		                 WHERE e.tenant_id = t AND e.seq IS NOT NULL
		                 ORDER BY e.seq LIMIT room) y) x
		 WHERE x.old;
		CONTINUE WHEN cand IS NULL;
		-- held against redeliveries; one that is locked (being sent again)
		-- ends the prefix
		SELECT pg_catalog.array_agg(l.seq ORDER BY l.seq) INTO held
		  FROM (SELECT e.seq FROM @extschema@.events e
		         WHERE e.tenant_id = t AND e.seq = ANY (cand)
		           FOR UPDATE SKIP LOCKED) l;
		n := 0;
		WHILE n < pg_catalog.cardinality(cand) AND n < COALESCE(pg_catalog.cardinality(held), 0)
		      AND cand[n + 1] = held[n + 1] LOOP
			n := n + 1;
		END LOOP;
		CONTINUE WHEN n = 0;
		upto := cand[n];
		-- (a statement after the lock: sees every redelivery committed before
		-- it) the first event with a pending delivery stays, and the later ones
		SELECT pg_catalog.min(d.seq) INTO blocked FROM @extschema@.outbound_deliveries d
		 WHERE d.tenant_id = t AND d.seq >= cand[1] AND d.seq <= upto AND d.status = 'pending';
		IF blocked IS NOT NULL THEN
			upto := blocked - 1;
		END IF;
		CONTINUE WHEN upto < cand[1];
		DELETE FROM @extschema@.outbound_deliveries d
		 WHERE d.tenant_id = t AND d.seq >= cand[1] AND d.seq <= upto;
		DELETE FROM @extschema@.events e
		 WHERE e.tenant_id = t AND e.seq >= cand[1] AND e.seq <= upto;
		GET DIAGNOSTICS n = ROW_COUNT;
		total := total + n;
		room := room - n;
	END LOOP;
	RETURN total;
END;
$$;

COMMENT ON FUNCTION @extschema@.reap_events(integer) IS
'Delete up to batch_size events past mint.event_retention with their deliveries, oldest first per tenant, never one with a pending delivery nor any later one; returns how many (the worker calls it)';

-- ---------------------------------------------------------------------------
-- Sending again (docs/DESIGN.md §14): an operator makes deliveries pending
-- again, e.g. after the platform lost its own data, or after a delivery was
-- given up (failed).  A delivery sent again is the same event: the same
-- webhook-id (the event id) and the same body (its payload), signed with
-- the endpoint's keys active then.  An event the endpoint has no delivery
-- of (it was registered later) gets one.  Deliveries already pending are
-- left as they are.  The events are locked FOR KEY SHARE first, so the
-- reaper (mint.reap_events) keeps them; events already reaped cannot be
-- sent again.  On a disabled endpoint the deliveries wait, like its others,
-- for mint.enable_outbound_endpoint.
-- ---------------------------------------------------------------------------

-- Operator: send the tenant's events numbered after after_seq (up to
-- through_seq, or the last) to an endpoint again, in order per ticket;
-- only_failed: only the deliveries that were given up.  Returns how many
-- deliveries were made pending.  A NOTICE says when part of the range was
-- reaped already.
CREATE FUNCTION @extschema@.redeliver(tenant_id text, endpoint_id text, after_seq bigint,
	through_seq bigint DEFAULT NULL, only_failed boolean DEFAULT false)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.outbound_endpoints;
	oldest bigint;
	n integer;
	made integer := 0;
BEGIN
	IF after_seq IS NULL OR only_failed IS NULL THEN
		RAISE EXCEPTION 'after_seq and only_failed must not be null' USING ERRCODE = '22004';
	END IF;
	IF after_seq < 0 THEN
		RAISE EXCEPTION 'after_seq must be 0 or a sequence number, not %', after_seq USING ERRCODE = '22023';
	END IF;
	IF through_seq IS NOT NULL AND through_seq <= after_seq THEN
		RAISE EXCEPTION 'through_seq (%) must be greater than after_seq (%)', through_seq, after_seq
			USING ERRCODE = '22023';
	END IF;
	e := @extschema@._outbound_endpoint(tenant_id, endpoint_id);  -- 22004, P0002; locked
	-- the events, held against the reaper
	PERFORM 1 FROM @extschema@.events x
	 WHERE x.tenant_id = e.tenant_id AND x.seq > after_seq AND (through_seq IS NULL OR x.seq <= through_seq)
	 ORDER BY x.seq
	   FOR KEY SHARE;
	UPDATE @extschema@.outbound_deliveries d
	   SET status = 'pending', attempts = 0, next_attempt_at = pg_catalog.now(), lease_until = NULL,
	       delivered_at = NULL
	 WHERE d.tenant_id = e.tenant_id AND d.endpoint_id = e.endpoint_id
	   AND d.seq > after_seq AND (through_seq IS NULL OR d.seq <= through_seq)
	   AND d.status <> 'pending' AND (NOT only_failed OR d.status = 'failed');
	GET DIAGNOSTICS made = ROW_COUNT;
	IF NOT only_failed THEN
		-- the events the endpoint has no delivery of (registered after them)
		INSERT INTO @extschema@.outbound_deliveries (tenant_id, endpoint_id, event_id, seq, ticket_id)
		SELECT x.tenant_id, e.endpoint_id, x.event_id, x.seq, x.ticket_id FROM @extschema@.events x
		 WHERE x.tenant_id = e.tenant_id AND x.seq > after_seq AND (through_seq IS NULL OR x.seq <= through_seq)
		 ORDER BY x.seq
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS n = ROW_COUNT;
		made := made + n;
	END IF;
	-- (mint.events_oldest without its role check: an operator's call)
	oldest := COALESCE(
		(SELECT x.seq FROM @extschema@.events x WHERE x.tenant_id = e.tenant_id AND x.seq IS NOT NULL
		  ORDER BY x.seq LIMIT 1),
		(SELECT c.last_seq + 1 FROM @extschema@.event_counters c WHERE c.tenant_id = e.tenant_id),
		1);
	IF after_seq + 1 < oldest THEN
		RAISE NOTICE 'the events of tenant "%" numbered % to % were reaped: they cannot be sent again',
			e.tenant_id, after_seq + 1, LEAST(oldest - 1, COALESCE(through_seq, oldest - 1));
	END IF;
	RETURN made;
END;
$$;

-- Operator: send one event to an endpoint again (a delivery given up, or
-- one the platform asks for).  true: it is pending now; false: it was
-- pending already.  P0002 when the tenant has no such event (any more).
CREATE FUNCTION @extschema@.redeliver_event(tenant_id text, endpoint_id text, event_id text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.outbound_endpoints;
	ev record;
BEGIN
	IF event_id IS NULL THEN
		RAISE EXCEPTION 'event_id must not be null' USING ERRCODE = '22004';
	END IF;
	IF event_id !~ '^evt_[0-9a-f]{32}$' THEN
		RAISE EXCEPTION 'invalid event_id "%"', @extschema@._clip(event_id) USING ERRCODE = '22023',
			HINT = 'An event id is evt_ and 32 hexadecimal digits (mint.delivery_log, mint.events_since).';
	END IF;
	e := @extschema@._outbound_endpoint(tenant_id, endpoint_id);  -- 22004, P0002; locked
	SELECT x.event_id, x.seq, x.ticket_id INTO ev FROM @extschema@.events x
	 WHERE x.tenant_id = e.tenant_id AND x.event_id = redeliver_event.event_id AND x.seq IS NOT NULL
	   FOR KEY SHARE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'tenant "%" has no event "%"', e.tenant_id, redeliver_event.event_id
			USING ERRCODE = 'no_data_found',
			      HINT = 'Events past mint.event_retention are reaped (mint.events_oldest).';
	END IF;
	UPDATE @extschema@.outbound_deliveries d
	   SET status = 'pending', attempts = 0, next_attempt_at = pg_catalog.now(), lease_until = NULL,
	       delivered_at = NULL
	 WHERE d.tenant_id = e.tenant_id AND d.endpoint_id = e.endpoint_id AND d.event_id = ev.event_id
	   AND d.status <> 'pending';
	IF FOUND THEN
		RETURN true;
	END IF;
	INSERT INTO @extschema@.outbound_deliveries (tenant_id, endpoint_id, event_id, seq, ticket_id)
	VALUES (e.tenant_id, e.endpoint_id, ev.event_id, ev.seq, ev.ticket_id)
	ON CONFLICT DO NOTHING;
	RETURN FOUND;
END;
$$;

COMMENT ON FUNCTION @extschema@.redeliver(text, text, bigint, bigint, boolean) IS
'Operator: send a tenant''s events after a sequence number to an endpoint again (same webhook-id, same body); returns how many deliveries were made pending';
COMMENT ON FUNCTION @extschema@.redeliver_event(text, text, text) IS
'Operator: send one event to an endpoint again (e.g. a delivery given up); false when it was pending already';

CREATE OR REPLACE FUNCTION @extschema@.grant_tenant(tenant_id text, role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF tenant_id IS NULL OR role IS NULL THEN
		RAISE EXCEPTION 'tenant_id and role must not be null' USING ERRCODE = '22004';
	END IF;
	IF tenant_id !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid tenant_id "%"', @extschema@._clip(tenant_id) USING ERRCODE = '22023';
	END IF;
	INSERT INTO @extschema@.tenant_roles (tenant_id, role_name)
	VALUES (grant_tenant.tenant_id, grant_tenant.role)
	ON CONFLICT DO NOTHING;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA @extschema@ TO %s', role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION '
		'@extschema@.mint_ticket(text, text, text, jsonb, text), '
		'@extschema@.mint_tickets(text, jsonb, text), '
		'@extschema@.get_mint(text, text), '
		'@extschema@.enqueue_mint(), '
		'@extschema@.has_tenant_access(text), '
		'@extschema@.events_since(text, bigint, integer), '
		'@extschema@.events_oldest(text), '
		'@extschema@._jobs() TO %s', role);
	EXECUTE pg_catalog.format('GRANT SELECT ON @extschema@.jobs TO %s', role);
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.revoke_tenant(tenant_id text, role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.tenant_roles r
	 WHERE r.tenant_id = revoke_tenant.tenant_id AND r.role_name = revoke_tenant.role;
	-- The grants go with the role's last tenant ...
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant_roles r WHERE r.role_name = revoke_tenant.role) THEN
		EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION '
			'@extschema@.mint_ticket(text, text, text, jsonb, text), '
			'@extschema@.mint_tickets(text, jsonb, text), '
			'@extschema@.get_mint(text, text), '
			'@extschema@.enqueue_mint(), '
			'@extschema@.has_tenant_access(text), '
			'@extschema@.events_since(text, bigint, integer), '
			'@extschema@.events_oldest(text), '
			'@extschema@._jobs() FROM %s', role);
		EXECUTE pg_catalog.format('REVOKE SELECT ON @extschema@.jobs FROM %s', role);
		-- ... but USAGE stays while the role is a webhook receiver.
		IF NOT EXISTS (
			SELECT 1 FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
			 WHERE p.oid = '@extschema@.process_webhook(text, jsonb, text)'::pg_catalog.regprocedure
			   AND a.grantee = revoke_tenant.role AND a.privilege_type = 'EXECUTE') THEN
			EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA @extschema@ FROM %s', role);
		END IF;
	END IF;
END;
$$;

-- The roles already granted a tenant get events_oldest too.
DO $$
DECLARE
	r regrole;
BEGIN
	FOR r IN SELECT DISTINCT t.role_name FROM @extschema@.tenant_roles t LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.events_oldest(text) TO %s', r);
	END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION @extschema@.events_oldest(text), @extschema@.reap_events(integer),
	@extschema@.redeliver(text, text, bigint, bigint, boolean),
	@extschema@.redeliver_event(text, text, text) FROM PUBLIC;
