
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
--  queued/in_flight (nothing signed) --parameters changed by the API--> queued
--
-- Every transition the worker makes is one of the functions below, called
-- with arrays (one statement per batch) and fenced by the lease token the
-- worker claimed the job with: a worker whose lease was taken over matches
-- no row and learns it from the missing row in the result.  `confirmed` is
-- absorbing: no function here changes a confirmed job.
--
-- These are internal: only the extension owner (the worker) may call them.
-- ---------------------------------------------------------------------------

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

-- The worker's reading of a tree's accounts: its tree config's capacity,
-- version and num_minted (mints by anyone: `minted` never goes back), the
-- shape of the merkle tree account.  is_full: an attempt was refused or landed
-- with InsufficientMintCapacity, so no leaf is left whatever was counted.
-- problem_code / problem: why it cannot be minted into (NULL: it can).  A
-- tree that becomes usable makes its tenant's held-back jobs due at once.
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

-- Active trees the worker has not read, or not for ten minutes: it reads
-- them before any job can be dealt to them (their capacity is unknown).
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

-- The application changed a ticket's owner or metadata (mint_ticket,
-- mint_tickets, the trigger; the caller holds the ticket's lock): the job
-- takes the new parameters and is queued again, only while nothing has been
-- signed for it (queued or in_flight, no attempt).  The lease token is
-- bumped, so a worker that claimed the old parameters is fenced out.  No row
-- when it is too late (or the parameters are the same).
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

-- hold back: the worker cannot make progress (no usable key, the RPC
-- endpoint unreachable): up to batch_size queued or in_flight jobs that do
-- not say so yet get the reason as their last error (class 'blocked');
-- nothing else changes, and the next claim (or outcome) replaces it.
-- Returns how many were told.
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

-- The attempts of claimed jobs that may still land (pending), with the
-- signed bytes the worker re-broadcasts.
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

-- record: an attempt is recorded (and committed by the caller) before it is
-- first sent.  Refused when the lease token does not match, when an earlier
-- attempt of the job is not dead (landed_err or expired), or when an attempt
-- already has the signature (the same bytes are another job's transaction:
-- the worker builds the job again, where a unique violation would stop it).
-- genesis is the cluster the attempts were made for (the endpoint's genesis
-- hash); fees and cu_limits each attempt's compute-budget price and limit
-- (NULL: none).
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
-- Tree creation (mint.create_tree): the worker of slot 0 creates each tree
-- under a mint's rules; these are its transitions.
-- ---------------------------------------------------------------------------

-- The trees to create, with their pending attempt if there is one.
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

-- record: refused (NULL) unless the tree is still to be created and every
-- earlier attempt is dead.
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

-- An attempt's end: landed_ok makes the tree ready (the worker reads it
-- back before any job is dealt to it); expired or landed_err lets a new
-- attempt be built, or, with failed_code set, fails the tree.
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

-- The pools that run low (free leaves below their policy's min_free, no
-- tree being created): the next tree is created (mint.create_tree) while
-- the policy's trees and spend allow it; otherwise the row says why not.
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

COMMENT ON FUNCTION @extschema@.retry_mint(text, text) IS 'Operator: move a failed job back to queued';
COMMENT ON FUNCTION @extschema@.cancel_mint(text, text) IS 'Operator: cancel a job while nothing can still land';
