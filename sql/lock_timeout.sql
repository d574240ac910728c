-- DL3: waiting for another transaction on the same ticket is bounded by
\set SHOW_CONTEXT never
-- mint.lock_timeout, and ends in a clear error (55P03), not a hang.
CREATE EXTENSION dblink;
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
\set meta '{"name":"W","uri":"https://example.com/w.json"}'
SELECT mint.register_tree('wait', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');
-- another session enqueues W-1 and keeps its transaction open
SELECT dblink_connect('other', 'dbname=' || current_database());
SELECT dblink_exec('other', 'BEGIN');
SELECT * FROM dblink('other', $$SELECT created FROM mint.mint_ticket('wait', 'W-1',
  'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse', '{"name":"W","uri":"https://example.com/w.json"}')$$) AS t(created boolean);
SET mint.lock_timeout = '200ms';
SELECT mint.mint_ticket('wait', 'W-1', :'owner', :'meta');
\echo :SQLSTATE
-- the caller's own lock_timeout is untouched by the bounded wait
SHOW lock_timeout;
-- another ticket is not blocked at all
SELECT created FROM mint.mint_ticket('wait', 'W-2', :'owner', :'meta');
SELECT dblink_exec('other', 'COMMIT');
SELECT dblink_disconnect('other');
-- after the other session committed, the same call finds its job
SELECT created FROM mint.mint_ticket('wait', 'W-1', :'owner', :'meta');
RESET mint.lock_timeout;
DROP EXTENSION dblink;
