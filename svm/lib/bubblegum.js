'use strict';
// Program ids, PDAs, instruction builders and event decoding for Bubblegum (V1 and V2), SPL/MPL
// Account Compression, SPL/MPL Noop, Token Metadata and MPL Core.  Account orders follow the
// mpl-bubblegum IDL / generated clients; data layouts follow the project's reference notes.

const s = require('./sol');

const IDS = {
  system: '11111111111111111111111111111111',
  computeBudget: 'ComputeBudget111111111111111111111111111111',
  bubblegum: 'BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY',
  splCompression: 'cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK',
  splNoop: 'noopb9bkMVfRPU8AsbpTUg8AQkHtKwMYZiFUjNRtMmV',
  tokenMetadata: 'metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s',
  mplCompression: 'mcmt6YrQEMKw8Mw43FmpRLmf7BqRnFMKmAcbxE3xkAW',
  mplNoop: 'mnoopTCrg4p8ry25e4bcWA9XZjbNjMTfgYVGGEdRsf3',
  mplCore: 'CoREENxT6tW1HoK8ypY1SxRMZTcVPm7R94rH4PZNhX7d',
  mplCoreCpiSigner: 'CbNY3JiXdXNE9tPNEk1aRZVEkWdj2v7kfJLNQwZZgpXk',
  splToken: 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA',
  ata: 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH7bsVTG1i8WtbVh',
  sysvarInstructions: 'Sysvar1nstructions1111111111111111111111111',
  sysvarRent: 'SysvarRent111111111111111111111111111111111',
};
const K = Object.fromEntries(Object.entries(IDS).map(([k, v]) => [k, s.pk(v)]));

const DISC = {
  createTree: s.anchorDisc('create_tree'),
  createTreeV2: s.anchorDisc('create_tree_v2'),
  mintV1: s.anchorDisc('mint_v1'),
  mintToCollectionV1: s.anchorDisc('mint_to_collection_v1'),
  mintV2: s.anchorDisc('mint_v2'),
};

const treeConfigPda = (tree) => s.findProgramAddress([tree], K.bubblegum)[0];
const assetIdPda2 = (tree, nonce) => s.findProgramAddress([Buffer.from('asset'), tree, s.u64le(nonce)], K.bubblegum);
const assetIdPda = (tree, nonce) => assetIdPda2(tree, nonce)[0];
const metadataPda = (mint) => s.findProgramAddress([Buffer.from('metadata'), K.tokenMetadata, mint], K.tokenMetadata)[0];
const editionPda = (mint) => s.findProgramAddress([Buffer.from('metadata'), K.tokenMetadata, mint, Buffer.from('edition')], K.tokenMetadata)[0];
const ataAddress = (owner, mint) => s.findProgramAddress([owner, K.splToken, mint], K.ata)[0];

// Account size of a concurrent Merkle tree (SPL and MPL Account Compression share the layout):
// 1 (account type) + 55 (header V1) + 24 + B*(32+32D+8) (change logs) + (32D+32+8) (rightmost
// path) + canopy 32*(2^(c+1)-2).
function merkleTreeSize(maxDepth, maxBufferSize, canopyDepth = 0) {
  const changeLog = 32 + 32 * maxDepth + 8;
  const path = 32 * maxDepth + 32 + 8;
  return 56 + 24 + maxBufferSize * changeLog + path + 32 * Math.max((1 << (canopyDepth + 1)) - 2, 0);
}

const ro = (pubkey) => ({ pubkey, isSigner: false, isWritable: false });
const w = (pubkey) => ({ pubkey, isSigner: false, isWritable: true });
const sg = (pubkey) => ({ pubkey, isSigner: true, isWritable: false });
const sw = (pubkey) => ({ pubkey, isSigner: true, isWritable: true });

function systemCreateAccount(from, newAcc, lamports, space, owner) {
  const data = s.concat([s.u32le(0), s.u64le(lamports), s.u64le(space), owner]);
  return { programId: K.system, keys: [sw(from), sw(newAcc)], data };
}
const setComputeUnitLimit = (units) => ({ programId: K.computeBudget, keys: [], data: s.concat([Uint8Array.of(2), s.u32le(units)]) });
const setComputeUnitPrice = (micro) => ({ programId: K.computeBudget, keys: [], data: s.concat([Uint8Array.of(3), s.u64le(micro)]) });

// create_tree (V1: SPL Account Compression + SPL Noop) / create_tree_v2 (MPL ones).
function createTreeIx({ version, tree, payer, creator, maxDepth, maxBufferSize, isPublic }) {
  const v2 = version === 2;
  const data = s.concat([v2 ? DISC.createTreeV2 : DISC.createTree, s.u32le(maxDepth), s.u32le(maxBufferSize),
    isPublic == null ? Uint8Array.of(0) : Uint8Array.of(1, isPublic ? 1 : 0)]);
  return {
    programId: K.bubblegum,
    keys: [w(treeConfigPda(tree)), w(tree), sw(payer), sg(creator || payer),
      ro(v2 ? K.mplNoop : K.splNoop), ro(v2 ? K.mplCompression : K.splCompression), ro(K.system)],
    data,
  };
}

// mint_v1: tree_config(W) leaf_owner leaf_delegate merkle_tree(W) payer(S) tree_delegate(S)
// log_wrapper compression_program system_program.
function mintV1Ix({ tree, owner, delegate, payer, treeDelegate, metadata }) {
  return {
    programId: K.bubblegum,
    keys: [w(treeConfigPda(tree)), ro(owner), ro(delegate || owner), w(tree), sg(payer), sg(treeDelegate || payer),
      ro(K.splNoop), ro(K.splCompression), ro(K.system)],
    data: s.concat([DISC.mintV1, s.metadataArgs(metadata)]),
  };
}

// mint_to_collection_v1 (16 accounts; the no-longer-used slots hold the Bubblegum id, as the JS
// client >= 4 passes them).
function mintToCollectionV1Ix({ tree, owner, delegate, payer, treeDelegate, collectionAuthority, collectionMint, metadata }) {
  return {
    programId: K.bubblegum,
    keys: [w(treeConfigPda(tree)), ro(owner), ro(delegate || owner), w(tree), sg(payer), sg(treeDelegate || payer),
      sg(collectionAuthority || payer), ro(K.bubblegum), ro(collectionMint), w(metadataPda(collectionMint)),
      ro(editionPda(collectionMint)), ro(K.bubblegum), ro(K.splNoop), ro(K.splCompression), ro(K.bubblegum), ro(K.system)],
    data: s.concat([DISC.mintToCollectionV1, s.metadataArgs(metadata)]),
  };
}

// mint_v2 (13 accounts; absent optional accounts are the Bubblegum id).  Data: metadata V2,
// asset_data: Option<bytes>, asset_data_schema: Option<u8 enum>.
function mintV2Ix({ tree, owner, delegate, payer, treeDelegate, collectionAuthority, coreCollection, metadata }) {
  const none = K.bubblegum;
  return {
    programId: K.bubblegum,
    keys: [w(treeConfigPda(tree)), sw(payer), sg(treeDelegate || payer),
      coreCollection ? sg(collectionAuthority || payer) : ro(none), ro(owner), ro(delegate || owner), w(tree),
      coreCollection ? w(coreCollection) : ro(none), ro(coreCollection ? K.mplCoreCpiSigner : none),
      ro(K.mplNoop), ro(K.mplCompression), ro(K.mplCore), ro(K.system)],
    data: s.concat([DISC.mintV2, s.metadataArgsV2(metadata), Uint8Array.of(0), Uint8Array.of(0)]),
  };
}

// Decode a Noop / MPL Noop instruction carrying Bubblegum's LeafSchema event:
// 01 (ApplicationData) 00 (V1) u32 len | event_type(1=LeafSchemaEvent) version(0=V1,1=V2)
// | LeafSchema (00 V1 | 01 V2 + fields) | leaf_hash.  Returns null when it is not one.
function decodeLeafEvent(data) {
  data = Buffer.from(data);
  if (data.length < 9 || data[0] !== 1 || data[1] !== 0) return null;
  const len = data.readUInt32LE(2);
  if (len + 6 !== data.length || data[6] !== 1) return null;
  const r = new s.Reader(data, 7);
  try {
    const version = r.u8();
    const kind = r.u8();
    if (kind > 1) return null;
    const ev = {
      event_version: version === 0 ? 'V1' : version === 1 ? 'V2' : version,
      schema: kind === 0 ? 'V1' : 'V2',
      id: s.b58encode(r.bytes(32)), owner: s.b58encode(r.bytes(32)), delegate: s.b58encode(r.bytes(32)),
      nonce: Number(r.u64()), data_hash: s.hex(r.bytes(32)), creator_hash: s.hex(r.bytes(32)),
    };
    if (kind === 1) {
      ev.collection_hash = s.hex(r.bytes(32));
      ev.asset_data_hash = s.hex(r.bytes(32));
      ev.flags = r.u8();
    }
    ev.leaf_hash = s.hex(r.bytes(32));
    if (r.o !== data.length) return null;
    ev.hex = data.toString('hex');
    return ev;
  } catch { return null; }
}

// TreeConfig (96 bytes): disc(8) creator(32) delegate(32) capacity u64 num_minted u64 public u8
// decompressible u8 version u8.
function decodeTreeConfig(data) {
  const b = Buffer.from(data);
  if (b.length < 91) return null;
  return {
    tree_creator: s.b58encode(b.subarray(8, 40)), tree_delegate: s.b58encode(b.subarray(40, 72)),
    total_mint_capacity: Number(b.readBigUInt64LE(72)), num_minted: Number(b.readBigUInt64LE(80)),
    is_public: b[88] !== 0, is_decompressible: b[89], version: b[90] === 0 ? 1 : 2,
  };
}

module.exports = {
  IDS, K, DISC, treeConfigPda, assetIdPda, assetIdPda2, metadataPda, editionPda, ataAddress, merkleTreeSize,
  systemCreateAccount, setComputeUnitLimit, setComputeUnitPrice, createTreeIx, mintV1Ix,
  mintToCollectionV1Ix, mintV2Ix, decodeLeafEvent, decodeTreeConfig, ro, w, sg, sw,
};
