'use strict';
// The chain model around one LiteSVM instance: blocks on a clock, commitments (processed = tip,
// confirmed = tip-1, finalized = tip-lag), one blockhash per block valid for `blockhashWindow`
// blocks, a queue of accepted transactions executed into the next block, a status/transaction
// store and the ledger of Bubblegum mints.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { LiteSvm, Clock } = require('litesvm/dist/internal');
const s = require('./sol');
const bg = require('./bubblegum');
const { txError } = require('./errors');

const SLOT_BASE = 1000;
const LAMPORTS_PER_SIGNATURE = 5000;
const SLOTS_PER_EPOCH = 432000;
const MINT_KINDS = new Map([
  [s.hex(bg.DISC.mintV1), 'mint_v1'],
  [s.hex(bg.DISC.mintToCollectionV1), 'mint_to_collection_v1'],
  [s.hex(bg.DISC.mintV2), 'mint_v2'],
]);
// Which account of each mint instruction is the tree / owner / payer (IDL order).
const MINT_ACCOUNTS = {
  mint_v1: { tree: 3, owner: 1, delegate: 2, payer: 4, treeDelegate: 5 },
  mint_to_collection_v1: { tree: 3, owner: 1, delegate: 2, payer: 4, treeDelegate: 5, collectionMint: 8 },
  mint_v2: { tree: 6, owner: 4, delegate: 5, payer: 1, treeDelegate: 2, collection: 7 },
};

// Program sets.  Only one program can live at an address, so BGUMAp9… gets one Bubblegum binary:
// by default the V2 build (it holds the V1 and the V2 instruction sets, as mainnet's program does
// since 2025); `--bubblegum v1` loads the 0.12.x build instead (V1 instructions only).
const PROGRAMS = [
  { id: bg.IDS.splCompression, dir: 'bubblegum-v1', file: 'spl_account_compression.so' },
  { id: bg.IDS.splNoop, dir: 'bubblegum-v1', file: 'spl_noop.so' },
  { id: bg.IDS.tokenMetadata, dir: 'bubblegum-v1', file: 'mpl_token_metadata.so' },
  { id: bg.IDS.mplCompression, dir: 'bubblegum-v2', file: 'mpl_account_compression.so' },
  { id: bg.IDS.mplNoop, dir: 'bubblegum-v2', file: 'mpl_noop.so' },
  { id: bg.IDS.mplCore, dir: 'bubblegum-v2', file: 'mpl_core.so' },
];

// Check every SHA256SUMS line of both sets; throws on a missing file or a mismatch.
function verifyPrograms(programsDir) {
  const checked = [];
  for (const dir of ['bubblegum-v1', 'bubblegum-v2']) {
    const sums = path.join(programsDir, dir, 'SHA256SUMS');
    const lines = fs.readFileSync(sums, 'utf8').split('\n').filter((l) => l.trim());
    const listed = new Set();
    for (const line of lines) {
      const m = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
      if (!m) throw new Error(`${sums}: malformed line: ${line}`);
      const file = path.join(programsDir, dir, m[2]);
      const got = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      if (got !== m[1]) throw new Error(`${file}: sha256 ${got} does not match SHA256SUMS (${m[1]})`);
      listed.add(m[2]);
      checked.push(`${dir}/${m[2]}`);
    }
    for (const f of fs.readdirSync(path.join(programsDir, dir))) {
      if (f.endsWith('.so') && !listed.has(f)) throw new Error(`${dir}/${f} is not listed in SHA256SUMS`);
    }
  }
  return checked;
}

class Chain {
  constructor(opts) {
    this.lag = opts.finalizedLag ?? 32;
    this.window = opts.blockhashWindow ?? 150;
    this.bubblegum = opts.bubblegum || 'v2';
    this.programsDir = opts.programsDir;
    this.loaded = verifyPrograms(this.programsDir);
    this.svm = new LiteSvm();
    this.svm.setBlockhashCheck(false); // blockhash ages are checked here, per block and commitment
    this.svm.setSigverify(true);
    this.svm.setTransactionHistory(0n); // duplicates are detected here (status cache per bank)
    const bgDir = this.bubblegum === 'v1' ? 'bubblegum-v1' : 'bubblegum-v2';
    this.programs = [{ id: bg.IDS.bubblegum, dir: bgDir, file: 'mpl_bubblegum.so' }, ...PROGRAMS];
    for (const p of this.programs) this.svm.addProgramFromFile(s.pk(p.id), path.join(this.programsDir, p.dir, p.file));

    this.blocks = new Map(); // height -> block
    this.bhIndex = new Map(); // blockhash b58 -> height
    this.txs = new Map(); // signature b58 -> record
    this.pending = [];
    this.ledger = [];
    this.uriCounts = new Map(); // successful mints per uri
    this.treeConfigs = new Map(); // tree -> tree config PDA (cache)
    this.landedCount = 0;
    this.stats = { blocks: 0, landed_ok: 0, landed_err: 0, dropped: {}, expired_in_queue: 0 };
    const genesis = crypto.createHash('sha256').update('mint_ext LiteSVM test cluster').digest();
    this.genesisHash = s.b58encode(genesis);
    // Start with lag+1 empty blocks, so that every commitment has a block (and a blockhash).
    this.tip = this.window + 1000;
    this._setClock(this.slotOf(this.tip));
    this._makeBlock(this.tip, []);
    for (let i = 0; i <= this.lag; i++) this.produceBlock();
    this.stats.blocks = 0;
  }

  slotOf(h) { return h + Math.floor(h / 8) + SLOT_BASE; }
  heightAt(c) { return Math.max(0, this.tip - (c === 0 ? 0 : c === 1 ? 1 : this.lag)); }
  block(h) { return this.blocks.get(h); }
  blockhashAt(h) { const b = this.blocks.get(h); return b ? b.blockhash : null; }
  bhHeight(b58) { const h = this.bhIndex.get(b58); return h === undefined ? null : h; }
  // A blockhash of height bh is usable on a bank of height hb (and in a block of height hb).
  bhValid(bh, hb) { return bh !== null && bh <= hb && hb - bh <= this.window; }

  _setClock(slot) {
    const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
    const now = BigInt(Math.floor(Date.now() / 1000));
    this.svm.setClock(new Clock(BigInt(slot), now, BigInt(epoch), BigInt(epoch + 1), now));
  }

  _makeBlock(h, sigs) {
    const slot = this.slotOf(h);
    this.svm.expireBlockhash();
    const b = { height: h, slot, blockhash: this.svm.latestBlockhash(), blockTime: Math.floor(Date.now() / 1000),
      sigs, minFee: null, accountFees: new Map(), txCount: this.landedCount };
    this.blocks.set(h, b);
    this.bhIndex.set(b.blockhash, h);
    return b;
  }

  _prune() {
    const keep = this.window + this.lag + 8;
    for (const [h, b] of this.blocks) {
      if (h < this.tip - keep) { this.blocks.delete(h); this.bhIndex.delete(b.blockhash); } else break;
    }
  }

  // Produce the next block: run the queue, then seal the block with a fresh blockhash.
  produceBlock() {
    const h = this.tip + 1;
    const slot = this.slotOf(h);
    this._setClock(slot);
    const queue = this.pending;
    this.pending = [];
    const landed = [];
    const ctx = { height: h, slot, blockTime: Math.floor(Date.now() / 1000), minFee: null, accountFees: new Map() };
    for (const rec of queue) {
      if (rec.state !== 'pending') continue;
      if (!this.bhValid(rec.bhHeight, h)) {
        rec.state = 'dropped';
        rec.dropReason = rec.bhHeight === null ? 'BlockhashNotFound' : 'expired';
        if (rec.bhHeight !== null) this.stats.expired_in_queue++;
        else this.stats.dropped.BlockhashNotFound = (this.stats.dropped.BlockhashNotFound || 0) + 1;
        continue;
      }
      if (this.execute(rec, ctx)) landed.push(rec.signature);
    }
    const b = this._makeBlock(h, landed);
    b.minFee = ctx.minFee;
    b.accountFees = ctx.accountFees;
    b.txCount = this.landedCount;
    this.tip = h;
    this.stats.blocks++;
    this._prune();
    return b;
  }

  balance(k) { const v = this.svm.getBalance(k); return v === null ? 0 : Number(v); }

  // The transaction's SetComputeUnitLimit / SetComputeUnitPrice (null / 0 when absent).
  _budget(tx) {
    let limit = null, price = 0, other = 0;
    for (const ix of tx.instructions) {
      const prog = s.b58encode(tx.accountKeys[ix.programIdIndex]);
      if (prog === bg.IDS.computeBudget) {
        if (ix.data[0] === 2 && ix.data.length >= 5) limit = Buffer.from(ix.data).readUInt32LE(1);
        if (ix.data[0] === 3 && ix.data.length >= 9) price = Number(Buffer.from(ix.data).readBigUInt64LE(1));
      } else other++;
    }
    return { limit, price, other };
  }

  // agave's fee: 5000 per signature + ceil(cu_price * cu_limit / 1e6).
  _fee(tx) {
    let { limit, price, other } = this._budget(tx);
    if (limit === null) limit = Math.min(1400000, 200000 * other);
    limit = Math.min(limit, 1400000);
    return { fee: LAMPORTS_PER_SIGNATURE * tx.signatures.length + Math.ceil((price * limit) / 1e6), price };
  }

  // Execute one accepted transaction into the block being built.  Returns true if it landed
  // (successfully or failed with its fee charged); false if it was dropped (never lands).
  execute(rec, ctx) {
    const tx = rec.tx;
    const keys = tx.accountKeys;
    const pre = keys.map((k) => this.balance(k));
    const r = tx.version === 'legacy' ? this.svm.sendLegacyTransaction(rec.wire) : this.svm.sendVersionedTransaction(rec.wire);
    const failed = typeof r.err === 'function';
    const meta = failed ? r.meta() : r;
    const post = keys.map((k) => this.balance(k));
    const err = failed ? txError(r.err()) : null;
    if (failed && post[0] >= pre[0]) {
      // Not committed: a validator would not include it in a block (bad signature, unfunded fee
      // payer, missing account, ...).  The signature stays unknown.
      rec.state = 'dropped';
      rec.dropReason = err.name;
      this.stats.dropped[err.name] = (this.stats.dropped[err.name] || 0) + 1;
      return false;
    }
    const { fee, price } = this._fee(tx);
    Object.assign(rec, {
      state: 'landed', height: ctx.height, slot: ctx.slot, blockTime: ctx.blockTime, err, fee,
      preBalances: pre, postBalances: post, logs: meta.logs(),
      computeUnitsConsumed: Number(meta.computeUnitsConsumed()),
      innerInstructions: meta.innerInstructions().map((grp, index) => ({
        index,
        instructions: grp.map((ii) => {
          const ci = ii.instruction();
          return { programIdIndex: ci.programIdIndex(), accounts: Array.from(ci.accounts()), raw: ci.data(), stackHeight: ii.stackHeight() };
        }),
      })).filter((g) => g.instructions.length > 0),
      returnData: (() => {
        const rd = meta.returnData();
        const d = rd && rd.data();
        return d && d.length ? { programId: s.b58encode(rd.programId()), data: [Buffer.from(d).toString('base64'), 'base64'] } : null;
      })(),
    });
    this.landedCount++;
    if (err) this.stats.landed_err++; else this.stats.landed_ok++;
    // prioritization fees: minimum per block and per write-locked account
    ctx.minFee = ctx.minFee === null ? price : Math.min(ctx.minFee, price);
    keys.forEach((k, i) => {
      if (!s.isWritableIndex(tx, i)) return;
      const a = s.b58encode(k);
      const cur = ctx.accountFees.get(a);
      ctx.accountFees.set(a, cur === undefined ? price : Math.min(cur, price));
    });
    this._ledger(rec);
    return true;
  }

  // Ledger entries for each Bubblegum mint instruction of a landed transaction.
  _ledger(rec) {
    const tx = rec.tx;
    const key = (i) => (i === undefined || i >= tx.accountKeys.length ? null : s.b58encode(tx.accountKeys[i]));
    tx.instructions.forEach((ix, idx) => {
      if (key(ix.programIdIndex) !== bg.IDS.bubblegum || ix.data.length < 8) return;
      const kind = MINT_KINDS.get(s.hex(ix.data.subarray(0, 8)));
      if (!kind) return;
      const acc = MINT_ACCOUNTS[kind];
      const a = (n) => key(ix.accounts[n]);
      let md = null;
      try { md = s.readMetadataArgs(ix.data, 8, kind === 'mint_v2'); } catch { md = null; }
      const entry = {
        signature: rec.signature, status: rec.err ? 'failed' : 'ok', slot: rec.slot, block_height: rec.height,
        instruction: kind, instruction_index: idx, tree: a(acc.tree), tree_config: null, owner: a(acc.owner),
        delegate: a(acc.delegate), payer: key(0), tree_delegate: a(acc.treeDelegate),
        name: md ? md.name : null, symbol: md ? md.symbol : null, uri: md ? md.uri : null,
        err: rec.err ? rec.err.json : null, compute_units: rec.computeUnitsConsumed,
        cu_limit: this._budget(tx).limit, cu_price: this._budget(tx).price,
        leaf_nonce: null, asset_id: null, event: null,
      };
      if (acc.collectionMint !== undefined) entry.collection = a(acc.collectionMint);
      if (acc.collection !== undefined && a(acc.collection) !== bg.IDS.bubblegum) entry.collection = a(acc.collection);
      if (entry.tree) {
        let tc = this.treeConfigs.get(entry.tree);
        if (!tc) { tc = s.b58encode(bg.treeConfigPda(s.pk(entry.tree))); this.treeConfigs.set(entry.tree, tc); }
        entry.tree_config = tc;
      }
      if (!rec.err) {
        const grp = rec.innerInstructions.find((g) => g.index === idx);
        for (const ii of grp ? grp.instructions : []) {
          const prog = key(ii.programIdIndex);
          if (prog !== bg.IDS.splNoop && prog !== bg.IDS.mplNoop) continue;
          const ev = bg.decodeLeafEvent(ii.raw);
          if (ev) { entry.event = { program: prog, ...ev }; break; }
        }
        if (entry.event) { entry.asset_id = entry.event.id; entry.leaf_nonce = entry.event.nonce; }
        if (entry.uri !== null) this.uriCounts.set(entry.uri, (this.uriCounts.get(entry.uri) || 0) + 1);
      }
      this.ledger.push(entry);
    });
  }

  // Run a signed transaction at once against the tip state and record it in the tip block (used
  // by the control endpoints to set up trees and collections).  Returns the record.
  executeNow(wire) {
    const tx = s.decodeTransaction(wire);
    const sig = s.b58encode(tx.signatures[0]);
    const tipBlock = this.blocks.get(this.tip);
    const rec = { signature: sig, wire, tx, state: 'pending', bhHeight: this.bhHeight(s.b58encode(tx.recentBlockhash)), control: true };
    const ctx = { height: this.tip, slot: tipBlock.slot, blockTime: tipBlock.blockTime, minFee: tipBlock.minFee, accountFees: tipBlock.accountFees };
    this.txs.set(sig, rec);
    if (this.execute(rec, ctx)) { tipBlock.sigs.push(sig); tipBlock.minFee = ctx.minFee; tipBlock.txCount = this.landedCount; }
    return rec;
  }

  ledgerSummary() {
    let ok = 0, failed = 0;
    for (const e of this.ledger) { if (e.status === 'ok') ok++; else failed++; }
    const duplicates = {};
    for (const [u, n] of this.uriCounts) if (n > 1) duplicates[u] = n;
    return {
      block_height: this.tip, slot: this.slotOf(this.tip), total: this.ledger.length, ok, failed,
      pending: this.pending.filter((r) => r.state === 'pending').length,
      distinct_uris: this.uriCounts.size, uris_with_duplicates: Object.keys(duplicates).length,
      extra_mints: Object.values(duplicates).reduce((a, n) => a + n - 1, 0), duplicates,
    };
  }
}

module.exports = { Chain, verifyPrograms, SLOTS_PER_EPOCH };
