'use strict';
// Bubblegum V2: create_tree_v2 (MPL Account Compression) and mint_v2, without a collection and
// into an MPL Core collection with the BubblegumV2 plugin; V1/V2 instructions on the wrong tree.

const test = require('node:test');
const assert = require('node:assert/strict');
const s = require('../lib/sol');
const bg = require('../lib/bubblegum');
const h = require('./helpers');
const { keccak256 } = require('./keccak');

let srv, payer, tree2, tree2Info, tree1;
test.before(async () => {
  srv = await h.startServer(['--paused']);
  payer = await h.fundedPayer(srv);
  tree2Info = await srv.control('create_tree', { payer_secret: h.secretArray(payer), max_depth: 14, max_buffer_size: 64, canopy_depth: 0, version: 2 });
  tree2 = s.pk(tree2Info.tree);
  tree1 = s.pk((await srv.control('create_tree', { payer_secret: h.secretArray(payer), max_depth: 14, max_buffer_size: 64, version: 1 })).tree);
});
test.after(async () => { assert.equal((await srv.stop()).code, 0); });

const md2 = (i, collection = null) => ({ name: `V2 #${i}`, symbol: 'TIX', uri: `https://tickets.example/v2/${i}.json`, sellerFeeBasisPoints: 0,
  primarySaleHappened: false, isMutable: true, tokenStandard: 0, creators: [{ address: payer.pub, verified: false, share: 100 }], collection });

test('create_tree_v2 makes a tree owned by MPL Account Compression with a V2 TreeConfig', async () => {
  const acc = await srv.rpc('getAccountInfo', [tree2Info.tree, { encoding: 'base64' }]);
  assert.equal(acc.value.owner, bg.IDS.mplCompression);
  const tc = await srv.rpc('getAccountInfo', [tree2Info.tree_config, { encoding: 'base64' }]);
  const d = bg.decodeTreeConfig(Buffer.from(tc.value.data[0], 'base64'));
  assert.equal(d.version, 2);
  assert.equal(d.num_minted, 0);
  assert.ok(tree2Info.compute_units > 50000, `${tree2Info.compute_units}`);
});

test('mint_v2 lands; its V2 LeafSchema event (MPL Noop) carries collection/asset-data hashes and flags', async () => {
  const bh = (await h.blockhash(srv)).bytes;
  const sigs = [];
  for (let i = 0; i < 3; i++) {
    const ix = bg.mintV2Ix({ tree: tree2, owner: payer.pub, payer: payer.pub, metadata: md2(i) });
    sigs.push(await h.send(srv, s.buildTransaction(payer, [ix], bh)));
  }
  await srv.advance(2);
  const led = await srv.ledger();
  for (let i = 0; i < 3; i++) {
    const e = led.mints.find((m) => m.signature === sigs[i]);
    assert.equal(e.instruction, 'mint_v2');
    assert.equal(e.status, 'ok');
    assert.equal(e.uri, `https://tickets.example/v2/${i}.json`);
    assert.equal(e.event.program, bg.IDS.mplNoop);
    assert.equal(e.event.schema, 'V2');
    assert.equal(e.event.event_version, 'V2');
    assert.equal(e.event.nonce, i);
    assert.equal(e.event.id, s.b58encode(bg.assetIdPda(tree2, i)));
    assert.equal(e.event.flags, 0);
    assert.equal(e.event.asset_data_hash, s.hex(keccak256(new Uint8Array(0))), 'no asset data: keccak of nothing');
    assert.equal(e.event.collection_hash, s.hex(keccak256(new Uint8Array(32))), 'no collection: keccak of the default pubkey');
    assert.equal(e.event.creator_hash, s.hex(keccak256(payer.pub, Uint8Array.of(0, 100))));
  }
  const r = await srv.rpc('getTransaction', [sigs[0], { commitment: 'confirmed' }]);
  const spent = r.meta.preBalances[0] - r.meta.postBalances[0];
  console.log(`mint_v2: ${r.meta.computeUnitsConsumed} CU, payer paid ${spent} lamports (fee ${r.meta.fee})`);
  assert.ok(spent > r.meta.fee, 'V2 charges the payer more than the transaction fee (protocol fee)');
  assert.equal(spent - r.meta.fee, 90000);
  const grp = r.meta.innerInstructions.find((g) => g.index === 0);
  assert.equal(r.transaction.message.accountKeys[grp.instructions[0].programIdIndex], bg.IDS.mplNoop);
  assert.equal(s.b58decode(grp.instructions[0].data).length, 274);
});

test('mint_v2 into an MPL Core collection with the BubblegumV2 plugin', async () => {
  const c = await srv.control('create_core_collection', { payer_secret: h.secretArray(payer) });
  const acc = await srv.rpc('getAccountInfo', [c.collection, { encoding: 'base64' }]);
  assert.equal(acc.value.owner, bg.IDS.mplCore);
  const coll = s.pk(c.collection);
  const bh = (await h.blockhash(srv)).bytes;
  const ix = bg.mintV2Ix({ tree: tree2, owner: payer.pub, payer: payer.pub, coreCollection: coll, metadata: md2('c', coll) });
  const sig = await h.send(srv, s.buildTransaction(payer, [ix], bh));
  await srv.advance(2);
  const e = (await srv.ledger()).mints.find((m) => m.signature === sig);
  assert.equal(e.status, 'ok', JSON.stringify(e.err));
  assert.equal(e.collection, c.collection);
  assert.equal(e.event.collection_hash, s.hex(keccak256(coll)));
  const r = await srv.rpc('getTransaction', [sig, { commitment: 'confirmed' }]);
  console.log(`mint_v2 into a Core collection: ${r.meta.computeUnitsConsumed} CU; create_core_collection ${c.compute_units} CU`);
  // the collection counts its members
  const after = await srv.rpc('getAccountInfo', [c.collection, { encoding: 'base64' }]);
  assert.notDeepEqual(after.value.data, acc.value.data);
  // a collection without the plugin is refused
  const bare = s.generateKeypair();
  const str = (x) => s.concat([s.u32le(Buffer.byteLength(x)), Buffer.from(x)]);
  const mk = s.buildTransaction(payer, [{ programId: bg.K.mplCore, keys: [bg.sw(bare.pub), bg.ro(payer.pub), bg.sw(payer.pub), bg.ro(bg.K.system)],
    data: s.concat([Uint8Array.of(21), str('bare'), str('https://x'), Uint8Array.of(0), Uint8Array.of(0)]) }], bh, [bare]);
  await h.send(srv, mk);
  await srv.advance(1);
  const bh2 = (await h.blockhash(srv, 'processed')).bytes;
  const bad = s.buildTransaction(payer, [bg.mintV2Ix({ tree: tree2, owner: payer.pub, payer: payer.pub, coreCollection: bare.pub, metadata: md2('bare', bare.pub) })], bh2);
  const err = await h.sendError(srv, bad, { preflightCommitment: 'processed' });
  assert.equal(err.code, -32002);
  assert.ok(err.data.err.InstructionError, JSON.stringify(err.data));
});

test('V1 instructions only on V1 trees, V2 only on V2 trees', async () => {
  const bh = (await h.blockhash(srv)).bytes;
  const e1 = await h.sendError(srv, h.mintV1Tx({ payer, tree: tree2, owner: payer.pub, metadata: h.ticketMetadata('v1-on-v2', []), bh }));
  assert.equal(e1.code, -32002);
  assert.deepEqual(e1.data.err, { InstructionError: [0, { Custom: 6003 }] }); // UnsupportedSchemaVersion
  const e2 = await h.sendError(srv, s.buildTransaction(payer, [bg.mintV2Ix({ tree: tree1, owner: payer.pub, payer: payer.pub, metadata: md2('v2-on-v1') })], bh));
  assert.equal(e2.code, -32002);
  assert.deepEqual(e2.data.err, { InstructionError: [0, { Custom: 6003 }] });
  assert.ok(e1.data.logs.some((l) => l.includes('UnsupportedSchemaVersion')), e1.data.logs.join('\n'));
  console.log(`mint_v1 on a V2 tree: ${JSON.stringify(e1.data.err)}; mint_v2 on a V1 tree: ${JSON.stringify(e2.data.err)}`);
});

test('the 0.12.x binary (--bubblegum v1) has no V2 instructions', async () => {
  const old = await h.startServer(['--paused', '--bubblegum', 'v1']);
  try {
    const p = await h.fundedPayer(old);
    const r = await old.http('POST', '/control/create_tree', JSON.stringify({ payer_secret: h.secretArray(p), max_depth: 5, max_buffer_size: 8, version: 2 }));
    assert.equal(r.status, 400);
    assert.deepEqual(r.json().err, { InstructionError: [2, { Custom: 101 }] }, r.text); // InstructionFallbackNotFound
    const ok = await old.control('create_tree', { payer_secret: h.secretArray(p), max_depth: 5, max_buffer_size: 8, version: 1 });
    assert.ok(ok.tree);
  } finally {
    assert.equal((await old.stop()).code, 0);
  }
});
