-- DL2: the API's advisory locks live in a namespace of the extension's own.
\set SHOW_CONTEXT never
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
\set meta '{"name":"L","uri":"https://example.com/l.json"}'
SELECT mint.register_tree('lock', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
BEGIN;
SELECT created FROM mint.mint_ticket('lock', 'L-1', :'owner', :'meta', 'lock-key');
-- transaction-scoped: one per-ticket lock ('MT' = 19796) and one key lock ('MK' = 19787)
SELECT locktype, objsubid, mode, granted FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY objsubid;
-- PostgreSQL's own advisory functions use objsubid 1 and 2 only: another
-- session taking an application lock on the very same numbers is not blocked.
SELECT classid::bigint AS c, objid::bigint AS o FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid = 19796 \gset
CREATE EXTENSION dblink;
SELECT dblink_connect('app', 'dbname=' || current_database());
SELECT * FROM dblink('app', format('SELECT pg_try_advisory_lock(%s, %s), pg_try_advisory_lock(%s)',
    ((:c + 2147483648) % 4294967296 - 2147483648)::int,
    ((:o + 2147483648) % 4294967296 - 2147483648)::int,
    (:c << 32) | :o)) AS t(app_int_lock_free boolean, app_bigint_lock_free boolean);
-- while the ticket's own lock, taken by the API in that session, is busy
SELECT dblink_exec('app', 'SET mint.lock_timeout = ''100ms''');
SELECT * FROM dblink('app', $$SELECT created FROM mint.mint_ticket('lock', 'L-1',
  'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse', '{"name":"L","uri":"https://example.com/l.json"}')$$,
  false) AS t(created boolean);
SELECT dblink_error_message('app');
SELECT dblink_disconnect('app');
DROP EXTENSION dblink;
COMMIT;
-- DL4: released at commit.
SELECT count(*) AS advisory_locks_left FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
