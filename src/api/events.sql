
-- ---------------------------------------------------------------------------
-- The outbox (docs/DESIGN.md §13): one event row per outcome a platform
-- cares about, written by a trigger on mint.mint_jobs in the transaction
-- that changes the job's status, so it exists exactly when the change
-- commits:
--   mint.confirmed  any status -> confirmed (signature, asset id)
--   mint.failed     -> failed (the error's class, code and message)
--   mint.cancelled  -> cancelled
--   mint.retried    failed -> queued (mint.retry_mint)
--
-- Each event has a stable id (event_id, the Standard Webhooks webhook-id of
-- its deliveries) and a per-tenant sequence number, gap-free and in commit
-- order: the number is given at commit, by a deferred trigger that takes
-- the tenant's counter row (mint.event_counters) last, after every other
-- lock of the transaction, and holds it until the commit is done.  So a
-- reader that has seen sequence n of a tenant never later finds an event
-- with a smaller number (mint.events_since), and a rolled-back change has
-- neither an event nor a number.
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
CREATE FUNCTION @extschema@._sequence_events()
RETURNS trigger
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'mint_sequence_events';

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
