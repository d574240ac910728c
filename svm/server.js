#!/usr/bin/env node
'use strict';
// mint_ext real-programs test cluster: a Solana JSON-RPC server (loopback only) backed by LiteSVM,
// executing transactions in the real Bubblegum / Account Compression / Noop / Token Metadata /
// MPL Core programs.  See svm/README.md.

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const crypto = require('node:crypto');
const { Chain, SLOTS_PER_EPOCH } = require('./lib/chain');
const s = require('./lib/sol');
const bg = require('./lib/bubblegum');
const { txError, named } = require('./lib/errors');

const API_VERSION = '2.2.7';
const FEATURE_SET = 3294202862;
const MAX_BODY = 50 * 1024;
const PACKET_DATA_SIZE = 1232;
const MAX_B58_TX = 1683;
const MAX_B64_TX = 1644;
const TX_TYPE = 'solana_transaction::versioned::VersionedTransaction';
const U64_MAX_MARK = '"__u64_max__"';

// ------------------------------------------------------------------ options
function usage(msg) {
  if (msg) process.stderr.write(`svm-server: ${msg}\n`);
  process.stderr.write(`usage: server.js --listen HOST:PORT [--port-file FILE] [--slot-ms N] [--finalized-lag N]
       [--blockhash-window N] [--paused] [--bubblegum v2|v1] [--programs DIR] [--quiet]\n`);
  process.exit(2);
}
const opt = { slotMs: 400, lag: 32, window: 150, paused: false, bubblegum: 'v2', programs: path.join(__dirname, 'programs'), quiet: false };
{
  const a = process.argv.slice(2);
  const int = (v, name, min) => { const n = Number(v); if (!Number.isInteger(n) || n < min) usage(`${name}: expected an integer >= ${min}`); return n; };
  for (let i = 0; i < a.length; i++) {
    const k = a[i];
    const v = () => { if (i + 1 >= a.length) usage(`${k} needs a value`); return a[++i]; };
    switch (k) {
      case '--listen': opt.listen = v(); break;
      case '--port-file': opt.portFile = v(); break;
      case '--slot-ms': opt.slotMs = int(v(), k, 1); break;
      case '--finalized-lag': opt.lag = int(v(), k, 1); break;
      case '--blockhash-window': opt.window = int(v(), k, 1); break;
      case '--paused': opt.paused = true; break;
      case '--bubblegum': opt.bubblegum = v(); if (!['v1', 'v2'].includes(opt.bubblegum)) usage('--bubblegum: v1 or v2'); break;
      case '--programs': opt.programs = path.resolve(v()); break;
      case '--quiet': opt.quiet = true; break;
      case '-h': case '--help': usage();
      default: usage(`unknown option ${k}`);
    }
  }
  if (!opt.listen) usage('--listen is required');
}

// Loopback only: 127.0.0.0/8, ::1, localhost.
function parseListen(l) {
  let host, port;
  const m6 = /^\[([^\]]+)\]:(\d+)$/.exec(l);
  if (m6) { host = m6[1]; port = m6[2]; } else {
    const i = l.lastIndexOf(':');
    if (i < 0) return null;
    host = l.slice(0, i); port = l.slice(i + 1);
  }
  if (!/^\d+$/.test(port) || Number(port) > 65535) return null;
  if (host === 'localhost') host = '127.0.0.1';
  if (net.isIPv4(host) && host.split('.')[0] === '127') return { host, port: Number(port) };
  if (host === '::1') return { host, port: Number(port) };
  return null;
}
const listen = parseListen(opt.listen);
if (!listen) {
  process.stderr.write(`svm-server: refusing to listen on ${opt.listen}: only loopback addresses (127.0.0.0/8, [::1], localhost) are allowed\n`);
  process.exit(2);
}

// ------------------------------------------------------------------ chain
let chain;
try {
  chain = new Chain({ programsDir: opt.programs, finalizedLag: opt.lag, blockhashWindow: opt.window, bubblegum: opt.bubblegum });
} catch (e) {
  process.stderr.write(`svm-server: ${e.message}\n`);
  process.exit(3);
}
const methodStats = {};
const stat = (m, o) => { const x = (methodStats[m] = methodStats[m] || {}); x[o] = (x[o] || 0) + 1; };

// ------------------------------------------------------------------ JSON-RPC helpers
class RpcError extends Error {
  constructor(code, message, data) { super(message); this.code = code; this.data = data; }
}
const invalidParams = (m) => new RpcError(-32602, m);
const BAD_COMMITMENT = 'Invalid params: unknown variant, expected one of `processed`, `confirmed`, `finalized`.';

function commitmentOf(cfg, key, dflt = 2) {
  const v = cfg ? cfg[key] : undefined;
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string') throw invalidParams(BAD_COMMITMENT);
  if (['processed', 'recent'].includes(v)) return 0;
  if (['confirmed', 'single', 'singleGossip'].includes(v)) return 1;
  if (['finalized', 'max', 'root'].includes(v)) return 2;
  throw invalidParams(BAD_COMMITMENT);
}
function configAt(params, i) {
  const c = params[i];
  if (c === undefined || c === null) return null;
  if (typeof c !== 'object' || Array.isArray(c)) throw invalidParams('Invalid params: invalid type: expected a config object.');
  return c;
}
function checkMinContextSlot(cfg, h) {
  const m = cfg ? cfg.minContextSlot : undefined;
  if (m === undefined || m === null) return;
  if (!Number.isInteger(m) || m < 0) throw invalidParams('Invalid params: invalid type: expected u64.');
  if (m > chain.slotOf(h)) throw new RpcError(-32016, 'Minimum context slot has not been reached', { contextSlot: chain.slotOf(h) });
}
// commitment + minContextSlot -> bank height
function bankOf(cfg, key = 'commitment') {
  const c = commitmentOf(cfg, key);
  const h = chain.heightAt(c);
  checkMinContextSlot(cfg, h);
  return { c, h };
}
const ctx = (h) => ({ apiVersion: API_VERSION, slot: chain.slotOf(h) });
function addressParam(v) {
  if (typeof v !== 'string') throw invalidParams('Invalid params: invalid type: expected a string.');
  try { return s.pk(v); } catch { throw invalidParams('Invalid param: WrongSize'); }
}

// ------------------------------------------------------------------ methods
const methods = {};

methods.getHealth = () => 'ok';
methods.getVersion = () => ({ 'solana-core': API_VERSION, 'feature-set': FEATURE_SET });
methods.getGenesisHash = () => chain.genesisHash;
methods.getBlockHeight = (p) => bankOf(configAt(p, 0)).h;
methods.getSlot = (p) => chain.slotOf(bankOf(configAt(p, 0)).h);
methods.getEpochInfo = (p) => {
  const { h } = bankOf(configAt(p, 0));
  const slot = chain.slotOf(h);
  const b = chain.block(h);
  return { absoluteSlot: slot, blockHeight: h, epoch: Math.floor(slot / SLOTS_PER_EPOCH), slotIndex: slot % SLOTS_PER_EPOCH,
    slotsInEpoch: SLOTS_PER_EPOCH, transactionCount: b ? b.txCount : chain.landedCount };
};
methods.getLatestBlockhash = (p) => {
  const { h } = bankOf(configAt(p, 0));
  return { context: ctx(h), value: { blockhash: chain.blockhashAt(h), lastValidBlockHeight: h + chain.window } };
};
methods.isBlockhashValid = (p) => {
  if (typeof p[0] !== 'string') throw invalidParams('Invalid params: invalid type: expected a string.');
  const { h } = bankOf(configAt(p, 1));
  return { context: ctx(h), value: chain.bhValid(chain.bhHeight(p[0]), h) };
};
methods.getBalance = (p) => {
  const k = addressParam(p[0]);
  const { h } = bankOf(configAt(p, 1));
  return { context: ctx(h), value: chain.balance(k) };
};
methods.getAccountInfo = (p) => {
  const k = addressParam(p[0]);
  const cfg = configAt(p, 1);
  const { h } = bankOf(cfg);
  const enc = cfg && cfg.encoding != null ? cfg.encoding : 'binary';
  if (!['binary', 'base58', 'base64', 'jsonParsed', 'json'].includes(enc)) {
    if (enc === 'base64+zstd') throw invalidParams('Invalid params: base64+zstd encoding is not supported by this test cluster.');
    throw invalidParams('Invalid params: unknown variant, expected one of `binary`, `base58`, `base64`, `jsonParsed`, `base64+zstd`.');
  }
  const a = chain.svm.getAccount(k);
  if (!a) return { context: ctx(h), value: null };
  let data = Buffer.from(a.data());
  const ds = cfg && cfg.dataSlice;
  if (ds && typeof ds === 'object') data = data.subarray(ds.offset || 0, (ds.offset || 0) + (ds.length ?? data.length));
  let d;
  if (enc === 'binary') d = s.b58encode(data);
  else if (enc === 'base58') d = [s.b58encode(data), 'base58'];
  else d = [data.toString('base64'), 'base64']; // jsonParsed falls back to base64 for these programs
  return { context: ctx(h), value: { data: d, executable: a.executable(), lamports: Number(a.lamports()),
    owner: s.b58encode(a.owner()), rentEpoch: '__u64_max__', space: a.data().length } };
};
methods.getMinimumBalanceForRentExemption = (p) => {
  if (!Number.isInteger(p[0]) || p[0] < 0) throw invalidParams('Invalid params: invalid type: expected usize.');
  return Number(chain.svm.minimumBalanceForRentExemption(BigInt(p[0])));
};
methods.getRecentPrioritizationFees = (p) => {
  const list = p[0] === undefined || p[0] === null ? [] : p[0];
  if (!Array.isArray(list)) throw invalidParams('Invalid params: invalid type: expected a sequence.');
  if (list.length > 128) throw invalidParams('Too many inputs provided; max 128');
  const keys = list.map((a) => s.b58encode(addressParam(a)));
  const out = [];
  for (let h = Math.max(0, chain.tip - 149); h <= chain.tip; h++) {
    const b = chain.block(h);
    if (!b) continue;
    let fee = b.minFee || 0;
    for (const k of keys) { const f = b.accountFees.get(k); if (f !== undefined) fee = Math.max(fee, f); }
    out.push({ slot: b.slot, prioritizationFee: fee });
  }
  return out;
};
methods.requestAirdrop = (p) => {
  const k = addressParam(p[0]);
  if (!Number.isInteger(p[1]) || p[1] <= 0) throw invalidParams('Invalid params: invalid type: expected u64.');
  return airdrop(k, p[1]).signature;
};

methods.sendTransaction = (p) => {
  const cfg = configAt(p, 1);
  if (typeof p[0] !== 'string') throw invalidParams('Invalid params: invalid type: expected a string.');
  const enc = cfg && cfg.encoding != null ? cfg.encoding : 'base58';
  if (cfg && cfg.skipPreflight != null && typeof cfg.skipPreflight !== 'boolean') throw invalidParams('Invalid params: invalid type: expected a boolean.');
  if (cfg && cfg.maxRetries != null && (!Number.isInteger(cfg.maxRetries) || cfg.maxRetries < 0)) throw invalidParams('Invalid params: invalid type: expected usize.');
  const skip = !!(cfg && cfg.skipPreflight);
  const pc = commitmentOf(cfg, 'preflightCommitment');
  const str = p[0];
  let wire;
  if (enc === 'base58') {
    if (str.length > MAX_B58_TX) throw invalidParams(`base58 encoded ${TX_TYPE} too large: ${str.length} bytes (max: encoded/raw ${MAX_B58_TX}/${PACKET_DATA_SIZE})`);
    try { wire = s.b58decode(str); } catch { throw invalidParams('invalid base58 encoding: InvalidCharacter'); }
  } else if (enc === 'base64') {
    if (str.length > MAX_B64_TX) throw invalidParams(`base64 encoded ${TX_TYPE} too large: ${str.length} bytes (max: encoded/raw ${MAX_B64_TX}/${PACKET_DATA_SIZE})`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(str) || str.length % 4 !== 0) throw invalidParams('invalid base64 encoding: InvalidByte');
    wire = new Uint8Array(Buffer.from(str, 'base64'));
  } else {
    throw invalidParams(`unsupported encoding: ${String(enc).slice(0, 40)}. Supported encodings: base58, base64`);
  }
  if (wire.length > PACKET_DATA_SIZE) throw invalidParams(`decoded ${TX_TYPE} too large: ${wire.length} bytes (max: ${PACKET_DATA_SIZE} bytes)`);
  let tx;
  try { tx = s.decodeTransaction(wire); } catch (e) { throw invalidParams(`failed to deserialize ${TX_TYPE}: io error: ${e.message}`); }
  const san = s.sanitizeError(tx);
  if (san) throw invalidParams(`invalid transaction: ${san}`);
  const sig = s.b58encode(tx.signatures[0]);
  const hb = chain.heightAt(pc);
  if (!skip) checkMinContextSlot(cfg, hb);
  const bhH = chain.bhHeight(s.b58encode(tx.recentBlockhash));
  const rec = chain.txs.get(sig);
  if (!skip) {
    const sigOk = tx.signatures.every((sg, i) => s.verify(tx.accountKeys[i], tx.message, sg));
    if (!sigOk) { stat('sendTransaction', 'sig_verify_failed'); throw new RpcError(-32003, 'Transaction signature verification failure'); }
    if (!chain.bhValid(bhH, hb)) { stat('sendTransaction', 'blockhash_not_found'); throw preflightFailure(named('BlockhashNotFound')); }
    if (rec && rec.state === 'landed' && rec.height <= hb) { stat('sendTransaction', 'already_processed'); throw preflightFailure(named('AlreadyProcessed')); }
    if (!(rec && (rec.state === 'pending' || rec.state === 'landed'))) {
      const sim = tx.version === 'legacy' ? chain.svm.simulateLegacyTransaction(wire) : chain.svm.simulateVersionedTransaction(wire);
      if (typeof sim.err === 'function') {
        stat('sendTransaction', 'simulation_failed');
        const m = sim.meta();
        throw preflightFailure(txError(sim.err()), m.logs(), Number(m.computeUnitsConsumed()));
      }
    }
  }
  if (rec && (rec.state === 'pending' || rec.state === 'landed')) { stat('sendTransaction', 'duplicate'); return sig; }
  const r = { signature: sig, wire, tx, state: 'pending', bhHeight: bhH, acceptedAt: chain.tip };
  chain.txs.set(sig, r);
  chain.pending.push(r);
  stat('sendTransaction', 'ok');
  return sig;
};
function preflightFailure(e, logs = [], units = 0) {
  return new RpcError(-32002, `Transaction simulation failed: ${e.display}`, {
    accounts: null, err: e.json, fee: null, innerInstructions: null, loadedAccountsDataSize: 0, logs,
    replacementBlockhash: null, returnData: null, unitsConsumed: units,
  });
}

function statusName(rec) {
  if (chain.tip >= rec.height + chain.lag) return 'finalized';
  if (chain.tip >= rec.height + 1) return 'confirmed';
  return 'processed';
}
methods.getSignatureStatuses = (p) => {
  if (!Array.isArray(p[0])) throw invalidParams('Invalid params: invalid type: expected a sequence.');
  const cfg = configAt(p, 1);
  if (cfg && cfg.searchTransactionHistory != null && typeof cfg.searchTransactionHistory !== 'boolean') throw invalidParams('Invalid params: invalid type: expected a boolean.');
  const history = !!(cfg && cfg.searchTransactionHistory);
  if (p[0].length > 256) throw invalidParams('Too many inputs provided; max 256');
  const sigs = p[0].map((x) => {
    let b;
    try { b = s.b58decode(x); } catch { b = null; }
    if (!b || b.length !== 64) throw invalidParams('Invalid param: WrongSize');
    return x;
  });
  const value = sigs.map((sig) => {
    const r = chain.txs.get(sig);
    if (!r || r.state !== 'landed') return null;
    if (!history && chain.tip > r.height + chain.window) return null;
    const st = statusName(r);
    const err = r.err ? r.err.json : null;
    return { slot: r.slot, confirmations: st === 'finalized' ? null : chain.tip - r.height, err,
      status: err ? { Err: err } : { Ok: null }, confirmationStatus: st };
  });
  return { context: ctx(chain.tip), value };
};

methods.getTransaction = (p) => {
  if (typeof p[0] !== 'string') throw invalidParams('Invalid params: invalid type: expected a string.');
  let sigb;
  try { sigb = s.b58decode(p[0]); } catch { sigb = null; }
  if (!sigb || sigb.length !== 64) throw invalidParams('Invalid param: WrongSize');
  let cfg = p[1];
  let enc = 'json';
  if (typeof cfg === 'string') { enc = cfg; cfg = null; } else cfg = configAt(p, 1);
  if (cfg && cfg.encoding != null) {
    if (typeof cfg.encoding !== 'string') throw invalidParams('Invalid params: invalid type: expected encoding string.');
    enc = cfg.encoding;
  }
  let withVersion = false;
  if (cfg && cfg.maxSupportedTransactionVersion != null) {
    const m = cfg.maxSupportedTransactionVersion;
    if (!Number.isInteger(m) || m < 0 || m > 255) throw invalidParams('Invalid params: invalid type: expected u8.');
    withVersion = true;
  }
  if (!['json', 'jsonParsed', 'base64', 'base58', 'binary'].includes(enc)) throw invalidParams('Invalid params: unknown variant, expected one of `binary`, `base64`, `base58`, `json`, `jsonParsed`.');
  const c = commitmentOf(cfg, 'commitment');
  if (c === 0) throw invalidParams('Method does not support commitment below `confirmed`');
  const r = chain.txs.get(p[0]);
  if (!r || r.state !== 'landed' || r.height > chain.heightAt(c)) return null;
  if (r.tx.version !== 'legacy' && !withVersion) {
    throw new RpcError(-32015, 'Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0');
  }
  return txResult(r, enc === 'jsonParsed' ? 'json' : enc, withVersion);
};

function txResult(r, enc, withVersion) {
  const tx = r.tx;
  const meta = {
    err: r.err ? r.err.json : null,
    status: r.err ? { Err: r.err.json } : { Ok: null },
    fee: r.fee,
    preBalances: r.preBalances,
    postBalances: r.postBalances,
    innerInstructions: r.innerInstructions.map((g) => ({ index: g.index, instructions: g.instructions.map((ii) => ({
      programIdIndex: ii.programIdIndex, accounts: ii.accounts, data: s.b58encode(ii.raw), stackHeight: ii.stackHeight })) })),
    logMessages: r.logs,
    preTokenBalances: [],
    postTokenBalances: [],
    rewards: [],
    loadedAddresses: { writable: [], readonly: [] },
    computeUnitsConsumed: r.computeUnitsConsumed,
  };
  if (r.returnData) meta.returnData = r.returnData;
  let transaction;
  if (enc === 'base64') transaction = [Buffer.from(r.wire).toString('base64'), 'base64'];
  else if (enc === 'base58') transaction = [s.b58encode(r.wire), 'base58'];
  else if (enc === 'binary') transaction = s.b58encode(r.wire);
  else {
    const message = {
      accountKeys: tx.accountKeys.map((k) => s.b58encode(k)),
      header: tx.header,
      recentBlockhash: s.b58encode(tx.recentBlockhash),
      instructions: tx.instructions.map((ix) => ({ programIdIndex: ix.programIdIndex, accounts: ix.accounts, data: s.b58encode(ix.data), stackHeight: null })),
    };
    if (tx.version !== 'legacy') message.addressTableLookups = [];
    transaction = { signatures: tx.signatures.map((x) => s.b58encode(x)), message };
  }
  const out = { slot: r.slot, blockTime: r.blockTime, meta, transaction };
  if (withVersion) out.version = tx.version;
  return out;
}

// ------------------------------------------------------------------ control actions
function airdrop(k, lamports) {
  const r = chain.svm.airdrop(k, BigInt(lamports));
  if (!r || typeof r.err === 'function') throw new Error(`airdrop failed: ${r ? txError(r.err()).display : 'no result'}`);
  return { signature: s.b58encode(r.signature()), balance: chain.balance(k) };
}

function controlError(msg, extra) { const e = new Error(msg); e.status = 400; e.extra = extra; return e; }

function payerFrom(body) {
  if (!Array.isArray(body.payer_secret)) throw controlError('payer_secret: expected the 64-number array of a Solana CLI keypair');
  try { return s.keypairFromSecret(body.payer_secret); } catch (e) { throw controlError(`payer_secret: ${e.message}`); }
}

// Run a control transaction at once (state at the tip) and require success.
function runControlTx(label, payer, ixs, extraSigners) {
  const bh = s.b58decode(chain.blockhashAt(chain.tip));
  const wire = s.buildTransaction(payer, ixs, bh, extraSigners);
  const rec = chain.executeNow(wire);
  if (rec.state !== 'landed' || rec.err) {
    const why = rec.err ? rec.err.display : `not executed (${rec.dropReason})`;
    throw controlError(`${label}: ${why}`, { signature: rec.signature, err: rec.err ? rec.err.json : rec.dropReason, logs: rec.logs || [] });
  }
  return rec;
}

const control = {};
control.airdrop = (b) => {
  if (typeof b.address !== 'string') throw controlError('address: expected a base58 address');
  let k;
  try { k = s.pk(b.address); } catch (e) { throw controlError(`address: ${e.message}`); }
  if (!Number.isSafeInteger(b.lamports) || b.lamports <= 0) throw controlError('lamports: expected a positive integer');
  return airdrop(k, b.lamports);
};
control.create_tree = (b) => {
  const payer = payerFrom(b);
  const version = b.version === undefined ? 1 : b.version;
  if (version !== 1 && version !== 2) throw controlError('version: 1 or 2');
  const maxDepth = b.max_depth ?? 14, maxBuf = b.max_buffer_size ?? 64, canopy = b.canopy_depth ?? 0;
  for (const [n, v] of [['max_depth', maxDepth], ['max_buffer_size', maxBuf], ['canopy_depth', canopy]]) {
    if (!Number.isInteger(v) || v < 0 || v > 2048) throw controlError(`${n}: expected a small integer`);
  }
  if (canopy >= maxDepth) throw controlError('canopy_depth must be below max_depth');
  if (b.public !== undefined && b.public !== null && typeof b.public !== 'boolean') throw controlError('public: expected a boolean');
  const want = b.leaf0_bump_tries ?? 1;
  if (!Number.isInteger(want) || want < 1 || want > 20) throw controlError('leaf0_bump_tries: expected an integer 1..20');
  // a tree whose first asset id (leaf 0) needs at least `want` tries of Bubblegum's bump search:
  // candidates from node's key generator (the public key only), the one found made a keypair
  let tree = s.generateKeypair();
  for (let i = 0; want > 1; i++) {
    if (i > 50 * (1 << want)) throw controlError('leaf0_bump_tries: no such tree found');
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    if (256 - bg.assetIdPda2(pub, 0)[1] >= want) {
      tree = s.keypairFromSeed(Buffer.from(privateKey.export({ format: 'jwk' }).d, 'base64url'));
      break;
    }
  }
  const space = bg.merkleTreeSize(maxDepth, maxBuf, canopy);
  const lamports = Number(chain.svm.minimumBalanceForRentExemption(BigInt(space)));
  const owner = version === 2 ? bg.K.mplCompression : bg.K.splCompression;
  const rec = runControlTx(version === 2 ? 'create_tree_v2' : 'create_tree', payer, [
    bg.setComputeUnitLimit(1400000),
    bg.systemCreateAccount(payer.pub, tree.pub, lamports, space, owner),
    bg.createTreeIx({ version, tree: tree.pub, payer: payer.pub, creator: payer.pub, maxDepth, maxBufferSize: maxBuf, isPublic: b.public ?? null }),
  ], [tree]);
  return {
    tree: tree.address, tree_config: s.b58encode(bg.treeConfigPda(tree.pub)), tree_creator: payer.address,
    version, max_depth: maxDepth, max_buffer_size: maxBuf, canopy_depth: canopy, public: !!b.public,
    space, lamports, compression_program: s.b58encode(owner), signature: rec.signature,
    compute_units: rec.computeUnitsConsumed, slot: rec.slot, leaf0_bump_tries: 256 - bg.assetIdPda2(tree.pub, 0)[1],
  };
};
// A Token Metadata collection NFT (mint, token account holding 1, metadata, master edition with
// max supply 0); update authority = mint authority = payer, so the payer is the collection
// authority for mint_to_collection_v1.
control.create_collection_v1 = (b) => {
  const payer = payerFrom(b);
  const name = b.name ?? 'mint_ext collection', symbol = b.symbol ?? 'COLL', uri = b.uri ?? 'https://example.com/collection.json';
  const mint = s.generateKeypair();
  const token = s.generateKeypair();
  const rent = (n) => Number(chain.svm.minimumBalanceForRentExemption(BigInt(n)));
  const r1 = runControlTx('collection mint', payer, [
    bg.systemCreateAccount(payer.pub, mint.pub, rent(82), 82, bg.K.splToken),
    // InitializeMint2 (20): decimals 0, mint authority payer, freeze authority payer
    { programId: bg.K.splToken, keys: [bg.w(mint.pub)], data: s.concat([Uint8Array.of(20, 0), payer.pub, Uint8Array.of(1), payer.pub]) },
    bg.systemCreateAccount(payer.pub, token.pub, rent(165), 165, bg.K.splToken),
    // InitializeAccount3 (18): owner payer
    { programId: bg.K.splToken, keys: [bg.w(token.pub), bg.ro(mint.pub)], data: s.concat([Uint8Array.of(18), payer.pub]) },
    // MintTo (7): 1 token
    { programId: bg.K.splToken, keys: [bg.w(mint.pub), bg.w(token.pub), bg.sg(payer.pub)], data: s.concat([Uint8Array.of(7), s.u64le(1)]) },
  ], [mint, token]);
  const str = (x) => { const u = Buffer.from(x, 'utf8'); return s.concat([s.u32le(u.length), u]); };
  const metadata = bg.metadataPda(mint.pub), edition = bg.editionPda(mint.pub);
  // CreateMetadataAccountV3 (33): DataV2 {name, symbol, uri, sfbp, creators: Some([payer verified 100]),
  // collection: None, uses: None}, is_mutable true, collection_details: Some(V1 {size 0})
  const dataV2 = s.concat([str(name), str(symbol), str(uri), s.u16le(0), Uint8Array.of(1), s.u32le(1), payer.pub,
    Uint8Array.of(1, 100), Uint8Array.of(0), Uint8Array.of(0)]);
  const r2 = runControlTx('collection metadata', payer, [
    { programId: bg.K.tokenMetadata, keys: [bg.w(metadata), bg.ro(mint.pub), bg.sg(payer.pub), bg.sw(payer.pub), bg.sg(payer.pub), bg.ro(bg.K.system), bg.ro(bg.K.sysvarRent)],
      data: s.concat([Uint8Array.of(33), dataV2, Uint8Array.of(1), Uint8Array.of(1, 0), s.u64le(0)]) },
    // CreateMasterEditionV3 (17): max_supply Some(0)
    { programId: bg.K.tokenMetadata, keys: [bg.w(edition), bg.w(mint.pub), bg.sg(payer.pub), bg.sg(payer.pub), bg.sw(payer.pub), bg.w(metadata), bg.ro(bg.K.splToken), bg.ro(bg.K.system), bg.ro(bg.K.sysvarRent)],
      data: s.concat([Uint8Array.of(17), Uint8Array.of(1), s.u64le(0)]) },
  ]);
  return {
    mint: mint.address, metadata: s.b58encode(metadata), master_edition: s.b58encode(edition), token_account: token.address,
    update_authority: payer.address, collection_authority: payer.address, name, symbol, uri,
    signatures: [r1.signature, r2.signature], compute_units: r1.computeUnitsConsumed + r2.computeUnitsConsumed,
  };
};
// An MPL Core collection carrying the BubblegumV2 plugin (required by mint_v2 into a collection);
// update authority = payer.
control.create_core_collection = (b) => {
  const payer = payerFrom(b);
  const name = b.name ?? 'mint_ext core collection', uri = b.uri ?? 'https://example.com/core-collection.json';
  const coll = s.generateKeypair();
  const str = (x) => { const u = Buffer.from(x, 'utf8'); return s.concat([s.u32le(u.length), u]); };
  // CreateCollectionV2 (21): name, uri, plugins: Some([{BubblegumV2 (15), authority: None}, …]),
  // external_plugin_adapters: None.  Optional plugins (those BubblegumV2 allows): royalties
  // {basis_points, creators: [{address, percentage}]} (Royalties 0, rule set None),
  // permanent_freeze: bool (PermanentFreezeDelegate 5 {frozen}, authority: the update authority),
  // update_delegate: address (UpdateDelegate 4 {additional_delegates: []}, authority: Address).
  const plugins = [Uint8Array.of(15, 0)];
  if (b.royalties) {
    const cr = b.royalties.creators ?? [{ address: payer.address, percentage: 100 }];
    plugins.push(s.concat([Uint8Array.of(0), s.u16le(b.royalties.basis_points), s.u32le(cr.length),
      ...cr.map((c) => s.concat([s.pk(c.address), Uint8Array.of(c.percentage)])), Uint8Array.of(0), Uint8Array.of(0)]));
  }
  if (b.permanent_freeze != null) plugins.push(Uint8Array.of(5, b.permanent_freeze ? 1 : 0, 0));
  if (b.update_delegate) plugins.push(s.concat([Uint8Array.of(4), s.u32le(0), Uint8Array.of(1, 3), s.pk(b.update_delegate)]));
  const data = s.concat([Uint8Array.of(21), str(name), str(uri), Uint8Array.of(1), s.u32le(plugins.length), ...plugins, Uint8Array.of(0)]);
  const rec = runControlTx('create_core_collection', payer, [
    { programId: bg.K.mplCore, keys: [bg.sw(coll.pub), bg.ro(payer.pub), bg.sw(payer.pub), bg.ro(bg.K.system)], data },
  ], [coll]);
  return { collection: coll.address, update_authority: payer.address, name, uri, signature: rec.signature, compute_units: rec.computeUnitsConsumed };
};
// An MPL Core collection as the program left it: its owner, update authority, name, uri and the
// counts mint_v2 keeps (num_minted: assets ever added; current_size: assets in it now), and the
// account's data (base64) with its plugins.
control.core_collection = (b) => {
  if (typeof b.collection !== 'string') throw controlError('collection: expected a base58 address');
  let k;
  try { k = s.pk(b.collection); } catch (e) { throw controlError(`collection: ${e.message}`); }
  const a = chain.svm.getAccount(k);
  if (!a) return { collection: b.collection, exists: false };
  const r = new s.Reader(Buffer.from(a.data()), 0);
  const key = r.u8();
  const updateAuthority = s.b58encode(r.bytes(32));
  const str = () => Buffer.from(r.bytes(r.u32())).toString('utf8');
  const name = str(), uri = str();
  return { collection: b.collection, exists: true, owner: s.b58encode(a.owner()), key, update_authority: updateAuthority,
    name, uri, num_minted: r.u32(), current_size: r.u32(), data_base64: Buffer.from(a.data()).toString('base64') };
};
// Sign a transaction someone else built (e.g. mint.preview_transaction's bytes, signature slots
// zeroed): every signature slot whose key is the secret's public key gets its ed25519 signature
// over the message; the other slots are left as they are.  Nothing is sent.
control.sign = (b) => {
  const kp = payerFrom({ payer_secret: b.secret });
  if (typeof b.tx_base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b.tx_base64)) throw controlError('tx_base64: expected base64');
  const wire = new Uint8Array(Buffer.from(b.tx_base64, 'base64'));
  let tx;
  try { tx = s.decodeTransaction(wire); } catch (e) { throw controlError(`tx_base64: ${e.message}`); }
  const out = Uint8Array.from(wire);
  let off = s.readShortvec(out, 0)[1];
  let signed = 0;
  tx.signatures.forEach((_, i) => {
    if (i < tx.accountKeys.length && Buffer.from(tx.accountKeys[i]).equals(Buffer.from(kp.pub))) {
      out.set(s.sign(kp, tx.message), off + 64 * i);
      signed++;
    }
  });
  if (signed === 0) throw controlError(`${kp.address} is not a signer of this transaction`);
  return { tx_base64: Buffer.from(out).toString('base64'), signature: s.b58encode(out.subarray(off, off + 64)), signed };
};
// A tree's accounts as the programs left them: its Bubblegum tree config decoded, the merkle
// tree account's owner and size.
control.tree_config = (b) => {
  if (typeof b.tree !== 'string') throw controlError('tree: expected a base58 address');
  let k;
  try { k = s.pk(b.tree); } catch (e) { throw controlError(`tree: ${e.message}`); }
  const cfg = bg.treeConfigPda(k);
  const c = chain.svm.getAccount(cfg);
  const t = chain.svm.getAccount(k);
  return {
    tree: b.tree, tree_config: s.b58encode(cfg), config: c ? bg.decodeTreeConfig(c.data()) : null,
    tree_owner: t ? s.b58encode(t.owner()) : null, tree_space: t ? t.data().length : null,
    tree_lamports: t ? Number(t.lamports()) : null,
  };
};
// Lose the next `count` answers to HTTP requests that call sendTransaction: such a request is
// executed in full (its transactions are accepted as usual), then its connection is closed
// without an answer, as when a response is lost on the way back.  count 0 stops it.
let dropSendResponses = 0;
control.drop_responses = (b) => {
  const n = b.count;
  if (!Number.isInteger(n) || n < 0 || n > 1000000) throw controlError('count: expected an integer 0..1000000');
  dropSendResponses = n;
  return { drop_send_responses: dropSendResponses, dropped_responses: chain.stats.dropped_responses || 0 };
};
control.advance = (b) => {
  const n = b.blocks ?? b.advance ?? 1;
  if (!Number.isInteger(n) || n < 0 || n > 100000) throw controlError('blocks: expected an integer 0..100000');
  for (let i = 0; i < n; i++) chain.produceBlock();
  return settings();
};

function settings() {
  return { paused: opt.paused, slot_ms: opt.slotMs, finalized_lag: chain.lag, blockhash_window: chain.window,
    bubblegum: opt.bubblegum, block_height: chain.tip, slot: chain.slotOf(chain.tip), pending: chain.pending.length,
    drop_send_responses: dropSendResponses, dropped_responses: chain.stats.dropped_responses || 0,
    programs: chain.programs.map((p) => ({ id: p.id, file: `${p.dir}/${p.file}` })) };
}
// POST /control {paused, slot_ms, advance} (all applied, or none)
function controlSettings(b) {
  if (b.action !== undefined) {
    if (!Object.prototype.hasOwnProperty.call(control, b.action)) throw controlError(`unknown action: ${b.action}`);
    return control[b.action](b);
  }
  if (b.paused !== undefined && typeof b.paused !== 'boolean') throw controlError('paused: expected a boolean');
  if (b.slot_ms !== undefined && (!Number.isInteger(b.slot_ms) || b.slot_ms < 1)) throw controlError('slot_ms: expected an integer >= 1');
  if (b.advance !== undefined && (!Number.isInteger(b.advance) || b.advance < 0 || b.advance > 100000)) throw controlError('advance: expected an integer 0..100000');
  for (const k of Object.keys(b)) if (!['paused', 'slot_ms', 'advance'].includes(k)) throw controlError(`unknown control key: ${k}`);
  if (b.slot_ms !== undefined) opt.slotMs = b.slot_ms;
  if (b.paused !== undefined) opt.paused = b.paused;
  if (b.advance) for (let i = 0; i < b.advance; i++) chain.produceBlock();
  schedule();
  return settings();
}

// ------------------------------------------------------------------ ledger
function ledgerView(query) {
  const sum = chain.ledgerSummary();
  if (query.get('summary') === '1') return sum;
  const offset = Math.max(0, Number(query.get('offset') || 0) | 0);
  const limit = query.has('limit') ? Math.max(0, Number(query.get('limit')) | 0) : chain.ledger.length;
  return { ...sum, offset, mints: chain.ledger.slice(offset, offset + limit), uri_counts: Object.fromEntries(chain.uriCounts) };
}

// ------------------------------------------------------------------ HTTP
function toJson(v) { return JSON.stringify(v).split(U64_MAX_MARK).join('18446744073709551615'); }

function rpcOne(req) {
  if (req === null || typeof req !== 'object' || Array.isArray(req) || req.jsonrpc !== '2.0' || typeof req.method !== 'string') {
    return { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request' }, id: req && typeof req === 'object' && 'id' in req ? req.id : null };
  }
  const hasId = Object.prototype.hasOwnProperty.call(req, 'id');
  const f = Object.prototype.hasOwnProperty.call(methods, req.method) ? methods[req.method] : null;
  let out;
  if (!f) {
    stat(req.method.slice(0, 40), 'method_not_found');
    out = { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: hasId ? req.id : null };
  } else {
    const params = req.params === undefined || req.params === null ? [] : req.params;
    try {
      if (!Array.isArray(params)) throw invalidParams('Invalid params: invalid type: map, expected a sequence.');
      const result = f(params);
      if (req.method !== 'sendTransaction') stat(req.method, 'ok');
      out = { jsonrpc: '2.0', result, id: req.id };
    } catch (e) {
      if (!(e instanceof RpcError)) { process.stderr.write(`svm-server: ${req.method}: ${e.stack}\n`); e = new RpcError(-32603, `Internal error: ${e.message}`); }
      if (e.code === -32602) stat(req.method, 'invalid_params');
      if (e.code === -32016) stat(req.method, 'min_context_slot');
      out = { jsonrpc: '2.0', error: e.data === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, data: e.data }, id: hasId ? req.id : null };
    }
  }
  return hasId ? out : undefined;
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req, res, cb) {
  const len = Number(req.headers['content-length'] || 0);
  if (len > MAX_BODY) { send(res, 413, '{"error":"body too large"}'); req.resume(); return; }
  const chunks = [];
  let n = 0, over = false;
  req.on('data', (c) => { n += c.length; if (n > MAX_BODY) over = true; else chunks.push(c); });
  req.on('end', () => { if (over) send(res, 413, '{"error":"body too large"}'); else cb(Buffer.concat(chunks).toString('utf8')); });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const p = url.pathname;
  if (req.method === 'GET') {
    if (p === '/health') return send(res, 200, 'ok', 'text/plain');
    if (p === '/ledger') return send(res, 200, toJson(ledgerView(url.searchParams)));
    if (p === '/control') return send(res, 200, toJson(settings()));
    if (p === '/stats') return send(res, 200, toJson({ methods: methodStats, chain: chain.stats }));
    return send(res, p === '/' ? 405 : 404, p === '/' ? 'Used HTTP Method is not allowed. POST or OPTIONS is required' : '{"error":"not found"}', p === '/' ? 'text/plain' : 'application/json');
  }
  if (req.method !== 'POST') return send(res, 405, 'Used HTTP Method is not allowed. POST or OPTIONS is required', 'text/plain');
  const ct = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  if (p === '/control' || p.startsWith('/control/')) {
    return readBody(req, res, (body) => {
      let b;
      try { b = body.trim() === '' ? {} : JSON.parse(body); } catch { return send(res, 400, toJson({ error: 'body is not JSON' })); }
      if (b === null || typeof b !== 'object' || Array.isArray(b)) return send(res, 400, toJson({ error: 'expected a JSON object' }));
      try {
        const action = p.slice('/control/'.length);
        let out;
        if (p === '/control') out = controlSettings(b);
        else if (Object.prototype.hasOwnProperty.call(control, action)) out = control[action](b);
        else return send(res, 404, toJson({ error: `unknown control action ${action}` }));
        return send(res, 200, toJson(out));
      } catch (e) {
        if (!e.status) process.stderr.write(`svm-server: control: ${e.stack}\n`);
        return send(res, e.status || 500, toJson({ error: e.message, ...(e.extra || {}) }));
      }
    });
  }
  if (p !== '/') return send(res, 404, '{"error":"not found"}');
  if (ct !== 'application/json') { req.resume(); return send(res, 415, 'Supplied content type is not allowed. Content-Type: application/json is required', 'text/plain'); }
  return readBody(req, res, (body) => {
    let j;
    try { j = JSON.parse(body); } catch {
      return send(res, 200, toJson({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }));
    }
    const sends = (Array.isArray(j) ? j : [j]).some((r) => r && typeof r === 'object' && r.method === 'sendTransaction');
    let reply;
    if (Array.isArray(j)) {
      if (j.length === 0) return send(res, 200, toJson({ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request' }, id: null }));
      const out = j.map(rpcOne).filter((x) => x !== undefined);
      reply = out.length ? toJson(out) : '';
    } else {
      const out = rpcOne(j);
      reply = out === undefined ? '' : toJson(out);
    }
    if (sends && dropSendResponses > 0) {
      // executed, answer lost (POST /control/drop_responses)
      dropSendResponses--;
      chain.stats.dropped_responses = (chain.stats.dropped_responses || 0) + 1;
      return res.socket ? res.socket.destroy() : res.destroy();
    }
    return send(res, 200, reply);
  });
});
server.keepAliveTimeout = 30000;

// ------------------------------------------------------------------ block clock
let timer = null;
let nextAt = 0;
function schedule() {
  if (timer) { clearTimeout(timer); timer = null; }
  if (opt.paused) return;
  const now = Date.now();
  if (nextAt < now - opt.slotMs * 5 || nextAt === 0) nextAt = now + opt.slotMs;
  timer = setTimeout(tick, Math.max(0, nextAt - now));
}
function tick() {
  timer = null;
  if (opt.paused) return;
  try { chain.produceBlock(); } catch (e) { process.stderr.write(`svm-server: block production: ${e.stack}\n`); }
  nextAt += opt.slotMs;
  schedule();
}

function shutdown() {
  if (timer) clearTimeout(timer);
  opt.paused = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.on('error', (e) => { process.stderr.write(`svm-server: ${e.message}\n`); process.exit(2); });
server.listen(listen.port, listen.host, () => {
  const port = server.address().port;
  if (opt.portFile) {
    const tmp = `${opt.portFile}.tmp.${process.pid}`;
    fs.writeFileSync(tmp, `${port}\n`);
    fs.renameSync(tmp, opt.portFile);
  }
  if (!opt.quiet) {
    process.stderr.write(`svm-server: listening on ${listen.host}:${port} (LiteSVM, Bubblegum ${opt.bubblegum}, ${chain.loaded.length} program files verified; slot ${opt.slotMs} ms, finalized lag ${chain.lag}, blockhash window ${chain.window}${opt.paused ? ', paused' : ''})\n`);
  }
  schedule();
});
