
-- ---------------------------------------------------------------------------
-- Webhooks (docs/DESIGN.md §8): mint.process_webhook() verifies a
-- provider's delivery over the raw body, deduplicates its events by a unique
-- key and applies each new one through the job state machine
-- (mint._apply_mint_event), in the caller's transaction.
--
-- Secrets (and the ed25519 public keys of v1a) live in mint.webhook_secrets,
-- readable by no application role; only process_webhook (SECURITY DEFINER)
-- reads them.  The operator functions below are not granted to anyone.
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

-- The endpoint's keys: kind 'secret', raw HMAC keys (standard, v1) or
-- Authorization values (helius); kind 'public_key', 32-byte ed25519 public
-- keys (standard, v1a; given as "whpk_").  Public keys are not secret but are
-- kept here, under the same grants, to be rotated the same way.  Every key
-- whose not_after is NULL or in the future is active, so several can be
-- active at once while a key is rotated.
CREATE TABLE @extschema@.webhook_secrets (
	provider   text NOT NULL REFERENCES @extschema@.webhook_endpoints (provider) ON DELETE CASCADE,
	secret_id  integer NOT NULL,
	secret     bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	not_after  timestamptz,
	kind       text NOT NULL DEFAULT 'secret' CHECK (kind IN ('secret', 'public_key')),
	PRIMARY KEY (provider, secret_id),
	CONSTRAINT webhook_secrets_public_key_length
		CHECK (kind <> 'public_key' OR pg_catalog.octet_length(secret) = 32)
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

-- Internal: the raw key of a secret (base64 of whsec_ for standard) or of a
-- public key (base64 of whpk_, 32 bytes, a valid ed25519 point).
CREATE FUNCTION @extschema@._webhook_key(scheme text, secret text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mint_webhook_key'
LANGUAGE C IMMUTABLE STRICT;

-- Internal: what a value given as a secret is: 'public_key' (whpk_ on a
-- standard endpoint) or 'secret'.
CREATE FUNCTION @extschema@._webhook_key_kind(scheme text, secret text)
RETURNS text
AS 'MODULE_PATHNAME', 'mint_webhook_key_kind'
LANGUAGE C IMMUTABLE STRICT;

-- Internal: Standard Webhooks verification with an injected clock (tests);
-- secrets are whsec_ values (v1) and whpk_ public keys (v1a).
CREATE FUNCTION @extschema@._webhook_verify(secrets text[], headers jsonb, body bytea,
	now bigint, tolerance integer DEFAULT 300)
RETURNS text
AS 'MODULE_PATHNAME', 'mint_webhook_verify'
LANGUAGE C IMMUTABLE STRICT;

-- Internal: process_webhook's checks before the body is parsed (endpoint,
-- size, headers, timestamp, signature) against the endpoint's active keys,
-- with an injected clock (tests: signatures made once, rotation).
CREATE FUNCTION @extschema@._webhook_verify_endpoint(provider text, headers jsonb, body bytea,
	now bigint)
RETURNS text
AS 'MODULE_PATHNAME', 'mint_webhook_verify_endpoint'
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, pg_temp;

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

-- ---------------------------------------------------------------------------
-- Operator functions (superuser unless granted)
-- ---------------------------------------------------------------------------

-- Internal: raise an error caught by a function that takes a secret again,
-- with errhidestmt: the server log gets the error but not the statement
-- (log_min_error_statement), whose text holds the secret.  The detail of an
-- integrity violation ("Failing row contains ...") is dropped.
CREATE FUNCTION @extschema@._raise_hidden(sqlstate text, message text, detail text, hint text)
RETURNS void
AS 'MODULE_PATHNAME', 'mint_raise_hidden'
LANGUAGE C VOLATILE;

-- The functions below that take a secret end with
--   EXCEPTION WHEN OTHERS OR query_canceled THEN ... mint._raise_hidden(...)
-- so that no error of theirs logs the calling statement (docs/DESIGN.md §9).

-- A provider's endpoint with its first secret (or whpk_ public key); returns its id.
CREATE FUNCTION @extschema@.add_webhook_endpoint(provider text, scheme text, secret text,
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

COMMENT ON FUNCTION @extschema@.add_webhook_endpoint(text, text, text, interval, integer, interval) IS
'Operator: a provider''s webhook endpoint (scheme standard or helius) with its first secret (or whpk_ public key)';

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
		RAISE EXCEPTION 'no webhook endpoint "%"', @extschema@._clip(provider) USING ERRCODE = 'no_data_found';
	END IF;
END;
$$;

COMMENT ON FUNCTION @extschema@.alter_webhook_endpoint(text, boolean, interval, integer, interval) IS
'Operator: enable or disable an endpoint, change its tolerance, body limit or retention';

-- One more active secret, or public key (a whpk_ value on a standard
-- endpoint: v1a).  Rotation: the sender signs with old and new.
CREATE FUNCTION @extschema@.add_webhook_secret(provider text, secret text,
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

-- Rotation in one call: the new secret (or public key) becomes active and
-- every other active one of the same kind retires after the grace period (a
-- new public key leaves the secrets alone, and the other way round).
CREATE FUNCTION @extschema@.rotate_webhook_secret(provider text, secret text,
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

-- Retire one secret or public key (at once by default).
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
		RAISE EXCEPTION 'no secret % for webhook endpoint "%"', secret_id, @extschema@._clip(provider)
			USING ERRCODE = 'no_data_found';
	END IF;
END;
$$;

COMMENT ON FUNCTION @extschema@.retire_webhook_secret(text, integer, timestamptz) IS
'Operator: retire one secret or public key of an endpoint (at once unless a time is given)';

-- What operators may see of the secrets: never the secret itself.  A public
-- key's fingerprint is the same hash of its 32 raw bytes.
CREATE VIEW @extschema@.webhook_secret_status AS
SELECT s.provider, s.secret_id,
       pg_catalog.substr(pg_catalog.encode(pg_catalog.sha256(s.secret), 'hex'), 1, 8) AS fingerprint,
       s.created_at, s.not_after,
       (s.not_after IS NULL OR s.not_after > pg_catalog.now()) AS active,
       s.kind
  FROM @extschema@.webhook_secrets s;

COMMENT ON VIEW @extschema@.webhook_secret_status IS
'Operator: the secrets and public keys of each webhook endpoint (id, short SHA-256 fingerprint, validity, kind), not their values';

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

-- Grants compose with grant_tenant: the schema's USAGE goes too unless the
-- role still acts for a tenant.
CREATE FUNCTION @extschema@.revoke_webhook_receiver(role regrole)
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

COMMENT ON FUNCTION @extschema@.revoke_webhook_receiver(regrole) IS
'Operator: withdraw mint.process_webhook() from a role';
