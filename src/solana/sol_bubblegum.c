/*
 * sol_bubblegum.c
 *	  mint_v1 / mint_to_collection_v1 instructions and transactions, the
 *	  LeafSchema event, and its extraction from getTransaction results.
 */
#include "sol_bubblegum.h"

#include <stdlib.h>
#include <string.h>

#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_tx.h"

/* sha256("global:mint_v1")[0..8], sha256("global:mint_to_collection_v1")[0..8] */
const uint8_t sol_mint_v1_discriminator[8] = {0x91, 0x62, 0xc0, 0x76, 0xb8, 0x93, 0x76, 0x68};
const uint8_t sol_mint_to_collection_v1_discriminator[8] = {0x99, 0x12, 0xb2, 0x2f,
                                                            0xc5, 0x9e, 0x56, 0x0f};

static const uint8_t tree_config_discriminator[8] = {0x7a, 0xf5, 0xaf, 0xf8,
                                                     0xab, 0x22, 0x00, 0xcf};

int
sol_mint_ix_data(const SolMintParams *p, uint8_t *out, size_t outcap, SolError *err)
{
	SolMetadata md;
	int n;

	if (p == NULL || p->md == NULL)
		return sol_error_set(err, SOL_ERR_INVALID, "metadata", "no metadata");
	if (p->v2)
		return sol_mint_v2_ix_data(p, out, outcap, err);
	md = *p->md;
	if (p->to_collection)
	{
		if (md.has_collection && memcmp(md.collection_key, p->collection_mint, 32) != 0)
			return sol_error_set(err, SOL_ERR_INVALID, "collection",
			                     "metadata collection differs from the collection mint");
		if (!md.has_collection)
			md.collection_verified = false;
		md.has_collection = true;
		memcpy(md.collection_key, p->collection_mint, 32);
	}
	else if (md.has_collection && md.collection_verified)
		return sol_error_set(err, SOL_ERR_INVALID, "collection",
		                     "mint_v1 cannot mint into a verified collection");
	if (sol_metadata_validate(&md, err) != 0)
		return -1;
	if (outcap < 8)
		return sol_error_set(err, SOL_ERR_TOO_LARGE, "transaction", "buffer too small");
	memcpy(out,
	       p->to_collection ? sol_mint_to_collection_v1_discriminator : sol_mint_v1_discriminator,
	       8);
	n = sol_metadata_borsh_encode(&md, out + 8, outcap - 8);
	if (n < 0)
		return sol_error_set(err, SOL_ERR_TOO_LARGE, "transaction", "buffer too small");
	return n + 8;
}

static void
meta(SolAccountMeta *m, const uint8_t key[32], bool signer, bool writable)
{
	memcpy(m->pubkey, key, 32);
	m->is_signer = signer;
	m->is_writable = writable;
}

int
sol_build_mint_tx_multi(const SolMintParams *p, const uint8_t blockhash[32],
                        const uint8_t *const *secrets, size_t nsecrets, uint8_t *out, size_t outcap,
                        uint8_t sig_out[64], SolError *err)
{
	uint8_t data[8 + SOL_METADATA_BORSH_MAX];
	uint8_t cu_limit[5];
	uint8_t cu_price[9];
	uint8_t tree_config[32];
	uint8_t coll_md[32];
	uint8_t coll_ed[32];
	SolAccountMeta acc[16];
	SolInstruction ixs[3];
	size_t nacc = 0;
	size_t nixs = 0;
	int dlen;

	static const uint8_t zero[32] = {0};
	const uint8_t *tree_delegate;
	const uint8_t *collection_authority;

	dlen = sol_mint_ix_data(p, data, sizeof(data), err);
	if (dlen < 0)
		return -1;
	/* an all-zero key is the System program, never a signer: default to the payer */
	tree_delegate = memcmp(p->tree_delegate, zero, 32) == 0 ? p->payer : p->tree_delegate;
	collection_authority =
	    memcmp(p->collection_authority, zero, 32) == 0 ? p->payer : p->collection_authority;
	if (sol_tree_config_pda(p->tree, tree_config, NULL) != 0)
		return sol_error_set(err, SOL_ERR_PDA, "tree", "no tree_config PDA");
	if (p->v2)
	{
		/* mint_v2's 13 accounts; the Bubblegum id is an absent optional account */
		meta(&acc[nacc++], tree_config, false, true);
		meta(&acc[nacc++], p->payer, true, true); /* pays the protocol fee */
		meta(&acc[nacc++], tree_delegate, true, false);
		if (p->to_collection)
			meta(&acc[nacc++], collection_authority, true, false);
		else
			meta(&acc[nacc++], sol_bubblegum_program_id, false, false);
		meta(&acc[nacc++], p->owner, false, false);
		meta(&acc[nacc++], p->owner, false, false); /* leaf_delegate = owner */
		meta(&acc[nacc++], p->tree, false, true);
		if (p->to_collection)
		{
			meta(&acc[nacc++], p->collection_mint, false, true); /* its counters change */
			meta(&acc[nacc++], sol_mpl_core_cpi_signer, false, false);
		}
		else
		{
			meta(&acc[nacc++], sol_bubblegum_program_id, false, false);
			meta(&acc[nacc++], sol_bubblegum_program_id, false, false);
		}
		meta(&acc[nacc++], sol_mpl_noop_program_id, false, false);
		meta(&acc[nacc++], sol_mpl_account_compression_program_id, false, false);
		meta(&acc[nacc++], sol_mpl_core_program_id, false, false);
		meta(&acc[nacc++], sol_system_program_id, false, false);
	}
	else
	{
		meta(&acc[nacc++], tree_config, false, true);
		meta(&acc[nacc++], p->owner, false, false);
		meta(&acc[nacc++], p->owner, false, false); /* leaf_delegate = owner */
		meta(&acc[nacc++], p->tree, false, true);
		meta(&acc[nacc++], p->payer, true, false);
		meta(&acc[nacc++], tree_delegate, true, false);
		if (p->to_collection)
		{
			if (sol_collection_metadata_pda(p->collection_mint, coll_md, NULL) != 0 ||
			    sol_collection_master_edition_pda(p->collection_mint, coll_ed, NULL) != 0)
				return sol_error_set(err, SOL_ERR_PDA, "collection", "no collection PDA");
			meta(&acc[nacc++], collection_authority, true, false);
			meta(&acc[nacc++], sol_bubblegum_program_id, false, false); /* no authority record */
			meta(&acc[nacc++], p->collection_mint, false, false);
			meta(&acc[nacc++], coll_md, false, true);
			meta(&acc[nacc++], coll_ed, false, false);
			meta(&acc[nacc++], sol_bubblegum_program_id, false, false); /* bubblegum_signer */
			meta(&acc[nacc++], sol_noop_program_id, false, false);
			meta(&acc[nacc++], sol_account_compression_program_id, false, false);
			meta(&acc[nacc++], sol_bubblegum_program_id, false, false); /* token_metadata_program */
			meta(&acc[nacc++], sol_system_program_id, false, false);
		}
		else
		{
			meta(&acc[nacc++], sol_noop_program_id, false, false);
			meta(&acc[nacc++], sol_account_compression_program_id, false, false);
			meta(&acc[nacc++], sol_system_program_id, false, false);
		}
	}
	nixs += sol_compute_budget_ixs(p->cu_limit, p->cu_price_micro_lamports, ixs + nixs, cu_limit,
	                               cu_price);
	memcpy(ixs[nixs].program_id, sol_bubblegum_program_id, 32);
	ixs[nixs].accounts = acc;
	ixs[nixs].num_accounts = nacc;
	ixs[nixs].data = data;
	ixs[nixs].data_len = (size_t)dlen;
	nixs++;
	return sol_tx_build(p->payer, ixs, nixs, blockhash, secrets, nsecrets, out, outcap, sig_out,
	                    err);
}

int
sol_build_mint_tx(const SolMintParams *p, const uint8_t blockhash[32], const uint8_t *secret64,
                  uint8_t *out, size_t outcap, uint8_t sig_out[64], SolError *err)
{
	const uint8_t *secrets[1] = {secret64};

	return sol_build_mint_tx_multi(p, blockhash, secrets, secret64 ? 1 : 0, out, outcap, sig_out,
	                               err);
}

static const uint8_t leaf_event_prefix[9] = {0x01, 0x00, 0xcb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00};

void
sol_leaf_event_encode(const SolLeafEvent *ev, uint8_t out[SOL_LEAF_EVENT_LEN])
{
	SolWriter w;

	sol_writer_init(&w, out, SOL_LEAF_EVENT_LEN);
	sol_put_bytes(&w, leaf_event_prefix, sizeof(leaf_event_prefix));
	sol_put_bytes(&w, ev->id, 32);
	sol_put_bytes(&w, ev->owner, 32);
	sol_put_bytes(&w, ev->delegate, 32);
	sol_put_u64(&w, ev->nonce);
	sol_put_bytes(&w, ev->data_hash, 32);
	sol_put_bytes(&w, ev->creator_hash, 32);
	sol_put_bytes(&w, ev->leaf_hash, 32);
}

int
sol_leaf_event_decode(const uint8_t *data, size_t len, SolLeafEvent *ev)
{
	SolReader r;

	if (data == NULL || len != SOL_LEAF_EVENT_LEN ||
	    memcmp(data, leaf_event_prefix, sizeof(leaf_event_prefix)) != 0)
		return -1;
	sol_reader_init(&r, data + 9, len - 9);
	memcpy(ev->id, sol_get_bytes(&r, 32), 32);
	memcpy(ev->owner, sol_get_bytes(&r, 32), 32);
	memcpy(ev->delegate, sol_get_bytes(&r, 32), 32);
	ev->nonce = sol_get_u64(&r);
	memcpy(ev->data_hash, sol_get_bytes(&r, 32), 32);
	memcpy(ev->creator_hash, sol_get_bytes(&r, 32), 32);
	memcpy(ev->leaf_hash, sol_get_bytes(&r, 32), 32);
	ev->schema_version = 1;
	memset(ev->collection_hash, 0, 32);
	memset(ev->asset_data_hash, 0, 32);
	ev->flags = 0;
	return r.error ? -1 : 0;
}

/* accountKeys entry as raw bytes: string (json) or {"pubkey": ...} (jsonParsed) */
static bool
key_at(const json_t *keys, size_t n_static, const json_t *loaded_w, const json_t *loaded_r,
       json_int_t idx, uint8_t out[32])
{
	const json_t *k;

	if (idx < 0)
		return false;
	if ((size_t)idx < n_static)
		k = json_array_get(keys, (size_t)idx);
	else
	{
		size_t i = (size_t)idx - n_static;
		size_t nw = json_is_array(loaded_w) ? json_array_size(loaded_w) : 0;
		size_t nr = json_is_array(loaded_r) ? json_array_size(loaded_r) : 0;

		if (i < nw)
			k = json_array_get(loaded_w, i);
		else if (i - nw < nr)
			k = json_array_get(loaded_r, i - nw);
		else
			return false;
	}
	if (json_is_object(k))
		k = json_object_get(k, "pubkey");
	return json_is_string(k) && sol_pubkey_from_b58(json_string_value(k), out);
}

int
sol_leaf_from_transaction(const json_t *result, SolLeafEvent *ev, SolError *err)
{
	const json_t *meta_obj;
	const json_t *merr;
	const json_t *msg;
	const json_t *keys;
	const json_t *ixs;
	const json_t *inner;
	const json_t *loaded_w = NULL;
	const json_t *loaded_r = NULL;
	const json_t *loaded;
	size_t nkeys;
	size_t i;
	size_t j;
	json_int_t bgum_ix = -1;

	if (result == NULL || json_is_null(result))
		return sol_error_set(err, SOL_ERR_NOT_FOUND, "result", "transaction not found");
	if (!json_is_object(result))
		return sol_error_set(err, SOL_ERR_INVALID, "result", "result is not an object");
	meta_obj = json_object_get(result, "meta");
	if (!json_is_object(meta_obj))
		return sol_error_set(err, SOL_ERR_INVALID, "meta", "transaction has no meta");
	merr = json_object_get(meta_obj, "err");
	if (merr != NULL && !json_is_null(merr))
	{
		char *s = json_dumps(merr, JSON_COMPACT);

		sol_error_set(err, SOL_ERR_TX_FAILED, "meta.err", "transaction failed: %s", s ? s : "?");
		free(s);
		return -1;
	}
	msg = json_object_get(json_object_get(result, "transaction"), "message");
	keys = json_object_get(msg, "accountKeys");
	ixs = json_object_get(msg, "instructions");
	if (!json_is_array(keys) || !json_is_array(ixs))
		return sol_error_set(err, SOL_ERR_INVALID, "transaction.message",
		                     "transaction.message lacks accountKeys/instructions (use "
		                     "encoding \"json\")");
	nkeys = json_array_size(keys);
	loaded = json_object_get(meta_obj, "loadedAddresses");
	if (json_is_object(loaded))
	{
		loaded_w = json_object_get(loaded, "writable");
		loaded_r = json_object_get(loaded, "readonly");
	}
	for (i = 0; i < json_array_size(ixs) && bgum_ix < 0; i++)
	{
		const json_t *pidx = json_object_get(json_array_get(ixs, i), "programIdIndex");
		uint8_t pk[32];

		if (json_is_integer(pidx) &&
		    key_at(keys, nkeys, loaded_w, loaded_r, json_integer_value(pidx), pk) &&
		    memcmp(pk, sol_bubblegum_program_id, 32) == 0)
			bgum_ix = (json_int_t)i;
	}
	if (bgum_ix < 0)
		return sol_error_set(err, SOL_ERR_NOT_FOUND, "instructions",
		                     "no Bubblegum instruction in transaction");
	inner = json_object_get(meta_obj, "innerInstructions");
	if (inner != NULL && !json_is_null(inner) && !json_is_array(inner))
		return sol_error_set(err, SOL_ERR_INVALID, "meta.innerInstructions",
		                     "innerInstructions is not an array");
	for (i = 0; i < json_array_size(inner); i++)
	{
		const json_t *grp = json_array_get(inner, i);
		const json_t *gidx = json_object_get(grp, "index");
		const json_t *gixs = json_object_get(grp, "instructions");

		if (!json_is_integer(gidx) || json_integer_value(gidx) != bgum_ix || !json_is_array(gixs))
			continue;
		for (j = 0; j < json_array_size(gixs); j++)
		{
			const json_t *ix = json_array_get(gixs, j);
			const json_t *pidx = json_object_get(ix, "programIdIndex");
			const json_t *data = json_object_get(ix, "data");
			uint8_t pk[32];
			uint8_t buf[SOL_LEAF_EVENT_V2_LEN + 1];
			bool v1;
			int n;

			if (!json_is_integer(pidx) || !json_is_string(data) ||
			    !key_at(keys, nkeys, loaded_w, loaded_r, json_integer_value(pidx), pk))
				continue;
			/* V1 trees log through SPL Noop, V2 trees through MPL Noop */
			v1 = memcmp(pk, sol_noop_program_id, 32) == 0;
			if (!v1 && memcmp(pk, sol_mpl_noop_program_id, 32) != 0)
				continue;
			n = sol_b58_decode(json_string_value(data), json_string_length(data), buf, sizeof(buf));
			if (v1 && n == SOL_LEAF_EVENT_LEN && sol_leaf_event_decode(buf, (size_t)n, ev) == 0)
				return 0;
			if (!v1 && n == SOL_LEAF_EVENT_V2_LEN &&
			    sol_leaf_event_v2_decode(buf, (size_t)n, ev) == 0)
				return 0;
		}
	}
	return sol_error_set(err, SOL_ERR_NOT_FOUND, "meta.innerInstructions",
	                     "no LeafSchema event under the Bubblegum instruction");
}

int
sol_leaf_from_transaction_json(const char *json, size_t len, SolLeafEvent *ev, SolError *err)
{
	json_error_t jerr;
	json_t *root;
	const json_t *result;
	int rc;

	if (json == NULL)
		return sol_error_set(err, SOL_ERR_INVALID, "", "no JSON");
	root = json_loadb(json, len, JSON_DECODE_ANY, &jerr);
	if (root == NULL)
		return sol_error_set(err, SOL_ERR_INVALID, "", "not JSON: %s", jerr.text);
	result = root;
	if (json_is_object(root) && json_object_get(root, "jsonrpc") != NULL)
	{
		if (json_object_get(root, "error") != NULL)
		{
			json_decref(root);
			return sol_error_set(err, SOL_ERR_INVALID, "error", "JSON-RPC error response");
		}
		result = json_object_get(root, "result");
	}
	rc = sol_leaf_from_transaction(result, ev, err);
	json_decref(root);
	return rc;
}

int
sol_tree_config_decode(const uint8_t *data, size_t len, SolTreeConfig *tc)
{
	SolReader r;

	if (data == NULL || len < 91 || memcmp(data, tree_config_discriminator, 8) != 0)
		return -1;
	sol_reader_init(&r, data + 8, len - 8);
	memcpy(tc->tree_creator, sol_get_bytes(&r, 32), 32);
	memcpy(tc->tree_delegate, sol_get_bytes(&r, 32), 32);
	tc->total_mint_capacity = sol_get_u64(&r);
	tc->num_minted = sol_get_u64(&r);
	tc->is_public = sol_get_bool(&r);
	tc->is_decompressible = sol_get_u8(&r);
	tc->version = sol_get_u8(&r);
	return r.error ? -1 : 0;
}

int
sol_leaf_event_for_mint(const SolMetadata *md, bool to_collection, const uint8_t tree[32],
                        uint64_t nonce, const uint8_t owner[32], const uint8_t delegate[32],
                        SolLeafEvent *out)
{
	SolMetadata m = *md;

	if (to_collection && m.has_collection)
		m.collection_verified = true;
	memset(out, 0, sizeof(*out));
	if (sol_asset_id_pda(tree, nonce, out->id, NULL) != 0)
		return -1;
	out->schema_version = 1;
	memcpy(out->owner, owner, 32);
	memcpy(out->delegate, delegate, 32);
	out->nonce = nonce;
	sol_metadata_data_hash(&m, out->data_hash);
	sol_metadata_creator_hash(&m, out->creator_hash);
	sol_leaf_hash(out->id, out->owner, out->delegate, out->nonce, out->data_hash, out->creator_hash,
	              out->leaf_hash);
	return 0;
}

static const uint8_t *
ix_key(const SolTxView *v, const SolIxView *ix, size_t i)
{
	return v->keys + 32 * (size_t)ix->accounts[i];
}

/* expected flags per account position: 'W' writable, 'S' signer, '-' neither */
static int
check_account(const SolTxView *v, const SolIxView *ix, size_t i, char flag, const uint8_t *expect,
              SolError *err)
{
	size_t k = ix->accounts[i];

	if (expect && memcmp(ix_key(v, ix, i), expect, 32) != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "accounts", "account %zu has the wrong address",
		                     i);
	if (flag == 'W' && !sol_tx_key_is_writable(v, k))
		return sol_error_set(err, SOL_ERR_INVALID, "accounts", "account %zu must be writable", i);
	if (flag == 'S' && !sol_tx_key_is_signer(v, k))
		return sol_error_set(err, SOL_ERR_INVALID, "accounts", "account %zu must sign", i);
	return 0;
}

int
sol_mint_ix_decode(const SolTxView *v, SolMintIx *out, SolError *err)
{
	const SolIxView *ix = NULL;
	uint8_t pda[32];
	size_t i;
	int n;

	for (i = 0; i < v->num_instructions; i++)
		if (memcmp(v->keys + 32 * (size_t)v->ixs[i].program_id_index, sol_bubblegum_program_id,
		           32) == 0)
		{
			ix = &v->ixs[i];
			break;
		}
	if (ix == NULL)
		return sol_error_set(err, SOL_ERR_NOT_FOUND, "instructions", "no Bubblegum instruction");
	memset(out, 0, sizeof(*out));
	out->ix_index = i;
	if (ix->data_len < 8)
		return sol_error_set(err, SOL_ERR_INVALID, "data", "instruction data too short");
	if (memcmp(ix->data, sol_mint_v1_discriminator, 8) == 0)
		out->to_collection = false;
	else if (memcmp(ix->data, sol_mint_to_collection_v1_discriminator, 8) == 0)
		out->to_collection = true;
	else
		return sol_error_set(err, SOL_ERR_INVALID, "data", "not a mint instruction");
	if (ix->num_accounts != (out->to_collection ? 16u : 9u))
		return sol_error_set(err, SOL_ERR_INVALID, "accounts", "wrong number of accounts (%zu)",
		                     ix->num_accounts);
	n = sol_metadata_borsh_decode(ix->data + 8, ix->data_len - 8, &out->md, err);
	if (n < 0)
		return -1;
	if ((size_t)n != ix->data_len - 8)
		return sol_error_set(err, SOL_ERR_INVALID, "data", "trailing bytes after MetadataArgs");
	memcpy(out->tree_config, ix_key(v, ix, 0), 32);
	memcpy(out->owner, ix_key(v, ix, 1), 32);
	memcpy(out->delegate, ix_key(v, ix, 2), 32);
	memcpy(out->tree, ix_key(v, ix, 3), 32);
	memcpy(out->payer, ix_key(v, ix, 4), 32);
	memcpy(out->tree_delegate, ix_key(v, ix, 5), 32);
	if (sol_tree_config_pda(out->tree, pda, NULL) != 0)
		return sol_error_set(err, SOL_ERR_PDA, "tree", "no tree_config PDA");
	if (check_account(v, ix, 0, 'W', pda, err) || check_account(v, ix, 3, 'W', NULL, err) ||
	    check_account(v, ix, 4, 'S', NULL, err) || check_account(v, ix, 5, 'S', NULL, err))
		return -1;
	if (!out->to_collection)
	{
		if (check_account(v, ix, 6, '-', sol_noop_program_id, err) ||
		    check_account(v, ix, 7, '-', sol_account_compression_program_id, err) ||
		    check_account(v, ix, 8, '-', sol_system_program_id, err))
			return -1;
		if (out->md.has_collection && out->md.collection_verified)
			return sol_error_set(err, SOL_ERR_INVALID, "collection",
			                     "mint_v1 with a verified collection");
		return 0;
	}
	memcpy(out->collection_authority, ix_key(v, ix, 6), 32);
	memcpy(out->collection_mint, ix_key(v, ix, 8), 32);
	if (check_account(v, ix, 6, 'S', NULL, err))
		return -1;
	if (sol_collection_metadata_pda(out->collection_mint, pda, NULL) != 0 ||
	    check_account(v, ix, 9, 'W', pda, err))
		return -1;
	if (sol_collection_master_edition_pda(out->collection_mint, pda, NULL) != 0 ||
	    check_account(v, ix, 10, '-', pda, err))
		return -1;
	if (check_account(v, ix, 12, '-', sol_noop_program_id, err) ||
	    check_account(v, ix, 13, '-', sol_account_compression_program_id, err) ||
	    check_account(v, ix, 15, '-', sol_system_program_id, err))
		return -1;
	if (!out->md.has_collection || memcmp(out->md.collection_key, out->collection_mint, 32) != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "collection",
		                     "metadata collection does not match the collection mint");
	return 0;
}
