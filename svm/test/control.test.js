'use strict';
// The control endpoints the extension's TAP tests use: /control/sign (the payer's signature into
// a transaction someone else built), /control/drop_responses (answers to sendTransaction lost
// after execution), create_tree's leaf0_bump_tries, and the ledger's cu_limit / cu_price and the
// event's raw bytes.

const test = require('node:test');
const assert = require('node:assert/strict');
const s = require('../lib/sol');
const bg = require('../lib/bubblegum');
const h = require('./helpers');

let srv, payer, tree;
test.before(async () => {
  srv = await h.startServer(['--paused']);
  payer = await h.fundedPayer(srv);
  tree = s.pk((await srv.control('create_tree', { payer_secret: h.secretArray(payer), max_depth: 14, max_buffer_size: 64, version: 1 })).tree);
});
test.after(async () => { assert.equal((await srv.stop()).code, 0); });

function unsigned(ixs, bh) {
  const c = s.compileMessage(payer.pub, ixs, bh);
  return s.signMessage(c, []); // zeroed signature slots, as mint.preview_transaction returns them
}

test('sign fills the payer\'s slot; the signed bytes land; ledger has cu_limit, cu_price and the event bytes', async () => {
  const bh = (await h.blockhash(srv, 'finalized')).bytes;
  const md = h.ticketMetadata('signed', []);
  const wire = unsigned([bg.setComputeUnitLimit(90000), bg.setComputeUnitPrice(7), bg.mintV1Ix({ tree, owner: payer.pub, payer: payer.pub, metadata: md })], bh);
  const zeroSent = await srv.rpcError('sendTransaction', [h.b64(wire), { encoding: 'base64' }]);
  assert.equal(zeroSent.code, -32003, 'unsigned: signature verification failure');
  const r = await srv.control('sign', { tx_base64: h.b64(wire), secret: h.secretArray(payer) });
  assert.equal(r.signed, 1);
  const sig = await srv.rpc('sendTransaction', [r.tx_base64, { encoding: 'base64' }]);
  assert.equal(sig, r.signature);
  await srv.advance(2);
  const e = (await srv.ledger()).mints.find((m) => m.signature === sig);
  assert.equal(e.status, 'ok');
  assert.equal(e.cu_limit, 90000);
  assert.equal(e.cu_price, 7);
  assert.ok(e.compute_units < 90000);
  assert.equal(e.event.hex.length, 2 * 209);
  assert.deepEqual(bg.decodeLeafEvent(Buffer.from(e.event.hex, 'hex')).id, e.event.id);
  // a secret that signs nothing in it is refused
  const other = s.generateKeypair();
  const bad = await srv.http('POST', '/control/sign', JSON.stringify({ tx_base64: h.b64(wire), secret: Array.from(other.secret) }));
  assert.equal(bad.status, 400);
});

test('drop_responses: the sends are executed, their answers lost', async () => {
  await srv.control('drop_responses', { count: 1 });
  const bh = (await h.blockhash(srv, 'finalized')).bytes;
  const wire = h.mintV1Tx({ payer, tree, owner: payer.pub, metadata: h.ticketMetadata('lost', []), bh });
  await assert.rejects(srv.rpc('sendTransaction', [h.b64(wire), { encoding: 'base64' }]));
  const st = await srv.control(undefined);
  assert.equal(st.dropped_responses, 1);
  assert.equal(st.drop_send_responses, 0);
  // accepted all the same: the same bytes again are a duplicate, and it lands once
  const sig = await srv.rpc('sendTransaction', [h.b64(wire), { encoding: 'base64' }]);
  await srv.advance(2);
  const mints = (await srv.ledger()).mints.filter((m) => m.signature === sig);
  assert.equal(mints.length, 1);
  assert.equal(mints[0].cu_limit, null, 'no SetComputeUnitLimit');
  // other calls are answered
  await srv.control('drop_responses', { count: 5 });
  assert.ok(await srv.rpc('getSlot', []));
  await srv.control('drop_responses', { count: 0 });
});

test('create_tree leaf0_bump_tries: a tree whose first asset id needs that many bump tries', async () => {
  const t = await srv.control('create_tree', { payer_secret: h.secretArray(payer), max_depth: 5, max_buffer_size: 8, version: 1, leaf0_bump_tries: 4 });
  assert.ok(t.leaf0_bump_tries >= 4);
  assert.equal(t.leaf0_bump_tries, 256 - s.findProgramAddress([Buffer.from('asset'), s.pk(t.tree), s.u64le(0)], bg.K.bubblegum)[1]);
  const bad = await srv.http('POST', '/control/create_tree', JSON.stringify({ payer_secret: h.secretArray(payer), leaf0_bump_tries: 99 }));
  assert.equal(bad.status, 400);
});
