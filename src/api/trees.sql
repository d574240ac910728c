-- ---------------------------------------------------------------------------
-- Tree pools (src/api/trees.c caches the tenants' trees for the API)
-- ---------------------------------------------------------------------------

-- A tenant's pool: every active tree takes new jobs while it has room, and
-- the worker spreads them (mint._claim).  register_tree() makes one tree
-- the tenant's only active tree; add_tree() adds one beside the others.
-- The trees of a pool share the tenant's collection (the API validates a
-- ticket against any of them).
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

COMMENT ON FUNCTION @extschema@.add_tree(text, text, text) IS
'Add a Bubblegum tree to the tenant''s pool of active trees';

-- The counters of mint.trees, kept in the transaction of every change of
-- mint_jobs: `reserved` counts the leased jobs (in_flight, submitted)
-- assigned to a tree; `minted` rises to a confirmed job's leaf nonce + 1
-- (every lower leaf is used: leaves are appended in order).  A statement
-- trigger with transition tables: one UPDATE of the trees a statement
-- touched, whatever the number of jobs.  SECURITY DEFINER: the API's roles
-- change jobs (through its functions) but never write mint.trees.
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

-- What creating a tree of this shape takes from the fee payer, in lamports,
-- before anything is spent: the rent of the merkle tree account and of its
-- tree config (kept in the accounts), and the fee (spent).  An unsupported
-- shape is an error, the same one mint.create_tree() gives.
CREATE FUNCTION @extschema@.tree_cost(max_depth integer, max_buffer_size integer,
	canopy_depth integer DEFAULT 0, version integer DEFAULT 1,
	OUT capacity bigint, OUT account_bytes bigint, OUT tree_rent bigint, OUT config_rent bigint,
	OUT fee bigint, OUT total bigint, OUT mint_fee bigint, OUT mint_protocol_fee bigint)
RETURNS record
LANGUAGE C STABLE STRICT
AS 'MODULE_PATHNAME', 'mint_tree_cost';

COMMENT ON FUNCTION @extschema@.tree_cost(integer, integer, integer, integer) IS
'What creating a tree of this shape and version costs the fee payer (lamports), its capacity, and what each mint into it costs';

CREATE FUNCTION @extschema@._tree_address(seed text, max_depth integer, max_buffer_size integer,
	canopy_depth integer, version integer)
RETURNS text
LANGUAGE C VOLATILE STRICT
AS 'MODULE_PATHNAME', 'mint_tree_address';

CREATE FUNCTION @extschema@._core_collection_address(seed text)
RETURNS text
LANGUAGE C VOLATILE STRICT
AS 'MODULE_PATHNAME', 'mint_core_collection_address';

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

-- A new tree for the tenant's pool, created on chain by the worker exactly
-- once (src/worker/engine.c, "Tree creation"): its address follows from the
-- worker's key and a seed of the tenant and the tree's number, and is
-- returned at once; the tree takes jobs when the worker has created it and
-- read it back (mint.trees.state 'ready').  Private: only the worker's key
-- mints into it.  A V2 tree may bring a new MPL Core collection
-- (new_collection: name, uri, royalty_basis_points, royalty_recipient,
-- permanent_freeze, freeze_authority), created in the same transaction at an address that
-- follows from the worker's key and the tree's seed (collection_mint).
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

-- Let the worker grow the tenant's pool by itself: when the pool's free
-- leaves (capacity - minted - reserved of its active trees, creating ones
-- counted at their capacity) fall below min_free (default: a quarter of one
-- tree), the worker creates the next tree of this shape, at most max_trees
-- trees and max_spend lamports (mint.tree_cost) in all.  The shape is
-- checked now; NULL max_spend refuses (a spend limit is required).
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
