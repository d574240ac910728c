'use strict';
// mint_to_collection_v1 into a Token Metadata collection made by /control/create_collection_v1,
// and the compute units of mint_v1 (0 and 5 creators) and mint_to_collection_v1, measured with
// both Bubblegum binaries (V2 build, the default; 0.12.x build with --bubblegum v1).

const test = require('node:test');
const assert = require('node:assert/strict');
const s = require('../lib/sol');
const bg = require('../lib/bubblegum');
const h = require('./helpers');
const { keccak256 } = require('./keccak');

const K = 8; // mints per measured case
const results = {};

function stats(xs) {
  const v = [...xs].sort((a, b) => a - b);
  return { n: v.length, min: v[0], median: v[Math.floor(v.length / 2)], max: v[v.length - 1], mean: Math.round(v.reduce((a, b) => a + b, 0) / v.length) };
}

async function setup(srv) {
  const payer = await h.fundedPayer(srv);
  const t = await srv.control('create_tree', { payer_secret: h.secretArray(payer), max_depth: 14, max_buffer_size: 64, canopy_depth: 0, version: 1 });
  const coll = await srv.control('create_collection_v1', { payer_secret: h.secretArray(payer), name: 'Event 1', symbol: 'EV1', uri: 'https://tickets.example/e/1.json' });
  return { payer, tree: s.pk(t.tree), treeInfo: t, coll };
}

function creators(payer, n) {
  if (n === 0) return [];
  const out = [{ address: payer.pub, verified: true, share: 100 - 20 * (n - 1) }];
  for (let i = 1; i < n; i++) out.push({ address: s.generateKeypair().pub, verified: false, share: 20 });
  return out;
}

// Send `wires`, land them, return getTransaction results.
async function landAll(srv, wires) {
  const sigs = [];
  for (const w of wires) sigs.push(await h.send(srv, w));
  await srv.advance(2);
  const out = [];
  for (const sig of sigs) out.push(await srv.rpc('getTransaction', [sig, { commitment: 'confirmed' }]));
  return { sigs, txs: out };
}

for (const binary of ['v2', 'v1']) {
  test(`Bubblegum ${binary} binary: mint_to_collection_v1 into a Token Metadata collection; compute units`, async () => {
    const srv = await h.startServer(['--paused', '--bubblegum', binary]);
    try {
      const { payer, tree, coll } = await setup(srv);
      const mint = s.pk(coll.mint);
      // the collection accounts are real Token Metadata / SPL Token accounts
      const acc = async (a) => (await srv.rpc('getAccountInfo', [a, { encoding: 'base64', commitment: 'processed' }])).value;
      assert.equal((await acc(coll.mint)).owner, bg.IDS.splToken);
      assert.equal((await acc(coll.metadata)).owner, bg.IDS.tokenMetadata);
      assert.equal((await acc(coll.master_edition)).owner, bg.IDS.tokenMetadata);
      assert.equal(coll.metadata, s.b58encode(bg.metadataPda(mint)));
      assert.equal(coll.master_edition, s.b58encode(bg.editionPda(mint)));
      const md = Buffer.from((await acc(coll.metadata)).data[0], 'base64');
      assert.equal(md[0], 4, 'Key::MetadataV1');
      assert.deepEqual(md.subarray(1, 33), Buffer.from(payer.pub), 'update authority = payer');
      assert.deepEqual(md.subarray(33, 65), Buffer.from(mint));

      const cases = { mint_v1_0_creators: [], mint_v1_5_creators: [], mint_to_collection_v1_1_creator: [], mint_to_collection_v1_5_creators: [] };
      const bh = (await h.blockhash(srv, 'confirmed')).bytes;
      const wires = [];
      const kinds = [];
      for (let i = 0; i < K; i++) {
        for (const [name, n, toColl, tag] of [['mint_v1_0_creators', 0, false, 'a'], ['mint_v1_5_creators', 5, false, 'b'],
          ['mint_to_collection_v1_1_creator', 1, true, 'c'], ['mint_to_collection_v1_5_creators', 5, true, 'd']]) {
          const metadata = { ...h.ticketMetadata(`${tag}${i}`, creators(payer, n)) };
          const owner = s.generateKeypair().pub;
          let ix;
          if (toColl) {
            metadata.collection = { verified: false, key: mint };
            ix = bg.mintToCollectionV1Ix({ tree, owner, payer: payer.pub, collectionMint: mint, metadata });
          } else ix = bg.mintV1Ix({ tree, owner, payer: payer.pub, metadata });
          wires.push(s.buildTransaction(payer, [ix], bh));
          kinds.push({ name, metadata, owner });
        }
      }
      const { sigs, txs } = await landAll(srv, wires);
      const led = await srv.ledger();
      txs.forEach((r, i) => {
        assert.equal(r.meta.err, null, `${kinds[i].name}: ${JSON.stringify(r.meta.err)} ${r.meta.logMessages.join('\n')}`);
        const cu = r.meta.computeUnitsConsumed;
        // meta agrees with the program's own "consumed" log line
        assert.ok(r.meta.logMessages.includes(`Program ${bg.IDS.bubblegum} consumed ${cu} of 200000 compute units`));
        cases[kinds[i].name].push(cu);
        const e = led.mints.find((m) => m.signature === sigs[i]);
        assert.equal(e.status, 'ok');
        assert.equal(e.instruction, kinds[i].name.startsWith('mint_to_collection') ? 'mint_to_collection_v1' : 'mint_v1');
        assert.equal(e.event.id, s.b58encode(bg.assetIdPda(tree, e.event.nonce)));
        if (e.instruction === 'mint_to_collection_v1') {
          assert.equal(e.collection, coll.mint);
          // the program sets collection.verified = true before hashing: the leaf's data hash is
          // that of the verified metadata, not of what was sent
          const sent = kinds[i].metadata;
          const verified = { ...sent, collection: { verified: true, key: mint } };
          const dh = (m) => s.hex(keccak256(keccak256(s.metadataArgs(m)), s.u16le(0)));
          assert.equal(e.event.data_hash, dh(verified));
          assert.notEqual(e.event.data_hash, dh(sent));
        }
      });
      // nonces 0..4K-1, in block order
      assert.deepEqual(led.mints.map((m) => m.event.nonce), [...Array(4 * K).keys()]);
      results[binary] = Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, stats(v)]));
      // a mint into the collection signed by someone who is not its authority is refused
      const stranger = await h.fundedPayer(srv);
      const t2 = await srv.control('create_tree', { payer_secret: h.secretArray(stranger), max_depth: 5, max_buffer_size: 8, version: 1 });
      const bad = s.buildTransaction(stranger, [bg.mintToCollectionV1Ix({ tree: s.pk(t2.tree), owner: stranger.pub, payer: stranger.pub, collectionMint: mint,
        metadata: { ...h.ticketMetadata('stranger', []), collection: { verified: false, key: mint } } })], (await h.blockhash(srv, 'confirmed')).bytes);
      const e = await h.sendError(srv, bad);
      assert.equal(e.code, -32002);
      assert.ok(e.data.err.InstructionError, JSON.stringify(e.data.err));
      // sendTransaction honours minContextSlot (on the preflight bank)
      const slot = await srv.rpc('getSlot', [{ commitment: 'confirmed' }]);
      const m = await srv.rpcError('sendTransaction', [h.b64(bad), { encoding: 'base64', preflightCommitment: 'confirmed', minContextSlot: slot + 1 }]);
      assert.equal(m.code, -32016);
      assert.deepEqual(m.data, { contextSlot: slot });
    } finally {
      assert.equal((await srv.stop()).code, 0);
    }
  });
}

test.after(() => {
  const lines = ['compute units (meta.computeUnitsConsumed; tree depth 14, buffer 64, canopy 0; ' + `${K} mints each, nonces interleaved 0..${4 * K - 1})`];
  for (const [bin, r] of Object.entries(results)) {
    for (const [k, v] of Object.entries(r)) if (v) lines.push(`  bubblegum ${bin}  ${k.padEnd(34)} min ${v.min}  median ${v.median}  mean ${v.mean}  max ${v.max}`);
  }
  console.log(lines.join('\n'));
});
