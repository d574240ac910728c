
-- ---------------------------------------------------------------------------
-- Outbound webhooks (docs/DESIGN.md §14): each event of mint.events is
-- delivered to every endpoint its tenant has, by worker 0
-- (src/worker/deliver.c), signed per Standard Webhooks (webhook-id = the
-- event id, webhook-timestamp, "v1," HMAC-SHA256 with each active secret,
-- "v1a," ed25519 with each active signing key).  The SQL here never does
-- network I/O: the deliveries are rows, made at the event's commit
-- (mint._sequence_events), claimed and settled by the worker.
--
-- Endpoints and keys are an operator's (the functions are granted to no
-- one); the secrets are readable by the extension owner only.
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
-- the reaper (mint.reap_events: the deliveries of a tenant's oldest events)
-- and redeliveries (a range of sequence numbers)
CREATE INDEX outbound_deliveries_seq ON @extschema@.outbound_deliveries (tenant_id, seq);

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
COMMENT ON FUNCTION @extschema@.redeliver(text, text, bigint, bigint, boolean) IS
'Operator: send a tenant''s events after a sequence number to an endpoint again (same webhook-id, same body); returns how many deliveries were made pending';
COMMENT ON FUNCTION @extschema@.redeliver_event(text, text, text) IS
'Operator: send one event to an endpoint again (e.g. a delivery given up); false when it was pending already';
