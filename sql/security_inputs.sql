-- Issue 13, findings 4 and 5.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
\set meta '{"name":"I","uri":"https://example.com/i.json"}'
SELECT mint.register_tree('inp', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');

-- The error a statement raises: SQLSTATE, the byte length of its message and
-- detail, and the message's first 110 characters.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	d text;
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ' ' || octet_length(SQLERRM) || '+' || octet_length(d) || ' ' || left(SQLERRM, 110);
END;
$$;
-- Only the length matters to the checks below: under 300 bytes each.
CREATE FUNCTION pg_temp.short(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	d text;
BEGIN
	EXECUTE q;
	RETURN NULL;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN octet_length(SQLERRM) < 300 AND octet_length(d) < 300;
END;
$$;

-- =====================================================================
-- 4. Errors echo at most a bounded prefix of any input.  A 10,000-character
--    owner used to come back whole in the message (and the log line).
-- =====================================================================
\set big 'repeat(''Z'', 10000)'
SELECT pg_temp.err(format('SELECT mint.mint_ticket(%L, %L, %s, %L)', 'inp', 'T-1', :'big', :'meta'));
-- Every function that quotes an input, with 10,000 characters of it.
SELECT q AS call, pg_temp.short(q) AS message_under_300_bytes FROM (VALUES
	(format('SELECT mint.mint_ticket(%L, %L, %s, %L)', 'inp', 'T-1', :'big', :'meta')),
	(format('SELECT mint.mint_tickets(%L, jsonb_build_array(jsonb_build_object(%L, %L, %L, %s, %L, %L::jsonb)))',
	        'inp', 'ticket_id', 'T-1', 'owner', :'big', 'metadata', :'meta')),
	(format('SELECT mint.mint_ticket(%s, %L, %L, %L)', :'big', 'T-1', :'owner', :'meta')),
	(format('SELECT mint.mint_ticket(%L, %s, %L, %L)', 'inp', :'big', :'owner', :'meta')),
	(format('SELECT mint.mint_ticket(%L, %L, %L, %L, %s)', 'inp', 'T-1', :'owner', :'meta', :'big')),
	(format('SELECT mint.get_mint(%s, %L)', :'big', 'T-1')),
	(format('SELECT mint.register_tree(%s, %L)', :'big', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu')),
	(format('SELECT mint.register_tree(%L, %s)', 'inp', :'big')),
	(format('SELECT mint.register_tree(%L, %L, %s)', 'inp', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu', :'big')),
	(format('SELECT mint.grant_tenant(%s, %L)', :'big', 'pg_monitor')),
	(format('SELECT mint.add_webhook_endpoint(%s, %L, %L)', :'big', 'helius', 'Bearer x')),
	(format('SELECT mint.add_webhook_endpoint(%L, %s, %L)', 'inp', :'big', 'Bearer x')),
	(format('SELECT mint.alter_webhook_endpoint(%s, enabled => false)', :'big')),
	(format('SELECT mint.add_webhook_secret(%s, %L)', :'big', 'Bearer x')),
	(format('SELECT mint.retire_webhook_secret(%s, 1)', :'big')),
	(format('SELECT mint._webhook_key(%s, %L)', :'big', 'x'))
) AS c(q) ORDER BY 1;
-- The same through the trigger, whose column names are the table owner's input.
CREATE TABLE inp_tickets (tenant text, id text, wallet text, meta jsonb);
DO $$ BEGIN
	EXECUTE format('CREATE TRIGGER t AFTER INSERT ON inp_tickets FOR EACH ROW EXECUTE FUNCTION '
	               'mint.enqueue_mint(%L, %L, %L, %L)', 'tenant', 'id', repeat('w', 10000), 'meta');
END $$;
SELECT pg_temp.err(format('INSERT INTO inp_tickets VALUES (%L, %L, %L, %L)', 'inp', 'T-1', 'x', '{}'));
DROP TRIGGER t ON inp_tickets;
CREATE TRIGGER t AFTER INSERT ON inp_tickets FOR EACH ROW EXECUTE FUNCTION mint.enqueue_mint('tenant', 'id', 'wallet', 'meta');
SELECT pg_temp.err(format('INSERT INTO inp_tickets VALUES (%L, %L, %s, %L)', 'inp', 'T-1', :'big', :'meta'));
-- A short input is still quoted whole.
SELECT mint.mint_ticket('inp', 'T-1', 'not-an-address', :'meta');
-- Nothing was written.
SELECT count(*) AS jobs FROM mint.mint_jobs WHERE tenant_id = 'inp';

-- =====================================================================
-- 5. Ticket ids refuse every Unicode control and format character
--    (general categories Cc, Cf, Zl, Zp), with 22023, in every way a
--    ticket arrives; other non-ASCII text is accepted.
-- =====================================================================
SELECT c.label, pg_temp.err(format('SELECT mint.mint_ticket(%L, %L, %L, %L)', 'inp', c.id, :'owner', :'meta')) AS answer
  FROM (VALUES
	('Cc U+0007 bell', E'X-\u0007'),
	('Cc U+007F delete', E'X-\u007f'),
	('Cc U+0085 next line (C1)', E'X-\u0085'),
	('Cc U+009F (C1, last)', E'X-\u009f'),
	('Cf U+00AD soft hyphen', E'X-\u00ad'),
	('Cf U+061C Arabic letter mark', E'X-\u061c'),
	('Cf U+200B zero width space', E'X-\u200b'),
	('Cf U+200D zero width joiner', E'X-\u200d'),
	('Cf U+202E right-to-left override', E'X-\u202e'),
	('Cf U+2066 left-to-right isolate', E'X-\u2066'),
	('Cf U+FEFF byte order mark', E'\ufeffX-1'),
	('Cf U+110BD Kaithi number sign', E'X-\U000110bd'),
	('Cf U+E0041 tag latin capital A', E'X-\U000e0041'),
	('Zl U+2028 line separator', E'X-\u2028'),
	('Zp U+2029 paragraph separator', E'X-\u2029')
  ) AS c(label, id) ORDER BY 1;
-- In a batch (the item is named) and through the trigger.
SELECT mint.mint_tickets('inp', jsonb_build_array(
	jsonb_build_object('ticket_id', 'ok-1', 'owner', :'owner', 'metadata', :'meta'::jsonb),
	jsonb_build_object('ticket_id', E'X-\u202e', 'owner', :'owner', 'metadata', :'meta'::jsonb)));
\echo :SQLSTATE
INSERT INTO inp_tickets VALUES ('inp', E'X-\u2028', :'owner', :'meta');
\echo :SQLSTATE
SELECT count(*) AS jobs FROM mint.mint_jobs WHERE tenant_id = 'inp';
-- Harmless non-ASCII ids are accepted, including neighbours of refused code
-- points: U+00A0 no-break space (Zs), U+061B Arabic semicolon (Po), U+2065
-- (unassigned, between two Cf ranges), U+1F600 (an emoji, four bytes).
SELECT ticket_id, created FROM mint.mint_tickets('inp', (SELECT jsonb_agg(jsonb_build_object(
	'ticket_id', id, 'owner', :'owner', 'metadata', :'meta'::jsonb) ORDER BY id) FROM (VALUES
	('Sitz-Ä-12'), (E'Reihe\u00a07'), (E'X-\u061b'), (E'X-\u2065'), (E'X-\U0001f600'), ('座席-12')) v(id)))
 ORDER BY 1;
INSERT INTO inp_tickets VALUES ('inp', 'Sitz-Ö-13', :'owner', :'meta');
SELECT ticket_id FROM mint.mint_jobs WHERE tenant_id = 'inp' AND ticket_id = 'Sitz-Ö-13';
-- Idempotency keys (printable ASCII) and tenant ids ([A-Za-z0-9._-]) already
-- refused every one of these characters.
SELECT split_part(pg_temp.err(format('SELECT mint.mint_ticket(%L, %L, %L, %L, %L)', 'inp', 'K-1', :'owner', :'meta', E'key-\u202e')), ' ', 1) AS key_u202e,
       split_part(pg_temp.err(format('SELECT mint.mint_ticket(%L, %L, %L, %L)', E'inp\u200b', 'K-1', :'owner', :'meta')), ' ', 1) AS tenant_u200b;

DROP TABLE inp_tickets;
DELETE FROM mint.mint_jobs WHERE tenant_id = 'inp';
DELETE FROM mint.trees WHERE tenant_id = 'inp';
