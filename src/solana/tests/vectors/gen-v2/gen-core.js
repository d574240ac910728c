'use strict';
// Decodes the MPL Core collection accounts that the real MPL Core program wrote in svm/
// (../svm_core_collections.json) with Metaplex's own mpl-core JS client, for the C decoder's
// tests: writes ../core_collection_vectors.json.  Offline and deterministic.
//     cd src/solana/tests/vectors/gen-v2 && npm ci && node gen-core.js > ../core_collection_vectors.json

const fs = require('fs');
const path = require('path');
const { publicKey } = require('@metaplex-foundation/umi');
const core = require('@metaplex-foundation/mpl-core');

const src = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'svm_core_collections.json')));
const PLUGINS = ['royalties', 'freezeDelegate', 'burnDelegate', 'transferDelegate', 'updateDelegate',
  'permanentFreezeDelegate', 'attributes', 'permanentTransferDelegate', 'permanentBurnDelegate', 'edition',
  'masterEdition', 'addBlocker', 'immutableMetadata', 'verifiedCreators', 'autograph', 'bubblegumV2',
  'freezeExecute', 'permanentFreezeExecute', 'groups'];
const out = [];
for (const [address, x] of Object.entries(src.collections)) {
  const data = Buffer.from(x.data_base64, 'base64');
  const c = core.deserializeCollectionV1({
    publicKey: publicKey(address), owner: publicKey(core.MPL_CORE_PROGRAM_ID), executable: false, exists: true,
    lamports: { basisPoints: 0n, identifier: 'SOL', decimals: 9 }, data,
  });
  const auth = (a) => (a ? { type: a.type, address: a.address ?? null } : null);
  out.push({
    address, data_base64: x.data_base64,
    update_authority: c.updateAuthority, name: c.name, uri: c.uri, num_minted: c.numMinted, current_size: c.currentSize,
    plugins: PLUGINS.filter((p) => c[p]),
    bubblegum_v2: !!c.bubblegumV2,
    royalty_basis_points: c.royalties ? c.royalties.basisPoints : null,
    permanently_frozen: c.permanentFreezeDelegate ? c.permanentFreezeDelegate.frozen : null,
    permanent_freeze_authority: auth(c.permanentFreezeDelegate?.authority),
    update_delegate_authority: auth(c.updateDelegate?.authority),
    additional_delegates: c.updateDelegate ? c.updateDelegate.additionalDelegates : null,
  });
}
const pkgs = ['@metaplex-foundation/mpl-core', '@metaplex-foundation/umi'];
const versions = Object.fromEntries(pkgs.map((p) => [p, JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', p, 'package.json'))).version]));
process.stdout.write(`${JSON.stringify({ about: 'MPL Core collection accounts (from the real program, svm_core_collections.json) decoded by mpl-core JS (gen-v2/gen-core.js)', versions, collections: out }, null, 1)}\n`);
