/*
 * sol_bubblegum_v2.c
 *	  Bubblegum V2: MetadataArgsV2 (Borsh, validation, data hash), mint_v2
 *	  instruction data and decoder, the LeafSchema V2 hash and event.
 *
 * Layouts from mpl-bubblegum's program (programs/bubblegum: MintV2 accounts,
 * mint_v2, process_mint, LeafSchema::to_node, wrap_application_data_v1) and
 * its generated clients; checked against mpl-bubblegum 5.1.0's JS client
 * (tests/vectors/bubblegum_v2_vectors.json) and by execution in the real
 * programs (svm/test/c_v2.test.js).
 */
#include "sol_bubblegum.h"

#include <string.h>

#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_tx.h"

/* sha256("global:mint_v2")[0..8] */
const uint8_t sol_mint_v2_discriminator[8] = {0x78, 0x79, 0x17, 0x92, 0xad, 0x6e, 0xc7, 0xcd};

/* mnoopTCrg4p8ry25e4bcWA9XZjbNjMTfgYVGGEdRsf3 */
const uint8_t sol_mpl_noop_program_id[32] = {
    0x0b, 0x79, 0x59, 0x8a, 0x0f, 0xaf, 0x28, 0xb0, 0xfb, 0xd2, 0x25, 0x63, 0x23, 0x33, 0x41, 0x4b,
    0xd0, 0x3a, 0xab, 0x24, 0x0f, 0x70, 0x32, 0xd1, 0xde, 0x47, 0x57, 0xa0, 0xac, 0x5d, 0xc6, 0x06};
/* mcmt6YrQEMKw8Mw43FmpRLmf7BqRnFMKmAcbxE3xkAW */
const uint8_t sol_mpl_account_compression_program_id[32] = {
    0x0b, 0x6e, 0x01, 0x53, 0x23, 0x49, 0x25, 0xc4, 0x07, 0xf1, 0x81, 0x56, 0x76, 0xfc, 0xd3, 0x2c,
    0xf5, 0xa4, 0x8f, 0x6e, 0x8b, 0x16, 0x99, 0x37, 0x56, 0x24, 0xbb, 0xcd, 0x5e, 0x14, 0x72, 0xcb};
/* CoREENxT6tW1HoK8ypY1SxRMZTcVPm7R94rH4PZNhX7d */
const uint8_t sol_mpl_core_program_id[32] = {
    0xaf, 0x54, 0xab, 0x10, 0xbd, 0x97, 0xa5, 0x42, 0xa0, 0x9e, 0xf7, 0xb3, 0x98, 0x89, 0xdd, 0x0c,
    0xd3, 0x94, 0xa4, 0xcc, 0xe9, 0xdf, 0xa6, 0xcd, 0xc9, 0x7e, 0xbe, 0x2d, 0x23, 0x5b, 0xa7, 0x48};
/* CbNY3JiXdXNE9tPNEk1aRZVEkWdj2v7kfJLNQwZZgpXk = PDA("mpl_core_cpi_signer") under Bubblegum */
const uint8_t sol_mpl_core_cpi_signer[32] = {
    0xac, 0x3e, 0xa7, 0x51, 0xb6, 0xe5, 0xbb, 0x94, 0x36, 0xd7, 0x67, 0xbc, 0xbf, 0x76, 0x88, 0x6d,
    0xf6, 0xb9, 0x94, 0x4a, 0xd0, 0x82, 0x5e, 0xbb, 0x2c, 0xa4, 0xa9, 0xcd, 0x82, 0x39, 0x8c, 0xab};

/* 01 ApplicationData, 00 ApplicationDataEvent::V1, u32le(268) data length,
 * 01 BubblegumEventType::LeafSchemaEvent, 01 Version::V2, 01 LeafSchema::V2 */
static const uint8_t leaf_event_v2_prefix[9] = {0x01, 0x00, 0x0c, 0x01, 0x00,
                                                0x00, 0x01, 0x01, 0x01};

int
sol_metadata_v2_validate(const SolMetadata *md, SolError *err)
{
	if (md == NULL)
		return sol_error_set(err, SOL_ERR_INVALID, "metadata", "no metadata");
	if (md->has_edition_nonce)
		return sol_error_set(err, SOL_ERR_INVALID, "edition_nonce",
		                     "Bubblegum V2 metadata has no edition nonce");
	if (md->has_uses)
		return sol_error_set(err, SOL_ERR_INVALID, "uses", "Bubblegum V2 metadata has no uses");
	if (md->token_program_version != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "token_program_version",
		                     "Bubblegum V2 metadata has no token program version");
	return sol_metadata_validate(md, err);
}

int
sol_metadata_v2_borsh_encode(const SolMetadata *md, uint8_t *out, size_t outcap)
{
	SolWriter w;
	size_t i;

	if (md->num_creators > SOL_MAX_CREATORS || md->name_len > SOL_MAX_NAME_LEN ||
	    md->symbol_len > SOL_MAX_SYMBOL_LEN || md->uri_len > SOL_MAX_URI_LEN)
		return -1;
	sol_writer_init(&w, out, outcap);
	sol_put_string(&w, md->name, md->name_len);
	sol_put_string(&w, md->symbol, md->symbol_len);
	sol_put_string(&w, md->uri, md->uri_len);
	sol_put_u16(&w, md->seller_fee_basis_points);
	sol_put_u8(&w, md->primary_sale_happened ? 1 : 0);
	sol_put_u8(&w, md->is_mutable ? 1 : 0);
	sol_put_u8(&w, md->has_token_standard ? 1 : 0);
	if (md->has_token_standard)
		sol_put_u8(&w, md->token_standard);
	sol_put_u32(&w, (uint32_t)md->num_creators);
	for (i = 0; i < md->num_creators; i++)
	{
		sol_put_bytes(&w, md->creators[i].address, 32);
		sol_put_u8(&w, md->creators[i].verified ? 1 : 0);
		sol_put_u8(&w, md->creators[i].share);
	}
	sol_put_u8(&w, md->has_collection ? 1 : 0);
	if (md->has_collection)
		sol_put_bytes(&w, md->collection_key, 32);
	return w.overflow ? -1 : (int)w.len;
}

static int
get_string(SolReader *r, const char *field, char *dst, size_t *dst_len, size_t limit, SolError *err)
{
	uint32_t n = sol_get_u32(r);
	const uint8_t *p;

	if (r->error)
		return sol_error_set(err, SOL_ERR_INVALID, field, "truncated %s", field);
	if (n > limit)
		return sol_error_set(err, SOL_ERR_TOO_LONG, field, "%s longer than %zu bytes", field,
		                     limit);
	p = sol_get_bytes(r, n);
	if (p == NULL)
		return sol_error_set(err, SOL_ERR_INVALID, field, "truncated %s", field);
	if (!sol_utf8_valid(p, n))
		return sol_error_set(err, SOL_ERR_INVALID, field, "%s is not UTF-8", field);
	memcpy(dst, p, n);
	dst[n] = '\0';
	*dst_len = n;
	return 0;
}

/* a Borsh bool / Option tag: 0 or 1, anything else an error (as borsh-rs) */
static bool
get_tag(SolReader *r)
{
	uint8_t t = sol_get_u8(r);

	if (t > 1)
		r->error = true;
	return t == 1;
}

int
sol_metadata_v2_borsh_decode(const uint8_t *in, size_t len, SolMetadata *out, SolError *err)
{
	SolReader r;
	SolMetadata md;
	uint32_t ncreators;
	size_t i;

	memset(&md, 0, sizeof(md));
	sol_reader_init(&r, in, len);
	if (get_string(&r, "name", md.name, &md.name_len, SOL_MAX_NAME_LEN, err) != 0 ||
	    get_string(&r, "symbol", md.symbol, &md.symbol_len, SOL_MAX_SYMBOL_LEN, err) != 0 ||
	    get_string(&r, "uri", md.uri, &md.uri_len, SOL_MAX_URI_LEN, err) != 0)
		return -1;
	md.seller_fee_basis_points = sol_get_u16(&r);
	md.primary_sale_happened = get_tag(&r);
	md.is_mutable = get_tag(&r);
	md.has_token_standard = get_tag(&r);
	if (md.has_token_standard)
	{
		md.token_standard = sol_get_u8(&r);
		if (md.token_standard > 3)
			r.error = true;
	}
	ncreators = sol_get_u32(&r);
	if (r.error)
		return sol_error_set(err, SOL_ERR_INVALID, "metadata", "malformed MetadataArgsV2");
	if (ncreators > SOL_MAX_CREATORS)
		return sol_error_set(err, SOL_ERR_INVALID, "creators", "more than %d creators",
		                     SOL_MAX_CREATORS);
	md.num_creators = ncreators;
	for (i = 0; i < ncreators; i++)
	{
		const uint8_t *a = sol_get_bytes(&r, 32);

		if (a)
			memcpy(md.creators[i].address, a, 32);
		md.creators[i].verified = get_tag(&r);
		md.creators[i].share = sol_get_u8(&r);
	}
	md.has_collection = get_tag(&r);
	if (md.has_collection)
	{
		const uint8_t *k = sol_get_bytes(&r, 32);

		if (k)
			memcpy(md.collection_key, k, 32);
		md.collection_verified = true; /* V2: a Core collection, always verified */
	}
	if (r.error)
		return sol_error_set(err, SOL_ERR_INVALID, "metadata", "malformed MetadataArgsV2");
	*out = md;
	return (int)r.pos;
}

void
sol_metadata_v2_data_hash(const SolMetadata *md, uint8_t out[32])
{
	uint8_t buf[SOL_METADATA_V2_BORSH_MAX];
	uint8_t inner[34];
	int n = sol_metadata_v2_borsh_encode(md, buf, sizeof(buf));

	if (n < 0)
		n = 0;
	sol_keccak256(buf, (size_t)n, inner);
	inner[32] = (uint8_t)(md->seller_fee_basis_points & 0xff);
	inner[33] = (uint8_t)(md->seller_fee_basis_points >> 8);
	sol_keccak256(inner, sizeof(inner), out);
}

void
sol_collection_hash(const uint8_t *collection, uint8_t out[32])
{
	static const uint8_t none[32] = {0};

	sol_keccak256(collection ? collection : none, 32, out);
}

void
sol_asset_data_hash(const uint8_t *data, size_t len, uint8_t out[32])
{
	static const uint8_t empty[1] = {0};

	sol_keccak256(data && len > 0 ? data : empty, data ? len : 0, out);
}

void
sol_leaf_hash_v2(const uint8_t id[32], const uint8_t owner[32], const uint8_t delegate[32],
                 uint64_t nonce, const uint8_t data_hash[32], const uint8_t creator_hash[32],
                 const uint8_t collection_hash[32], const uint8_t asset_data_hash[32],
                 uint8_t flags, uint8_t out[32])
{
	SolKeccak k;
	uint8_t version = 2; /* Version::V2.to_bytes() */
	uint8_t n[8];
	int i;

	for (i = 0; i < 8; i++)
		n[i] = (uint8_t)(nonce >> (8 * i));
	sol_keccak_init(&k);
	sol_keccak_update(&k, &version, 1);
	sol_keccak_update(&k, id, 32);
	sol_keccak_update(&k, owner, 32);
	sol_keccak_update(&k, delegate, 32);
	sol_keccak_update(&k, n, 8);
	sol_keccak_update(&k, data_hash, 32);
	sol_keccak_update(&k, creator_hash, 32);
	sol_keccak_update(&k, collection_hash, 32);
	sol_keccak_update(&k, asset_data_hash, 32);
	sol_keccak_update(&k, &flags, 1);
	sol_keccak_final(&k, out);
}

static void
leaf_hash_of(const SolLeafEvent *ev, uint8_t out[32])
{
	sol_leaf_hash_v2(ev->id, ev->owner, ev->delegate, ev->nonce, ev->data_hash, ev->creator_hash,
	                 ev->collection_hash, ev->asset_data_hash, ev->flags, out);
}

int
sol_leaf_event_for_mint_v2(const SolMetadata *md, const uint8_t tree[32], uint64_t nonce,
                           const uint8_t owner[32], const uint8_t delegate[32], SolLeafEvent *out)
{
	memset(out, 0, sizeof(*out));
	if (sol_asset_id_pda(tree, nonce, out->id, NULL) != 0)
		return -1;
	out->schema_version = 2;
	memcpy(out->owner, owner, 32);
	memcpy(out->delegate, delegate, 32);
	out->nonce = nonce;
	sol_metadata_v2_data_hash(md, out->data_hash);
	sol_metadata_creator_hash(md, out->creator_hash);
	sol_collection_hash(md->has_collection ? md->collection_key : NULL, out->collection_hash);
	sol_asset_data_hash(NULL, 0, out->asset_data_hash);
	out->flags = 0;
	leaf_hash_of(out, out->leaf_hash);
	return 0;
}

int
sol_leaf_event_for_params(const SolMintParams *p, uint64_t nonce, SolLeafEvent *out)
{
	SolMetadata md;

	if (p == NULL || p->md == NULL)
		return -1;
	md = *p->md;
	if (!p->v2)
		return sol_leaf_event_for_mint(&md, p->to_collection, p->tree, nonce, p->owner, p->owner,
		                               out);
	if (p->to_collection)
	{
		md.has_collection = true;
		memcpy(md.collection_key, p->collection_mint, 32);
	}
	return sol_leaf_event_for_mint_v2(&md, p->tree, nonce, p->owner, p->owner, out);
}

void
sol_leaf_event_v2_encode(const SolLeafEvent *ev, uint8_t out[SOL_LEAF_EVENT_V2_LEN])
{
	SolWriter w;

	sol_writer_init(&w, out, SOL_LEAF_EVENT_V2_LEN);
	sol_put_bytes(&w, leaf_event_v2_prefix, sizeof(leaf_event_v2_prefix));
	sol_put_bytes(&w, ev->id, 32);
	sol_put_bytes(&w, ev->owner, 32);
	sol_put_bytes(&w, ev->delegate, 32);
	sol_put_u64(&w, ev->nonce);
	sol_put_bytes(&w, ev->data_hash, 32);
	sol_put_bytes(&w, ev->creator_hash, 32);
	sol_put_bytes(&w, ev->collection_hash, 32);
	sol_put_bytes(&w, ev->asset_data_hash, 32);
	sol_put_u8(&w, ev->flags);
	sol_put_bytes(&w, ev->leaf_hash, 32);
}

int
sol_leaf_event_v2_decode(const uint8_t *data, size_t len, SolLeafEvent *ev)
{
	SolReader r;
	SolLeafEvent e;
	uint8_t h[32];

	if (data == NULL || len != SOL_LEAF_EVENT_V2_LEN ||
	    memcmp(data, leaf_event_v2_prefix, sizeof(leaf_event_v2_prefix)) != 0)
		return -1;
	memset(&e, 0, sizeof(e));
	sol_reader_init(&r, data + 9, len - 9);
	memcpy(e.id, sol_get_bytes(&r, 32), 32);
	memcpy(e.owner, sol_get_bytes(&r, 32), 32);
	memcpy(e.delegate, sol_get_bytes(&r, 32), 32);
	e.nonce = sol_get_u64(&r);
	memcpy(e.data_hash, sol_get_bytes(&r, 32), 32);
	memcpy(e.creator_hash, sol_get_bytes(&r, 32), 32);
	memcpy(e.collection_hash, sol_get_bytes(&r, 32), 32);
	memcpy(e.asset_data_hash, sol_get_bytes(&r, 32), 32);
	e.flags = sol_get_u8(&r);
	memcpy(e.leaf_hash, sol_get_bytes(&r, 32), 32);
	if (r.error || r.pos != len - 9 || (e.flags & ~SOL_LEAF_FLAGS_KNOWN) != 0)
		return -1;
	leaf_hash_of(&e, h);
	if (memcmp(h, e.leaf_hash, 32) != 0)
		return -1;
	e.schema_version = 2;
	*ev = e;
	return 0;
}

int
sol_mint_v2_ix_data(const SolMintParams *p, uint8_t *out, size_t outcap, SolError *err)
{
	SolMetadata md;
	int n;

	if (p == NULL || p->md == NULL)
		return sol_error_set(err, SOL_ERR_INVALID, "metadata", "no metadata");
	md = *p->md;
	if (p->to_collection)
	{
		if (md.has_collection && memcmp(md.collection_key, p->collection_mint, 32) != 0)
			return sol_error_set(err, SOL_ERR_INVALID, "collection",
			                     "metadata collection differs from the Core collection");
		md.has_collection = true;
		memcpy(md.collection_key, p->collection_mint, 32);
	}
	else if (md.has_collection)
		return sol_error_set(err, SOL_ERR_INVALID, "collection",
		                     "a V2 collection must be a Core collection account of the mint "
		                     "(the program answers MissingCollectionAccount)");
	md.collection_verified = md.has_collection;
	if (sol_metadata_v2_validate(&md, err) != 0)
		return -1;
	if (outcap < 8)
		return sol_error_set(err, SOL_ERR_TOO_LARGE, "transaction", "buffer too small");
	memcpy(out, sol_mint_v2_discriminator, 8);
	n = sol_metadata_v2_borsh_encode(&md, out + 8, outcap - 8);
	if (n < 0 || (size_t)n + 10 > outcap)
		return sol_error_set(err, SOL_ERR_TOO_LARGE, "transaction", "buffer too small");
	out[8 + n] = 0; /* asset_data: None */
	out[9 + n] = 0; /* asset_data_schema: None */
	return n + 10;
}

static const uint8_t *
ix_key(const SolTxView *v, const SolIxView *ix, size_t i)
{
	return v->keys + 32 * (size_t)ix->accounts[i];
}

static bool
is_bubblegum(const uint8_t *k)
{
	return memcmp(k, sol_bubblegum_program_id, 32) == 0;
}

/* flag: 'W' writable, 'S' signer, 'B' signer and writable, '-' neither required */
static int
check_account(const SolTxView *v, const SolIxView *ix, size_t i, char flag, const uint8_t *expect,
              SolError *err)
{
	size_t k = ix->accounts[i];

	if (expect && memcmp(ix_key(v, ix, i), expect, 32) != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "accounts", "account %zu has the wrong address",
		                     i);
	if ((flag == 'W' || flag == 'B') && !sol_tx_key_is_writable(v, k))
		return sol_error_set(err, SOL_ERR_INVALID, "accounts", "account %zu must be writable", i);
	if ((flag == 'S' || flag == 'B') && !sol_tx_key_is_signer(v, k))
		return sol_error_set(err, SOL_ERR_INVALID, "accounts", "account %zu must sign", i);
	return 0;
}

int
sol_mint_v2_ix_decode(const SolTxView *v, SolMintIx *out, SolError *err)
{
	const SolIxView *ix = NULL;
	uint8_t pda[32];
	size_t i;
	size_t rest;
	int n;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < v->num_instructions; i++)
		if (is_bubblegum(v->keys + 32 * (size_t)v->ixs[i].program_id_index))
		{
			ix = &v->ixs[i];
			break;
		}
	if (ix == NULL)
		return sol_error_set(err, SOL_ERR_NOT_FOUND, "instructions", "no Bubblegum instruction");
	out->ix_index = i;
	out->v2 = true;
	if (ix->data_len < 8 || memcmp(ix->data, sol_mint_v2_discriminator, 8) != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "data", "not a mint_v2 instruction");
	if (ix->num_accounts != SOL_MINT_V2_ACCOUNTS)
		return sol_error_set(err, SOL_ERR_INVALID, "accounts", "wrong number of accounts (%zu)",
		                     ix->num_accounts);
	n = sol_metadata_v2_borsh_decode(ix->data + 8, ix->data_len - 8, &out->md, err);
	if (n < 0)
		return -1;
	rest = ix->data_len - 8 - (size_t)n;
	if (rest < 2)
		return sol_error_set(err, SOL_ERR_INVALID, "data",
		                     "asset_data / asset_data_schema missing");
	if (ix->data[8 + n] != 0 || ix->data[9 + n] != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "asset_data",
		                     "asset_data and asset_data_schema must be None (the program answers "
		                     "NotAvailable)");
	if (rest != 2)
		return sol_error_set(err, SOL_ERR_INVALID, "data", "trailing bytes after mint_v2 data");
	if (sol_metadata_v2_validate(&out->md, err) != 0)
		return -1;
	memcpy(out->tree_config, ix_key(v, ix, 0), 32);
	memcpy(out->payer, ix_key(v, ix, 1), 32);
	memcpy(out->owner, ix_key(v, ix, 4), 32);
	memcpy(out->tree, ix_key(v, ix, 6), 32);
	if (sol_tree_config_pda(out->tree, pda, NULL) != 0)
		return sol_error_set(err, SOL_ERR_PDA, "tree", "no tree_config PDA");
	if (check_account(v, ix, 0, 'W', pda, err) || check_account(v, ix, 1, 'B', NULL, err) ||
	    check_account(v, ix, 6, 'W', NULL, err) ||
	    check_account(v, ix, 9, '-', sol_mpl_noop_program_id, err) ||
	    check_account(v, ix, 10, '-', sol_mpl_account_compression_program_id, err) ||
	    check_account(v, ix, 11, '-', sol_mpl_core_program_id, err) ||
	    check_account(v, ix, 12, '-', sol_system_program_id, err))
		return -1;
	/* optional accounts: the Bubblegum id is Anchor's None */
	if (is_bubblegum(ix_key(v, ix, 2)))
		memcpy(out->tree_delegate, out->payer, 32);
	else
	{
		if (check_account(v, ix, 2, 'S', NULL, err))
			return -1;
		memcpy(out->tree_delegate, ix_key(v, ix, 2), 32);
	}
	if (is_bubblegum(ix_key(v, ix, 5)))
		memcpy(out->delegate, out->owner, 32);
	else
		memcpy(out->delegate, ix_key(v, ix, 5), 32);
	out->to_collection = !is_bubblegum(ix_key(v, ix, 7));
	if (!out->to_collection)
	{
		/* Anchor checks the CPI signer's seeds whenever the account is given */
		if (!is_bubblegum(ix_key(v, ix, 8)) &&
		    check_account(v, ix, 8, '-', sol_mpl_core_cpi_signer, err))
			return -1;
		if (out->md.has_collection)
			return sol_error_set(err, SOL_ERR_INVALID, "collection",
			                     "metadata collection without the Core collection account");
		return 0;
	}
	memcpy(out->collection_mint, ix_key(v, ix, 7), 32);
	if (check_account(v, ix, 7, 'W', NULL, err) ||
	    check_account(v, ix, 8, '-', sol_mpl_core_cpi_signer, err))
		return -1;
	if (is_bubblegum(ix_key(v, ix, 3)))
		memcpy(out->collection_authority, out->tree_delegate, 32);
	else
	{
		if (check_account(v, ix, 3, 'S', NULL, err))
			return -1;
		memcpy(out->collection_authority, ix_key(v, ix, 3), 32);
	}
	if (!out->md.has_collection || memcmp(out->md.collection_key, out->collection_mint, 32) != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "collection",
		                     "metadata collection does not match the Core collection");
	return 0;
}

/* MPL Core: Key, PluginType (mpl-core programs/mpl-core/src/state, plugins) */
#define CORE_KEY_PLUGIN_HEADER       3
#define CORE_KEY_PLUGIN_REGISTRY     4
#define CORE_KEY_COLLECTION          5
#define CORE_PLUGIN_ROYALTIES        0
#define CORE_PLUGIN_UPDATE_DELEGATE  4
#define CORE_PLUGIN_PERMANENT_FREEZE 5
#define CORE_PLUGIN_BUBBLEGUM_V2     15
#define CORE_MAX_PLUGIN_TYPE         18 /* Groups */

static bool
core_authority(SolReader *r, SolCoreAuthority *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = sol_get_u8(r);
	if (a->kind > 3)
		r->error = true;
	else if (a->kind == 3)
	{
		const uint8_t *k = sol_get_bytes(r, 32);

		if (k)
			memcpy(a->address, k, 32);
	}
	return !r->error;
}

/* the plugin's data at its offset: the Plugin enum tag, then its struct */
static int
core_plugin(const uint8_t *data, size_t len, uint64_t off, uint8_t type,
            const SolCoreAuthority *auth, SolCoreCollection *c)
{
	SolReader r;
	uint32_t n;
	uint32_t i;

	if (off >= len)
		return -1;
	sol_reader_init(&r, data + off, len - (size_t)off);
	if (sol_get_u8(&r) != type || r.error)
		return -1;
	switch (type)
	{
		case CORE_PLUGIN_ROYALTIES:
			c->has_royalties = true;
			c->royalty_basis_points = sol_get_u16(&r);
			break;
		case CORE_PLUGIN_UPDATE_DELEGATE:
			c->has_update_delegate = true;
			c->update_delegate_authority = *auth;
			n = sol_get_u32(&r);
			if (r.error || n > (len - (size_t)off) / 32)
				return -1;
			for (i = 0; i < n; i++)
			{
				const uint8_t *k = sol_get_bytes(&r, 32);

				if (k && c->num_additional_delegates < SOL_CORE_MAX_DELEGATES)
					memcpy(c->additional_delegates[c->num_additional_delegates++], k, 32);
			}
			break;
		case CORE_PLUGIN_PERMANENT_FREEZE:
			c->has_permanent_freeze = true;
			c->permanent_freeze_authority = *auth;
			c->permanently_frozen = get_tag(&r);
			break;
		case CORE_PLUGIN_BUBBLEGUM_V2:
			c->has_bubblegum_v2 = true;
			break;
		default:
			break;
	}
	return r.error ? -1 : 0;
}

int
sol_core_collection_decode(const uint8_t *data, size_t len, SolCoreCollection *out)
{
	SolCoreCollection c;
	SolReader r;
	uint32_t n;
	uint32_t i;
	uint64_t reg;

	if (data == NULL || len < 1 || data[0] != CORE_KEY_COLLECTION)
		return -1;
	memset(&c, 0, sizeof(c));
	sol_reader_init(&r, data + 1, len - 1);
	if (sol_get_bytes(&r, 32) == NULL)
		return -1;
	memcpy(c.update_authority, data + 1, 32);
	n = sol_get_u32(&r); /* name */
	if (r.error || sol_get_bytes(&r, n) == NULL)
		return -1;
	n = sol_get_u32(&r); /* uri */
	if (r.error || sol_get_bytes(&r, n) == NULL)
		return -1;
	c.num_minted = sol_get_u32(&r);
	c.current_size = sol_get_u32(&r);
	if (r.error)
		return -1;
	if (r.pos == len - 1)
	{
		*out = c; /* no plugins */
		return 0;
	}
	/* PluginHeaderV1 right after the collection, naming the registry's offset */
	if (sol_get_u8(&r) != CORE_KEY_PLUGIN_HEADER)
		return -1;
	reg = sol_get_u64(&r);
	if (r.error || reg >= len)
		return -1;
	sol_reader_init(&r, data + reg, len - (size_t)reg);
	if (sol_get_u8(&r) != CORE_KEY_PLUGIN_REGISTRY)
		return -1;
	n = sol_get_u32(&r);
	if (r.error || n > len / 10)
		return -1;
	for (i = 0; i < n; i++)
	{
		SolCoreAuthority auth;
		uint8_t type = sol_get_u8(&r);
		uint64_t off;

		if (type > CORE_MAX_PLUGIN_TYPE || !core_authority(&r, &auth))
			return -1;
		off = sol_get_u64(&r);
		if (r.error || core_plugin(data, len, off, type, &auth, &c) != 0)
			return -1;
	}
	c.num_plugins = n;
	*out = c;
	return 0;
}

bool
sol_core_collection_can_mint(const SolCoreCollection *c, const uint8_t authority[32])
{
	size_t i;

	if (!c->has_bubblegum_v2)
		return false;
	if (memcmp(c->update_authority, authority, 32) == 0)
		return true;
	if (!c->has_update_delegate)
		return false;
	if (c->update_delegate_authority.kind == 3 &&
	    memcmp(c->update_delegate_authority.address, authority, 32) == 0)
		return true;
	for (i = 0; i < c->num_additional_delegates; i++)
		if (memcmp(c->additional_delegates[i], authority, 32) == 0)
			return true;
	return false;
}
