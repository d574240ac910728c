'use strict';
// Generates bubblegum_v2_vectors.json with Metaplex's own JS client (mpl-bubblegum 5.x on umi):
// MetadataArgsV2 Borsh, mint_v2 instruction data, the V2 data / creator / collection / asset-data
// hashes, leaf hashes and asset ids, the LeafSchema V2 (+ event), a TreeConfig of a V2 tree and
// whole mint_v2 transactions (umi compiles them with @solana/web3.js).  Nothing here uses
// mint_ext's code.  Offline: no RPC call is made.  Deterministic: the random inputs come from
// SHA-256 in counter mode over a fixed seed, so a re-run gives the same file.
//     cd src/solana/tests/vectors/gen-v2 && npm ci && node gen.js > ../bubblegum_v2_vectors.json

const crypto = require('crypto');
const { createUmi } = require('@metaplex-foundation/umi-bundle-defaults');
const {
  publicKey, defaultPublicKey, createSignerFromKeypair, some, none, transactionBuilder,
} = require('@metaplex-foundation/umi');
const { base58 } = require('@metaplex-foundation/umi/serializers');
const bg = require('@metaplex-foundation/mpl-bubblegum');
const { setComputeUnitLimit, setComputeUnitPrice } = require('@metaplex-foundation/mpl-toolbox');

const SEED = process.env.GEN_SEED || 'mint_ext bubblegum v2 vectors 1';
let ctr = 0;
let pool = Buffer.alloc(0);
function rand(n) {
  while (pool.length < n) {
    pool = Buffer.concat([pool, crypto.createHash('sha256').update(`${SEED}/${ctr++}`).digest()]);
  }
  const out = pool.subarray(0, n);
  pool = pool.subarray(n);
  return Buffer.from(out);
}
const rint = (lo, hi) => lo + (rand(4).readUInt32LE(0) % (hi - lo + 1));
const rbool = () => (rand(1)[0] & 1) === 1;
const hex = (b) => Buffer.from(b).toString('hex');
const pk = () => publicKey(rand(32));

const umi = createUmi('http://127.0.0.1:1').use(bg.mplBubblegum());

// UTF-8 text of at most maxBytes bytes, mixing ASCII, 2-, 3- and 4-byte characters.
const CHARS = ['a', 'Z', '7', ' ', '#', '-', '/', '.', 'é', 'ß', 'Ω', '€', '票', '🎫', '\u00a0'];
function text(maxBytes, minBytes = 0) {
  const target = rint(minBytes, maxBytes);
  let s = '';
  for (;;) {
    const c = CHARS[rint(0, CHARS.length - 1)];
    if (Buffer.byteLength(s + c) > target) break;
    s += c;
  }
  while (Buffer.byteLength(s) < minBytes) s += 'x';
  return s;
}

function creators(n) {
  const out = [];
  let left = 100;
  for (let i = 0; i < n; i++) {
    const share = i === n - 1 ? left : rint(0, left);
    left -= share;
    out.push({ address: pk(), verified: false, share });
  }
  return out;
}

function metadata({ ncreators, collection, full = false }) {
  return {
    name: full ? text(32, 32) : text(32, 1),
    symbol: full ? text(10, 10) : text(10),
    uri: full ? `https://${'u'.repeat(192)}` : `https://t.example/${text(100)}`,
    sellerFeeBasisPoints: full ? 10000 : rint(0, 10000),
    primarySaleHappened: rbool(),
    isMutable: rbool(),
    tokenStandard: some(bg.TokenStandard.NonFungible),
    creators: creators(ncreators),
    collection: collection ? some(collection) : none(),
  };
}

const mdJson = (m) => ({
  name: m.name, symbol: m.symbol, uri: m.uri, seller_fee_basis_points: m.sellerFeeBasisPoints,
  primary_sale_happened: m.primarySaleHappened, is_mutable: m.isMutable,
  token_standard: m.tokenStandard.__option === 'Some' ? m.tokenStandard.value : null,
  creators: m.creators.map((c) => ({ address: c.address, verified: c.verified, share: c.share })),
  collection: m.collection.__option === 'Some' ? m.collection.value : null,
});

const BLOCKHASH = base58.deserialize(rand(32))[0];

function caseOf(name, { ncreators, withCollection, full = false, cuLimit = 0, cuPrice = 0, verifiedPayer = false }) {
  const payerKp = umi.eddsa.createKeypairFromSeed(rand(32));
  const payer = createSignerFromKeypair(umi, payerKp);
  const owner = pk();
  const tree = pk();
  const collection = withCollection ? pk() : null;
  const leafIndex = rint(0, 1 << 20);
  const md = metadata({ ncreators, collection, full });
  if (verifiedPayer && md.creators.length > 0) md.creators[0] = { address: payer.publicKey, verified: true, share: md.creators[0].share };

  const metadataBorsh = bg.getMetadataArgsV2Serializer().serialize(md);
  const ixData = bg.getMintV2InstructionDataSerializer().serialize({ metadata: md });
  const [assetId, assetBump] = bg.findLeafAssetIdPda(umi, { merkleTree: tree, leafIndex });
  const [treeConfig, treeConfigBump] = bg.findTreeConfigPda(umi, { merkleTree: tree });
  const dataHash = bg.hashMetadataDataV2(md);
  const creatorHash = bg.hashMetadataCreators(md.creators);
  const collectionHash = bg.hashCollection(collection ?? defaultPublicKey());
  const assetDataHash = bg.hashAssetData();
  const leafHash = bg.hashLeafV2(umi, { merkleTree: tree, owner, leafIndex, metadata: md });
  const schema = {
    __kind: 'V2', id: assetId, owner, delegate: owner, nonce: leafIndex, dataHash, creatorHash,
    collectionHash, assetDataHash, flags: bg.LeafSchemaV2Flags.None,
  };
  const schemaBytes = bg.getLeafSchemaSerializer().serialize(schema);
  // The program's event (programs/bubblegum: LeafSchemaEvent {event_type, version, schema,
  // leaf_hash}) wrapped by wrap_application_data_v1 as AccountCompressionEvent::ApplicationData
  // (enum tag 1) / ApplicationDataEvent::V1 (tag 0) { data: Vec<u8> }.
  const eventBody = Buffer.concat([
    bg.getBubblegumEventTypeSerializer().serialize(bg.BubblegumEventType.LeafSchemaEvent),
    bg.getVersionSerializer().serialize(bg.Version.V2), schemaBytes, leafHash]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(eventBody.length);
  const event = Buffer.concat([Buffer.from([1, 0]), len, eventBody]);

  let builder = transactionBuilder();
  if (cuLimit) builder = builder.add(setComputeUnitLimit(umi, { units: cuLimit }));
  if (cuPrice) builder = builder.add(setComputeUnitPrice(umi, { microLamports: cuPrice }));
  builder = builder.add(bg.mintV2(umi, {
    payer, treeCreatorOrDelegate: payer, collectionAuthority: withCollection ? payer : undefined,
    leafOwner: owner, leafDelegate: owner, merkleTree: tree, coreCollection: collection ?? undefined, metadata: md,
  }));
  const ix = builder.getInstructions().at(-1);
  const tx = builder.setVersion('legacy').setFeePayer(payer).setBlockhash(BLOCKHASH).build(umi);
  const message = umi.transactions.serializeMessage(tx.message);
  const sig = umi.eddsa.sign(message, payerKp);
  const signed = umi.transactions.serialize({ ...tx, signatures: [sig] });

  return {
    name,
    payer_secret_hex: hex(payerKp.secretKey),
    payer: payer.publicKey, owner, tree, tree_config: treeConfig, tree_config_bump: treeConfigBump,
    leaf_index: leafIndex, asset_id: assetId, asset_id_bump: assetBump,
    core_collection: collection, cu_limit: cuLimit, cu_price: cuPrice,
    metadata: mdJson(md),
    metadata_v2_borsh_hex: hex(metadataBorsh),
    mint_v2_data_hex: hex(ixData),
    data_hash_hex: hex(dataHash), creator_hash_hex: hex(creatorHash),
    collection_hash_hex: hex(collectionHash), asset_data_hash_hex: hex(assetDataHash),
    leaf_hash_hex: hex(leafHash),
    leaf_schema_v2_hex: hex(schemaBytes),
    leaf_event_hex: hex(event),
    mint_v2_accounts: ix.keys.map((k) => ({ pubkey: k.pubkey, signer: k.isSigner, writable: k.isWritable })),
    blockhash: BLOCKHASH,
    message_hex: hex(message),
    signature: base58.deserialize(sig)[0],
    wire_hex: hex(signed),
  };
}

const cases = [
  caseOf('plain_0_creators', { ncreators: 0, withCollection: false }),
  caseOf('plain_1_creator', { ncreators: 1, withCollection: false }),
  caseOf('plain_3_creators_budget', { ncreators: 3, withCollection: false, cuLimit: 71234, cuPrice: 5000 }),
  caseOf('plain_5_creators_verified_payer', { ncreators: 5, withCollection: false, verifiedPayer: true, cuLimit: 90000 }),
  caseOf('core_collection_0_creators', { ncreators: 0, withCollection: true }),
  caseOf('core_collection_2_creators_budget', { ncreators: 2, withCollection: true, cuLimit: 100000, cuPrice: 1 }),
  caseOf('core_collection_5_creators_full', { ncreators: 5, withCollection: true, full: true, cuLimit: 1400000, cuPrice: 1000000 }),
];
for (let i = 0; i < 9; i++) {
  cases.push(caseOf(`random_${i}`, { ncreators: rint(0, 5), withCollection: rbool(), cuLimit: rbool() ? rint(1, 1400000) : 0, cuPrice: rbool() ? rint(1, 1 << 30) : 0 }));
}

// The client's defaults: no tree delegate, no leaf delegate, no collection: every optional
// account is the Bubblegum program id (Anchor's None).
const defaults = (() => {
  const payerKp = umi.eddsa.createKeypairFromSeed(rand(32));
  const payer = createSignerFromKeypair(umi, payerKp);
  const owner = pk();
  const tree = pk();
  const md = metadata({ ncreators: 1, collection: null });
  const b = bg.mintV2(umi, { payer, leafOwner: owner, merkleTree: tree, metadata: md });
  const tx = b.setVersion('legacy').setFeePayer(payer).setBlockhash(BLOCKHASH).build(umi);
  return {
    payer: payer.publicKey, owner, tree, metadata: mdJson(md),
    mint_v2_accounts: b.getInstructions()[0].keys.map((k) => ({ pubkey: k.pubkey, signer: k.isSigner, writable: k.isWritable })),
    message_hex: hex(umi.transactions.serializeMessage(tx.message)),
  };
})();

// asset_data / asset_data_schema: the client can encode them; the program refuses them today.
const withAssetData = hex(bg.getMintV2InstructionDataSerializer().serialize({
  metadata: metadata({ ncreators: 0, collection: null }),
  assetData: some(Buffer.from('{"seat":"A1"}')), assetDataSchema: some(bg.AssetDataSchema.Json),
}));

// A V2 tree's TreeConfig account (the layout is the V1 one; version = V2).
const tcInput = {
  treeCreator: pk(), treeDelegate: pk(), totalMintCapacity: 16384n, numMinted: 4242n,
  isPublic: false, isDecompressible: bg.DecompressibleState?.Disabled ?? 1, version: bg.Version.V2,
};
const treeConfigV2 = {
  tree_creator: tcInput.treeCreator, tree_delegate: tcInput.treeDelegate,
  total_mint_capacity: 16384, num_minted: 4242, is_public: false, is_decompressible: 1, version_byte: 1,
  data_hex: hex(bg.getTreeConfigAccountDataSerializer().serialize(tcInput)),
  size: bg.getTreeConfigSize(),
};

const pkgs = ['@metaplex-foundation/mpl-bubblegum', '@metaplex-foundation/umi', '@metaplex-foundation/umi-bundle-defaults',
  '@metaplex-foundation/mpl-toolbox', '@metaplex-foundation/umi-serializers', '@solana/web3.js', '@noble/hashes'];
const fs = require('fs');
const path = require('path');
const versions = Object.fromEntries(pkgs.map((p) => [p, JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', p, 'package.json'))).version]));
versions.node = process.version;

const out = {
  about: 'Bubblegum V2 (mint_v2) vectors from mpl-bubblegum 5.x / umi (gen-v2/gen.js); see PROVENANCE.md',
  versions, seed: SEED,
  programs: {
    bubblegum: bg.MPL_BUBBLEGUM_PROGRAM_ID,
    mpl_noop: 'mnoopTCrg4p8ry25e4bcWA9XZjbNjMTfgYVGGEdRsf3',
    mpl_account_compression: 'mcmt6YrQEMKw8Mw43FmpRLmf7BqRnFMKmAcbxE3xkAW',
    mpl_core: 'CoREENxT6tW1HoK8ypY1SxRMZTcVPm7R94rH4PZNhX7d',
    mpl_core_cpi_signer: 'CbNY3JiXdXNE9tPNEk1aRZVEkWdj2v7kfJLNQwZZgpXk',
  },
  mint_v2_discriminator_hex: hex(bg.getMintV2InstructionDataSerializer().serialize({ metadata: metadata({ ncreators: 0, collection: null }) }).subarray(0, 8)),
  default_collection_hash_hex: hex(bg.hashCollection(defaultPublicKey())),
  empty_asset_data_hash_hex: hex(bg.hashAssetData()),
  flags: { none: bg.LeafSchemaV2Flags.None, frozen_by_owner: bg.LeafSchemaV2Flags.FrozenByOwner,
    frozen_by_perm_delegate: bg.LeafSchemaV2Flags.FrozenByPermDelegate, non_transferable: bg.LeafSchemaV2Flags.NonTransferable },
  cases,
  client_defaults: defaults,
  mint_v2_data_with_asset_data_hex: withAssetData,
  tree_config_v2: treeConfigV2,
};
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
