'use strict';
// The JS helpers the server and the tests rely on, against published vectors and @solana/kit.

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const kit = require('@solana/kit');
const s = require('../lib/sol');
const bg = require('../lib/bubblegum');
const { keccak256 } = require('./keccak');

test('base58 round-trips and matches @solana/kit', () => {
  const enc = kit.getBase58Encoder(), dec = kit.getBase58Decoder();
  for (let i = 0; i < 300; i++) {
    const n = i % 70;
    const b = crypto.randomBytes(n);
    if (i % 7 === 0 && n > 2) { b[0] = 0; b[1] = 0; }
    const str = s.b58encode(b);
    assert.equal(str, dec.decode(b));
    assert.deepEqual(Buffer.from(s.b58decode(str)), Buffer.from(enc.encode(str)));
  }
  assert.throws(() => s.b58decode('0OIl'));
});

test('PDAs: the reference vectors, and 300 random derivations agree with @solana/kit', async () => {
  const tree = s.keypairFromSeed(Buffer.alloc(32, 2)).pub;
  assert.deepEqual(s.findProgramAddress([tree], bg.K.bubblegum).map((x, i) => (i ? x : s.b58encode(x))), ['H1qSrtbWH1FSqVJD3ihd27tskVqeA3rK99PCrMFeD1r9', 250]);
  assert.equal(s.b58encode(bg.assetIdPda(tree, 0)), 'J8EQwTx2GqRuyu7Gd6K6jKhiLkvHmwA3hgeYxCYaDVAX');
  assert.equal(s.b58encode(bg.assetIdPda(tree, 1)), 'FwSrLGB128Rp1TsjwwBCriaxyzWnHN4DmjJEgEjn3jKX');
  assert.equal(s.b58encode(bg.assetIdPda(tree, 1000000)), 'HjZWmqmgZBTfkwFunTmiVSLbFfS5jTo8Gi7YRtf6b7Av');
  for (let i = 0; i < 300; i++) {
    const seed = crypto.randomBytes(32);
    const [mine, bump] = s.findProgramAddress([Buffer.from('asset'), seed, s.u64le(i)], bg.K.bubblegum);
    const [theirs, tb] = await kit.getProgramDerivedAddress({ programAddress: bg.IDS.bubblegum, seeds: [Buffer.from('asset'), seed, s.u64le(i)] });
    assert.equal(s.b58encode(mine), theirs);
    assert.equal(bump, tb);
  }
});

test('on-curve test: the extension\'s curve vectors, and Euler\'s criterion on random points', () => {
  const fs = require('node:fs');
  const path = require('node:path');
  const lines = fs.readFileSync(path.join(__dirname, '../../src/solana/tests/vectors/curve_vectors.txt'), 'utf8')
    .split('\n').filter((l) => / \| on_curve=(true|false) /.test(l));
  assert.ok(lines.length >= 12);
  for (const l of lines) {
    const [, hex, want] = / \| ([0-9a-f]{64}) \| on_curve=(true|false) /.exec(l);
    assert.equal(s.isOnCurve(Buffer.from(hex, 'hex')), want === 'true', l);
  }
  const P = (1n << 255n) - 19n;
  const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
  const pow = (b, e) => { let r = 1n; b %= P; while (e > 0n) { if (e & 1n) r = (r * b) % P; b = (b * b) % P; e >>= 1n; } return r; };
  for (let i = 0; i < 500; i++) {
    const b = crypto.randomBytes(32);
    let y = 0n;
    for (let k = 31; k >= 0; k--) y = (y << 8n) | BigInt(k === 31 ? b[k] & 0x7f : b[k]);
    y %= P;
    const u = (y * y - 1n + P) % P, v = (D * y * y + 1n) % P;
    assert.equal(s.isOnCurve(b), u === 0n || pow(u * v, (P - 1n) / 2n) === 1n);
  }
});

test('keccak-256 vectors and the reference sample A hashes', () => {
  assert.equal(s.hex(keccak256(Buffer.alloc(0))), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  assert.equal(s.hex(keccak256(Buffer.from('abc'))), '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  const payer = s.keypairFromSeed(Buffer.alloc(32, 1));
  const md = s.metadataArgs({ name: 'Ticket #1', symbol: 'TIX', uri: 'https://example.com/t/1.json', creators: [{ address: payer.pub, verified: false, share: 100 }] });
  assert.equal(s.hex(keccak256(keccak256(md), s.u16le(0))), 'fbfe4cdc8cd99f2e9c62c4aebf4bb31d550b11931037488f11824205a780b48c');
  assert.equal(s.hex(keccak256(payer.pub, Uint8Array.of(0, 100))), 'bbb7a4b7cf0b6e932ce50b471e2fbd854e374091e2466ae7e4fce33f6f158fe2');
});

test('the reference mint_v1 transaction is reproduced byte for byte (memcmp key order)', () => {
  const payer = s.keypairFromSeed(Buffer.alloc(32, 1));
  assert.equal(payer.address, 'AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9');
  const tree = s.keypairFromSeed(Buffer.alloc(32, 2)).pub, owner = s.keypairFromSeed(Buffer.alloc(32, 3)).pub;
  const md = { name: 'Ticket #1', symbol: 'TIX', uri: 'https://example.com/t/1.json', creators: [{ address: payer.pub, verified: false, share: 100 }] };
  const wire = s.buildTransaction(payer, [bg.mintV1Ix({ tree, owner, payer: payer.pub, metadata: md })], Buffer.alloc(32, 7));
  assert.equal(wire.length, 478);
  assert.equal(s.hex(wire.subarray(1, 65)), '52a18ebd48f473152b55e713a1747b1a7be214fb169fc5311f08cf3c57060607cbc9e0bf6d91f5df840d30de9ec90542225ab363d18ee259566875048699e10e');
  const tx = s.decodeTransaction(wire);
  assert.equal(s.sanitizeError(tx), null);
  assert.ok(s.verify(tx.accountKeys[0], tx.message, tx.signatures[0]));
  // kit decodes it to the same message
  const k = kit.getTransactionDecoder().decode(wire);
  assert.deepEqual(Buffer.from(k.messageBytes), Buffer.from(tx.message));
  assert.deepEqual(s.readMetadataArgs(tx.instructions[0].data, 8, false).uri, md.uri);
});
