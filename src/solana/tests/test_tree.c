/*
 * test_tree.c -- a tree created at an address derived from the payer and a
 * seed: the size pairs, rent, the address, the transaction's shape.  (That
 * the programs accept it is t/044_svm_create_tree.pl's proof.)
 */
#include "test_util.h"

#include <string.h>

#include "sol_bubblegum.h"
#include "sol_budget.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_tree.h"
#include "sol_tx.h"

static void
test_tree_sizes_and_rent(void)
{
	CHECK(sol_tree_size_allowed(14, 64) && sol_tree_size_allowed(3, 8) &&
	      sol_tree_size_allowed(30, 2048));
	CHECK(!sol_tree_size_allowed(14, 128) && !sol_tree_size_allowed(4, 8) &&
	      !sol_tree_size_allowed(6, 16) && !sol_tree_size_allowed(13, 32) &&
	      !sol_tree_size_allowed(31, 2048) && !sol_tree_size_allowed(0, 0));
	/* Rent::default: a 0-byte account needs 890,880 lamports (the well-known figure) */
	CHECK(sol_rent_exempt_minimum(0) == 890880);
	CHECK(sol_rent_exempt_minimum(165) == 2039280); /* a token account */
}

static void
test_tree_address(void)
{
	uint8_t base[32];
	uint8_t a[32], b[32], c[32];
	uint8_t buf[96];
	char long_seed[40];
	uint8_t pda_owner[32];

	memset(base, 7, 32);
	CHECK(sol_create_with_seed(base, "mx.1", 4, sol_account_compression_program_id, a) == 0);
	/* sha256(base || seed || owner), independently */
	memcpy(buf, base, 32);
	memcpy(buf + 32, "mx.1", 4);
	memcpy(buf + 36, sol_account_compression_program_id, 32);
	sol_sha256(buf, 68, b);
	CHECK(memcmp(a, b, 32) == 0);
	CHECK(sol_create_with_seed(base, "mx.2", 4, sol_account_compression_program_id, c) == 0 &&
	      memcmp(a, c, 32) != 0);
	memset(long_seed, 'x', sizeof(long_seed));
	CHECK(sol_create_with_seed(base, long_seed, 33, sol_account_compression_program_id, c) == -1);
	CHECK(sol_create_with_seed(base, long_seed, 32, sol_account_compression_program_id, c) == 0);
	memset(pda_owner, 1, 32);
	memcpy(pda_owner + 11, "ProgramDerivedAddress", 21);
	CHECK(sol_create_with_seed(base, "mx.1", 4, pda_owner, c) == -1);
}

static void
test_tree_tx(void)
{
	SolCreateTree p;
	uint8_t seed[32];
	uint8_t secret[64];
	uint8_t bh[32];
	uint8_t wire[1232];
	uint8_t sig[64];
	uint8_t tree[32];
	uint8_t config[32];
	SolTxView v;
	SolError err;
	int n;
	size_t i;
	bool has_tree = false, has_config = false;

	memset(seed, 1, 32);
	memset(&p, 0, sizeof(p));
	sol_keypair_from_seed(seed, secret, p.payer);
	strcpy(p.seed, "mx0123456789abcdef.1");
	p.max_depth = 14;
	p.max_buffer_size = 64;
	p.canopy_depth = 0;
	p.cu_limit = 1400000;
	memset(bh, 9, 32);
	n = sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err);
	CHECK(n > 0);
	CHECK(sol_tx_decode(wire, (size_t)n, &v, &err) == 0 && sol_tx_verify(&v));
	CHECK(v.num_signatures == 1 && v.num_instructions == 3); /* limit, allocate, create_tree */
	CHECK(sol_create_tree_address(&p, tree) == 0);
	sol_tree_config_pda(tree, config, NULL);
	for (i = 0; i < v.num_keys; i++)
	{
		has_tree |= memcmp(v.keys + 32 * i, tree, 32) == 0 && sol_tx_key_is_writable(&v, i) &&
		            !sol_tx_key_is_signer(&v, i);
		has_config |= memcmp(v.keys + 32 * i, config, 32) == 0 && sol_tx_key_is_writable(&v, i);
	}
	CHECK(has_tree && has_config);
	/* the allocation carries the space and its rent */
	{
		const SolIxView *ix = &v.ixs[1];
		SolReader r;
		uint64_t lamports = 0, space = 0;

		sol_reader_init(&r, ix->data, ix->data_len);
		CHECK(sol_get_u32(&r) == 3);
		r.pos += 32 + 8 + strlen(p.seed);
		lamports = sol_get_u64(&r);
		space = sol_get_u64(&r);
		CHECK(space == sol_tree_account_size(14, 64, 0));
		CHECK(lamports == sol_rent_exempt_minimum(space));
	}
	/* refused before signing: a pair the program lacks, a canopy too deep, over 10 MiB */
	p.max_buffer_size = 128;
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) == -1 &&
	      strcmp(err.field, "max_buffer_size") == 0);
	p.max_buffer_size = 64;
	p.canopy_depth = 14;
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) == -1);
	p.max_depth = 20;
	p.max_buffer_size = 64;
	p.canopy_depth = 2; /* proofs of 18 nodes: Bubblegum refuses the tree */
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) == -1 &&
	      strstr(err.message, "canopy") != NULL);
	p.canopy_depth = 3;
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) > 0);
	p.max_depth = 30;
	p.max_buffer_size = 2048;
	p.canopy_depth = 18;
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) == -1 &&
	      strstr(err.message, "10 MiB") != NULL);
	p.canopy_depth = 0;
	p.seed[0] = '\0';
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) == -1);
}

/* A V2 tree: MPL programs, its own address; with a new Core collection, signed by both keys. */
static void
test_tree_v2_tx(void)
{
	SolCreateTree p;
	uint8_t seed[32];
	uint8_t secret[64];
	uint8_t bh[32];
	uint8_t wire[1232];
	uint8_t sig[64];
	uint8_t v1[32], v2[32];
	uint8_t c1[32], c2[32], c3[32];
	uint8_t csec[64];
	SolTxView v;
	SolError err;
	int n;
	size_t i;
	bool has_core = false, coll_signs = false;

	memset(seed, 2, 32);
	memset(&p, 0, sizeof(p));
	sol_keypair_from_seed(seed, secret, p.payer);
	strcpy(p.seed, "mx0123456789abcdef.1");
	p.max_depth = 14;
	p.max_buffer_size = 64;
	memset(bh, 7, 32);
	CHECK(sol_create_tree_address(&p, v1) == 0);
	p.version = 2;
	CHECK(sol_create_tree_address(&p, v2) == 0);
	CHECK(memcmp(v1, v2, 32) != 0); /* the owner is part of the address */
	n = sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err);
	CHECK(n > 0 && sol_tx_decode(wire, (size_t)n, &v, &err) == 0 && sol_tx_verify(&v));
	CHECK(v.num_signatures == 1 && v.num_instructions == 2);
	for (i = 0; i < v.num_keys; i++)
		has_core |= memcmp(v.keys + 32 * i, sol_mpl_account_compression_program_id, 32) == 0;
	CHECK(has_core);

	/* the collection's key: from the payer's key and the seed, nothing else */
	CHECK(sol_core_collection_keypair(secret, p.seed, c1, csec) == 0);
	CHECK(memcmp(csec + 32, c1, 32) == 0);
	CHECK(sol_core_collection_keypair(secret, p.seed, c2, NULL) == 0 && memcmp(c1, c2, 32) == 0);
	CHECK(sol_core_collection_keypair(secret, "mx0123456789abcdef.2", c3, NULL) == 0 &&
	      memcmp(c1, c3, 32) != 0);
	CHECK(sol_core_collection_keypair(secret, "", c3, NULL) == -1);
	p.new_collection = true;
	memcpy(p.coll_address, c1, 32);
	strcpy(p.coll_name, "Event");
	strcpy(p.coll_uri, "https://tickets.example/c.json");
	p.royalty_bps = 500;
	memcpy(p.royalty_recipient, p.payer, 32);
	p.permanent_freeze = true;
	n = sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err);
	CHECK(n > 0 && sol_tx_decode(wire, (size_t)n, &v, &err) == 0 && sol_tx_verify(&v));
	CHECK(v.num_signatures == 2 && v.num_instructions == 3);
	for (i = 0; i < v.num_signatures; i++)
		coll_signs |= memcmp(v.keys + 32 * i, c1, 32) == 0 && sol_tx_key_is_writable(&v, i);
	CHECK(coll_signs);
	CHECK(memcmp(v.keys + 32 * v.ixs[2].program_id_index, sol_mpl_core_program_id, 32) == 0);
	CHECK(v.ixs[2].data[0] == 21); /* CreateCollectionV2 */
	/* refused: another address than the key's, a V1 tree, no name, royalties over 100 % */
	p.coll_address[0] ^= 1;
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) == -1);
	p.coll_address[0] ^= 1;
	p.version = 1;
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) == -1);
	p.version = 2;
	p.coll_name[0] = '\0';
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) == -1);
	strcpy(p.coll_name, "Event");
	p.royalty_bps = 10001;
	CHECK(sol_build_create_tree_tx(&p, bh, secret, wire, sizeof(wire), sig, &err) == -1);
	/* unsigned (a preview): both slots zero */
	p.royalty_bps = 0;
	CHECK(sol_build_create_tree_tx(&p, bh, NULL, wire, sizeof(wire), NULL, &err) > 0);
}

const SolTest sol_tests_tree[] = {
    {"tree_sizes_and_rent", test_tree_sizes_and_rent},
    {"tree_address", test_tree_address},
    {"tree_tx", test_tree_tx},
    {"tree_v2_tx", test_tree_v2_tx},
    {NULL, NULL},
};
