/*
 * test_tx.c -- message compilation, signing, wire decoding, mint builders.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "sol_bubblegum.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_tx.h"

#define V1 "bubblegum_vectors.json"
#define V2 "bubblegum_vectors2.json"

static const char sample_a_json[] =
    "{\"name\":\"Ticket #1\",\"symbol\":\"TIX\",\"uri\":\"https://example.com/t/1.json\","
    "\"creators\":[{\"address\":\"AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9\",\"share\":100}]}";

typedef struct Fixture
{
	uint8_t payer_sk[64];
	uint8_t payer[32];
	uint8_t creator_sk[64]; /* seed 0x04: the two-signer vector's tree creator */
	uint8_t creator[32];
	uint8_t blockhash[32];
	SolMetadata md;
	SolMintParams p;
} Fixture;

static void
fixture(Fixture *f)
{
	uint8_t seed[32];
	SolError err;

	memset(f, 0, sizeof(*f));
	memset(seed, 1, 32);
	sol_keypair_from_seed(seed, f->payer_sk, f->payer);
	memset(seed, 4, 32);
	sol_keypair_from_seed(seed, f->creator_sk, f->creator);
	memset(f->blockhash, 7, 32);
	sol_metadata_from_json(sample_a_json, strlen(sample_a_json), &f->md, &err);
	memcpy(f->p.payer, f->payer, 32);
	memcpy(f->p.tree_delegate, f->payer, 32);
	b58_to32(tv_str(V1, "inputs.merkle_tree"), f->p.tree);
	b58_to32(tv_str(V1, "inputs.leaf_owner"), f->p.owner);
	f->p.md = &f->md;
}

/* The memcmp-ordered (solana-sdk CompiledKeys) vector, byte for byte. */
static void
test_mint_v1_vector(void)
{
	Fixture f;
	uint8_t tx[1232];
	uint8_t sig[64];
	SolError err;
	int n;
	char b64[2000];

	fixture(&f);
	n = sol_build_mint_tx(&f.p, f.blockhash, f.payer_sk, tx, sizeof(tx), sig, &err);
	CHECKM(n == 478, "n=%d %s", n, err.message);
	if (n != 478)
		return;
	CHECK(bytes_eq_hex(tx, (size_t)n, tv_str(V2, "tx_mint_v1_A_rust_order.wire_hex")));
	CHECK(bytes_eq_hex(tx + 65, (size_t)n - 65, tv_str(V2, "tx_mint_v1_A_rust_order.message_hex")));
	CHECK(bytes_eq_hex(sig, 64, tv_str(V2, "tx_mint_v1_A_rust_order.signature_hex")));
	sol_base64_encode(tx, (size_t)n, b64, sizeof(b64));
	CHECK(strcmp(b64, tv_str(V2, "tx_mint_v1_A_rust_order.wire_base64")) == 0);
	/* instruction data equals the serializer's mint_v1 data for sample A */
	{
		uint8_t data[600];
		int dn = sol_mint_ix_data(&f.p, data, sizeof(data), &err);

		CHECK(dn == 108);
		CHECK(bytes_eq_hex(data, (size_t)dn, tv_str(V1, "metadata_samples.A.mint_v1_ix_data_hex")));
	}
}

static void
test_mint_v1_preview(void)
{
	Fixture f;
	uint8_t tx[1232];
	uint8_t signed_tx[1232];
	uint8_t sig[64];
	static const uint8_t zero[64];
	SolError err;
	int n;

	fixture(&f);
	n = sol_build_mint_tx(&f.p, f.blockhash, NULL, tx, sizeof(tx), sig, &err);
	CHECK(n == 478);
	CHECK(memcmp(tx + 1, zero, 64) == 0 && memcmp(sig, zero, 64) == 0);
	CHECK(sol_build_mint_tx(&f.p, f.blockhash, f.payer_sk, signed_tx, sizeof(signed_tx), sig,
	                        &err) == n);
	CHECK(memcmp(tx + 65, signed_tx + 65, (size_t)n - 65) == 0);
	CHECK(memcmp(signed_tx + 1, zero, 64) != 0);
	/* a keypair that is not a signer of the transaction */
	CHECK(sol_build_mint_tx(&f.p, f.blockhash, f.creator_sk, tx, sizeof(tx), sig, &err) == -1 &&
	      err.code == SOL_ERR_INVALID);
	/* an all-zero tree delegate / collection authority means the payer */
	{
		uint8_t a[1232];
		SolMintParams q = f.p;

		memset(q.tree_delegate, 0, 32);
		CHECK(sol_build_mint_tx(&q, f.blockhash, f.payer_sk, a, sizeof(a), NULL, &err) == n);
		CHECK(memcmp(a, signed_tx, (size_t)n) == 0);
	}
	/* output buffer too small */
	CHECK(sol_build_mint_tx(&f.p, f.blockhash, NULL, tx, 477, sig, &err) == -1 &&
	      err.code == SOL_ERR_TOO_LARGE);
}

static void
test_decode_vector(void)
{
	uint8_t wire[1300];
	int n = tv_hex(tv_str(V2, "tx_mint_v1_A_rust_order.wire_hex"), wire, sizeof(wire));
	SolTxView v;
	SolError err;
	json_t *accs = tv_get(V2, "tx_mint_v1_A_rust_order.compiled_accounts");
	json_t *keys = tv_get(V2, "tx_mint_v1_A_rust_order.account_keys");
	size_t i;

	CHECK(n == 478);
	CHECK(sol_tx_decode(wire, (size_t)n, &v, &err) == 0);
	CHECK(v.num_signatures == 1 && v.num_required_signatures == 1 && v.num_readonly_signed == 0 &&
	      v.num_readonly_unsigned == 5 && v.num_keys == 8 && v.num_instructions == 1);
	for (i = 0; i < json_array_size(keys) && i < v.num_keys; i++)
	{
		uint8_t k[32];

		b58_to32(json_string_value(json_array_get(keys, i)), k);
		CHECKM(memcmp(v.keys + 32 * i, k, 32) == 0, "key %zu", i);
	}
	CHECK(v.ixs[0].program_id_index ==
	      json_integer_value(tv_get(V2, "tx_mint_v1_A_rust_order.program_id_index")));
	CHECK(v.ixs[0].num_accounts == json_array_size(accs));
	for (i = 0; i < v.ixs[0].num_accounts && i < json_array_size(accs); i++)
		CHECK(v.ixs[0].accounts[i] == json_integer_value(json_array_get(accs, i)));
	CHECK(bytes_eq_hex(v.ixs[0].data, v.ixs[0].data_len,
	                   tv_str(V1, "metadata_samples.A.mint_v1_ix_data_hex")));
	CHECK(sol_tx_verify(&v));
	CHECK(sol_tx_key_is_writable(&v, 0) && sol_tx_key_is_writable(&v, 1) &&
	      sol_tx_key_is_writable(&v, 2) && !sol_tx_key_is_writable(&v, 3) &&
	      !sol_tx_key_is_writable(&v, 7));
	CHECK(sol_tx_key_is_signer(&v, 0) && !sol_tx_key_is_signer(&v, 1));
	/* flip one message byte: decodes, does not verify */
	wire[n - 1] ^= 1;
	CHECK(sol_tx_decode(wire, (size_t)n, &v, &err) == 0 && !sol_tx_verify(&v));
}

static void
test_decode_rejects(void)
{
	uint8_t wire[1300];
	uint8_t bad[1300];
	int n = tv_hex(tv_str(V2, "tx_mint_v1_A_rust_order.wire_hex"), wire, sizeof(wire));
	SolTxView v;
	SolError err;
	int i;

	for (i = 0; i < n; i++)
		if (sol_tx_decode(wire, (size_t)i, &v, &err) != -1)
		{
			CHECKM(0, "prefix of %d bytes accepted", i);
			break;
		}
	memcpy(bad, wire, (size_t)n);
	bad[n] = 0;
	CHECK(sol_tx_decode(bad, (size_t)n + 1, &v, &err) == -1); /* trailing byte */
	memcpy(bad, wire, (size_t)n);
	bad[0] = 2; /* signature count != header */
	CHECK(sol_tx_decode(bad, (size_t)n, &v, &err) == -1);
	memcpy(bad, wire, (size_t)n);
	bad[65] = 0x80; /* versioned message */
	CHECK(sol_tx_decode(bad, (size_t)n, &v, &err) == -1);
	memcpy(bad, wire, (size_t)n);
	bad[66] = 1; /* readonly signed == required: no writable fee payer */
	CHECK(sol_tx_decode(bad, (size_t)n, &v, &err) == -1);
	memcpy(bad, wire, (size_t)n);
	bad[67] = 8; /* 1 + 8 > 8 keys */
	CHECK(sol_tx_decode(bad, (size_t)n, &v, &err) == -1);
	memcpy(bad, wire, (size_t)n);
	memcpy(bad + 69 + 32, bad + 69, 32); /* duplicate key */
	CHECK(sol_tx_decode(bad, (size_t)n, &v, &err) == -1);
	/* instruction starts after header(3) keys-len(1) keys(256) blockhash(32) ix-count(1) */
	memcpy(bad, wire, (size_t)n);
	CHECK(bad[65 + 3 + 1 + 256 + 32 + 1] == 6);
	bad[65 + 3 + 1 + 256 + 32 + 1] = 0; /* program id index 0 (the fee payer) */
	CHECK(sol_tx_decode(bad, (size_t)n, &v, &err) == -1);
	bad[65 + 3 + 1 + 256 + 32 + 1] = 8; /* out of range */
	CHECK(sol_tx_decode(bad, (size_t)n, &v, &err) == -1);
	memcpy(bad, wire, (size_t)n);
	bad[65 + 3 + 1 + 256 + 32 + 1 + 2] = 8; /* account index out of range */
	CHECK(sol_tx_decode(bad, (size_t)n, &v, &err) == -1);
	memcpy(bad, wire, (size_t)n);
	bad[65 + 3] = 0x88; /* keys-len with a continuation into the keys */
	CHECK(sol_tx_decode(bad, (size_t)n, &v, &err) == -1);
	memset(bad, 0, sizeof(bad));
	CHECK(sol_tx_decode(bad, 1233, &v, &err) == -1 && err.code == SOL_ERR_TOO_LARGE);
	CHECK(sol_tx_decode(bad, 0, &v, &err) == -1);
	CHECK(sol_message_decode(bad, 1233, &v, &err) == -1 && err.code == SOL_ERR_TOO_LARGE);
}

/* Compare our message with a web3.js-ordered one structurally. */
static void
compare_structurally(const SolTxView *a, const SolTxView *b)
{
	size_t i;
	size_t j;

	CHECK(a->num_required_signatures == b->num_required_signatures);
	CHECK(a->num_readonly_signed == b->num_readonly_signed);
	CHECK(a->num_readonly_unsigned == b->num_readonly_unsigned);
	CHECK(a->num_keys == b->num_keys);
	CHECK(memcmp(a->keys, b->keys, 32) == 0); /* fee payer */
	CHECK(memcmp(a->blockhash, b->blockhash, 32) == 0);
	CHECK(a->num_instructions == b->num_instructions);
	if (a->num_keys != b->num_keys || a->num_instructions != b->num_instructions)
		return;
	for (i = 0; i < a->num_keys; i++)
	{
		bool found = false;

		for (j = 0; j < b->num_keys; j++)
			if (memcmp(a->keys + 32 * i, b->keys + 32 * j, 32) == 0)
			{
				found = true;
				CHECKM(sol_tx_key_is_signer(a, i) == sol_tx_key_is_signer(b, j) &&
				           sol_tx_key_is_writable(a, i) == sol_tx_key_is_writable(b, j),
				       "flags of key %zu", i);
			}
		CHECKM(found, "key %zu missing", i);
	}
	for (i = 0; i < a->num_instructions; i++)
	{
		const SolIxView *x = &a->ixs[i];
		const SolIxView *y = &b->ixs[i];

		CHECK(memcmp(a->keys + 32 * x->program_id_index, b->keys + 32 * y->program_id_index, 32) ==
		      0);
		CHECK(x->num_accounts == y->num_accounts);
		for (j = 0; j < x->num_accounts && j < y->num_accounts; j++)
			CHECK(memcmp(a->keys + 32 * x->accounts[j], b->keys + 32 * y->accounts[j], 32) == 0);
		CHECK(x->data_len == y->data_len && memcmp(x->data, y->data, x->data_len) == 0);
	}
}

static void
test_web3_order_structural(void)
{
	Fixture f;
	uint8_t ours[1232];
	uint8_t theirs[1300];
	SolTxView a;
	SolTxView b;
	SolError err;
	int n;
	int m;

	fixture(&f);
	n = sol_build_mint_tx(&f.p, f.blockhash, f.payer_sk, ours, sizeof(ours), NULL, &err);
	m = tv_hex(tv_str(V1, "tx_mint_v1_A.wire_hex"), theirs, sizeof(theirs));
	CHECK(n == 478 && m == 478);
	CHECK(sol_tx_decode(ours, (size_t)n, &a, &err) == 0);
	CHECK(sol_tx_decode(theirs, (size_t)m, &b, &err) == 0);
	CHECK(sol_tx_verify(&b)); /* web3.js signature over its own ordering */
	compare_structurally(&a, &b);
	CHECK(memcmp(ours, theirs, 478) != 0); /* the orderings really differ */
}

static void
test_two_signers(void)
{
	Fixture f;
	uint8_t tx[1232];
	uint8_t msg[1300];
	SolTxView a;
	SolTxView b;
	SolError err;
	const uint8_t *both[2];
	int n;
	int m;
	json_t *sigs = tv_get(V1, "tx_mint_v1_two_signers.signatures_hex");

	fixture(&f);
	CHECK(b58_to32(tv_str(V1, "tx_mint_v1_two_signers.tree_creator"), f.p.tree_delegate));
	CHECK(memcmp(f.p.tree_delegate, f.creator, 32) == 0);
	both[0] = f.payer_sk;
	both[1] = f.creator_sk;
	n = sol_build_mint_tx_multi(&f.p, f.blockhash, both, 2, tx, sizeof(tx), NULL, &err);
	CHECKM(n > 0, "%s", err.message);
	CHECK(sol_tx_decode(tx, (size_t)n, &a, &err) == 0);
	CHECK(a.num_required_signatures == 2 && a.num_readonly_signed == 1);
	CHECK(sol_tx_verify(&a));
	CHECK(n == json_integer_value(tv_get(V1, "tx_mint_v1_two_signers.wire_len")));
	/* the vector's message with its two signatures, checked by our decoder + verifier */
	m = tv_hex(tv_str(V1, "tx_mint_v1_two_signers.message_hex"), msg + 129, sizeof(msg) - 129);
	msg[0] = 2;
	tv_hex(json_string_value(json_array_get(sigs, 0)), msg + 1, 64);
	tv_hex(json_string_value(json_array_get(sigs, 1)), msg + 65, 64);
	CHECK(m > 0 && sol_tx_decode(msg, (size_t)m + 129, &b, &err) == 0);
	CHECK(sol_tx_verify(&b));
	compare_structurally(&a, &b);
	/* only one of the two keypairs: refused (a required signature would be missing) */
	CHECK(sol_build_mint_tx(&f.p, f.blockhash, f.payer_sk, tx, sizeof(tx), NULL, &err) == -1 &&
	      err.code == SOL_ERR_INVALID);
	/* preview needs no keys */
	CHECK(sol_build_mint_tx(&f.p, f.blockhash, NULL, tx, sizeof(tx), NULL, &err) == n);
}

static void
test_compute_budget(void)
{
	Fixture f;
	uint8_t tx[1232];
	uint8_t d[9];
	SolTxView v;
	SolError err;
	int n;

	CHECK(sol_compute_unit_limit_data(257, d) == 5 && bytes_eq_hex(d, 5, "0201010000"));
	CHECK(sol_compute_unit_price_data(1000, d) == 9 && bytes_eq_hex(d, 9, "03e803000000000000"));
	fixture(&f);
	f.p.cu_limit = 200000;
	f.p.cu_price_micro_lamports = 1000;
	n = sol_build_mint_tx(&f.p, f.blockhash, f.payer_sk, tx, sizeof(tx), NULL, &err);
	CHECK(n == 478 + 32 + (1 + 1 + 1 + 5) + (1 + 1 + 1 + 9));
	CHECK(sol_tx_decode(tx, (size_t)n, &v, &err) == 0 && sol_tx_verify(&v));
	CHECK(v.num_instructions == 3 && v.num_keys == 9 && v.num_readonly_unsigned == 6);
	CHECK(memcmp(v.keys + 32 * v.ixs[0].program_id_index, sol_compute_budget_program_id, 32) == 0);
	CHECK(memcmp(v.keys + 32 * v.ixs[1].program_id_index, sol_compute_budget_program_id, 32) == 0);
	CHECK(memcmp(v.keys + 32 * v.ixs[2].program_id_index, sol_bubblegum_program_id, 32) == 0);
	CHECK(bytes_eq_hex(v.ixs[0].data, v.ixs[0].data_len, "02400d0300"));
	CHECK(bytes_eq_hex(v.ixs[1].data, v.ixs[1].data_len, "03e803000000000000"));
	CHECK(v.ixs[0].num_accounts == 0);
	/* only a price */
	f.p.cu_limit = 0;
	n = sol_build_mint_tx(&f.p, f.blockhash, NULL, tx, sizeof(tx), NULL, &err);
	CHECK(sol_tx_decode(tx, (size_t)n, &v, &err) == 0 && v.num_instructions == 2);
}

static void
test_mint_to_collection(void)
{
	Fixture f;
	uint8_t tx[1232];
	SolTxView v;
	SolError err;
	SolMetadata b;
	uint8_t raw[SOL_METADATA_BORSH_MAX];
	json_t *accs = tv_get(V2, "mint_to_collection_v1_accounts");
	const SolIxView *ix;
	size_t i;
	int n;

	fixture(&f);
	f.p.to_collection = true;
	b58_to32(tv_str(V2, "collection_pdas.collection_mint"), f.p.collection_mint);
	memcpy(f.p.collection_authority, f.payer, 32);
	n = sol_build_mint_tx(&f.p, f.blockhash, f.payer_sk, tx, sizeof(tx), NULL, &err);
	CHECKM(n > 0, "%s", err.message);
	CHECK(sol_tx_decode(tx, (size_t)n, &v, &err) == 0 && sol_tx_verify(&v));
	ix = &v.ixs[v.num_instructions - 1];
	CHECK(ix->num_accounts == 16 && json_array_size(accs) == 16);
	for (i = 0; i < 16 && i < ix->num_accounts; i++)
	{
		json_t *a = json_array_get(accs, i);
		uint8_t k[32];
		size_t idx = ix->accounts[i];

		b58_to32(json_string_value(json_object_get(a, "pubkey")), k);
		CHECKM(memcmp(v.keys + 32 * idx, k, 32) == 0, "account %zu", i);
		if (json_is_true(json_object_get(a, "signer")))
			CHECKM(sol_tx_key_is_signer(&v, idx), "account %zu signer", i);
		if (json_is_true(json_object_get(a, "writable")))
			CHECKM(sol_tx_key_is_writable(&v, idx), "account %zu writable", i);
		else if (idx != 0)
			CHECKM(!sol_tx_key_is_writable(&v, idx), "account %zu read-only", i);
	}
	CHECK(memcmp(ix->data, sol_mint_to_collection_v1_discriminator, 8) == 0);
	/* collection forced to Some(collection mint) in the data */
	{
		SolMetadata got;

		CHECK(sol_metadata_borsh_decode(ix->data + 8, ix->data_len - 8, &got, &err) ==
		      (int)ix->data_len - 8);
		CHECK(got.has_collection && memcmp(got.collection_key, f.p.collection_mint, 32) == 0);
	}
	/* sample B (collection = that mint) gives the serializer's mintToCollectionV1 data */
	n = tv_hex(tv_str(V1, "metadata_samples.B.metadata_args_borsh_hex"), raw, sizeof(raw));
	CHECK(sol_metadata_borsh_decode(raw, (size_t)n, &b, &err) == n);
	f.p.md = &b;
	{
		uint8_t data[600];
		int dn = sol_mint_ix_data(&f.p, data, sizeof(data), &err);

		CHECK(dn == 222);
		CHECK(bytes_eq_hex(data, (size_t)dn,
		                   tv_str(V1, "metadata_samples.B.mint_to_collection_v1_ix_data_hex")));
		f.p.to_collection = false;
		dn = sol_mint_ix_data(&f.p, data, sizeof(data), &err);
		CHECK(bytes_eq_hex(data, (size_t)dn, tv_str(V1, "metadata_samples.B.mint_v1_ix_data_hex")));
		/* mint_v1 refuses a verified collection */
		b.collection_verified = true;
		CHECK(sol_mint_ix_data(&f.p, data, sizeof(data), &err) == -1 &&
		      strcmp(err.field, "collection") == 0);
		/* to_collection with a different collection key */
		b.collection_verified = false;
		f.p.to_collection = true;
		f.p.collection_mint[0] ^= 1;
		CHECK(sol_mint_ix_data(&f.p, data, sizeof(data), &err) == -1 &&
		      strcmp(err.field, "collection") == 0);
	}
}

static void
test_worst_case_and_too_large(void)
{
	Fixture f;
	uint8_t tx[1232];
	uint8_t big[1200];
	SolError err;
	SolInstruction ix;
	SolAccountMeta m;
	size_t i;
	int n;

	/* worst-case metadata (the 1232-byte packet limit): still fits */
	fixture(&f);
	memset(f.md.name, 'n', 32);
	f.md.name_len = 32;
	memset(f.md.symbol, 's', 10);
	f.md.symbol_len = 10;
	memset(f.md.uri, 'u', 200);
	f.md.uri_len = 200;
	f.md.num_creators = 5;
	for (i = 0; i < 5; i++)
	{
		memset(f.md.creators[i].address, (int)(i + 1), 32);
		f.md.creators[i].share = 20;
	}
	f.md.has_uses = true;
	f.md.has_edition_nonce = true;
	f.p.to_collection = true;
	memset(f.p.collection_mint, 0x55, 32);
	memcpy(f.p.collection_authority, f.creator, 32);
	memcpy(f.p.tree_delegate, f.creator, 32);
	f.p.cu_limit = 1;
	f.p.cu_price_micro_lamports = 1;
	n = sol_build_mint_tx(&f.p, f.blockhash, NULL, tx, sizeof(tx), NULL, &err);
	CHECKM(n > 0 && n <= 1232, "%d %s", n, err.message);
	/* generic builder: > 1232 bytes is refused with a clear error */
	memset(big, 1, sizeof(big));
	memset(&m, 0, sizeof(m));
	m.pubkey[0] = 9;
	m.is_writable = true;
	memcpy(ix.program_id, sol_system_program_id, 32);
	ix.accounts = &m;
	ix.num_accounts = 1;
	ix.data = big;
	ix.data_len = 1100;
	memset(&err, 0, sizeof(err));
	n = sol_tx_build(f.payer, &ix, 1, f.blockhash, NULL, 0, tx, sizeof(tx), NULL, &err);
	CHECKM(n == -1 && err.code == SOL_ERR_TOO_LARGE, "n=%d", n);
	CHECK(strstr(err.message, "1232") != NULL);
	ix.data_len = 1232 - 64 - 1 - 3 - 1 - 3 * 32 - 32 - 1 - 1 - 1 - 1 - 2; /* exactly 1232 */
	n = sol_tx_build(f.payer, &ix, 1, f.blockhash, NULL, 0, tx, sizeof(tx), NULL, &err);
	CHECKM(n == 1232, "n=%d %s", n, err.message);
	ix.data_len++;
	CHECK(sol_tx_build(f.payer, &ix, 1, f.blockhash, NULL, 0, tx, sizeof(tx), NULL, &err) == -1 &&
	      err.code == SOL_ERR_TOO_LARGE);
	/* the fee payer cannot be the program */
	memcpy(ix.program_id, f.payer, 32);
	ix.data_len = 1;
	CHECK(sol_tx_build(f.payer, &ix, 1, f.blockhash, NULL, 0, tx, sizeof(tx), NULL, &err) == -1 &&
	      err.code == SOL_ERR_INVALID);
}

static void
test_key_ordering(void)
{
	/* four groups, memcmp order inside each, payer first even if it sorts later */
	uint8_t payer[32];
	uint8_t bh[32] = {0};
	uint8_t msg[1232];
	SolAccountMeta m[5];
	SolInstruction ix;
	SolMessageInfo info;
	SolError err;
	int n;

	memset(payer, 0xf0, 32);
	memset(m, 0, sizeof(m));
	m[0].pubkey[0] = 0x50; /* non-signer read-only */
	m[1].pubkey[0] = 0x40; /* non-signer writable */
	m[1].is_writable = true;
	m[2].pubkey[0] = 0x30; /* signer read-only */
	m[2].is_signer = true;
	m[3].pubkey[0] = 0x20; /* signer writable */
	m[3].is_signer = true;
	m[3].is_writable = true;
	m[4].pubkey[0] = 0x10; /* non-signer writable, sorts before 0x40 */
	m[4].is_writable = true;
	memset(ix.program_id, 0x05, 32); /* program id: read-only, sorts first in its group */
	ix.accounts = m;
	ix.num_accounts = 5;
	ix.data = NULL;
	ix.data_len = 0;
	n = sol_message_compile(payer, &ix, 1, bh, msg, sizeof(msg), &info, &err);
	CHECK(n > 0);
	CHECK(info.num_required_signatures == 3 && info.num_readonly_signed == 1 &&
	      info.num_readonly_unsigned == 2 && info.num_keys == 7);
	CHECK(info.keys[0][0] == 0xf0 && info.keys[1][0] == 0x20 && info.keys[2][0] == 0x30 &&
	      info.keys[3][0] == 0x10 && info.keys[4][0] == 0x40 && info.keys[5][0] == 0x05 &&
	      info.keys[6][0] == 0x50);
	/* flags merge: the same key read-only in one place and writable in another is writable */
	m[0].pubkey[0] = 0x40;
	n = sol_message_compile(payer, &ix, 1, bh, msg, sizeof(msg), &info, &err);
	CHECK(n > 0 && info.num_keys == 6 && info.num_readonly_unsigned == 1);
}

static void
test_mint_ix_decode(void)
{
	Fixture f;
	uint8_t tx[1232];
	uint8_t raw[SOL_METADATA_BORSH_MAX];
	uint8_t enc[SOL_METADATA_BORSH_MAX];
	SolTxView v;
	SolMintIx mi;
	SolError err;
	int n;
	int m;
	uint8_t pda[32];

	fixture(&f);
	f.p.cu_limit = 100000;
	f.p.cu_price_micro_lamports = 5;
	n = sol_build_mint_tx(&f.p, f.blockhash, f.payer_sk, tx, sizeof(tx), NULL, &err);
	CHECK(n > 0 && sol_tx_decode(tx, (size_t)n, &v, &err) == 0);
	CHECKM(sol_mint_ix_decode(&v, &mi, &err) == 0, "%s", err.message);
	CHECK(mi.ix_index == 2 && !mi.to_collection);
	CHECK(memcmp(mi.owner, f.p.owner, 32) == 0 && memcmp(mi.delegate, f.p.owner, 32) == 0);
	CHECK(memcmp(mi.tree, f.p.tree, 32) == 0 && memcmp(mi.payer, f.payer, 32) == 0 &&
	      memcmp(mi.tree_delegate, f.payer, 32) == 0);
	sol_tree_config_pda(f.p.tree, pda, NULL);
	CHECK(memcmp(mi.tree_config, pda, 32) == 0);
	m = sol_metadata_borsh_encode(&mi.md, enc, sizeof(enc));
	CHECK(m == sol_metadata_borsh_encode(&f.md, raw, sizeof(raw)) &&
	      memcmp(enc, raw, (size_t)m) == 0);
	/* the web3.js-ordered vector decodes to the same instruction */
	m = tv_hex(tv_str(V1, "tx_mint_v1_A.wire_hex"), tx, sizeof(tx));
	CHECK(sol_tx_decode(tx, (size_t)m, &v, &err) == 0 && sol_mint_ix_decode(&v, &mi, &err) == 0);
	CHECK(mi.ix_index == 0 && memcmp(mi.owner, f.p.owner, 32) == 0);
	/* tamper: swap tree_config for another key -> PDA check fails */
	m = tv_hex(tv_str(V2, "tx_mint_v1_A_rust_order.wire_hex"), tx, sizeof(tx));
	CHECK(tx[65 + 3 + 1 + 256 + 32 + 1 + 2] == 2); /* first account index = tree_config */
	tx[65 + 3 + 1 + 256 + 32 + 1 + 2] = 7;         /* leaf owner */
	CHECK(sol_tx_decode(tx, (size_t)m, &v, &err) == 0);
	CHECK(sol_mint_ix_decode(&v, &mi, &err) == -1 && err.code == SOL_ERR_INVALID);
	/* wrong discriminator */
	m = tv_hex(tv_str(V2, "tx_mint_v1_A_rust_order.wire_hex"), tx, sizeof(tx));
	tx[65 + 3 + 1 + 256 + 32 + 1 + 1 + 1 + 9 + 1] ^= 1;
	CHECK(sol_tx_decode(tx, (size_t)m, &v, &err) == 0);
	CHECK(sol_mint_ix_decode(&v, &mi, &err) == -1 && err.code == SOL_ERR_INVALID);
	/* no Bubblegum instruction */
	{
		SolInstruction ix;
		uint8_t d = 1;

		memcpy(ix.program_id, sol_system_program_id, 32);
		ix.accounts = NULL;
		ix.num_accounts = 0;
		ix.data = &d;
		ix.data_len = 1;
		n = sol_tx_build(f.payer, &ix, 1, f.blockhash, NULL, 0, tx, sizeof(tx), NULL, &err);
		CHECK(n > 0 && sol_tx_decode(tx, (size_t)n, &v, &err) == 0);
		CHECK(sol_mint_ix_decode(&v, &mi, &err) == -1 && err.code == SOL_ERR_NOT_FOUND);
	}
	/* mint_to_collection_v1 */
	fixture(&f);
	f.p.to_collection = true;
	b58_to32(tv_str(V2, "collection_pdas.collection_mint"), f.p.collection_mint);
	memcpy(f.p.collection_authority, f.creator, 32);
	{
		const uint8_t *both[2] = {f.payer_sk, f.creator_sk};

		n = sol_build_mint_tx_multi(&f.p, f.blockhash, both, 2, tx, sizeof(tx), NULL, &err);
	}
	CHECK(n > 0 && sol_tx_decode(tx, (size_t)n, &v, &err) == 0 && sol_tx_verify(&v));
	CHECKM(sol_mint_ix_decode(&v, &mi, &err) == 0, "%s", err.message);
	CHECK(mi.to_collection && memcmp(mi.collection_mint, f.p.collection_mint, 32) == 0 &&
	      memcmp(mi.collection_authority, f.creator, 32) == 0 && mi.md.has_collection);
}

static void
test_leaf_event_for_mint(void)
{
	Fixture f;
	SolLeafEvent ev;
	SolLeafEvent ev_coll;
	uint8_t buf[SOL_LEAF_EVENT_LEN];
	SolMetadata verified;
	uint8_t h[32];

	fixture(&f);
	CHECK(sol_leaf_event_for_mint(&f.md, false, f.p.tree, 0, f.p.owner, f.p.owner, &ev) == 0);
	sol_leaf_event_encode(&ev, buf);
	CHECK(bytes_eq_hex(buf, sizeof(buf), tv_str(V1, "noop_event_A_nonce0.noop_ix_data_hex")));
	/* mint_to_collection: the program hashes collection.verified = true */
	f.md.has_collection = true;
	b58_to32(tv_str(V2, "collection_pdas.collection_mint"), f.md.collection_key);
	CHECK(sol_leaf_event_for_mint(&f.md, true, f.p.tree, 1, f.p.owner, f.p.owner, &ev_coll) == 0);
	verified = f.md;
	verified.collection_verified = true;
	sol_metadata_data_hash(&verified, h);
	CHECK(memcmp(ev_coll.data_hash, h, 32) == 0);
	sol_metadata_data_hash(&f.md, h);
	CHECK(memcmp(ev_coll.data_hash, h, 32) != 0);
	CHECK(bytes_eq_hex(ev_coll.id, 32, tv_str(V1, "asset_ids.1.asset_id_hex")));
}

const SolTest sol_tests_tx[] = {
    {"mint_v1_vector", test_mint_v1_vector},
    {"mint_v1_preview", test_mint_v1_preview},
    {"decode_vector", test_decode_vector},
    {"decode_rejects", test_decode_rejects},
    {"web3_order_structural", test_web3_order_structural},
    {"two_signers", test_two_signers},
    {"compute_budget", test_compute_budget},
    {"mint_to_collection", test_mint_to_collection},
    {"worst_case_and_too_large", test_worst_case_and_too_large},
    {"key_ordering", test_key_ordering},
    {"mint_ix_decode", test_mint_ix_decode},
    {"leaf_event_for_mint", test_leaf_event_for_mint},
    {NULL, NULL},
};
