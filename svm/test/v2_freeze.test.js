'use strict';
// Soulbound tickets with Bubblegum V2: an asset minted (mint_v2) into an MPL Core collection whose
// PermanentFreezeDelegate is set cannot be transferred (transfer_v2 is refused), while the same
// transfer out of a collection without it, or with it unset, lands and moves the leaf to the new
// owner.  transfer_v2 carries the leaf's proof (remaining accounts): each tree here holds one leaf,
// so the proof is the empty subtrees' hashes.

const test = require('node:test');
const assert = require('node:assert/strict');
const s = require('../lib/sol');
const bg = require('../lib/bubblegum');
const h = require('./helpers');
const { keccak256 } = require('./keccak');

let srv, payer;
test.before(async () => {
  srv = await h.startServer(['--paused']);
  payer = await h.fundedPayer(srv);
});
test.after(async () => { assert.equal((await srv.stop()).code, 0); });

const DEPTH = 14;
const TRANSFER_V2 = s.anchorDisc('transfer_v2');

// transfer_v2 (mpl-bubblegum TransferV2): tree config (W), payer (S W), authority (S: the owner),
// leaf owner, leaf delegate, new leaf owner, merkle tree (W), core collection, MPL Noop, MPL Account
// Compression, System, then the proof.  Data: root, data_hash, creator_hash, asset_data_hash
// Option<[32]>, flags Option<u8>, nonce u64, index u32.
function transferV2Ix({ tree, owner, newOwner, collection, ev }) {
  const zeros = [new Uint8Array(32)];
  for (let i = 1; i < DEPTH; i++) zeros.push(keccak256(zeros[i - 1], zeros[i - 1]));
  let node = Buffer.from(ev.leaf_hash, 'hex');
  for (let i = 0; i < DEPTH; i++) node = keccak256(node, zeros[i]); // leaf 0: every sibling empty
  return {
    programId: bg.K.bubblegum,
    keys: [bg.w(bg.treeConfigPda(tree)), bg.sw(payer.pub), bg.sg(owner), bg.ro(owner), bg.ro(owner), bg.ro(newOwner), bg.w(tree),
      bg.ro(collection || bg.K.bubblegum), bg.ro(bg.K.mplNoop), bg.ro(bg.K.mplCompression), bg.ro(bg.K.system),
      ...zeros.map((z) => bg.ro(z))],
    data: s.concat([TRANSFER_V2, node, Buffer.from(ev.data_hash, 'hex'), Buffer.from(ev.creator_hash, 'hex'),
      Uint8Array.of(0), Uint8Array.of(0), s.u64le(ev.nonce), s.u32le(ev.nonce)]),
  };
}

async function mintOne(collection) {
  const tree = s.pk((await srv.control('create_tree', { payer_secret: h.secretArray(payer), max_depth: DEPTH, max_buffer_size: 64, version: 2 })).tree);
  const md = { name: 'Seat 1', symbol: 'TIX', uri: 'https://tickets.example/1.json', sellerFeeBasisPoints: 0, primarySaleHappened: false,
    isMutable: true, tokenStandard: 0, creators: [], collection };
  const bh = (await h.blockhash(srv)).bytes;
  const sig = await h.send(srv, s.buildTransaction(payer, [bg.mintV2Ix({ tree, owner: payer.pub, payer: payer.pub, coreCollection: collection, metadata: md })], bh));
  await srv.advance(2);
  const m = (await srv.ledger()).mints.find((x) => x.signature === sig);
  assert.equal(m.status, 'ok', JSON.stringify(m.err));
  return { tree, ev: m.event };
}

async function sendTransfer(t) {
  const bh = (await h.blockhash(srv)).bytes;
  const wire = s.buildTransaction(payer, [transferV2Ix(t)], bh);
  return srv.rpcRaw('sendTransaction', [Buffer.from(wire).toString('base64'), { encoding: 'base64', preflightCommitment: 'confirmed' }]);
}
async function transfer(collection) {
  const { tree, ev } = await mintOne(collection);
  const t = { tree, owner: payer.pub, newOwner: s.generateKeypair().pub, collection, ev };
  return { j: await sendTransfer(t), newOwner: t.newOwner, t };
}

test('transfer_v2 of a ticket without a collection, and out of a collection that is not frozen, lands', async () => {
  for (const opts of [null, { permanent_freeze: false }, {}]) {
    const coll = opts && s.pk((await srv.control('create_core_collection', { payer_secret: h.secretArray(payer), ...opts })).collection);
    const { j, newOwner } = await transfer(coll);
    assert.ok(!j.error, JSON.stringify(j.error && j.error.data && j.error.data.logs));
    await srv.advance(2);
    const r = await srv.rpc('getTransaction', [j.result, { commitment: 'confirmed' }]);
    assert.equal(r.meta.err, null);
    // the new leaf (V2 event through MPL Noop) belongs to the new owner
    const keys = r.transaction.message.accountKeys;
    const evs = r.meta.innerInstructions.flatMap((g) => g.instructions)
      .filter((ix) => keys[ix.programIdIndex] === bg.IDS.mplNoop).map((ix) => bg.decodeLeafEvent(s.b58decode(ix.data))).filter(Boolean);
    assert.equal(evs.length, 1);
    assert.equal(evs[0].schema, 'V2');
    assert.equal(evs[0].owner, s.b58encode(newOwner));
  }
});

test('a permanently frozen Core collection makes its tickets soulbound: transfer_v2 is refused', async () => {
  const coll = s.pk((await srv.control('create_core_collection', { payer_secret: h.secretArray(payer), permanent_freeze: true })).collection);
  const { j } = await transfer(coll);
  assert.ok(j.error, 'refused');
  assert.equal(j.error.code, -32002);
  const logs = j.error.data.logs.join('\n');
  console.log(`v2_freeze: transfer_v2 out of a frozen collection: ${JSON.stringify(j.error.data.err)}; ${j.error.data.logs.filter((l) => /Error/.test(l)).join(' | ')}`);
  assert.ok(/frozen|Frozen/.test(logs), logs);
});

test('the platform thaws the collection (MPL Core UpdateCollectionPluginV1 by its update authority): the same transfer lands', async () => {
  const coll = s.pk((await srv.control('create_core_collection', { payer_secret: h.secretArray(payer), permanent_freeze: true })).collection);
  const { j, t } = await transfer(coll);
  assert.deepEqual(j.error.data.err, { InstructionError: [0, { Custom: 6048 }] });
  // UpdateCollectionPluginV1 (7): collection (W), payer (S W), authority (S), System, log wrapper
  // (None: the MPL Core id); plugin = PermanentFreezeDelegate (5) { frozen: false }
  const thaw = { programId: bg.K.mplCore, keys: [bg.w(coll), bg.sw(payer.pub), bg.sg(payer.pub), bg.ro(bg.K.system), bg.ro(bg.K.mplCore)],
    data: Uint8Array.of(7, 5, 0) };
  await h.send(srv, s.buildTransaction(payer, [thaw], (await h.blockhash(srv)).bytes));
  await srv.advance(2);
  const j2 = await sendTransfer(t);
  assert.ok(!j2.error, JSON.stringify(j2.error && j2.error.data && j2.error.data.logs));
  await srv.advance(2);
  assert.equal((await srv.rpc('getTransaction', [j2.result, { commitment: 'confirmed' }])).meta.err, null);
});
