-- Tree pools (src/api/trees.sql, mint._claim): several active trees per
-- tenant, each dealt no more jobs than its room (capacity - minted -
-- reserved), round-robin; a job no tree has room for stays queued and says
-- why; the counters follow the jobs.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set owner 'GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse'
\set a 'BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY'
\set b 'CoREENxT6tW1HoK8ypY1SxRMZTcVPm7R94rH4PZNhX7d'
\set c 'DoNotUseThisAddressForAnythingReaLLLyXXXXXX1'
-- claims are global: keep the other tests' queued jobs out of the way
UPDATE mint.mint_jobs SET next_attempt_at = now() + interval '1 day' WHERE status = 'queued';
SELECT mint.register_tree('pool', :'a');
SELECT mint.add_tree('pool', :'b');
-- a pool shares one collection
SELECT mint.add_tree('pool', :'c', :'a');
SELECT mint.add_tree('pool', 'not-an-address');
SELECT mint.add_tree(NULL, :'c');
SELECT count(*) FROM mint.mint_tickets('pool', (SELECT jsonb_agg(jsonb_build_object('ticket_id', 'P-' || i,
  'owner', :'owner', 'metadata', jsonb_build_object('name', 'P' || i, 'uri', 'https://x/' || i)))
  FROM generate_series(1, 10) i));

-- trees the worker has not read take no job: the jobs say so
SELECT count(*) AS claimed FROM mint._claim(10, 60000, NULL);
SELECT ticket_id, status, last_error_class, last_error_code, last_error_message
  FROM mint.mint_jobs WHERE tenant_id = 'pool' AND ticket_id IN ('P-1', 'P-10') ORDER BY 1;

-- a tree the worker found a problem with: its jobs say what it found
SELECT mint._tree_facts(:'b', NULL, NULL, NULL, NULL, NULL, NULL, false, 'tree_not_found',
  'merkle tree ' || :'b' || ' does not exist on the cluster');
UPDATE mint.mint_jobs SET next_attempt_at = now() WHERE tenant_id = 'pool';
SELECT count(*) AS claimed FROM mint._claim(10, 60000, NULL);
SELECT DISTINCT last_error_code, last_error_message FROM mint.mint_jobs WHERE tenant_id = 'pool';

-- read: a has room for 3, b for 4 (capacity 8, 4 used)
SELECT mint._tree_facts(:'a', 8, 5, 1::smallint, 3, 8, 0, false, NULL, NULL);
SELECT mint._tree_facts(:'b', 8, 4, 1::smallint, 3, 8, 0, false, NULL, NULL);
UPDATE mint.mint_jobs SET next_attempt_at = now() WHERE tenant_id = 'pool';
SELECT count(*) AS claimed FROM mint._claim(10, 60000, NULL);
-- dealt round-robin, within each tree's room
SELECT merkle_tree = :'a' AS tree_a, count(*) FROM mint.mint_jobs
 WHERE tenant_id = 'pool' AND status = 'in_flight' GROUP BY 1 ORDER BY 1;
SELECT ticket_id, merkle_tree = :'a' AS tree_a FROM mint.mint_jobs
 WHERE tenant_id = 'pool' AND status = 'in_flight' ORDER BY ticket_id LIMIT 4;
SELECT merkle_tree = :'a' AS tree_a, capacity, minted, reserved FROM mint.trees WHERE tenant_id = 'pool' ORDER BY 1;
SELECT count(*) AS waiting_no_room FROM mint.mint_jobs
 WHERE tenant_id = 'pool' AND status = 'queued' AND last_error_code = 'no_tree_capacity';

-- the counters follow the jobs: a confirmation uses a leaf (minted = nonce + 1),
-- a requeue frees the place, a failure too
UPDATE mint.mint_jobs SET status = 'confirmed', signature = 's-' || ticket_id, confirmed_at = now(),
       leaf_nonce = 6, lease_until = NULL
 WHERE tenant_id = 'pool' AND ticket_id = (SELECT min(ticket_id) FROM mint.mint_jobs
                                            WHERE tenant_id = 'pool' AND status = 'in_flight' AND merkle_tree = :'b');
UPDATE mint.mint_jobs SET status = 'queued', lease_until = NULL
 WHERE tenant_id = 'pool' AND ticket_id = (SELECT min(ticket_id) FROM mint.mint_jobs
                                            WHERE tenant_id = 'pool' AND status = 'in_flight' AND merkle_tree = :'a');
UPDATE mint.mint_jobs SET status = 'failed', lease_until = NULL
 WHERE tenant_id = 'pool' AND ticket_id = (SELECT max(ticket_id) FROM mint.mint_jobs
                                            WHERE tenant_id = 'pool' AND status = 'in_flight' AND merkle_tree = :'a');
SELECT merkle_tree = :'a' AS tree_a, minted, reserved,
       reserved = (SELECT count(*) FROM mint.mint_jobs j WHERE j.tenant_id = t.tenant_id
                    AND j.merkle_tree = t.merkle_tree AND j.status IN ('in_flight', 'submitted')) AS agrees
  FROM mint.trees t WHERE tenant_id = 'pool' ORDER BY 1;

-- the chain's count never goes back; a capacity refusal marks the tree full
SELECT mint._tree_facts(:'b', 8, 2, 1::smallint, 3, 8, 0, false, NULL, NULL);
SELECT mint._tree_facts(:'a', 8, 5, 1::smallint, 3, 8, 0, true, NULL, NULL);
SELECT merkle_tree = :'a' AS tree_a, capacity, minted FROM mint.trees WHERE tenant_id = 'pool' ORDER BY 1;

-- the counters are the worker's: changing them drops no backend's tree cache
-- (the trigger fires only for the columns the API reads)
SELECT tgname, pg_get_triggerdef(oid) LIKE '%UPDATE OF tenant_id, merkle_tree, collection_mint, active, state%' AS column_list
  FROM pg_trigger WHERE tgrelid = 'mint.trees'::regclass AND NOT tgisinternal;

-- what a tree costs before anything is spent; shapes the programs refuse
SELECT * FROM mint.tree_cost(14, 64);
SELECT capacity, account_bytes FROM mint.tree_cost(30, 2048, 13);
SELECT * FROM mint.tree_cost(14, 128);
SELECT * FROM mint.tree_cost(6, 16);
SELECT * FROM mint.tree_cost(20, 64, 2);
SELECT * FROM mint.tree_cost(14, 64, 14);
SELECT * FROM mint.tree_cost(30, 2048, 18);
-- a Bubblegum V2 tree: the same accounts; each mint_v2 also pays the protocol fee
SELECT fee, total, mint_fee, mint_protocol_fee FROM mint.tree_cost(14, 64, 0, 2);
SELECT * FROM mint.tree_cost(14, 64, 0, 3);
-- creating one needs the worker's key (its address follows from it); bad input writes nothing
SELECT mint.create_tree('pool', 14, 64);
SELECT mint.create_tree('bad tenant', 14, 64);
SELECT mint.create_tree('pool', 14, 128);
SELECT mint.create_tree('pool', NULL, 64);
SELECT mint.create_tree('pool', 14, 64, version => 3);
-- a new Core collection: with a V2 tree only, settings checked before anything is written
SELECT mint.create_tree('pool', 14, 64, new_collection => '{"name": "c", "uri": "https://c.example/"}');
SELECT mint.create_tree('pool', 14, 64, collection_mint => '11111111111111111111111111111111', version => 2, new_collection => '{"name": "c", "uri": "https://c.example/"}');
SELECT mint.create_tree('pool', 14, 64, version => 2, new_collection => '[1]');
SELECT mint.create_tree('pool', 14, 64, version => 2, new_collection => '{"name": "c", "uri": "https://c.example/", "symbol": "X"}');
SELECT mint.create_tree('pool', 14, 64, version => 2, new_collection => '{"name": "a name well over thirty-two bytes long", "uri": "https://c.example/"}');
SELECT mint.create_tree('pool', 14, 64, version => 2, new_collection => '{"name": "c"}');
SELECT mint.create_tree('pool', 14, 64, version => 2, new_collection => '{"name": "c", "uri": "https://c.example/", "royalty_basis_points": 10001}');
SELECT mint.create_tree('pool', 14, 64, version => 2, new_collection => '{"name": "c", "uri": "https://c.example/", "royalty_basis_points": 1.5}');
SELECT mint.create_tree('pool', 14, 64, version => 2, new_collection => '{"name": "c", "uri": "https://c.example/", "royalty_recipient": "nope"}');
SELECT mint.create_tree('pool', 14, 64, version => 2, new_collection => '{"name": "c", "uri": "https://c.example/", "permanent_freeze": "yes"}');
SELECT mint.create_tree('pool', 14, 64, version => 2, new_collection => '{"name": "c", "uri": "https://c.example/", "freeze_authority": 5}');
SELECT mint.set_tree_policy('pool', 14, 64, max_spend => 1, version => 0);
SELECT count(*) FROM mint.trees WHERE tenant_id IN ('pool', 'bad tenant');

DELETE FROM mint.mint_jobs WHERE tenant_id = 'pool';
DELETE FROM mint.trees WHERE tenant_id = 'pool';
UPDATE mint.mint_jobs SET next_attempt_at = now() WHERE status = 'queued';
