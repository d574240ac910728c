'use strict';
// The C library's Bubblegum V2 bytes, executed by the real programs: mint_v2 transactions built by
// src/solana (sol_build_mint_tx with p.v2, through src/solana/tests/v2_tool.c, compiled with the
// sanitizers) for random MetadataArgsV2, without and with an MPL Core collection carrying the
// BubblegumV2 plugin, on V2 trees of two shapes.  Each lands, and the LeafSchema V2 event that
// Bubblegum emitted through MPL Noop equals, byte for byte, the event the C code predicted.
// One-byte changes of the metadata (re-signed) are refused by the program, or land with other
// hashes and an event that the C decoder (sol_mint_v2_ix_decode) predicts exactly; the decoder
// never refuses a mint that the program accepts.  The compute units stay under the C limit.
//
// The tool is built by `make solana-v2-tool` (this test runs it when SOL_V2_TOOL is not set).

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const s = require('../lib/sol');
const h = require('./helpers');

const ROOT = path.join(__dirname, '..', '..');
const TOOL = process.env.SOL_V2_TOOL || path.join(ROOT, 'src/solana/tests/build/v2_tool');
const SEED = process.env.C_V2_SEED || crypto.randomBytes(8).toString('hex');
const TICKETS = Number(process.env.C_V2_TICKETS || 12); // per tree and collection setting

// A persistent v2_tool process: one command per line, one JSON answer per line.
function startTool() {
  const child = spawn(TOOL, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const waiting = [];
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiting.shift()(JSON.parse(line));
    }
  });
  return {
    call: (...words) => new Promise((resolve) => { waiting.push(resolve); child.stdin.write(`${words.join(' ')}\n`); }),
    stop: () => new Promise((resolve) => { child.once('exit', (code, sig) => resolve({ code, sig })); child.stdin.end(); }),
  };
}

let srv, tool, payer, trees, collections, delegate;
let ledgerSeen = 0;
const rng = (() => { let c = 0; return (n) => crypto.createHash('sha256').update(`${SEED}/r/${c++}`).digest().readUInt32LE(0) % n; })();
const seedHex = (tag) => crypto.createHash('sha256').update(`${SEED}/${tag}`).digest('hex');

test.before(async () => {
  if (!process.env.SOL_V2_TOOL) execFileSync('make', ['-s', '-C', ROOT, '-f', 'src/solana/solana.mk', 'solana-v2-tool'], { stdio: 'inherit' });
  console.log(`c_v2: seed ${SEED} (C_V2_SEED=${SEED} repeats this run)`);
  srv = await h.startServer(['--paused']);
  tool = startTool();
  payer = await h.fundedPayer(srv, 100_000_000_000);
  trees = [];
  // tree shapes: depth,buffer,canopy;... (C_V2_TREES; the first is also used by the later tests)
  const shapes = (process.env.C_V2_TREES || '14,64,0;20,256,3').split(';').map((x) => x.split(',').map(Number));
  for (const [depth, buffer, canopy] of shapes) {
    const t = await srv.control('create_tree', { payer_secret: h.secretArray(payer), max_depth: depth, max_buffer_size: buffer, canopy_depth: canopy, version: 2 });
    trees.push({ ...t, depth, buffer, canopy, minted: 0 });
  }
  // two Core collections with the BubblegumV2 plugin; the second also with royalties, a permanent
  // freeze (set: soulbound) and an update delegate
  delegate = s.generateKeypair();
  collections = [(await srv.control('create_core_collection', { payer_secret: h.secretArray(payer), name: 'Event 0' })).collection,
    (await srv.control('create_core_collection', { payer_secret: h.secretArray(payer), name: 'Event 1', royalties: { basis_points: 750 },
      permanent_freeze: true, update_delegate: delegate.address })).collection];
});
test.after(async () => {
  if (tool) assert.equal((await tool.stop()).code, 0, 'v2_tool exits cleanly (no sanitizer report)');
  if (srv) assert.equal((await srv.stop()).code, 0);
});

// the ledger entries that landed since the last call
async function newMints() {
  const l = await srv.ledger(`?offset=${ledgerSeen}&limit=1000`);
  ledgerSeen += l.mints.length;
  return l.mints;
}

// replace the blockhash of a legacy wire transaction (one signature) and re-sign it
function withBlockhash(wire, bh) {
  const b = Buffer.from(wire);
  assert.equal(b[0], 1);
  const nkeys = b[65 + 3];
  assert.ok(nkeys < 128);
  Buffer.from(bh).copy(b, 65 + 4 + 32 * nkeys);
  return b;
}
async function resign(wire) {
  const r = await srv.control('sign', { tx_base64: Buffer.from(wire).toString('base64'), secret: h.secretArray(payer) });
  return Buffer.from(r.tx_base64, 'base64');
}

const cu = [];

async function buildBase(tree, collection, tag) {
  const bh = (await h.blockhash(srv)).b58;
  const price = rng(3) === 0 ? 0 : 1 + rng(50000);
  const r = await tool.call('build', Buffer.from(payer.secret).toString('hex'), tree.tree, bh, seedHex(tag), tree.minted,
    collection ? `${collection}:${collection === collections[1] ? 3 : 0}` : '-', tree.depth, tree.buffer, tree.canopy, price);
  assert.ok(r.ok, r.error);
  return r;
}

async function landOne(tree, collection, tag) {
  const b = await buildBase(tree, collection, tag);
  const sig = await h.send(srv, Buffer.from(b.tx_base64, 'base64'));
  await srv.advance(1);
  const [m] = (await newMints()).filter((x) => x.signature === sig);
  assert.ok(m, `${tag}: landed`);
  assert.equal(m.status, 'ok', `${tag}: ${JSON.stringify(m.err)}`);
  assert.equal(m.instruction, 'mint_v2');
  assert.equal(m.event.program, 'mnoopTCrg4p8ry25e4bcWA9XZjbNjMTfgYVGGEdRsf3');
  assert.equal(m.event.schema, 'V2');
  assert.equal(m.event.nonce, tree.minted, `${tag}: leaf index`);
  assert.equal(m.event.hex, b.event_hex, `${tag}: the emitted event is the predicted one, byte for byte`);
  assert.equal(m.asset_id, b.asset_id);
  assert.equal(m.event.leaf_hash, b.leaf_hash);
  assert.equal(m.collection ?? null, collection ?? null);
  assert.equal(m.name, b.metadata.name);
  assert.equal(m.uri, b.metadata.uri);
  assert.equal(m.cu_limit, b.cu_limit);
  assert.ok(m.compute_units <= b.cu_limit, `${tag}: ${m.compute_units} units within the C limit ${b.cu_limit}`);
  // the C decoder reads the event the program emitted
  const ev = await tool.call('event', m.event.hex);
  assert.ok(ev.ok, ev.error);
  assert.equal(ev.asset_id, b.asset_id);
  assert.equal(ev.nonce, tree.minted);
  cu.push({ depth: tree.depth, canopy: tree.canopy, collection: !!collection, collectionAddr: collection, creators: b.metadata.creators.length,
    verified: b.metadata.creators.filter((c) => c.verified).length, nonce: tree.minted, units: m.compute_units, model: b.cu_model, price: m.cu_price,
    asset_bump: b.asset_id_bump, tc_bump: b.tree_config_bump, data_len: b.data_len });
  tree.minted++;
  return { b, m, sig };
}

test('mint_v2 built by the C code, random metadata, no collection and Core collections: the emitted V2 event is the predicted one', async () => {
  let n = 0;
  for (const tree of trees) {
    for (let i = 0; i < 2 * TICKETS; i++) {
      // both kinds at odd and even leaf indexes (the append's cost depends on them)
      const core = (i + rng(2)) % 2 === 1;
      await landOne(tree, core ? collections[i % 2] : null, `t${tree.depth}/${core ? 'core' : 'plain'}/${i}`);
      n++;
    }
  }
  // the Core collections count their members (MPL Core's num_minted / current_size)
  const acc = await srv.rpc('getAccountInfo', [collections[0], { encoding: 'base64' }]);
  assert.equal(acc.value.owner, 'CoREENxT6tW1HoK8ypY1SxRMZTcVPm7R94rH4PZNhX7d');
  // the C decoder of Core collections reads what MPL Core wrote: the mints counted, the plugins
  const dump = {};
  for (const [i, c] of collections.entries()) {
    const a = await srv.rpc('getAccountInfo', [c, { encoding: 'base64' }]);
    const minted = cu.filter((x) => x.collectionAddr === c).length;
    const d = await tool.call('core', a.value.data[0], payer.address);
    assert.ok(d.ok, d.error);
    assert.equal(d.update_authority, payer.address);
    assert.equal(d.num_minted, minted, `collection ${i}: num_minted = the mints into it`);
    assert.equal(d.current_size, minted);
    assert.equal(d.bubblegum_v2, true);
    assert.equal(d.can_mint, true, 'the payer (update authority) may mint into it');
    assert.equal((await tool.call('core', a.value.data[0], delegate.address)).can_mint, i === 1, 'the update delegate may, where it is one');
    assert.equal((await tool.call('core', a.value.data[0], s.generateKeypair().address)).can_mint, false);
    assert.deepEqual([d.plugins, d.royalty_basis_points, d.permanently_frozen, d.update_delegate],
      i === 0 ? [1, null, null, null] : [4, 750, true, delegate.address]);
    dump[c] = { data_base64: a.value.data[0], minted };
  }
  if (process.env.C_V2_CORE_DUMP) require('node:fs').writeFileSync(process.env.C_V2_CORE_DUMP, `${JSON.stringify({ about: 'MPL Core collection accounts written by the real MPL Core program in svm/ (CreateCollectionV2 with the BubblegumV2 plugin; the second with Royalties, PermanentFreezeDelegate and UpdateDelegate), after mint_v2 mints into them (svm/test/c_v2.test.js with C_V2_CORE_DUMP)', seed: SEED, delegate: delegate.address, collections: dump }, null, 1)}\n`);
  // the worker's readers of a V2 tree (owned by MPL Account Compression) and its TreeConfig
  for (const t of trees) {
    const acc = await srv.rpc('getAccountInfo', [t.tree, { encoding: 'base64' }]);
    assert.equal(acc.value.owner, 'mcmt6YrQEMKw8Mw43FmpRLmf7BqRnFMKmAcbxE3xkAW');
    const file = path.join(require('node:os').tmpdir(), `c_v2_${process.pid}_tree.json`);
    delete acc.value.rentEpoch; // u64::MAX: the worker's RPC client clamps it (sol_rpc), jansson alone refuses it
    require('node:fs').writeFileSync(file, JSON.stringify(acc));
    const cfgAcc = await srv.rpc('getAccountInfo', [t.tree_config, { encoding: 'base64' }]);
    const r = await tool.call('tree', file, cfgAcc.value.data[0]);
    require('node:fs').rmSync(file);
    assert.ok(r.ok, r.error);
    assert.deepEqual([r.depth, r.buffer, r.canopy, r.size], [t.depth, t.buffer, t.canopy, t.space]);
    assert.deepEqual([r.version, r.num_minted, r.capacity], [1, t.minted, 2 ** t.depth]);
  }
  const tc = await srv.rpc('getAccountInfo', [trees[0].tree_config, { encoding: 'base64' }]);
  const cfg = Buffer.from(tc.value.data[0], 'base64');
  assert.equal(Number(cfg.readBigUInt64LE(80)), trees[0].minted, 'TreeConfig num_minted');
  assert.equal(cfg[90], 1, 'TreeConfig version V2');
  // sol_mint_compute_units is the cost at the cheapest leaf: add what the leaf index (z trailing
  // zero bits: 240 z + 91 z^2; leaf 0: 3,400 + 545 depth) and the asset id's bump search (1,500
  // a try) cost, as sol_budget.c models them; the rest must be small
  const leafCost = (nonce, depth) => {
    if (nonce === 0) return 3400 + 545 * depth;
    let z = 0;
    for (let x = nonce; x % 2 === 0; x /= 2) z++;
    return 240 * z + 91 * z * z;
  };
  const resid = cu.map((c) => c.units - c.model - leafCost(c.nonce, c.depth) - 1500 * (255 - c.asset_bump));
  console.log(`c_v2: ${n} C-built mint_v2 landed, events equal; units - (model + leaf + asset id bumps): min ${Math.min(...resid)} max ${Math.max(...resid)}`);
  for (let i = 0; i < cu.length; i++) {
    assert.ok(resid[i] >= -3500 && resid[i] <= 2000, `the V2 compute-unit model is off by ${resid[i]} for ${JSON.stringify(cu[i])}`);
  }
  for (const kind of [false, true]) {
    for (const depth of trees.map((t) => t.depth)) {
      const xs = cu.filter((c) => c.collection === kind && c.depth === depth).map((c) => c.units);
      console.log(`c_v2: mint_v2 ${kind ? 'into a Core collection' : 'no collection'}, depth ${depth}: ${Math.min(...xs)} - ${Math.max(...xs)} units (${xs.length} mints)`);
    }
  }
  if (process.env.C_V2_CU_DUMP) require('node:fs').writeFileSync(process.env.C_V2_CU_DUMP, JSON.stringify(cu));
});

test('the C code reads the event from real getTransaction results (json), and the base64 transaction predicts it', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const out = { about: 'mint_v2 transactions built by src/solana and executed by the real programs in svm/ (LiteSVM); getTransaction results as the cluster returned them (svm/test/c_v2.test.js with C_V2_TX_DUMP)', seed: SEED };
  for (const [kind, coll] of [['plain', null], ['core', collections[0]]]) {
    const { b, m, sig } = await landOne(trees[0], coll, `gettx/${kind}`);
    await srv.advance(1); // confirmed
    const json = await srv.rpcRaw('getTransaction', [sig, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 }]);
    const b64 = await srv.rpc('getTransaction', [sig, { commitment: 'confirmed', encoding: 'base64', maxSupportedTransactionVersion: 0 }]);
    assert.ok(json.result && json.result.meta.err === null);
    const meta = json.result.meta;
    assert.equal(meta.preBalances[0] - meta.postBalances[0] - meta.fee, b.protocol_fee, 'the protocol fee of the C constant');
    if (coll) {
      // under the Bubblegum instruction, the Core CPI comes before the event
      const msg = json.result.transaction.message;
      const grp = json.result.meta.innerInstructions.find((g) => msg.accountKeys[msg.instructions[g.index].programIdIndex] === 'BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY');
      const progs = grp.instructions.map((ix) => msg.accountKeys[ix.programIdIndex]);
      assert.equal(progs[0], 'CoREENxT6tW1HoK8ypY1SxRMZTcVPm7R94rH4PZNhX7d', progs.join(' '));
      assert.equal(progs[1], 'mnoopTCrg4p8ry25e4bcWA9XZjbNjMTfgYVGGEdRsf3');
    }
    const file = path.join(os.tmpdir(), `c_v2_${process.pid}_${kind}.json`);
    fs.writeFileSync(file, JSON.stringify(json));
    const r = await tool.call('txjson', file);
    fs.rmSync(file);
    assert.ok(r.ok, r.error);
    assert.equal(r.schema_version, 2);
    assert.equal(r.event_hex, m.event.hex);
    assert.equal(r.event_hex, b.event_hex);
    const p = await tool.call('predict', b64.transaction[0], m.event.nonce);
    assert.equal(p.event_hex, m.event.hex);
    out[kind] = { nonce: m.event.nonce, event_hex: m.event.hex, get_transaction_json: json, transaction_base64: b64.transaction[0] };
  }
  if (process.env.C_V2_TX_DUMP) fs.writeFileSync(process.env.C_V2_TX_DUMP, `${JSON.stringify(out, null, 1)}\n`);
});

async function mutations(tree, collection, tag, positions) {
  const base = await landOne(tree, collection, tag);
  const wire = Buffer.from(base.b.tx_base64, 'base64');
  const off = base.b.data_offset + 8; // the metadata, after the discriminator
  const end = base.b.data_offset + base.b.data_len; // asset_data and its schema included
  const all = [];
  for (let p = off; p < end; p++) all.push(p);
  const chosen = positions === 'all' ? all : Array.from({ length: positions }, () => all[rng(all.length)]);
  const bh = s.b58decode((await h.blockhash(srv)).b58);
  const sent = [];
  let refused = 0;
  let cRefused = 0;
  for (const p of chosen) {
    const m = withBlockhash(wire, bh);
    m[p] = (m[p] + 1 + rng(255)) & 0xff;
    const signed = await resign(m);
    const b64 = signed.toString('base64');
    const pred = await tool.call('predict', b64, 0);
    const j = await srv.rpcRaw('sendTransaction', [b64, { encoding: 'base64', preflightCommitment: 'confirmed' }]);
    if (j.error) {
      refused++;
      if (!pred.ok) cRefused++;
      continue;
    }
    assert.ok(pred.ok, `${tag}: byte ${p - off} changed: the program accepts what the C decoder refuses (${pred.error})`);
    sent.push({ sig: j.result, b64, p });
  }
  await srv.advance(1);
  const landed = await newMints();
  for (const x of sent) {
    const m = landed.find((e) => e.signature === x.sig);
    assert.ok(m && m.status === 'ok', `${tag}: mutated byte ${x.p - off} passed preflight and landed`);
    assert.equal(m.event.nonce, tree.minted, 'leaf indexes in sending order');
    const pred = await tool.call('predict', x.b64, tree.minted);
    assert.equal(m.event.hex, pred.event_hex, `${tag}: byte ${x.p - off}: the event is what the C decoder predicts`);
    assert.notDeepEqual([m.event.data_hash, m.event.creator_hash, m.event.collection_hash],
      [base.m.event.data_hash, base.m.event.creator_hash, base.m.event.collection_hash], `${tag}: byte ${x.p - off}: the leaf changed`);
    tree.minted++;
  }
  console.log(`c_v2: ${tag}: ${chosen.length} one-byte changes of the mint_v2 data: ${refused} refused by the program (${cRefused} of them by the C decoder too), ${sent.length} landed with another leaf, each event as the C decoder predicted`);
  return { refused, landed: sent.length };
}

test('one-byte changes of the metadata are refused or change the leaf (every byte of two mints, random bytes of others)', async () => {
  let refused = 0;
  let landed = 0;
  for (const [tree, coll, tag, pos] of [[trees[0], null, 'sweep/plain', 'all'], [trees[0], collections[0], 'sweep/core', 'all'],
    [trees.at(-1), null, 'rand/plain', 40], [trees.at(-1), collections[1], 'rand/core', 40]]) {
    const r = await mutations(tree, coll, tag, pos);
    refused += r.refused;
    landed += r.landed;
  }
  assert.ok(refused > 0 && landed > 0, 'both outcomes occur');
});
