-- mint_ext install script, assembled by the Makefile (SQL_SRCS) from the SQL beside each layer's C.
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

-- Tenant -> its pool of Bubblegum merkle trees (src/api/trees.sql).  The
-- active ready trees with room take new jobs (mint._claim spreads them);
-- the counters are kept by mint._tree_usage (mint_jobs) and the worker's
-- readings of the tree accounts (mint._tree_facts).
CREATE TABLE @extschema@.trees (
	tenant_id       text NOT NULL,
	merkle_tree     text NOT NULL,
	collection_mint text,
	active          boolean NOT NULL DEFAULT true,   -- takes new jobs
	created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	state           text NOT NULL DEFAULT 'ready'    -- created by mint.create_tree: creating first
		CHECK (state IN ('creating', 'ready', 'failed')),
	origin          text NOT NULL DEFAULT 'registered' CHECK (origin IN ('registered', 'created')),
	version         smallint,     -- the tree config's version (1: V1); NULL: not read yet
	max_depth       integer,
	max_buffer_size integer,
	canopy_depth    integer,
	capacity        bigint,       -- the tree config's total_mint_capacity; NULL: not read yet
	minted          bigint NOT NULL DEFAULT 0,   -- leaves used: max(our leaf nonces + 1, num_minted)
	reserved        integer NOT NULL DEFAULT 0,  -- jobs assigned to it, in flight (leased)
	checked_at      timestamptz,  -- the worker's last reading of its accounts
	create_seed     text,         -- origin created: the createAccountWithSeed seed
	problem_code    text,         -- why it cannot be minted into (or was not created); NULL: it can
	problem         text,
	create_collection jsonb,      -- origin created: the MPL Core collection its creation makes
	PRIMARY KEY (tenant_id, merkle_tree)
);
-- Backends cache the active trees they have read (src/api/trees.c); every
-- change of the table but the worker's counters drops those copies in all
-- backends when it commits.
CREATE FUNCTION @extschema@._trees_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mint_trees_changed'
LANGUAGE C;
CREATE TRIGGER trees_changed
	AFTER INSERT OR DELETE OR TRUNCATE
	   OR UPDATE OF tenant_id, merkle_tree, collection_mint, active, state, version ON @extschema@.trees
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._trees_changed();

-- The signed creations of the trees mint.create_tree() asked for, recorded
-- (and committed) before each is first sent, under a mint's rules: a new
-- one only when every earlier one is dead (expired, or landed with an
-- error at finalized commitment).  The tree's address follows from the
-- worker's key and the tree's seed, so at most one account can ever exist.
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

-- A tenant's permission for the worker to grow its pool by itself
-- (mint.set_tree_policy): when the pool's free leaves fall below min_free,
-- the next tree of this shape is created, at most max_trees of them and
-- max_spend lamports (their mint.tree_cost) in all.
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
	merkle_tree        text,                    -- tree of the lease's attempts; of the landed mint
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
	lease_holder       bigint,                  -- the worker incarnation that claimed it (src/common/locks.c)
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
	genesis_hash            text,             -- the cluster it was made for (NULL: before 0.2.0)
	priority_fee            bigint,           -- SetComputeUnitPrice, micro-lamports per unit (NULL: none)
	compute_unit_limit      integer,          -- SetComputeUnitLimit (NULL: none)
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
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tree_attempts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tree_policies', '');
