'use strict';
// Small Solana helpers for the LiteSVM test cluster and its tests: base58, PDAs (with the
// curve25519-dalek "does it decompress" on-curve test), ed25519 keys and signatures
// (node:crypto), compact-u16, legacy transaction encode/decode, and the Borsh bits of
// Bubblegum's MetadataArgs.  Written from the byte layouts in the project's reference notes;
// it shares no code with the extension's C implementation.

const crypto = require('node:crypto');

// ---------------------------------------------------------------- base58 (Bitcoin alphabet)
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const B58MAP = new Int16Array(128).fill(-1);
for (let i = 0; i < B58.length; i++) B58MAP[B58.charCodeAt(i)] = i;

function b58encode(bytes) {
  bytes = Uint8Array.from(bytes);
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits = []; // base-58 digits, little endian
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i];
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j] << 8;
      digits[j] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) { digits.push(carry % 58); carry = (carry / 58) | 0; }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) out += B58[digits[i]];
  return out;
}

function b58decode(str) {
  if (typeof str !== 'string') throw new Error('base58: not a string');
  let zeros = 0;
  while (zeros < str.length && str[zeros] === '1') zeros++;
  const bytes = []; // little endian
  for (let i = zeros; i < str.length; i++) {
    const c = str.charCodeAt(i);
    const v = c < 128 ? B58MAP[c] : -1;
    if (v < 0) throw new Error('base58: invalid character');
    let carry = v;
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j] * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) { bytes.push(carry & 0xff); carry >>= 8; }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let i = 0; i < bytes.length; i++) out[out.length - 1 - i] = bytes[i];
  return out;
}

// A 32-byte public key from base58 (throws unless exactly 32 bytes).
function pk(str) {
  const b = b58decode(str);
  if (b.length !== 32) throw new Error(`not a 32-byte address: ${str}`);
  return b;
}

// ---------------------------------------------------------------- hashing, PDAs
const sha256 = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

const P = (1n << 255n) - 19n;
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
// curve25519-dalek CompressedEdwardsY::decompress().is_some(): y = low 255 bits mod p (sign bit
// ignored, non-canonical accepted); on curve iff (y^2-1)/(d*y^2+1) is 0 or a square mod p.
function isOnCurve(bytes32) {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? bytes32[i] & 0x7f : bytes32[i]);
  y %= P;
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  const v = (D * y2 + 1n) % P;
  if (u === 0n) return true;
  // u/v is a square iff u*v is (v^2 is one): its Legendre symbol, computed as the Jacobi symbol
  // (p is prime), the same answer as Euler's criterion (u*v)^((p-1)/2) == 1 about 6x faster
  return jacobi((u * v) % P, P) === 1;
}
// Jacobi symbol (a/n) for odd n > 0: 1, -1, or 0 when they share a factor.
function jacobi(a, n) {
  a %= n;
  let t = 1;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      const r = n & 7n;
      if (r === 3n || r === 5n) t = -t;
    }
    [a, n] = [n, a];
    if ((a & 3n) === 3n && (n & 3n) === 3n) t = -t;
    a %= n;
  }
  return n === 1n ? t : 0;
}

const PDA_MARKER = Buffer.from('ProgramDerivedAddress');
function createProgramAddress(seeds, programId) {
  const h = sha256(...seeds, programId, PDA_MARKER);
  return isOnCurve(h) ? null : h;
}
function findProgramAddress(seeds, programId) {
  for (let bump = 255; bump >= 0; bump--) {
    const a = createProgramAddress([...seeds, Uint8Array.of(bump)], programId);
    if (a) return [a, bump];
  }
  throw new Error('no PDA bump');
}

function u64le(n) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return new Uint8Array(b); }
function u32le(n) { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return new Uint8Array(b); }
function u16le(n) { const b = Buffer.alloc(2); b.writeUInt16LE(n); return new Uint8Array(b); }

// ---------------------------------------------------------------- ed25519 keys (node:crypto)
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

// A keypair from a 32-byte seed: {secret: 64 bytes (seed||pub, Solana CLI format), pub, key}.
function keypairFromSeed(seed) {
  seed = Buffer.from(seed);
  if (seed.length !== 32) throw new Error('seed must be 32 bytes');
  const key = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const jwk = crypto.createPublicKey(key).export({ format: 'jwk' });
  const pub = new Uint8Array(Buffer.from(jwk.x, 'base64url'));
  return { secret: new Uint8Array(Buffer.concat([seed, pub])), pub, key, address: b58encode(pub) };
}
// From the 64-number array of a Solana CLI keypair file; the public half must match the seed.
function keypairFromSecret(secret) {
  const s = Uint8Array.from(secret);
  if (s.length !== 64) throw new Error('secret key must be 64 bytes');
  const kp = keypairFromSeed(s.subarray(0, 32));
  if (!Buffer.from(kp.pub).equals(Buffer.from(s.subarray(32)))) throw new Error('secret key: public half does not match the seed');
  return kp;
}
const generateKeypair = () => keypairFromSeed(crypto.randomBytes(32));
const sign = (kp, msg) => new Uint8Array(crypto.sign(null, Buffer.from(msg), kp.key));
function verify(pub32, msg, sig) {
  try {
    const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub32).toString('base64url') }, format: 'jwk' });
    return crypto.verify(null, Buffer.from(msg), key, Buffer.from(sig));
  } catch { return false; }
}

// ---------------------------------------------------------------- compact-u16, legacy transactions
function shortvec(n) {
  const out = [];
  for (;;) {
    let b = n & 0x7f; n >>= 7;
    if (n === 0) { out.push(b); return Uint8Array.from(out); }
    out.push(b | 0x80);
  }
}
function readShortvec(buf, off) {
  let v = 0;
  for (let i = 0; i < 3; i++) {
    if (off + i >= buf.length) throw new Error('truncated compact-u16');
    const b = buf[off + i];
    if (i === 2 && b > 3) throw new Error('compact-u16 overflow');
    v |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) throw new Error('compact-u16 alias encoding');
      return [v, off + i + 1];
    }
  }
  throw new Error('compact-u16 too long');
}
const concat = (parts) => new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));
const hex = (b) => Buffer.from(b).toString('hex');

// Compile a legacy message.  ixs: [{programId: Uint8Array, keys: [{pubkey, isSigner, isWritable}],
// data: Uint8Array}].  Keys are ordered payer first, then signer+writable, signer+readonly,
// writable, readonly, each group in memcmp order (the Rust SDK convention).
function compileMessage(payer, ixs, recentBlockhash) {
  const meta = new Map(); // hex -> {pubkey, s, w}
  const add = (k, s, w) => {
    const h = hex(k);
    const m = meta.get(h) || { pubkey: k, s: false, w: false };
    m.s = m.s || s; m.w = m.w || w; meta.set(h, m);
  };
  add(payer, true, true);
  for (const ix of ixs) {
    for (const k of ix.keys) add(k.pubkey, !!k.isSigner, !!k.isWritable);
    add(ix.programId, false, false);
  }
  const payerHex = hex(payer);
  const rest = [...meta.values()].filter((m) => hex(m.pubkey) !== payerHex);
  const grp = (s, w) => rest.filter((m) => m.s === s && m.w === w).sort((a, b) => Buffer.compare(Buffer.from(a.pubkey), Buffer.from(b.pubkey)));
  const ordered = [meta.get(payerHex), ...grp(true, true), ...grp(true, false), ...grp(false, true), ...grp(false, false)];
  const index = new Map(ordered.map((m, i) => [hex(m.pubkey), i]));
  const nSig = ordered.filter((m) => m.s).length;
  const nRoSigned = ordered.filter((m) => m.s && !m.w).length;
  const nRoUnsigned = ordered.filter((m) => !m.s && !m.w).length;
  const parts = [Uint8Array.of(nSig, nRoSigned, nRoUnsigned), shortvec(ordered.length), ...ordered.map((m) => m.pubkey),
    recentBlockhash, shortvec(ixs.length)];
  for (const ix of ixs) {
    parts.push(Uint8Array.of(index.get(hex(ix.programId))), shortvec(ix.keys.length),
      Uint8Array.from(ix.keys.map((k) => index.get(hex(k.pubkey)))), shortvec(ix.data.length), ix.data);
  }
  return { message: concat(parts), accountKeys: ordered.map((m) => m.pubkey), numSigners: nSig };
}

// Sign a compiled message with the given keypairs (in any order; placed by key position).
// A signer missing from `signers` gets a zero signature (an "unsigned" transaction).
function signMessage(compiled, signers) {
  const sigs = [];
  for (let i = 0; i < compiled.numSigners; i++) {
    const k = compiled.accountKeys[i];
    const kp = signers.find((s) => Buffer.from(s.pub).equals(Buffer.from(k)));
    sigs.push(kp ? sign(kp, compiled.message) : new Uint8Array(64));
  }
  return concat([shortvec(sigs.length), ...sigs, compiled.message]);
}

function buildTransaction(payerKp, ixs, recentBlockhash, extraSigners = []) {
  const c = compileMessage(payerKp.pub, ixs, recentBlockhash);
  return signMessage(c, [payerKp, ...extraSigners]);
}

// Decode legacy (or v0, without lookups resolved) wire bytes, strictly (no trailing bytes).
function decodeTransaction(buf) {
  buf = Uint8Array.from(buf);
  let off = 0;
  let nsig;
  [nsig, off] = readShortvec(buf, off);
  const signatures = [];
  for (let i = 0; i < nsig; i++) {
    if (off + 64 > buf.length) throw new Error('truncated signatures');
    signatures.push(buf.subarray(off, off + 64)); off += 64;
  }
  const message = buf.subarray(off);
  let version = 'legacy';
  if (off < buf.length && buf[off] & 0x80) { version = buf[off] & 0x7f; off++; }
  if (off + 3 > buf.length) throw new Error('truncated header');
  const header = { numRequiredSignatures: buf[off], numReadonlySignedAccounts: buf[off + 1], numReadonlyUnsignedAccounts: buf[off + 2] };
  off += 3;
  let nkeys;
  [nkeys, off] = readShortvec(buf, off);
  const accountKeys = [];
  for (let i = 0; i < nkeys; i++) {
    if (off + 32 > buf.length) throw new Error('truncated account keys');
    accountKeys.push(buf.subarray(off, off + 32)); off += 32;
  }
  if (off + 32 > buf.length) throw new Error('truncated blockhash');
  const recentBlockhash = buf.subarray(off, off + 32); off += 32;
  let nix;
  [nix, off] = readShortvec(buf, off);
  const instructions = [];
  for (let i = 0; i < nix; i++) {
    if (off >= buf.length) throw new Error('truncated instruction');
    const programIdIndex = buf[off++];
    let na, nd;
    [na, off] = readShortvec(buf, off);
    if (off + na > buf.length) throw new Error('truncated instruction accounts');
    const accounts = Array.from(buf.subarray(off, off + na)); off += na;
    [nd, off] = readShortvec(buf, off);
    if (off + nd > buf.length) throw new Error('truncated instruction data');
    const data = buf.subarray(off, off + nd); off += nd;
    instructions.push({ programIdIndex, accounts, data });
  }
  if (version !== 'legacy') {
    let nl;
    [nl, off] = readShortvec(buf, off);
    if (nl !== 0) throw new Error('address lookup tables are not supported');
  }
  if (off !== buf.length) throw new Error('trailing bytes');
  return { signatures, message, version, header, accountKeys, recentBlockhash, instructions };
}

// Sanitize like agave's Message::sanitize (the checks that matter for well-formed input).
function sanitizeError(tx) {
  const h = tx.header, n = tx.accountKeys.length;
  if (tx.signatures.length !== h.numRequiredSignatures) return 'Transaction failed to sanitize accounts offsets correctly';
  if (h.numReadonlySignedAccounts >= h.numRequiredSignatures) return 'Transaction failed to sanitize accounts offsets correctly';
  if (h.numRequiredSignatures + h.numReadonlyUnsignedAccounts > n) return 'Transaction failed to sanitize accounts offsets correctly';
  for (const ix of tx.instructions) {
    if (ix.programIdIndex === 0 || ix.programIdIndex >= n) return 'Transaction failed to sanitize accounts offsets correctly';
    if (ix.accounts.some((a) => a >= n)) return 'Transaction failed to sanitize accounts offsets correctly';
  }
  const seen = new Set(tx.accountKeys.map(hex));
  if (seen.size !== n) return 'Account loaded twice';
  return null;
}
function isWritableIndex(tx, i) {
  const h = tx.header, n = tx.accountKeys.length;
  return i < h.numRequiredSignatures - h.numReadonlySignedAccounts ||
    (i >= h.numRequiredSignatures && i < n - h.numReadonlyUnsignedAccounts);
}

// ---------------------------------------------------------------- Borsh: Bubblegum MetadataArgs
const str = (s) => { const b = Buffer.from(s, 'utf8'); return concat([u32le(b.length), b]); };
// MetadataArgs (V1).  m: {name, symbol, uri, sellerFeeBasisPoints, primarySaleHappened, isMutable,
// editionNonce (null|u8), tokenStandard (null|0..3), collection (null|{verified, key}),
// uses (null|{useMethod, remaining, total}), tokenProgramVersion, creators: [{address, verified, share}]}
function metadataArgs(m) {
  const parts = [str(m.name), str(m.symbol ?? ''), str(m.uri), u16le(m.sellerFeeBasisPoints ?? 0),
    Uint8Array.of(m.primarySaleHappened ? 1 : 0), Uint8Array.of(m.isMutable === false ? 0 : 1)];
  parts.push(m.editionNonce == null ? Uint8Array.of(0) : Uint8Array.of(1, m.editionNonce));
  const ts = m.tokenStandard === undefined ? 0 : m.tokenStandard;
  parts.push(ts == null ? Uint8Array.of(0) : Uint8Array.of(1, ts));
  parts.push(m.collection ? concat([Uint8Array.of(1, m.collection.verified ? 1 : 0), m.collection.key]) : Uint8Array.of(0));
  parts.push(m.uses ? concat([Uint8Array.of(1, m.uses.useMethod), u64le(m.uses.remaining), u64le(m.uses.total)]) : Uint8Array.of(0));
  parts.push(Uint8Array.of(m.tokenProgramVersion ?? 0));
  const cr = m.creators ?? [];
  parts.push(u32le(cr.length));
  for (const c of cr) parts.push(c.address, Uint8Array.of(c.verified ? 1 : 0, c.share));
  return concat(parts);
}
// MetadataArgsV2: name, symbol, uri, sfbp, primary_sale_happened, is_mutable, token_standard,
// creators, collection: Option<Pubkey>.
function metadataArgsV2(m) {
  const ts = m.tokenStandard === undefined ? 0 : m.tokenStandard;
  const cr = m.creators ?? [];
  const parts = [str(m.name), str(m.symbol ?? ''), str(m.uri), u16le(m.sellerFeeBasisPoints ?? 0),
    Uint8Array.of(m.primarySaleHappened ? 1 : 0), Uint8Array.of(m.isMutable === false ? 0 : 1),
    ts == null ? Uint8Array.of(0) : Uint8Array.of(1, ts), u32le(cr.length)];
  for (const c of cr) parts.push(c.address, Uint8Array.of(c.verified ? 1 : 0, c.share));
  parts.push(m.collection ? concat([Uint8Array.of(1), m.collection]) : Uint8Array.of(0));
  return concat(parts);
}

// Reader for Borsh decoding (used by the ledger to show name/uri of a mint).
class Reader {
  constructor(buf, off = 0) { this.b = Buffer.from(buf); this.o = off; }
  need(n) { if (this.o + n > this.b.length) throw new Error('borsh: truncated'); }
  u8() { this.need(1); return this.b[this.o++]; }
  u16() { this.need(2); const v = this.b.readUInt16LE(this.o); this.o += 2; return v; }
  u32() { this.need(4); const v = this.b.readUInt32LE(this.o); this.o += 4; return v; }
  u64() { this.need(8); const v = this.b.readBigUInt64LE(this.o); this.o += 8; return v; }
  bytes(n) { this.need(n); const v = this.b.subarray(this.o, this.o + n); this.o += n; return new Uint8Array(v); }
  str() { const n = this.u32(); return this.bytes(n); }
  bool() { return this.u8() !== 0; }
}
function readMetadataArgs(data, off, v2) {
  const r = new Reader(data, off);
  const utf8 = (b) => Buffer.from(b).toString('utf8');
  const m = { name: utf8(r.str()), symbol: utf8(r.str()), uri: utf8(r.str()), sellerFeeBasisPoints: r.u16(),
    primarySaleHappened: r.bool(), isMutable: r.bool() };
  if (!v2) { m.editionNonce = r.u8() ? r.u8() : null; }
  m.tokenStandard = r.u8() ? r.u8() : null;
  if (!v2) {
    m.collection = r.u8() ? { verified: r.bool(), key: b58encode(r.bytes(32)) } : null;
    m.uses = r.u8() ? { useMethod: r.u8(), remaining: r.u64().toString(), total: r.u64().toString() } : null;
    m.tokenProgramVersion = r.u8();
  }
  const n = r.u32();
  m.creators = [];
  for (let i = 0; i < n; i++) m.creators.push({ address: b58encode(r.bytes(32)), verified: r.bool(), share: r.u8() });
  if (v2) m.collection = r.u8() ? b58encode(r.bytes(32)) : null;
  return m;
}

const anchorDisc = (name) => sha256(Buffer.from(`global:${name}`)).subarray(0, 8);

module.exports = {
  b58encode, b58decode, pk, sha256, isOnCurve, createProgramAddress, findProgramAddress,
  u64le, u32le, u16le, keypairFromSeed, keypairFromSecret, generateKeypair, sign, verify,
  shortvec, readShortvec, concat, hex, compileMessage, signMessage, buildTransaction,
  decodeTransaction, sanitizeError, isWritableIndex, metadataArgs, metadataArgsV2, readMetadataArgs,
  anchorDisc, Reader,
};
