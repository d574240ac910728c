'use strict';
// The server itself: loopback only, port file, SIGTERM, SHA256SUMS, the block clock and the
// commitments, JSON-RPC framing and errors, minContextSlot.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./helpers');

function runToExit(args) {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [h.SERVER, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => { err += d; });
    const t = setTimeout(() => c.kill('SIGKILL'), 20000);
    c.on('exit', (code) => { clearTimeout(t); resolve({ code, err }); });
  });
}

test('refuses to listen anywhere but loopback', async () => {
  for (const l of ['0.0.0.0:0', '10.1.2.3:0', '[::]:0', 'example.org:0']) {
    const r = await runToExit(['--listen', l]);
    assert.equal(r.code, 2, `${l}: ${r.err}`);
    assert.match(r.err, /only loopback/);
  }
});

test('refuses to start when a program binary does not match SHA256SUMS', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-progs-'));
  fs.cpSync(path.join(__dirname, '..', 'programs'), dir, { recursive: true });
  const f = path.join(dir, 'bubblegum-v1', 'spl_noop.so');
  const b = fs.readFileSync(f); b[1000] ^= 1; fs.writeFileSync(f, b);
  const r = await runToExit(['--listen', '127.0.0.1:0', '--programs', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /spl_noop\.so: sha256 [0-9a-f]{64} does not match SHA256SUMS/);
});

test('listens on [::1] and localhost too, and exits 0 on SIGTERM', async () => {
  for (const listen of ['localhost:0', '[::1]:0']) {
    let srv;
    try { srv = await h.startServer([], { listen }); } catch (e) {
      if (listen === '[::1]:0' && /EADDRNOTAVAIL|EAFNOSUPPORT/.test(e.message)) continue; // no IPv6 here
      throw e;
    }
    if (listen === 'localhost:0') assert.equal(await srv.rpc('getHealth'), 'ok');
    const r = await srv.stop();
    assert.deepEqual(r, { code: 0, signal: null });
  }
});

test('blocks advance on the clock; confirmed = tip-1, finalized = tip-lag; slots skip', async () => {
  const srv = await h.startServer(['--slot-ms', '20', '--finalized-lag', '8', '--blockhash-window', '30']);
  try {
    const a = await srv.rpc('getBlockHeight', [{ commitment: 'processed' }]);
    await new Promise((r) => setTimeout(r, 400));
    // stand still for the comparisons below (a block between two answers would move them)
    await srv.control('', { paused: true });
    const [p, c, f] = (await (await fetch(srv.base, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(['processed', 'confirmed', 'finalized'].map((commitment, i) => ({ jsonrpc: '2.0', id: i, method: 'getBlockHeight', params: [{ commitment }] }))) })).json())
      .sort((x, y) => x.id - y.id).map((x) => x.result);
    assert.ok(p >= a + 5, `advanced from ${a} to ${p}`);
    assert.equal(p - c, 1);
    assert.equal(p - f, 8);
    // the default commitment is finalized
    const d = await srv.rpc('getBlockHeight');
    assert.ok(d <= p - 7 && d >= f, `${d}`);
    // slot = h + floor(h/8) + 1000 (a skipped slot every 8 blocks)
    const ei = await srv.rpc('getEpochInfo', [{ commitment: 'processed' }]);
    assert.equal(ei.absoluteSlot, ei.blockHeight + Math.floor(ei.blockHeight / 8) + 1000);
    assert.equal(ei.slotsInEpoch, 432000);
    assert.equal(ei.slotIndex, ei.absoluteSlot % 432000);
    assert.equal(typeof ei.transactionCount, 'number');
    const bh = await srv.rpc('getLatestBlockhash', [{ commitment: 'finalized' }]);
    const hf = await srv.rpc('getBlockHeight', [{ commitment: 'finalized' }]);
    assert.ok(bh.value.lastValidBlockHeight - 30 <= hf + 1 && bh.value.lastValidBlockHeight - 30 >= hf - 1);
    assert.equal(typeof bh.context.slot, 'number');
    assert.equal(bh.context.apiVersion, '2.2.7');
    // paused, the chain stands still; advance moves it exactly
    const x = await srv.rpc('getBlockHeight', [{ commitment: 'processed' }]);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await srv.rpc('getBlockHeight', [{ commitment: 'processed' }]), x);
    const st = await srv.control('', { advance: 7 });
    assert.equal(st.block_height, x + 7);
    assert.equal(await srv.rpc('getBlockHeight', [{ commitment: 'processed' }]), x + 7);
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});

test('JSON-RPC framing, errors and the simple methods', async () => {
  const srv = await h.startServer(['--paused']);
  try {
    assert.equal(await srv.rpc('getHealth'), 'ok');
    const v = await srv.rpc('getVersion');
    assert.equal(typeof v['solana-core'], 'string');
    assert.equal(typeof v['feature-set'], 'number');
    const g = await srv.rpc('getGenesisHash');
    assert.equal(require('../lib/sol').b58decode(g).length, 32);
    assert.equal((await srv.rpcError('noSuchMethod')).code, -32601);
    assert.equal((await srv.rpcError('getBlockHeight', ['x'])).code, -32602);
    assert.equal((await srv.rpcError('getBlockHeight', [{ commitment: 'sometimes' }])).code, -32602);
    assert.equal((await srv.rpcError('sendTransaction', [123])).code, -32602);
    assert.equal((await srv.rpcError('sendTransaction', ['@@@'])).code, -32602);
    assert.match((await srv.rpcError('sendTransaction', ['AAAA', { encoding: 'base64' }])).message, /failed to deserialize/);
    assert.match((await srv.rpcError('sendTransaction', ['A'.repeat(1700), { encoding: 'base64' }])).message, /too large: 1700 bytes \(max: encoded\/raw 1644\/1232\)/);
    assert.equal((await srv.rpcError('getSignatureStatuses', [['nope']])).code, -32602);
    assert.equal((await srv.rpcError('getAccountInfo', ['short'])).code, -32602);
    assert.equal((await srv.rpcError('getRecentPrioritizationFees', [Array(129).fill('11111111111111111111111111111111')])).code, -32602);
    // parse error, invalid request, batch (notifications get no entry), empty batch
    let r = await srv.http('POST', '/', '{"jsonrpc":');
    assert.equal(r.json().error.code, -32700);
    r = await srv.http('POST', '/', '{"id":1,"method":"getHealth"}');
    assert.equal(r.json().error.code, -32600);
    r = await srv.http('POST', '/', JSON.stringify([{ jsonrpc: '2.0', id: 'a', method: 'getHealth' }, { jsonrpc: '2.0', method: 'getHealth' }, { jsonrpc: '2.0', id: 7, method: 'nope' }]));
    assert.deepEqual(r.json(), [{ jsonrpc: '2.0', result: 'ok', id: 'a' }, { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 7 }]);
    r = await srv.http('POST', '/', '[]');
    assert.equal(r.json().error.code, -32600);
    // HTTP-level refusals
    r = await srv.http('POST', '/', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getHealth', params: ['x'.repeat(51 * 1024)] }));
    assert.equal(r.status, 413);
    r = await srv.http('POST', '/', '{"jsonrpc":"2.0","id":1,"method":"getHealth"}', { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 415);
    r = await srv.http('POST', '/', '{"jsonrpc":"2.0","id":1,"method":"getHealth"}', { 'Content-Type': 'application/json; charset=utf-8' });
    assert.equal(r.json().result, 'ok');
    r = await srv.http('GET', '/');
    assert.equal(r.status, 405);
    r = await srv.http('PUT', '/', '{}');
    assert.equal(r.status, 405);
    assert.equal((await srv.http('GET', '/health')).text, 'ok');
    // control refusals
    r = await srv.http('POST', '/control', '{"bogus":1}');
    assert.equal(r.status, 400);
    r = await srv.http('POST', '/control/create_tree', '{"payer_secret":[1,2,3]}');
    assert.equal(r.status, 400);
    r = await srv.http('POST', '/control/nothing', '{}');
    assert.equal(r.status, 404);
    // a tree for an unfunded payer fails with the program's logs
    const kp = require('../lib/sol').generateKeypair();
    r = await srv.http('POST', '/control/create_tree', JSON.stringify({ payer_secret: h.secretArray(kp), max_depth: 3, max_buffer_size: 8 }));
    assert.equal(r.status, 400);
    assert.match(r.json().error, /create_tree/);
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});

test('minContextSlot is honoured (-32016 with data.contextSlot)', async () => {
  const srv = await h.startServer(['--paused']);
  try {
    const slot = await srv.rpc('getSlot', [{ commitment: 'processed' }]);
    const fin = await srv.rpc('getSlot');
    const calls = [
      ['getSlot', [{ commitment: 'processed', minContextSlot: slot + 1 }], slot],
      ['getBlockHeight', [{ commitment: 'processed', minContextSlot: slot + 1 }], slot],
      ['getEpochInfo', [{ commitment: 'processed', minContextSlot: slot + 1 }], slot],
      ['getLatestBlockhash', [{ commitment: 'processed', minContextSlot: slot + 1 }], slot],
      ['getBalance', ['11111111111111111111111111111111', { commitment: 'processed', minContextSlot: slot + 1 }], slot],
      ['getAccountInfo', ['11111111111111111111111111111111', { minContextSlot: fin + 1 }], fin],
      ['sendTransaction', ['AQ', { minContextSlot: fin + 1 }], null],
    ];
    for (const [m, p, ctxSlot] of calls) {
      const e = await srv.rpcError(m, p);
      if (m === 'sendTransaction') { assert.equal(e.code, -32602); continue; } // decoding comes first
      assert.equal(e.code, -32016, m);
      assert.equal(e.message, 'Minimum context slot has not been reached');
      assert.deepEqual(e.data, { contextSlot: ctxSlot });
    }
    assert.equal(await srv.rpc('getSlot', [{ commitment: 'processed', minContextSlot: slot }]), slot);
    await srv.advance(1);
    assert.ok(await srv.rpc('getSlot', [{ commitment: 'processed', minContextSlot: slot + 1 }]) > slot);
    const acc = await srv.rpc('getAccountInfo', ['11111111111111111111111111111111', { encoding: 'base64' }]);
    assert.equal(acc.value.executable, true);
    assert.equal(acc.value.owner, 'NativeLoader1111111111111111111111111111111');
    const raw = await srv.http('POST', '/', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getAccountInfo', params: ['11111111111111111111111111111111', { encoding: 'base64' }] }));
    assert.match(raw.text, /"rentEpoch":18446744073709551615/);
    assert.equal((await srv.rpc('getAccountInfo', ['SysvarC1ock11111111111111111111111111111111', { encoding: 'base64' }])).value.owner, 'Sysvar1111111111111111111111111111111111111');
    assert.equal((await srv.rpc('getAccountInfo', [require('../lib/sol').generateKeypair().address, { encoding: 'base64' }])).value, null);
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});
