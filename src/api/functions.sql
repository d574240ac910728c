
-- ---------------------------------------------------------------------------
-- The SQL API.  SECURITY DEFINER with a pinned search_path: applications get
-- EXECUTE on these, never rights on the tables.  Tenant confinement is
-- checked inside (see mint.grant_tenant).
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.mint_ticket(
	tenant_id text, ticket_id text, owner text, metadata jsonb,
	idempotency_key text DEFAULT NULL)
RETURNS @extschema@.mint_result
AS 'MODULE_PATHNAME', 'mint_ticket'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.mint_ticket(text, text, text, jsonb, text) IS
'Enqueue the mint of one ticket, idempotently (same ticket or same key: same job)';

CREATE FUNCTION @extschema@.mint_tickets(
	tenant_id text, tickets jsonb, idempotency_key text DEFAULT NULL)
RETURNS SETOF @extschema@.mint_result
AS 'MODULE_PATHNAME', 'mint_tickets'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.mint_tickets(text, jsonb, text) IS
'Enqueue a batch of tickets: all or nothing, one result row per item';

CREATE FUNCTION @extschema@.get_mint(tenant_id text, ticket_id text)
RETURNS @extschema@.mint_result
AS 'MODULE_PATHNAME', 'mint_get_mint'
LANGUAGE C STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.get_mint(text, text) IS
'The job of a ticket as stored (read only); NULL when there is none';

CREATE FUNCTION @extschema@.enqueue_mint()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mint_enqueue_mint'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.enqueue_mint() IS
'Row trigger: mint.mint_ticket() for each new row; arguments: tenant, ticket, owner, metadata columns';

CREATE FUNCTION @extschema@.has_tenant_access(tenant_id text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mint_has_tenant_access'
LANGUAGE C STABLE STRICT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.has_tenant_access(text) IS
'Whether the session''s current role may act for the tenant';

CREATE FUNCTION @extschema@.is_address(address text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mint_is_address_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.is_address(text) IS
'Whether the text is the base58 form of a 32-byte Solana address';

CREATE FUNCTION @extschema@.wake_count()
RETURNS bigint
AS 'MODULE_PATHNAME', 'mint_wake_count'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.wake_count() IS
'Committed transactions that woke the workers since the server started';

-- Internal: an input as an error message may quote it, bounded: itself when
-- it is at most 64 bytes, else its first 64 characters, "..." and its length
-- (errors never echo unbounded input; src/api/validate.c mint_clip()).
CREATE FUNCTION @extschema@._clip(input text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN pg_catalog.octet_length(input) <= 64 THEN input
	            ELSE pg_catalog.left(input, 64) || '... ('
	                 || pg_catalog.octet_length(input) || ' bytes)' END
$$;

-- ---------------------------------------------------------------------------
-- Operator functions (superuser unless granted)
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.register_tree(
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

COMMENT ON FUNCTION @extschema@.register_tree(text, text, text) IS
'Make a Bubblegum tree the tenant''s active tree (optionally minting into a verified collection)';

CREATE FUNCTION @extschema@.grant_tenant(tenant_id text, role regrole)
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

COMMENT ON FUNCTION @extschema@.grant_tenant(text, regrole) IS
'Let a role (and its members) mint for and read one tenant';

-- Grants compose with grant_webhook_receiver: the schema's USAGE, which
-- both need, goes only when neither needs it any more.
CREATE FUNCTION @extschema@.revoke_tenant(tenant_id text, role regrole)
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

COMMENT ON FUNCTION @extschema@.revoke_tenant(text, regrole) IS
'Withdraw a tenant from a role';

-- ---------------------------------------------------------------------------
-- Views for applications and operators: each role sees its tenants' rows.
-- ---------------------------------------------------------------------------

-- Internal: the tenants the session's current role may act for, or NULL
-- for a superuser (every tenant).
CREATE FUNCTION @extschema@._visible_tenants()
RETURNS text[]
AS 'MODULE_PATHNAME', 'mint_visible_tenants'
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp;

-- The rows of mint.jobs: the jobs of the tenants the session's role may act
-- for, read by tenant (the primary key's leading column) before any
-- predicate of the caller's can reach the table.  A SECURITY DEFINER
-- function with a SET clause is never inlined, so the caller's conditions
-- apply to its result only: an EXPLAIN ANALYZE of a query on mint.jobs
-- shows a function scan whose row counts are the caller's own rows, never a
-- filter or an index condition over another tenant's (docs/DESIGN.md §9).
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

-- The same per tenant, for mint.tenant_stats (src/worker/views.sql).
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

CREATE VIEW @extschema@.jobs AS
SELECT * FROM @extschema@._jobs();

COMMENT ON VIEW @extschema@.jobs IS 'Mint jobs of the tenants the current role may act for';

CREATE FUNCTION @extschema@.reap_idempotency_keys(batch_size integer DEFAULT 1000)
RETURNS integer
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH doomed AS (
		SELECT k.tenant_id, k.idempotency_key
		  FROM @extschema@.idempotency_keys k
		 WHERE k.expires_at <= pg_catalog.now()
		 ORDER BY k.expires_at
		 LIMIT batch_size
		   FOR UPDATE SKIP LOCKED
	), gone AS (
		DELETE FROM @extschema@.idempotency_keys k
		 USING doomed d
		 WHERE k.tenant_id = d.tenant_id AND k.idempotency_key = d.idempotency_key
		RETURNING 1
	)
	SELECT pg_catalog.count(*)::integer FROM gone
$$;

COMMENT ON FUNCTION @extschema@.reap_idempotency_keys(integer) IS
'Delete up to batch_size expired idempotency keys; returns how many (the worker calls it)';

CREATE FUNCTION @extschema@.preview_transaction(tenant_id text, ticket_id text, recent_blockhash text)
RETURNS text
AS 'MODULE_PATHNAME', 'mint_preview_transaction'
LANGUAGE C STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.preview_transaction(text, text, text) IS
'Base64 of the transaction the worker would build for the job with this blockhash, signatures zeroed';

CREATE FUNCTION @extschema@.preview_leaf(tenant_id text, ticket_id text, leaf_nonce bigint,
	OUT asset_id text, OUT leaf_owner text, OUT leaf_delegate text, OUT data_hash bytea,
	OUT creator_hash bytea, OUT leaf_hash bytea, OUT event bytea)
RETURNS record
AS 'MODULE_PATHNAME', 'mint_preview_leaf'
LANGUAGE C STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.preview_leaf(text, text, bigint) IS
'The LeafSchema event Bubblegum emits for the job''s mint at leaf leaf_nonce of the tenant''s tree: asset id, owner, delegate, hashes and the 209 event bytes';
