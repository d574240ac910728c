'use strict';
// mint_v1 into a V1 tree, executed by the real Bubblegum / SPL Account Compression / SPL Noop
// programs: events as the program emitted them, asset ids, statuses per commitment, duplicates,
// program errors at preflight, signatures and blockhash expiry.  The server runs --paused and the
// test moves the chain with /control/advance, so every step is deterministic.

const test = require('node:test');
const assert = require('node:assert/strict');
const kit = require('@solana/kit');
const s = require('../lib/sol');
const bg = require('../lib/bubblegum');
const h = require('./helpers');
const { keccak256 } = require('./keccak');

const N = 5;
let srv, payer, tree, treeInfo;

test.before(async () => {
  srv = await h.startServer(['--paused']);
  payer = await h.fundedPayer(srv);
  treeInfo = await srv.control('create_tree', { payer_secret: h.secretArray(payer), max_depth: 14, max_buffer_size: 64, canopy_depth: 0, version: 1, public: false });
  tree = s.pk(treeInfo.tree);
});
test.after(async () => {
  const r = await srv.stop();
  assert.equal(r.code, 0, `server exit ${JSON.stringify(r)}: ${srv.stderr()}`);
});

async function treeConfig(commitment = 'processed') {
  const r = await srv.rpc('getAccountInfo', [treeInfo.tree_config, { encoding: 'base64', commitment }]);
  assert.ok(r.value, 'tree config exists');
  return { owner: r.value.owner, ...bg.decodeTreeConfig(Buffer.from(r.value.data[0], 'base64')) };
}

const sigs = [];
const owners = [];

test('create_tree made a V1 tree owned by SPL Account Compression, TreeConfig by Bubblegum', async () => {
  assert.equal(treeInfo.tree_config, s.b58encode(s.findProgramAddress([tree], bg.K.bubblegum)[0]));
  const acc = await srv.rpc('getAccountInfo', [treeInfo.tree, { encoding: 'base64' }]);
  assert.equal(acc.value.owner, bg.IDS.splCompression);
  assert.equal(acc.value.space, bg.merkleTreeSize(14, 64, 0));
  const tc = await treeConfig();
  assert.equal(tc.owner, bg.IDS.bubblegum);
  assert.equal(tc.tree_creator, payer.address);
  assert.equal(tc.tree_delegate, payer.address);
  assert.equal(tc.total_mint_capacity, 2 ** 14);
  assert.equal(tc.num_minted, 0);
  assert.equal(tc.is_public, false);
  assert.equal(tc.version, 1);
  // the create_tree transaction itself is on record
  const st = await h.statuses(srv, [treeInfo.signature]);
  assert.equal(st[0].err, null);
});

test(`${N} mint_v1 land in the next block with the events the program emitted`, async () => {
  const bh = await h.blockhash(srv, 'confirmed');
  for (let i = 0; i < N; i++) {
    const owner = s.generateKeypair();
    owners.push(owner.address);
    const md = h.ticketMetadata(i, [{ address: payer.pub, verified: false, share: 100 }]);
    const wire = h.mintV1Tx({ payer, tree, owner: owner.pub, metadata: md, bh: bh.bytes });
    const sig = i === 0
      ? await srv.rpc('sendTransaction', [s.b58encode(wire), { preflightCommitment: 'confirmed' }]) // base58, the default encoding
      : await h.send(srv, wire);
    assert.equal(sig, s.b58encode(s.decodeTransaction(wire).signatures[0]));
    sigs.push(sig);
  }
  // accepted, not yet in a block
  assert.deepEqual(await h.statuses(srv, sigs), Array(N).fill(null));
  assert.equal((await srv.ledger('?summary=1')).total, 0);
  const before = await srv.rpc('getBlockHeight', [{ commitment: 'processed' }]);
  await srv.advance(1);
  const st = await h.statuses(srv, sigs);
  const slot = await srv.rpc('getSlot', [{ commitment: 'processed' }]);
  for (const x of st) {
    assert.ok(x, 'landed');
    assert.equal(x.err, null);
    assert.deepEqual(x.status, { Ok: null });
    assert.equal(x.confirmationStatus, 'processed');
    assert.equal(x.confirmations, 0);
    assert.equal(x.slot, slot);
  }
  assert.equal(await srv.rpc('getBlockHeight', [{ commitment: 'processed' }]), before + 1);

  const led = await srv.ledger();
  assert.equal(led.total, N);
  assert.equal(led.ok, N);
  assert.equal(led.failed, 0);
  assert.equal(led.uris_with_duplicates, 0);
  for (let i = 0; i < N; i++) {
    const e = led.mints.find((m) => m.signature === sigs[i]);
    assert.ok(e, `ledger has ${sigs[i]}`);
    assert.equal(e.instruction, 'mint_v1');
    assert.equal(e.status, 'ok');
    assert.equal(e.tree, treeInfo.tree);
    assert.equal(e.uri, `https://tickets.example/e/1/t/${i}.json`);
    assert.equal(e.name, `Ticket #${i}`);
    assert.equal(led.uri_counts[e.uri], 1);
    // the event, as the program emitted it through SPL Noop
    assert.equal(e.event.program, bg.IDS.splNoop);
    assert.equal(e.event.schema, 'V1');
    assert.equal(e.event.nonce, i, 'nonces follow the order of the block');
    assert.equal(e.event.owner, owners[i]);
    assert.equal(e.event.delegate, owners[i]);
    assert.match(e.event.data_hash, /^[0-9a-f]{64}$/);
    // asset id = PDA(["asset", tree, u64le(nonce)], Bubblegum), derived here twice: with this
    // repository's JS helper and with @solana/kit
    assert.equal(e.event.id, s.b58encode(bg.assetIdPda(tree, i)));
    const [kitPda] = await kit.getProgramDerivedAddress({ programAddress: bg.IDS.bubblegum,
      seeds: [Buffer.from('asset'), tree, s.u64le(i)] });
    assert.equal(e.event.id, kitPda);
    assert.equal(e.asset_id, e.event.id);
    // hashes recomputed from what was sent (keccak-256, formulas of the reference notes)
    const md = h.ticketMetadata(i, [{ address: payer.pub, verified: false, share: 100 }]);
    const dataHash = keccak256(keccak256(s.metadataArgs(md)), s.u16le(md.sellerFeeBasisPoints));
    const creatorHash = keccak256(payer.pub, Uint8Array.of(0, 100));
    assert.equal(e.event.data_hash, s.hex(dataHash));
    assert.equal(e.event.creator_hash, s.hex(creatorHash));
    assert.equal(e.event.leaf_hash, s.hex(keccak256(Uint8Array.of(1), s.pk(e.event.id), s.pk(owners[i]), s.pk(owners[i]),
      s.u64le(i), dataHash, creatorHash)));
  }
  // creator hash is the same for all (same creators); data hashes differ (different uris)
  assert.equal(new Set(led.mints.map((m) => m.event.creator_hash)).size, 1);
  assert.equal(new Set(led.mints.map((m) => m.event.data_hash)).size, N);
  assert.equal((await treeConfig()).num_minted, N);
});

test('statuses move processed -> confirmed -> finalized; getTransaction appears at confirmed', async () => {
  assert.equal(await srv.rpc('getTransaction', [sigs[0], { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 }]), null);
  const e = await srv.rpcError('getTransaction', [sigs[0], { commitment: 'processed' }]);
  assert.equal(e.code, -32602);
  await srv.advance(1);
  let st = await h.statuses(srv, [sigs[0]]);
  assert.equal(st[0].confirmationStatus, 'confirmed');
  assert.equal(st[0].confirmations, 1);
  assert.ok(await srv.rpc('getTransaction', [sigs[0], { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }]));
  assert.equal(await srv.rpc('getTransaction', [sigs[0], { commitment: 'finalized', maxSupportedTransactionVersion: 0 }]), null);
  const lag = (await srv.http('GET', '/control')).json().finalized_lag;
  await srv.advance(lag - 2);
  st = await h.statuses(srv, [sigs[0]]);
  assert.equal(st[0].confirmationStatus, 'confirmed');
  assert.equal(st[0].confirmations, lag - 1);
  await srv.advance(1);
  st = await h.statuses(srv, [sigs[0]]);
  assert.equal(st[0].confirmationStatus, 'finalized');
  assert.equal(st[0].confirmations, null);
  assert.ok(await srv.rpc('getTransaction', [sigs[0], { commitment: 'finalized', maxSupportedTransactionVersion: 0 }]));
  // TreeConfig read at finalized
  assert.equal((await treeConfig('finalized')).num_minted, N);
});

test('getTransaction (json) has the mainnet shape, with the LeafSchema event in innerInstructions', async () => {
  const r = await srv.rpc('getTransaction', [sigs[1], { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 }]);
  const st = (await h.statuses(srv, [sigs[1]]))[0];
  assert.equal(r.slot, st.slot);
  assert.equal(r.version, 'legacy');
  assert.equal(typeof r.blockTime, 'number');
  const m = r.transaction.message;
  assert.deepEqual(r.transaction.signatures, [sigs[1]]);
  assert.deepEqual(m.header, { numRequiredSignatures: 1, numReadonlySignedAccounts: 0, numReadonlyUnsignedAccounts: 5 });
  assert.equal(m.accountKeys[0], payer.address);
  assert.equal(m.instructions.length, 1);
  const bix = m.instructions[0];
  assert.equal(m.accountKeys[bix.programIdIndex], bg.IDS.bubblegum);
  assert.deepEqual(s.b58decode(bix.data).subarray(0, 8), bg.DISC.mintV1);
  assert.equal(r.meta.err, null);
  assert.deepEqual(r.meta.status, { Ok: null });
  assert.equal(r.meta.fee, 5000);
  assert.equal(r.meta.preBalances.length, m.accountKeys.length);
  assert.equal(r.meta.preBalances[0] - r.meta.postBalances[0], r.meta.fee, 'mint_v1 costs the payer only the fee');
  assert.ok(r.meta.computeUnitsConsumed > 10000 && r.meta.computeUnitsConsumed < 200000, `${r.meta.computeUnitsConsumed}`);
  assert.deepEqual(r.meta.loadedAddresses, { writable: [], readonly: [] });
  const logs = r.meta.logMessages;
  assert.equal(logs[0], `Program ${bg.IDS.bubblegum} invoke [1]`);
  assert.ok(logs.includes('Program log: Instruction: MintV1'));
  assert.ok(logs.includes(`Program log: Leaf asset ID: ${s.b58encode(bg.assetIdPda(tree, 1))}`));
  assert.ok(logs.includes(`Program ${bg.IDS.splCompression} invoke [2]`));
  assert.ok(logs.some((l) => l === `Program ${bg.IDS.bubblegum} consumed ${r.meta.computeUnitsConsumed} of 200000 compute units`));
  assert.equal(logs[logs.length - 1], `Program ${bg.IDS.bubblegum} success`);
  // inner instructions: Noop(LeafSchema), Account Compression append, Noop(ChangeLog)
  assert.equal(r.meta.innerInstructions.length, 1);
  const grp = r.meta.innerInstructions[0];
  assert.equal(grp.index, 0);
  const progs = grp.instructions.map((ii) => m.accountKeys[ii.programIdIndex]);
  assert.deepEqual(progs, [bg.IDS.splNoop, bg.IDS.splCompression, bg.IDS.splNoop]);
  assert.deepEqual(grp.instructions.map((ii) => ii.stackHeight), [2, 2, 3]);
  const ev = s.b58decode(grp.instructions[0].data);
  assert.equal(ev.length, 209);
  assert.equal(s.hex(ev.subarray(0, 9)), '0100cb000000010000');
  const dec = bg.decodeLeafEvent(ev);
  assert.equal(dec.nonce, 1);
  assert.equal(dec.id, s.b58encode(bg.assetIdPda(tree, 1)));
  // the ledger shows the same event
  const led = await srv.ledger();
  assert.deepEqual(led.mints.find((x) => x.signature === sigs[1]).event.leaf_hash, dec.leaf_hash);
  // the append instruction writes the tree and is signed by the tree config PDA
  assert.deepEqual(grp.instructions[1].accounts.map((i) => m.accountKeys[i]), [treeInfo.tree, treeInfo.tree_config, bg.IDS.splNoop]);
  // base64 encoding returns the wire bytes
  const r64 = await srv.rpc('getTransaction', [sigs[1], { commitment: 'confirmed', encoding: 'base64' }]);
  assert.equal(r64.transaction[1], 'base64');
  assert.equal(s.b58encode(s.decodeTransaction(Buffer.from(r64.transaction[0], 'base64')).signatures[0]), sigs[1]);
  assert.equal(r64.version, undefined, 'no version without maxSupportedTransactionVersion');
});

test('the same bytes land once: pending duplicate, AlreadyProcessed at preflight, skipPreflight re-send', async () => {
  const bh = await h.blockhash(srv, 'processed');
  const owner = s.generateKeypair();
  const wire = h.mintV1Tx({ payer, tree, owner: owner.pub, metadata: h.ticketMetadata('dup', [{ address: payer.pub, verified: false, share: 100 }]), bh: bh.bytes });
  const sig = await h.send(srv, wire, { preflightCommitment: 'processed' });
  assert.equal(await h.send(srv, wire, { preflightCommitment: 'processed' }), sig, 'pending: same signature');
  await srv.advance(1);
  // landed in the newest block: not in the confirmed bank yet, so a confirmed preflight passes
  assert.equal(await h.send(srv, wire, { preflightCommitment: 'confirmed' }), sig);
  const e = await h.sendError(srv, wire, { preflightCommitment: 'processed' });
  assert.equal(e.code, -32002);
  assert.equal(e.data.err, 'AlreadyProcessed');
  assert.equal(e.message, 'Transaction simulation failed: This transaction has already been processed');
  assert.equal(await h.send(srv, wire, { skipPreflight: true }), sig);
  await srv.advance(2);
  const e2 = await h.sendError(srv, wire, { preflightCommitment: 'confirmed' });
  assert.equal(e2.data.err, 'AlreadyProcessed');
  const led = await srv.ledger();
  assert.equal(led.mints.filter((m) => m.signature === sig).length, 1);
  assert.equal(led.uri_counts['https://tickets.example/e/1/t/dup.json'], 1);
  assert.equal(led.uris_with_duplicates, 0);
});

test('a one-byte change in the metadata (creator share 100 -> 99) is refused by Bubblegum at preflight', async () => {
  const bh = await h.blockhash(srv, 'confirmed');
  const owner = s.generateKeypair();
  const md = h.ticketMetadata('bad', [{ address: payer.pub, verified: false, share: 100 }]);
  const good = h.mintV1Tx({ payer, tree, owner: owner.pub, metadata: md, bh: bh.bytes });
  const tx = s.decodeTransaction(good);
  // the share is the last byte of the instruction data, the last byte of the wire
  assert.equal(good[good.length - 1], 100);
  const flipped = Uint8Array.from(good); flipped[flipped.length - 1] = 99;
  // not re-signed: the signature no longer matches
  const e1 = await h.sendError(srv, flipped);
  assert.equal(e1.code, -32003);
  assert.equal(e1.message, 'Transaction signature verification failure');
  // re-signed: the program refuses it
  const msg = flipped.subarray(1 + 64);
  const resigned = s.concat([Uint8Array.of(1), s.sign(payer, msg), msg]);
  const before = (await treeConfig()).num_minted;
  const e2 = await h.sendError(srv, resigned);
  assert.equal(e2.code, -32002);
  assert.deepEqual(e2.data.err, { InstructionError: [0, { Custom: 6004 }] });
  assert.equal(e2.message, 'Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1774');
  assert.ok(e2.data.logs.some((l) => l.includes('Error Code: CreatorShareTotalMustBe100. Error Number: 6004')), e2.data.logs.join('\n'));
  assert.ok(e2.data.unitsConsumed > 0);
  // with skipPreflight it lands as a failed transaction: fee charged, no leaf
  const bal0 = (await srv.rpc('getBalance', [payer.address, { commitment: 'processed' }])).value;
  const sig = await h.send(srv, resigned, { skipPreflight: true });
  await srv.advance(2);
  const st = (await h.statuses(srv, [sig]))[0];
  assert.deepEqual(st.err, { InstructionError: [0, { Custom: 6004 }] });
  assert.deepEqual(st.status, { Err: { InstructionError: [0, { Custom: 6004 }] } });
  const r = await srv.rpc('getTransaction', [sig, { commitment: 'confirmed' }]);
  assert.deepEqual(r.meta.err, { InstructionError: [0, { Custom: 6004 }] });
  assert.equal(r.meta.preBalances[0] - r.meta.postBalances[0], 5000);
  assert.equal((await srv.rpc('getBalance', [payer.address, { commitment: 'processed' }])).value, bal0 - 5000);
  const led = await srv.ledger();
  const entry = led.mints.find((m) => m.signature === sig);
  assert.equal(entry.status, 'failed');
  assert.deepEqual(entry.err, { InstructionError: [0, { Custom: 6004 }] });
  assert.equal(entry.event, null);
  assert.equal(entry.uri, 'https://tickets.example/e/1/t/bad.json');
  assert.equal(led.uri_counts[entry.uri], undefined, 'failed mints are not counted per uri');
  assert.equal((await treeConfig()).num_minted, before, 'no leaf used');
  assert.equal(tx.instructions.length, 1);
});

test('unsigned and wrongly signed transactions are refused (and never land with skipPreflight)', async () => {
  const bh = await h.blockhash(srv, 'confirmed');
  const owner = s.generateKeypair();
  const ix = bg.mintV1Ix({ tree, owner: owner.pub, payer: payer.pub, metadata: h.ticketMetadata('unsigned', []) });
  const compiled = s.compileMessage(payer.pub, [ix], bh.bytes);
  const unsigned = s.signMessage(compiled, []);
  assert.deepEqual(unsigned.subarray(1, 65), new Uint8Array(64));
  assert.equal((await h.sendError(srv, unsigned)).code, -32003);
  const other = s.generateKeypair();
  const wrong = s.concat([Uint8Array.of(1), s.sign(other, compiled.message), compiled.message]);
  assert.equal((await h.sendError(srv, wrong)).code, -32003);
  const sig = await h.send(srv, wrong, { skipPreflight: true });
  await srv.advance(3);
  assert.deepEqual(await h.statuses(srv, [sig], true), [null]);
  assert.equal(await srv.rpc('getTransaction', [sig, { commitment: 'confirmed' }]), null);
  assert.equal((await srv.ledger()).mints.filter((m) => m.signature === sig).length, 0);
});

test('a tree that was never created answers AccountNotInitialized (3012) at preflight', async () => {
  const bh = await h.blockhash(srv, 'confirmed');
  const wire = h.mintV1Tx({ payer, tree: s.generateKeypair().pub, owner: payer.pub, metadata: h.ticketMetadata('x', []), bh: bh.bytes });
  const e = await h.sendError(srv, wire);
  assert.deepEqual(e.data.err, { InstructionError: [0, { Custom: 3012 }] });
  assert.ok(e.data.logs.some((l) => l.includes('AccountNotInitialized')));
});

test('blockhashes: one per block, too new for a finalized preflight, refused after the window', async () => {
  const a = await h.blockhash(srv, 'processed');
  await srv.advance(1);
  const b = await h.blockhash(srv, 'processed');
  assert.notEqual(a.b58, b.b58);
  assert.equal(b.lastValidBlockHeight, a.lastValidBlockHeight + 1);
  const tip = await srv.rpc('getBlockHeight', [{ commitment: 'processed' }]);
  const window = (await srv.http('GET', '/control')).json().blockhash_window;
  assert.equal(b.lastValidBlockHeight, tip + window);
  const mk = (bh, i) => h.mintV1Tx({ payer, tree, owner: payer.pub, metadata: h.ticketMetadata(`bh${i}`, []), bh: bh.bytes });
  // a processed blockhash is too new for the (default) finalized preflight bank, as on a real node
  const e0 = await srv.rpcError('sendTransaction', [h.b64(mk(b, 0)), { encoding: 'base64' }]);
  assert.equal(e0.code, -32002);
  assert.equal(e0.data.err, 'BlockhashNotFound');
  assert.equal(e0.message, 'Transaction simulation failed: Blockhash not found');
  // an unknown blockhash
  const e1 = await h.sendError(srv, mk({ bytes: new Uint8Array(32).fill(7) }, 1), { preflightCommitment: 'processed' });
  assert.equal(e1.data.err, 'BlockhashNotFound');
  // still valid at the last valid block height, refused one block later
  const txLast = mk(b, 2);
  const txLate = mk(b, 3);
  const txQueued = mk(b, 4);
  await srv.advance(window - 1);
  assert.equal(await srv.rpc('getBlockHeight', [{ commitment: 'processed' }]), b.lastValidBlockHeight - 1);
  const sigLast = await h.send(srv, txLast, { preflightCommitment: 'processed' });
  await srv.advance(1); // lands at height lastValidBlockHeight
  assert.equal((await h.statuses(srv, [sigLast]))[0].err, null);
  // accepted at height lastValidBlockHeight, would land one block too late: dropped
  const sigQueued = await h.send(srv, txQueued, { preflightCommitment: 'processed' });
  await srv.advance(1);
  assert.ok((await srv.rpc('getBlockHeight', [{ commitment: 'processed' }])) > b.lastValidBlockHeight);
  const e2 = await h.sendError(srv, txLate, { preflightCommitment: 'processed' });
  assert.equal(e2.data.err, 'BlockhashNotFound');
  const sigLate = await h.send(srv, txLate, { skipPreflight: true });
  await srv.advance(2);
  assert.deepEqual(await h.statuses(srv, [sigQueued, sigLate], true), [null, null]);
  const led = await srv.ledger();
  assert.equal(led.mints.filter((m) => m.signature === sigQueued || m.signature === sigLate).length, 0);
  assert.equal(led.mints.filter((m) => m.signature === sigLast).length, 1);
  // a status without searchTransactionHistory is kept for the blockhash window
  assert.equal((await h.statuses(srv, [sigs[0]]))[0], null);
  assert.equal((await h.statuses(srv, [sigs[0]], true))[0].confirmationStatus, 'finalized');
});

test('priority fees: charged as 5000 + ceil(price * limit / 1e6) and reported per block and account', async () => {
  const bh = await h.blockhash(srv, 'confirmed');
  const wire = h.mintV1Tx({ payer, tree, owner: payer.pub, metadata: h.ticketMetadata('fee', [{ address: payer.pub, verified: true, share: 100 }]), bh: bh.bytes, cuLimit: 100000, cuPrice: 12345 });
  const sig = await h.send(srv, wire);
  await srv.advance(2);
  const r = await srv.rpc('getTransaction', [sig, { commitment: 'confirmed' }]);
  assert.equal(r.meta.err, null);
  const fee = 5000 + Math.ceil((12345 * 100000) / 1e6);
  assert.equal(r.meta.fee, fee);
  assert.equal(r.meta.preBalances[0] - r.meta.postBalances[0], fee, 'LiteSVM charged what getTransaction reports');
  // the verified creator signed (payer): accepted by the program
  const ev = (await srv.ledger()).mints.find((m) => m.signature === sig).event;
  assert.ok(ev);
  const fees = await srv.rpc('getRecentPrioritizationFees', [[treeInfo.tree]]);
  assert.ok(fees.some((f) => f.slot === r.slot && f.prioritizationFee === 12345), JSON.stringify(fees.slice(-3)));
  const other = await srv.rpc('getRecentPrioritizationFees', [[s.generateKeypair().address]]);
  assert.ok(other.find((f) => f.slot === r.slot).prioritizationFee === 12345, 'block minimum');
});

test('the ledger counts two different transactions minting the same ticket uri as a duplicate', async () => {
  const before = await srv.ledger('?summary=1');
  assert.equal(before.uris_with_duplicates, 0);
  const bh = await h.blockhash(srv, 'confirmed');
  const md = h.ticketMetadata('twice', [{ address: payer.pub, verified: false, share: 100 }]);
  const a = await h.send(srv, h.mintV1Tx({ payer, tree, owner: s.generateKeypair().pub, metadata: md, bh: bh.bytes }));
  const b = await h.send(srv, h.mintV1Tx({ payer, tree, owner: s.generateKeypair().pub, metadata: md, bh: bh.bytes }));
  assert.notEqual(a, b);
  await srv.advance(1);
  const sum = await srv.ledger('?summary=1');
  assert.equal(sum.ok, before.ok + 2);
  assert.equal(sum.uris_with_duplicates, 1);
  assert.deepEqual(sum.duplicates, { [md.uri]: 2 });
  assert.equal(sum.extra_mints, 1);
  assert.equal(sum.mints, undefined, 'summary has no mint list');
  const page = await srv.ledger(`?offset=${sum.total - 2}&limit=1`);
  assert.equal(page.mints.length, 1);
  assert.equal(page.mints[0].signature, a);
});
