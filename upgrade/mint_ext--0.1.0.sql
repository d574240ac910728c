-- mint_ext 0.1.0 install script, frozen as released (commit 16c9491); kept so
-- that 0.1.0 can be installed and updated (upgrade/mint_ext--0.1.0--0.2.0.sql).
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION mint_ext" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Types
-- ---------------------------------------------------------------------------

-- The job state machine of docs/DESIGN.md §4.  `confirmed` is absorbing.
CREATE TYPE @extschema@.job_status AS ENUM (
	'queued', 'in_flight', 'submitted', 'confirmed', 'failed', 'cancelled'
);

-- What every API call returns, one row per ticket.
CREATE TYPE @extschema@.mint_result AS (
	job_id           text,
	tenant_id        text,
	ticket_id        text,
	status           @extschema@.job_status,
	signature        text,
	asset_id         text,
	attempts         integer,
	last_error       text,
	last_error_class text,
	created          boolean,   -- this call created the job
	replayed         boolean,   -- answered from a stored idempotency record
	idempotency_key  text,
	updated_at       timestamptz,
	confirmed_at     timestamptz
);

-- ---------------------------------------------------------------------------
-- Tables.  Every primary key starts with tenant_id (docs/DESIGN.md §3).
-- No role but the extension owner may touch them directly; applications use
-- the functions and the views.
-- ---------------------------------------------------------------------------

-- Tenant -> Bubblegum merkle tree.  At most one active tree per tenant.
CREATE TABLE @extschema@.trees (
	tenant_id       text NOT NULL,
	merkle_tree     text NOT NULL,
	collection_mint text,
	active          boolean NOT NULL DEFAULT true,
	created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, merkle_tree)
);
CREATE UNIQUE INDEX trees_one_active_per_tenant
	ON @extschema@.trees (tenant_id) WHERE active;
-- Backends cache the active trees they have read (src/api/trees.c); every
-- change of the table drops those copies in all backends when it commits.
CREATE FUNCTION @extschema@._trees_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mint_trees_changed'
LANGUAGE C;
CREATE TRIGGER trees_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.trees
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._trees_changed();

-- Which roles may act for which tenant (see mint.grant_tenant).
CREATE TABLE @extschema@.tenant_roles (
	tenant_id  text NOT NULL,
	role_name  pg_catalog.regrole NOT NULL,
	granted_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, role_name)
);

-- One row per (tenant, ticket): the job.  job_id is derived, never stored
-- inconsistently.  tenant ids cannot contain ':' so job ids are unambiguous,
-- and unique because the primary key is: no index of their own (every
-- index is paid again at each of the three updates a job goes through).
CREATE TABLE @extschema@.mint_jobs (
	tenant_id          text NOT NULL,
	ticket_id          text NOT NULL,
	job_id             text NOT NULL
		GENERATED ALWAYS AS ('mint:' || tenant_id || ':' || ticket_id) STORED,
	owner              text NOT NULL,
	metadata           jsonb NOT NULL,
	fingerprint        bytea NOT NULL,          -- SHA-256 of the canonical parameters
	idempotency_key    text,                    -- the key of the call that created (or last changed) it
	status             @extschema@.job_status NOT NULL DEFAULT 'queued',
	attempts           integer NOT NULL DEFAULT 0,  -- signed transactions recorded
	attempt_base       integer NOT NULL DEFAULT 0,  -- attempts when last retried by an operator
	retries            integer NOT NULL DEFAULT 0,  -- requeues since the last retry (backoff exponent)
	lease_until        timestamptz,
	lease_token        bigint NOT NULL DEFAULT 0,   -- bumped at every claim; fences writes
	next_attempt_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
	merkle_tree        text,                    -- tree of the landed mint
	signature          text,                    -- signature of the landed (or latest) attempt
	asset_id           text,
	leaf_nonce         bigint,
	last_error_class   text,
	last_error_code    text,
	last_error_message text,
	created_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
	submitted_at       timestamptz,
	confirmed_at       timestamptz,
	PRIMARY KEY (tenant_id, ticket_id),
	CHECK (tenant_id !~ ':'),
	CHECK (attempts >= 0),
	CHECK (status <> 'confirmed' OR (signature IS NOT NULL AND confirmed_at IS NOT NULL))
);
CREATE INDEX mint_jobs_ready
	ON @extschema@.mint_jobs (next_attempt_at) WHERE status = 'queued';
-- Leased jobs (in_flight or submitted: the only states with a lease), for
-- the claim of expired leases.  The predicate names lease_until, not the
-- status: the worker's fenced updates filter on status IN ('in_flight',
-- 'submitted'), and a predicate they imply lets the planner walk this
-- index (every leased job, and the dead entries of the ones just updated)
-- instead of probing the primary key for the jobs in hand; with stale
-- statistics it did, and a lease renewal took seconds.
CREATE INDEX mint_jobs_leased
	ON @extschema@.mint_jobs (lease_until) WHERE lease_until IS NOT NULL;
CREATE INDEX mint_jobs_failed
	ON @extschema@.mint_jobs (tenant_id, updated_at) WHERE status = 'failed';

-- Every signed transaction, recorded (and committed) before it is first sent.
CREATE TABLE @extschema@.mint_attempts (
	tenant_id               text NOT NULL,
	ticket_id               text NOT NULL,
	attempt_no              integer NOT NULL,
	signature               text NOT NULL,
	recent_blockhash        text NOT NULL,
	last_valid_block_height bigint NOT NULL,
	merkle_tree             text NOT NULL,
	signed_tx               bytea NOT NULL,
	state                   text NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'landed_ok', 'landed_err', 'expired')),
	error_class             text,
	error_code              text,
	error_message           text,
	lease_token             bigint NOT NULL,
	created_at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_sent_at            timestamptz,
	resolved_at             timestamptz,
	PRIMARY KEY (tenant_id, ticket_id, attempt_no),
	UNIQUE (signature),
	FOREIGN KEY (tenant_id, ticket_id) REFERENCES @extschema@.mint_jobs (tenant_id, ticket_id)
);

-- Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field").
-- The result identity (tickets and their `created` flags) is stored with a
-- fingerprint of the canonical request, in the transaction that made the jobs.
CREATE TABLE @extschema@.idempotency_keys (
	tenant_id       text NOT NULL,
	idempotency_key text NOT NULL,
	operation       text NOT NULL CHECK (operation IN ('mint_ticket', 'mint_tickets')),
	fingerprint     bytea NOT NULL,
	ticket_ids      text[] NOT NULL,
	created_flags   boolean[] NOT NULL,
	created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at      timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX idempotency_keys_expiry ON @extschema@.idempotency_keys (expires_at);

-- pg_dump keeps the rows users created.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.trees', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant_roles', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.mint_jobs', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.mint_attempts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.idempotency_keys', '');

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

-- ---------------------------------------------------------------------------
-- The job state machine (docs/DESIGN.md §4), in one place.
--
--  queued --claim--> in_flight --attempt recorded--> submitted --landed ok--> confirmed
--    ^                  |                                |
--    |                  | retryable error / lease lost   |-- landed with error, permanent --> failed
--    +--backoff---------+                                +-- every attempt provably dead ----> queued
--  queued/in_flight --non-retryable error or attempts exhausted--> failed
--  queued/failed (nothing can still land) --cancel_mint--> cancelled
--  failed --retry_mint--> queued
--
-- Every transition the worker makes is one of the functions below, called
-- with arrays (one statement per batch) and fenced by the lease token the
-- worker claimed the job with: a worker whose lease was taken over matches
-- no row and learns it from the missing row in the result.  `confirmed` is
-- absorbing: no function here changes a confirmed job.
--
-- These are internal: only the extension owner (the worker) may call them.
-- ---------------------------------------------------------------------------

-- claim: queued jobs that are due, and in_flight/submitted jobs whose lease
-- expired (their worker died); bump the lease token, take the lease.
-- LANGUAGE sql like the others, so planned again at every call (1-2 ms) with
-- the table's current size: a plan kept for the session (PL/pgSQL) was
-- built against the empty queue of a fresh worker, walked all of mint_jobs
-- for every job it claimed, and a burst of 20,000 drained at 319/s.
CREATE FUNCTION @extschema@._claim(batch_size integer, lease_ms integer)
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
	       updated_at = pg_catalog.now()
	  FROM pick
	 WHERE j.tenant_id = pick.tenant_id AND j.ticket_id = pick.ticket_id
	RETURNING j.tenant_id, j.ticket_id, j.lease_token, j.status, j.owner, j.metadata::text,
	          j.attempts, j.attempt_base, j.retries,
	          (SELECT t.merkle_tree FROM @extschema@.trees t WHERE t.tenant_id = j.tenant_id AND t.active),
	          (SELECT t.collection_mint FROM @extschema@.trees t WHERE t.tenant_id = j.tenant_id AND t.active)
$$;

-- The attempts of claimed jobs that may still land (pending), with the
-- signed bytes the worker re-broadcasts.
CREATE FUNCTION @extschema@._pending_attempts(tenants text[], tickets text[])
RETURNS TABLE (tenant_id text, ticket_id text, attempt_no integer, signature text,
               last_valid_block_height bigint, signed_tx bytea)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.tenant_id, a.ticket_id, a.attempt_no, a.signature, a.last_valid_block_height, a.signed_tx
	  FROM @extschema@.mint_attempts a
	  JOIN unnest(tenants, tickets) AS k(tenant_id, ticket_id)
	    ON a.tenant_id = k.tenant_id AND a.ticket_id = k.ticket_id
	 WHERE a.state = 'pending'
	 ORDER BY a.tenant_id, a.ticket_id, a.attempt_no
$$;

-- record: an attempt is recorded (and committed by the caller) before it is
-- first sent.  Refused unless the lease token matches and every earlier
-- attempt of the job is dead (landed_err or expired).
CREATE FUNCTION @extschema@._record_attempts(tenants text[], tickets text[], tokens bigint[],
	signatures text[], blockhashes text[], last_valid bigint[], trees text[], txs bytea[],
	lease_ms integer)
RETURNS TABLE (tenant_id text, ticket_id text, attempt_no integer)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (
		UPDATE @extschema@.mint_jobs j
		   SET status = 'submitted', attempts = j.attempts + 1, signature = r.signature,
		       submitted_at = pg_catalog.now(), updated_at = pg_catalog.now(),
		       lease_until = pg_catalog.now() + pg_catalog.make_interval(secs => lease_ms / 1000.0)
		  FROM unnest(tenants, tickets, tokens, signatures, blockhashes, last_valid, trees, txs)
		       AS r(tenant_id, ticket_id, token, signature, blockhash, last_valid, tree, tx)
		 WHERE j.tenant_id = r.tenant_id AND j.ticket_id = r.ticket_id AND j.lease_token = r.token
		   AND j.status IN ('in_flight', 'submitted')
		   AND NOT EXISTS (SELECT 1 FROM @extschema@.mint_attempts x
		                    WHERE x.tenant_id = j.tenant_id AND x.ticket_id = j.ticket_id
		                      AND x.state IN ('pending', 'landed_ok'))
		RETURNING j.tenant_id, j.ticket_id, j.attempts, j.lease_token, r.signature, r.blockhash,
		          r.last_valid, r.tree, r.tx
	)
	INSERT INTO @extschema@.mint_attempts AS a
		(tenant_id, ticket_id, attempt_no, signature, recent_blockhash, last_valid_block_height,
		 merkle_tree, signed_tx, lease_token)
	SELECT r.tenant_id, r.ticket_id, r.attempts, r.signature, r.blockhash, r.last_valid, r.tree, r.tx,
	       r.lease_token
	  FROM r
	RETURNING a.tenant_id, a.ticket_id, a.attempt_no
$$;

-- The worker still holds these jobs: extend their leases.
CREATE FUNCTION @extschema@._renew(tenants text[], tickets text[], tokens bigint[], lease_ms integer)
RETURNS TABLE (tenant_id text, ticket_id text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE @extschema@.mint_jobs j
	   SET lease_until = pg_catalog.now() + pg_catalog.make_interval(secs => lease_ms / 1000.0)
	  FROM unnest(tenants, tickets, tokens) AS k(tenant_id, ticket_id, token)
	 WHERE j.tenant_id = k.tenant_id AND j.ticket_id = k.ticket_id AND j.lease_token = k.token
	   AND j.status IN ('in_flight', 'submitted')
	RETURNING j.tenant_id, j.ticket_id
$$;

-- confirm: the attempt landed without error.  Signature, asset id, leaf
-- nonce, tree and confirmation time are written in one transaction.
CREATE FUNCTION @extschema@._confirm(tenants text[], tickets text[], tokens bigint[],
	signatures text[], asset_ids text[], nonces bigint[])
RETURNS TABLE (tenant_id text, ticket_id text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH c AS (
		UPDATE @extschema@.mint_jobs j
		   SET status = 'confirmed', signature = c.signature, asset_id = c.asset_id,
		       leaf_nonce = c.nonce,
		       merkle_tree = (SELECT a.merkle_tree FROM @extschema@.mint_attempts a WHERE a.signature = c.signature),
		       confirmed_at = pg_catalog.now(), updated_at = pg_catalog.now(), lease_until = NULL,
		       last_error_class = NULL, last_error_code = NULL, last_error_message = NULL
		  FROM unnest(tenants, tickets, tokens, signatures, asset_ids, nonces)
		       AS c(tenant_id, ticket_id, token, signature, asset_id, nonce)
		 WHERE j.tenant_id = c.tenant_id AND j.ticket_id = c.ticket_id AND j.lease_token = c.token
		   AND j.status <> 'confirmed'
		RETURNING j.tenant_id, j.ticket_id, c.signature
	), a AS (
		UPDATE @extschema@.mint_attempts a
		   SET state = 'landed_ok', resolved_at = pg_catalog.now()
		  FROM c
		 WHERE a.signature = c.signature
		RETURNING a.signature
	)
	SELECT c.tenant_id, c.ticket_id FROM c
$$;

-- An attempt is dead: expired (unknown to the cluster and the finalized
-- block height is past its last valid block height) or landed with an
-- error at finalized commitment (its signature is consumed).  Only a dead
-- attempt lets a new one be built.  (A preflight refusal is not proof: an
-- earlier send of the same bytes may have been accepted, so a refused
-- attempt waits for expiry like any other.)
CREATE FUNCTION @extschema@._attempts_dead(tenants text[], tickets text[], tokens bigint[],
	signatures text[], states text[], err_class text[], err_code text[], err_message text[])
RETURNS TABLE (signature text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE @extschema@.mint_attempts a
	   SET state = d.state, error_class = d.err_class, error_code = d.err_code,
	       error_message = d.err_message, resolved_at = pg_catalog.now()
	  FROM unnest(tenants, tickets, tokens, signatures, states, err_class, err_code, err_message)
	       AS d(tenant_id, ticket_id, token, signature, state, err_class, err_code, err_message),
	       @extschema@.mint_jobs j
	 WHERE a.signature = d.signature AND a.tenant_id = d.tenant_id AND a.ticket_id = d.ticket_id
	   AND a.state = 'pending' AND d.state IN ('expired', 'landed_err')
	   AND j.tenant_id = d.tenant_id AND j.ticket_id = d.ticket_id AND j.lease_token = d.token
	   AND j.status <> 'confirmed'
	RETURNING a.signature
$$;

-- backoff: back to queued, due after the given delay, with the error.
CREATE FUNCTION @extschema@._requeue(tenants text[], tickets text[], tokens bigint[],
	delays_ms integer[], err_class text[], err_code text[], err_message text[])
RETURNS TABLE (tenant_id text, ticket_id text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE @extschema@.mint_jobs j
	   SET status = 'queued', retries = j.retries + 1, lease_until = NULL,
	       next_attempt_at = pg_catalog.now() + pg_catalog.make_interval(secs => q.delay_ms / 1000.0),
	       last_error_class = q.err_class, last_error_code = q.err_code,
	       last_error_message = q.err_message, updated_at = pg_catalog.now()
	  FROM unnest(tenants, tickets, tokens, delays_ms, err_class, err_code, err_message)
	       AS q(tenant_id, ticket_id, token, delay_ms, err_class, err_code, err_message)
	 WHERE j.tenant_id = q.tenant_id AND j.ticket_id = q.ticket_id AND j.lease_token = q.token
	   AND j.status IN ('in_flight', 'submitted')
	RETURNING j.tenant_id, j.ticket_id
$$;

-- fail: a permanent error, or attempts exhausted with every attempt dead.
CREATE FUNCTION @extschema@._fail(tenants text[], tickets text[], tokens bigint[],
	err_class text[], err_code text[], err_message text[])
RETURNS TABLE (tenant_id text, ticket_id text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE @extschema@.mint_jobs j
	   SET status = 'failed', lease_until = NULL,
	       last_error_class = f.err_class, last_error_code = f.err_code,
	       last_error_message = f.err_message, updated_at = pg_catalog.now()
	  FROM unnest(tenants, tickets, tokens, err_class, err_code, err_message)
	       AS f(tenant_id, ticket_id, token, err_class, err_code, err_message)
	 WHERE j.tenant_id = f.tenant_id AND j.ticket_id = f.ticket_id AND j.lease_token = f.token
	   AND j.status IN ('in_flight', 'submitted')
	RETURNING j.tenant_id, j.ticket_id
$$;

-- A stopping worker hands its jobs back: nothing it knows is lost (the
-- attempts are in the table), so another worker may take them at once.
CREATE FUNCTION @extschema@._release(tenants text[], tickets text[], tokens bigint[])
RETURNS integer
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (
		UPDATE @extschema@.mint_jobs j
		   SET status = CASE WHEN j.status = 'in_flight' THEN 'queued'::@extschema@.job_status ELSE j.status END,
		       lease_until = CASE WHEN j.status = 'in_flight' THEN NULL ELSE pg_catalog.now() END,
		       updated_at = pg_catalog.now()
		  FROM unnest(tenants, tickets, tokens) AS k(tenant_id, ticket_id, token)
		 WHERE j.tenant_id = k.tenant_id AND j.ticket_id = k.ticket_id AND j.lease_token = k.token
		   AND j.status IN ('in_flight', 'submitted')
		RETURNING 1
	)
	SELECT pg_catalog.count(*)::integer FROM r
$$;

-- A chain event learnt outside the worker (a provider's webhook): the
-- transaction with this signature landed ok, or landed with an error.
-- Monotonic: success confirms the job from any state but confirmed (the
-- chain is the truth; nothing changes a confirmed job) and fences out a
-- worker that holds it; failure only marks a pending attempt dead and never
-- moves the job.  A signature of no attempt changes nothing.
-- Returns the job and what happened: 'confirmed', 'attempt_failed',
-- 'already_confirmed', 'no_change' or 'unknown_signature' (job NULL).
CREATE FUNCTION @extschema@._apply_mint_event(signature text, landed_ok boolean,
	asset_id text, leaf_nonce bigint, error text)
RETURNS TABLE (job_id text, applied text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	a @extschema@.mint_attempts;
	j @extschema@.mint_jobs;
BEGIN
	SELECT * INTO a FROM @extschema@.mint_attempts x WHERE x.signature = _apply_mint_event.signature;
	IF NOT FOUND THEN
		RETURN QUERY SELECT NULL::text, 'unknown_signature'::text;
		RETURN;
	END IF;
	SELECT * INTO j FROM @extschema@.mint_jobs m
	 WHERE m.tenant_id = a.tenant_id AND m.ticket_id = a.ticket_id FOR UPDATE;
	IF j.status = 'confirmed' THEN
		RETURN QUERY SELECT j.job_id, CASE WHEN landed_ok AND j.signature = a.signature
		                                   THEN 'already_confirmed' ELSE 'no_change' END;
		RETURN;
	END IF;
	IF landed_ok THEN
		UPDATE @extschema@.mint_attempts x SET state = 'landed_ok', resolved_at = pg_catalog.now()
		 WHERE x.signature = a.signature;
		UPDATE @extschema@.mint_jobs m
		   SET status = 'confirmed', signature = a.signature,
		       asset_id = COALESCE(_apply_mint_event.asset_id, m.asset_id),
		       leaf_nonce = COALESCE(_apply_mint_event.leaf_nonce, m.leaf_nonce),
		       merkle_tree = a.merkle_tree, confirmed_at = pg_catalog.now(),
		       updated_at = pg_catalog.now(), lease_token = m.lease_token + 1, lease_until = NULL,
		       last_error_class = NULL, last_error_code = NULL, last_error_message = NULL
		 WHERE m.tenant_id = j.tenant_id AND m.ticket_id = j.ticket_id;
		RETURN QUERY SELECT j.job_id, 'confirmed'::text;
		RETURN;
	END IF;
	UPDATE @extschema@.mint_attempts x
	   SET state = 'landed_err', error_class = 'transaction', error_message = _apply_mint_event.error,
	       resolved_at = pg_catalog.now()
	 WHERE x.signature = a.signature AND x.state = 'pending';
	RETURN QUERY SELECT j.job_id, CASE WHEN FOUND THEN 'attempt_failed' ELSE 'no_change' END;
END;
$$;

-- ---------------------------------------------------------------------------
-- Operator transitions
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@._result(j @extschema@.mint_jobs)
RETURNS @extschema@.mint_result
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ROW(j.job_id, j.tenant_id, j.ticket_id, j.status, j.signature, j.asset_id, j.attempts,
	           j.last_error_message, j.last_error_class, false, false, j.idempotency_key,
	           j.updated_at, j.confirmed_at)::@extschema@.mint_result
$$;

-- failed -> queued.  The worker still builds a new transaction only after
-- every earlier attempt is provably dead; the job gets mint.max_attempts
-- more attempts.
CREATE FUNCTION @extschema@.retry_mint(tenant_id text, ticket_id text)
RETURNS @extschema@.mint_result
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	j @extschema@.mint_jobs;
BEGIN
	SELECT * INTO j FROM @extschema@.mint_jobs m
	 WHERE m.tenant_id = retry_mint.tenant_id AND m.ticket_id = retry_mint.ticket_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no mint job for ticket "%" of tenant "%"', ticket_id, tenant_id
			USING ERRCODE = 'no_data_found';
	END IF;
	IF j.status <> 'failed' THEN
		RAISE EXCEPTION 'job % is %, not failed', j.job_id, j.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Only failed jobs can be retried.';
	END IF;
	UPDATE @extschema@.mint_jobs m
	   SET status = 'queued', next_attempt_at = pg_catalog.now(), retries = 0,
	       attempt_base = m.attempts, lease_until = NULL, updated_at = pg_catalog.now()
	 WHERE m.tenant_id = j.tenant_id AND m.ticket_id = j.ticket_id
	RETURNING * INTO j;
	PERFORM @extschema@.wake_at_commit();
	RETURN @extschema@._result(j);
END;
$$;

-- queued/failed -> cancelled, only while nothing can still land: no
-- attempt pending (each expired or landed with an error) and no worker on it.
CREATE FUNCTION @extschema@.cancel_mint(tenant_id text, ticket_id text)
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

COMMENT ON FUNCTION @extschema@.retry_mint(text, text) IS 'Operator: move a failed job back to queued';
COMMENT ON FUNCTION @extschema@.cancel_mint(text, text) IS 'Operator: cancel a job while nothing can still land';

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

CREATE FUNCTION @extschema@._webhook_counters(
	OUT processed bigint, OUT duplicates bigint, OUT ignored bigint,
	OUT rejected_signature bigint, OUT rejected_timestamp bigint, OUT rejected_malformed bigint,
	OUT rejected_too_large bigint, OUT rejected_endpoint bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'mint_webhook_counters'
LANGUAGE C VOLATILE;

-- Per tenant: jobs by status, confirmations per second over the last
-- minute, age of the oldest queued job, attempts per confirmed mint.
CREATE VIEW @extschema@.tenant_stats WITH (security_barrier) AS
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

-- ---------------------------------------------------------------------------
-- Webhooks (docs/DESIGN.md §8): mint.process_webhook() verifies a
-- provider's delivery over the raw body, deduplicates its events by a unique
-- key and applies each new one through the job state machine
-- (mint._apply_mint_event), in the caller's transaction.
--
-- Secrets live in mint.webhook_secrets, readable by no application role; only
-- process_webhook (SECURITY DEFINER) reads them.  The operator functions
-- below are not granted to anyone.
-- ---------------------------------------------------------------------------

-- One row per provider (the name the application's HTTP handler passes).
CREATE TABLE @extschema@.webhook_endpoints (
	provider       text PRIMARY KEY CHECK (provider ~ '^[A-Za-z0-9._-]{1,64}$'),
	scheme         text NOT NULL CHECK (scheme IN ('standard', 'helius')),
	tolerance      interval NOT NULL DEFAULT '5 minutes'
		CHECK (tolerance > '0'::interval AND tolerance <= '1 day'::interval),
	max_body_bytes integer NOT NULL DEFAULT 1048576
		CHECK (max_body_bytes BETWEEN 0 AND 67108864),
	retention      interval CHECK (retention > '0'::interval),  -- NULL: mint.webhook_retention, else 7 days
	enabled        boolean NOT NULL DEFAULT true,
	created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at     timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- The endpoint's secrets: raw HMAC keys (standard) or Authorization values
-- (helius).  Every secret whose not_after is NULL or in the future is active,
-- so several can be active at once while a secret is rotated.
CREATE TABLE @extschema@.webhook_secrets (
	provider   text NOT NULL REFERENCES @extschema@.webhook_endpoints (provider) ON DELETE CASCADE,
	secret_id  integer NOT NULL,
	secret     bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	not_after  timestamptz,
	PRIMARY KEY (provider, secret_id)
);

-- One row per accepted event; the primary key is the deduplication.
-- Rejected deliveries are never stored (they are counted in mint.stats).
CREATE TABLE @extschema@.webhook_events (
	provider     text NOT NULL REFERENCES @extschema@.webhook_endpoints (provider) ON DELETE CASCADE,
	event_id     text NOT NULL,
	event_type   text,
	signature    text,
	job_id       text,
	status       text NOT NULL DEFAULT 'received'
		CHECK (status IN ('received', 'processed', 'ignored')),
	applied      text,          -- what mint._apply_mint_event did
	reason       text,          -- why it was ignored
	error        text,          -- the chain error a failure event carried
	payload      jsonb NOT NULL,
	received_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
	processed_at timestamptz,
	expires_at   timestamptz NOT NULL,
	PRIMARY KEY (provider, event_id)
);
CREATE INDEX webhook_events_expiry ON @extschema@.webhook_events (expires_at);
CREATE INDEX webhook_events_signature ON @extschema@.webhook_events (signature);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.webhook_endpoints', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.webhook_secrets', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.webhook_events', '');

-- ---------------------------------------------------------------------------
-- The receiver
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.process_webhook(provider text, headers jsonb, body text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'mint_process_webhook'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.process_webhook(text, jsonb, text) IS
'Verify, deduplicate and apply a webhook delivery; answer {status, http_status, event_id, reason?, job?}';

CREATE FUNCTION @extschema@.process_webhook(provider text, headers jsonb, body bytea)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'mint_process_webhook_bytea'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.process_webhook(text, jsonb, bytea) IS
'Verify, deduplicate and apply a webhook delivery (raw body bytes, UTF-8 JSON)';

-- Internal: the raw key of a secret (base64 of whsec_ for standard).
CREATE FUNCTION @extschema@._webhook_key(scheme text, secret text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mint_webhook_key'
LANGUAGE C IMMUTABLE STRICT;

-- Internal: Standard Webhooks verification with an injected clock (tests).
CREATE FUNCTION @extschema@._webhook_verify(secrets text[], headers jsonb, body bytea,
	now bigint, tolerance integer DEFAULT 300)
RETURNS text
AS 'MODULE_PATHNAME', 'mint_webhook_verify'
LANGUAGE C IMMUTABLE STRICT;

-- Internal answer builder.
CREATE FUNCTION @extschema@._webhook_answer(status text, http_status integer, event_id text,
	reason text DEFAULT NULL, job text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
		'status', status, 'http_status', http_status, 'reason', reason, 'job', job))
	       || pg_catalog.jsonb_build_object('event_id', event_id)
$$;

-- Internal: a verified delivery.  Parses the body, extracts its events
-- (all of them checked before any is written), then for each one
-- INSERT ... ON CONFLICT (provider, event_id) DO NOTHING RETURNING decides
-- new or duplicate, and a new mint event is applied by
-- mint._apply_mint_event() in this same transaction.
--
-- Bodies (see src/api/WEBHOOKS.md):
--   standard: {"type": "mint.confirmed" | "mint.failed" | other,
--              "data": {"signature", "asset_id", "leaf_nonce", "owner", "error", ...}}
--             event id = the webhook-id header
--   helius:   [{"signature", "type", "transactionError",
--               "events": {"compressed": [{"assetId", "leafIndex", ...}]}}, ...]
--             event id = <signature>:<type>, one per array element
CREATE FUNCTION @extschema@._webhook_accept(endpoint text, endpoint_scheme text,
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
	answers jsonb := '[]';
	n_processed integer := 0;
	n_duplicate integer := 0;
	head jsonb;
	v_applied text;
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

	head := answers->0;
	IF n = 1 THEN
		RETURN head;
	END IF;
	-- Several events in one delivery: processed if any was, a duplicate if
	-- all were, else ignored; each event's own answer under "events".
	RETURN pg_catalog.jsonb_build_object(
		'status', CASE WHEN n_processed > 0 THEN 'processed'
		               WHEN n_duplicate = n THEN 'already_processed' ELSE 'ignored' END,
		'http_status', 200, 'event_id', head->'event_id', 'events', answers);
END;
$$;

-- ---------------------------------------------------------------------------
-- Operator functions (superuser unless granted)
-- ---------------------------------------------------------------------------

-- A provider's endpoint with its first secret; returns the secret's id.
CREATE FUNCTION @extschema@.add_webhook_endpoint(provider text, scheme text, secret text,
	tolerance interval DEFAULT '5 minutes', max_body_bytes integer DEFAULT 1048576,
	retention interval DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF provider IS NULL OR scheme IS NULL OR secret IS NULL OR tolerance IS NULL
	   OR max_body_bytes IS NULL THEN
		RAISE EXCEPTION 'provider, scheme, secret, tolerance and max_body_bytes must not be null'
			USING ERRCODE = '22004';
	END IF;
	IF provider !~ '^[A-Za-z0-9._-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid provider "%"', provider USING ERRCODE = '22023',
			DETAIL = 'A provider is 1 to 64 letters, digits, ''.'', ''_'' or ''-''.';
	END IF;
	IF scheme NOT IN ('standard', 'helius') THEN
		RAISE EXCEPTION 'unknown webhook scheme "%"', scheme USING ERRCODE = '22023',
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
END;
$$;

COMMENT ON FUNCTION @extschema@.add_webhook_endpoint(text, text, text, interval, integer, interval) IS
'Operator: a provider''s webhook endpoint (scheme standard or helius) with its first secret';

-- Change an endpoint's settings; NULL keeps a setting.
CREATE FUNCTION @extschema@.alter_webhook_endpoint(provider text, enabled boolean DEFAULT NULL,
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
		RAISE EXCEPTION 'no webhook endpoint "%"', provider USING ERRCODE = 'no_data_found';
	END IF;
END;
$$;

COMMENT ON FUNCTION @extschema@.alter_webhook_endpoint(text, boolean, interval, integer, interval) IS
'Operator: enable or disable an endpoint, change its tolerance, body limit or retention';

-- One more active secret (rotation: the sender signs with old and new).
CREATE FUNCTION @extschema@.add_webhook_secret(provider text, secret text,
	not_after timestamptz DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.webhook_endpoints;
	id integer;
BEGIN
	IF provider IS NULL OR secret IS NULL THEN
		RAISE EXCEPTION 'provider and secret must not be null' USING ERRCODE = '22004';
	END IF;
	SELECT * INTO e FROM @extschema@.webhook_endpoints x
	 WHERE x.provider = add_webhook_secret.provider FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no webhook endpoint "%"', provider USING ERRCODE = 'no_data_found';
	END IF;
	SELECT COALESCE(pg_catalog.max(s.secret_id), 0) + 1 INTO id
	  FROM @extschema@.webhook_secrets s WHERE s.provider = e.provider;
	INSERT INTO @extschema@.webhook_secrets (provider, secret_id, secret, not_after)
	VALUES (e.provider, id, @extschema@._webhook_key(e.scheme, secret), add_webhook_secret.not_after);
	RETURN id;
END;
$$;

COMMENT ON FUNCTION @extschema@.add_webhook_secret(text, text, timestamptz) IS
'Operator: add an active secret to an endpoint; returns its id';

-- Rotation in one call: the new secret becomes active and every other
-- active secret retires after the grace period.
CREATE FUNCTION @extschema@.rotate_webhook_secret(provider text, secret text,
	grace interval DEFAULT '24 hours')
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id integer;
BEGIN
	IF grace IS NULL OR grace < '0'::interval THEN
		RAISE EXCEPTION 'grace must be a non-negative interval' USING ERRCODE = '22023';
	END IF;
	id := @extschema@.add_webhook_secret(provider, secret);
	UPDATE @extschema@.webhook_secrets s
	   SET not_after = LEAST(COALESCE(s.not_after, 'infinity'), pg_catalog.now() + grace)
	 WHERE s.provider = rotate_webhook_secret.provider AND s.secret_id <> id
	   AND (s.not_after IS NULL OR s.not_after > pg_catalog.now());
	RETURN id;
END;
$$;

COMMENT ON FUNCTION @extschema@.rotate_webhook_secret(text, text, interval) IS
'Operator: add a new secret and retire the others after the grace period; returns the new id';

-- Retire one secret (at once by default).
CREATE FUNCTION @extschema@.retire_webhook_secret(provider text, secret_id integer,
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
		RAISE EXCEPTION 'no secret % for webhook endpoint "%"', secret_id, provider
			USING ERRCODE = 'no_data_found';
	END IF;
END;
$$;

COMMENT ON FUNCTION @extschema@.retire_webhook_secret(text, integer, timestamptz) IS
'Operator: retire one secret of an endpoint (at once unless a time is given)';

-- What operators may see of the secrets: never the secret itself.
CREATE VIEW @extschema@.webhook_secret_status AS
SELECT s.provider, s.secret_id,
       pg_catalog.substr(pg_catalog.encode(pg_catalog.sha256(s.secret), 'hex'), 1, 8) AS fingerprint,
       s.created_at, s.not_after,
       (s.not_after IS NULL OR s.not_after > pg_catalog.now()) AS active
  FROM @extschema@.webhook_secrets s;

COMMENT ON VIEW @extschema@.webhook_secret_status IS
'Operator: the secrets of each webhook endpoint (id, short SHA-256 fingerprint, validity), not their values';

-- Delete up to batch_size events whose retention has passed.
CREATE FUNCTION @extschema@.reap_webhook_events(batch_size integer DEFAULT 1000)
RETURNS integer
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH doomed AS (
		SELECT w.provider, w.event_id
		  FROM @extschema@.webhook_events w
		 WHERE w.expires_at <= pg_catalog.now()
		 ORDER BY w.expires_at
		 LIMIT batch_size
		   FOR UPDATE SKIP LOCKED
	), gone AS (
		DELETE FROM @extschema@.webhook_events w
		 USING doomed d
		 WHERE w.provider = d.provider AND w.event_id = d.event_id
		RETURNING 1
	)
	SELECT pg_catalog.count(*)::integer FROM gone
$$;

COMMENT ON FUNCTION @extschema@.reap_webhook_events(integer) IS
'Delete up to batch_size webhook events past their retention; returns how many (the worker calls it)';

-- Let the application's webhook handler role call process_webhook (only).
CREATE FUNCTION @extschema@.grant_webhook_receiver(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF role IS NULL THEN
		RAISE EXCEPTION 'role must not be null' USING ERRCODE = '22004';
	END IF;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA @extschema@ TO %s', role);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION '
		'@extschema@.process_webhook(text, jsonb, text), '
		'@extschema@.process_webhook(text, jsonb, bytea) TO %s', role);
END;
$$;

COMMENT ON FUNCTION @extschema@.grant_webhook_receiver(regrole) IS
'Operator: let a role call mint.process_webhook()';

CREATE FUNCTION @extschema@.revoke_webhook_receiver(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION '
		'@extschema@.process_webhook(text, jsonb, text), '
		'@extschema@.process_webhook(text, jsonb, bytea) FROM %s', role);
END;
$$;

COMMENT ON FUNCTION @extschema@.revoke_webhook_receiver(regrole) IS
'Operator: withdraw mint.process_webhook() from a role';

-- ---------------------------------------------------------------------------
-- Privileges: default deny.  Nothing but the types is usable by PUBLIC;
-- mint.grant_tenant() gives a role exactly what an application needs.
-- ---------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.is_address(text) TO PUBLIC;
