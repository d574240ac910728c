
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
		RAISE EXCEPTION 'invalid tenant_id "%"', tenant_id USING ERRCODE = '22023',
			DETAIL = 'A tenant id is 1 to 64 letters, digits, ''.'', ''_'' or ''-''.';
	END IF;
	IF NOT @extschema@.is_address(merkle_tree) THEN
		RAISE EXCEPTION 'invalid merkle_tree "%"', merkle_tree USING ERRCODE = '22023',
			DETAIL = 'A tree is the base58 encoding of a 32-byte Solana address.';
	END IF;
	IF collection_mint IS NOT NULL AND NOT @extschema@.is_address(collection_mint) THEN
		RAISE EXCEPTION 'invalid collection_mint "%"', collection_mint USING ERRCODE = '22023',
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
		RAISE EXCEPTION 'invalid tenant_id "%"', tenant_id USING ERRCODE = '22023';
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
		'@extschema@.has_tenant_access(text) TO %s', role);
	EXECUTE pg_catalog.format('GRANT SELECT ON @extschema@.jobs TO %s', role);
END;
$$;

COMMENT ON FUNCTION @extschema@.grant_tenant(text, regrole) IS
'Let a role (and its members) mint for and read one tenant';

CREATE FUNCTION @extschema@.revoke_tenant(tenant_id text, role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.tenant_roles r
	 WHERE r.tenant_id = revoke_tenant.tenant_id AND r.role_name = revoke_tenant.role;
	-- The grants go with the role's last tenant.
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant_roles r WHERE r.role_name = revoke_tenant.role) THEN
		EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION '
			'@extschema@.mint_ticket(text, text, text, jsonb, text), '
			'@extschema@.mint_tickets(text, jsonb, text), '
			'@extschema@.get_mint(text, text), '
			'@extschema@.enqueue_mint(), '
			'@extschema@.has_tenant_access(text) FROM %s', role);
		EXECUTE pg_catalog.format('REVOKE SELECT ON @extschema@.jobs FROM %s', role);
		EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA @extschema@ FROM %s', role);
	END IF;
END;
$$;

COMMENT ON FUNCTION @extschema@.revoke_tenant(text, regrole) IS
'Withdraw a tenant from a role';

-- ---------------------------------------------------------------------------
-- Views for applications and operators: each role sees its tenants' rows.
-- ---------------------------------------------------------------------------

CREATE VIEW @extschema@.jobs WITH (security_barrier) AS
SELECT j.job_id, j.tenant_id, j.ticket_id, j.status, j.attempts, j.owner,
       j.signature, j.asset_id, j.leaf_nonce, j.merkle_tree,
       j.last_error_class, j.last_error_code, j.last_error_message,
       j.idempotency_key, j.next_attempt_at, j.lease_until,
       j.created_at, j.updated_at, j.submitted_at, j.confirmed_at
  FROM @extschema@.mint_jobs j
 WHERE @extschema@.has_tenant_access(j.tenant_id);

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
