-- mint.enqueue_mint(): a row trigger on the application's own tickets table.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT mint.register_tree('trig', '9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu');

CREATE TABLE tickets (
  id        text PRIMARY KEY,
  tenant    text NOT NULL,
  wallet    text,
  nft_meta  jsonb,
  note      text
);
CREATE TRIGGER tickets_mint AFTER INSERT OR UPDATE OF wallet, nft_meta ON tickets
  FOR EACH ROW EXECUTE FUNCTION mint.enqueue_mint('tenant', 'id', 'wallet', 'nft_meta');

INSERT INTO tickets VALUES
  ('K-1', 'trig', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse', '{"name":"K1","uri":"https://x/1"}'),
  ('K-2', 'trig', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse', '{"name":"K2","uri":"https://x/2"}');
SELECT job_id, status, owner FROM mint.mint_jobs WHERE tenant_id = 'trig' ORDER BY 1;

-- A bad row fails the application's INSERT: neither the ticket nor a job exists.
INSERT INTO tickets VALUES ('K-3', 'trig', 'nope', '{"name":"K3","uri":"https://x/3"}');
\echo :SQLSTATE
INSERT INTO tickets VALUES ('K-3', 'trig', NULL, '{"name":"K3","uri":"https://x/3"}');
\echo :SQLSTATE
SELECT (SELECT count(*) FROM tickets WHERE id = 'K-3') AS tickets, (SELECT count(*) FROM mint.mint_jobs WHERE ticket_id = 'K-3') AS jobs;

-- The same row inserted again (after a delete) is the same job (QJ2).
DELETE FROM tickets WHERE id = 'K-1';
INSERT INTO tickets VALUES ('K-1', 'trig', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse', '{"name":"K1","uri":"https://x/1"}');
SELECT count(*) AS k1_jobs FROM mint.mint_jobs WHERE ticket_id = 'K-1';

-- An update of the owner before anything was signed updates the job.
UPDATE tickets SET wallet = 'AKkzLhjhyFtM9j7WAhbaqYpFe49cXeJBg2kzLRC2PnNa' WHERE id = 'K-2';
SELECT owner FROM mint.mint_jobs WHERE ticket_id = 'K-2';
-- Columns the trigger does not watch leave the job alone.
UPDATE tickets SET note = 'vip' WHERE id = 'K-2';

-- Misconfigured triggers say what is wrong.
CREATE TABLE t2 (a text, b text, c text, d text);
CREATE TRIGGER bad_args AFTER INSERT ON t2 FOR EACH ROW EXECUTE FUNCTION mint.enqueue_mint('a', 'b');
INSERT INTO t2 VALUES ('trig', 'x', 'y', 'z');
\echo :SQLSTATE
DROP TRIGGER bad_args ON t2;
CREATE TRIGGER bad_col AFTER INSERT ON t2 FOR EACH ROW EXECUTE FUNCTION mint.enqueue_mint('a', 'b', 'c', 'nope');
INSERT INTO t2 VALUES ('trig', 'x', 'y', 'z');
\echo :SQLSTATE
DROP TRIGGER bad_col ON t2;
CREATE TRIGGER per_stmt AFTER INSERT ON t2 FOR EACH STATEMENT EXECUTE FUNCTION mint.enqueue_mint('a', 'b', 'c', 'd');
INSERT INTO t2 VALUES ('trig', 'x', 'y', 'z');
\echo :SQLSTATE
DROP TRIGGER per_stmt ON t2;
-- metadata in a text column works too
CREATE TRIGGER text_meta AFTER INSERT ON t2 FOR EACH ROW EXECUTE FUNCTION mint.enqueue_mint('a', 'b', 'c', 'd');
INSERT INTO t2 VALUES ('trig', 'K-text', 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse', '{"name":"T","uri":"https://x/t"}');
SELECT job_id, metadata FROM mint.mint_jobs WHERE ticket_id = 'K-text';
SELECT mint.enqueue_mint();
\echo :SQLSTATE
DROP TABLE t2;
