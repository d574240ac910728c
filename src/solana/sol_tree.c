/*
 * sol_tree.c
 *	  A Bubblegum V1 tree created at an address derived from the payer's key
 *	  and a seed (see sol_tree.h).
 */
#include "sol_tree.h"

#include <sodium.h>

#include <string.h>

#include "sol_bubblegum.h"
#include "sol_budget.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_tx.h"

/*
 * The (max depth, max buffer size) pairs the deployed SPL Account Compression
 * initialises: t/044_svm_create_tree.pl creates each in the real program, and
 * (6, 16) .. (13, 32), which some client libraries list, are refused by it
 * (ConcurrentMerkleTreeConstantsError, 6003, at create_tree).
 */
static const uint32_t size_pairs[][2] = {
    {3, 8},     {5, 8},     {14, 64},  {14, 256},  {14, 1024}, {14, 2048}, {15, 64},
    {16, 64},   {17, 64},   {18, 64},  {19, 64},   {20, 64},   {20, 256},  {20, 1024},
    {20, 2048}, {24, 64},   {24, 256}, {24, 512},  {24, 1024}, {24, 2048}, {26, 512},
    {26, 1024}, {26, 2048}, {30, 512}, {30, 1024}, {30, 2048},
};

bool
sol_tree_size_allowed(uint32_t max_depth, uint32_t max_buffer_size)
{
	size_t i;

	for (i = 0; i < sizeof(size_pairs) / sizeof(size_pairs[0]); i++)
		if (size_pairs[i][0] == max_depth && size_pairs[i][1] == max_buffer_size)
			return true;
	return false;
}

uint64_t
sol_rent_exempt_minimum(uint64_t data_len)
{
	return (128 + data_len) * 3480 * 2;
}

int
sol_create_with_seed(const uint8_t base[32], const char *seed, size_t seed_len,
                     const uint8_t owner[32], uint8_t out[32])
{
	static const char marker[] = "ProgramDerivedAddress";
	uint8_t buf[32 + SOL_MAX_SEED_LEN + 32];

	if (seed_len > SOL_MAX_SEED_LEN)
		return -1;
	if (memcmp(owner + 32 - (sizeof(marker) - 1), marker, sizeof(marker) - 1) == 0)
		return -1;
	memcpy(buf, base, 32);
	memcpy(buf + 32, seed, seed_len);
	memcpy(buf + 32 + seed_len, owner, 32);
	sol_sha256(buf, 64 + seed_len, out);
	return 0;
}

/* The programs a tree of this version lives with. */
static const uint8_t *
tree_compression(const SolCreateTree *p)
{
	return p->version == 2 ? sol_mpl_account_compression_program_id
	                       : sol_account_compression_program_id;
}

int
sol_create_tree_address(const SolCreateTree *p, uint8_t tree[32])
{
	return sol_create_with_seed(p->payer, p->seed, strlen(p->seed), tree_compression(p), tree);
}

uint64_t
sol_tree_space(uint32_t max_depth, uint32_t max_buffer_size, uint32_t canopy_depth)
{
	return sol_tree_account_size(max_depth, max_buffer_size, canopy_depth);
}

uint64_t
sol_create_tree_space(const SolCreateTree *p)
{
	return sol_tree_account_size(p->max_depth, p->max_buffer_size, p->canopy_depth);
}

static void
meta(SolAccountMeta *m, const uint8_t key[32], bool signer, bool writable)
{
	memcpy(m->pubkey, key, 32);
	m->is_signer = signer;
	m->is_writable = writable;
}

int
sol_build_create_tree_tx(const SolCreateTree *p, const uint8_t blockhash[32],
                         const uint8_t secret64[64], uint8_t *out, size_t outcap,
                         uint8_t sig_out[64], SolError *err)
{
	uint8_t tree[32];
	uint8_t config[32];
	uint8_t disc[32];
	uint8_t cu_limit[5];
	uint8_t cu_price[9];
	uint8_t alloc[4 + 32 + 8 + SOL_MAX_SEED_LEN + 8 + 8 + 32];
	uint8_t create[8 + 4 + 4 + 2];
	uint8_t coll[1 + 4 + SOL_CORE_MAX_NAME + 4 + SOL_CORE_MAX_URI + 1 + 4 + 2 + 41 + 36 + 1];
	SolAccountMeta alloc_acc[3];
	SolAccountMeta create_acc[7];
	SolAccountMeta coll_acc[4];
	SolInstruction ixs[5];
	SolWriter w;
	size_t nixs = 0;
	size_t seed_len = strlen(p->seed);
	uint64_t space;
	const uint8_t *secrets[2];
	uint8_t coll_secret[64];
	uint8_t coll_pub[32];
	int len;

	if (!sol_tree_size_allowed(p->max_depth, p->max_buffer_size))
		return sol_error_set(err, SOL_ERR_INVALID, "max_buffer_size",
		                     "account compression has no tree of max depth %u and max buffer "
		                     "size %u",
		                     p->max_depth, p->max_buffer_size);
	if (p->canopy_depth >= p->max_depth)
		return sol_error_set(err, SOL_ERR_INVALID, "canopy_depth",
		                     "the canopy depth must be below the max depth");
	if (p->max_depth > SOL_TREE_MAX_PROOF + p->canopy_depth)
		return sol_error_set(err, SOL_ERR_INVALID, "canopy_depth",
		                     "Bubblegum needs a canopy of at least max depth - %d (%u)",
		                     SOL_TREE_MAX_PROOF, p->max_depth - SOL_TREE_MAX_PROOF);
	space = sol_create_tree_space(p);
	if (space > SOL_TREE_MAX_SPACE)
		return sol_error_set(err, SOL_ERR_INVALID, "canopy_depth",
		                     "the tree account would be %llu bytes, over Solana's 10 MiB",
		                     (unsigned long long)space);
	if (seed_len == 0 || sol_create_tree_address(p, tree) != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "seed", "the seed is empty or over 32 bytes");
	sol_tree_config_pda(tree, config, NULL);

	nixs += sol_compute_budget_ixs(p->cu_limit, p->cu_price_micro_lamports, ixs + nixs, cu_limit,
	                               cu_price);

	/* SystemInstruction::CreateAccountWithSeed (3) {base, seed, lamports, space, owner} */
	sol_writer_init(&w, alloc, sizeof(alloc));
	sol_put_u32(&w, 3);
	sol_put_bytes(&w, p->payer, 32);
	sol_put_u64(&w, seed_len);
	sol_put_bytes(&w, (const uint8_t *)p->seed, seed_len);
	sol_put_u64(&w, sol_rent_exempt_minimum(space));
	sol_put_u64(&w, space);
	sol_put_bytes(&w, tree_compression(p), 32);
	meta(&alloc_acc[0], p->payer, true, true);  /* funding */
	meta(&alloc_acc[1], tree, false, true);     /* the new account */
	meta(&alloc_acc[2], p->payer, true, false); /* base */
	memcpy(ixs[nixs].program_id, sol_system_program_id, 32);
	ixs[nixs].accounts = alloc_acc;
	ixs[nixs].num_accounts = 3;
	ixs[nixs].data = alloc;
	ixs[nixs].data_len = w.len;
	nixs++;

	/* Bubblegum create_tree / create_tree_v2 {max_depth, max_buffer_size, public: Option<bool>} */
	if (p->version == 2)
		sol_sha256("global:create_tree_v2", strlen("global:create_tree_v2"), disc);
	else
		sol_sha256("global:create_tree", strlen("global:create_tree"), disc);
	sol_writer_init(&w, create, sizeof(create));
	sol_put_bytes(&w, disc, 8);
	sol_put_u32(&w, p->max_depth);
	sol_put_u32(&w, p->max_buffer_size);
	sol_put_u8(&w, 1);
	sol_put_u8(&w, p->is_public ? 1 : 0);
	meta(&create_acc[0], config, false, true);
	meta(&create_acc[1], tree, false, true);
	meta(&create_acc[2], p->payer, true, true);  /* payer */
	meta(&create_acc[3], p->payer, true, false); /* tree creator */
	meta(&create_acc[4], p->version == 2 ? sol_mpl_noop_program_id : sol_noop_program_id, false,
	     false);
	meta(&create_acc[5], tree_compression(p), false, false);
	meta(&create_acc[6], sol_system_program_id, false, false);
	memcpy(ixs[nixs].program_id, sol_bubblegum_program_id, 32);
	ixs[nixs].accounts = create_acc;
	ixs[nixs].num_accounts = 7;
	ixs[nixs].data = create;
	ixs[nixs].data_len = w.len;
	nixs++;

	if (p->new_collection)
	{
		bool freeze_plugin = p->permanent_freeze || p->has_freeze_authority;
		uint32_t nplugins = 1 + (p->royalty_bps > 0 ? 1 : 0) + (freeze_plugin ? 1 : 0);
		size_t nl = strlen(p->coll_name);
		size_t ul = strlen(p->coll_uri);

		if (p->version != 2)
			return sol_error_set(err, SOL_ERR_INVALID, "collection",
			                     "a Core collection goes with a V2 tree only");
		if (nl == 0 || nl > SOL_CORE_MAX_NAME || ul == 0 || ul > SOL_CORE_MAX_URI ||
		    p->royalty_bps > 10000)
			return sol_error_set(err, SOL_ERR_INVALID, "collection",
			                     "the collection needs a name (1-%d bytes), a uri (1-%d bytes) "
			                     "and royalties of at most 10000 basis points",
			                     SOL_CORE_MAX_NAME, SOL_CORE_MAX_URI);
		if (secret64 != NULL)
		{
			if (sol_core_collection_keypair(secret64, p->seed, coll_pub, coll_secret) != 0 ||
			    memcmp(coll_pub, p->coll_address, 32) != 0)
			{
				sodium_memzero(coll_secret, sizeof(coll_secret));
				return sol_error_set(err, SOL_ERR_INVALID, "collection",
				                     "the collection address is not this key's for this seed");
			}
		}
		/* MPL Core CreateCollectionV2 (21) {name, uri, plugins: Some([...]), external: None} */
		sol_writer_init(&w, coll, sizeof(coll));
		sol_put_u8(&w, 21);
		sol_put_string(&w, p->coll_name, nl);
		sol_put_string(&w, p->coll_uri, ul);
		sol_put_u8(&w, 1);
		sol_put_u32(&w, nplugins);
		sol_put_u8(&w, 15); /* BubblegumV2 (mint_v2 needs it), authority None */
		sol_put_u8(&w, 0);
		if (p->royalty_bps > 0)
		{
			/* Royalties {basis_points, creators: [(recipient, 100)], rule_set: None}, None */
			sol_put_u8(&w, 0);
			sol_put_u16(&w, p->royalty_bps);
			sol_put_u32(&w, 1);
			sol_put_bytes(&w, p->royalty_recipient, 32);
			sol_put_u8(&w, 100);
			sol_put_u8(&w, 0);
			sol_put_u8(&w, 0);
		}
		if (freeze_plugin)
		{
			/* PermanentFreezeDelegate {frozen}, authority None (the update authority) or
			 * Some(Address {freeze_authority}) */
			sol_put_u8(&w, 5);
			sol_put_u8(&w, p->permanent_freeze ? 1 : 0);
			if (p->has_freeze_authority)
			{
				sol_put_u8(&w, 1);
				sol_put_u8(&w, 3);
				sol_put_bytes(&w, p->freeze_authority, 32);
			}
			else
				sol_put_u8(&w, 0);
		}
		sol_put_u8(&w, 0);                               /* external_plugin_adapters: None */
		meta(&coll_acc[0], p->coll_address, true, true); /* the new collection */
		meta(&coll_acc[1], p->payer, false, false);      /* update authority */
		meta(&coll_acc[2], p->payer, true, true);        /* payer */
		meta(&coll_acc[3], sol_system_program_id, false, false);
		memcpy(ixs[nixs].program_id, sol_mpl_core_program_id, 32);
		ixs[nixs].accounts = coll_acc;
		ixs[nixs].num_accounts = 4;
		ixs[nixs].data = coll;
		ixs[nixs].data_len = w.len;
		nixs++;
	}

	secrets[0] = secret64;
	secrets[1] = coll_secret;
	len = sol_tx_build(p->payer, ixs, nixs, blockhash, secrets,
	                   secret64 ? (p->new_collection ? 2 : 1) : 0, out, outcap, sig_out, err);
	sodium_memzero(coll_secret, sizeof(coll_secret));
	return len;
}

int
sol_core_collection_keypair(const uint8_t payer_secret64[64], const char *seed, uint8_t pub[32],
                            uint8_t secret64[64])
{
	static const char label[] = "mint_ext core collection ";
	crypto_auth_hmacsha256_state st;
	uint8_t kseed[32];
	uint8_t sk[64];
	size_t n = strlen(seed);

	if (n == 0 || n > SOL_MAX_SEED_LEN)
		return -1;
	/* keyed by the payer's secret seed (the first half of seed||pubkey) */
	crypto_auth_hmacsha256_init(&st, payer_secret64, 32);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, sizeof(label) - 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)seed, n);
	crypto_auth_hmacsha256_final(&st, kseed);
	crypto_sign_seed_keypair(pub, sk, kseed);
	if (secret64 != NULL)
		memcpy(secret64, sk, 64);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(kseed, sizeof(kseed));
	return 0;
}

uint64_t
sol_tree_mint_fee(uint32_t max_depth, uint32_t max_buffer_size, uint32_t canopy_depth,
                  uint8_t version, uint64_t cu_price)
{
	SolMintParams mp;
	SolTreeShape shape;

	if (cu_price == 0)
		return 5000;
	memset(&mp, 0, sizeof(mp));
	mp.v2 = version == 2;
	memset(&shape, 0, sizeof(shape));
	shape.max_depth = max_depth;
	shape.max_buffer_size = max_buffer_size;
	shape.canopy_depth = canopy_depth;
	shape.account_size = sol_tree_space(max_depth, max_buffer_size, canopy_depth);
	return 5000 + (cu_price * sol_mint_cu_limit(&mp, &shape, 0) + 999999) / 1000000;
}

uint64_t
sol_tree_mint_protocol_fee(uint8_t version)
{
	return version == 2 ? SOL_MINT_V2_PROTOCOL_FEE_LAMPORTS : 0;
}
