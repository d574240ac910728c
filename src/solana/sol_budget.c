/*
 * sol_budget.c
 *	  Compute units of Bubblegum mints, and the limit the worker asks for.
 *
 * Every constant below was measured in the real programs (svm/: LiteSVM
 * 1.5.0, the Bubblegum V2 build that holds the V1 instructions, as deployed
 * on mainnet since 2025; SPL Account Compression, SPL Noop, Token Metadata):
 * about 17,000 mints: 4,200 over trees of depth 14, 20, 24 and 30 with
 * buffers 64 to 2048 and canopies 0 to 17, 0 to 5 creators, with and without
 * a verified creator, mint_v1 and mint_to_collection_v1; 12,000 along leaf
 * indexes up to 8,192 (depths 14, 20, 30); 800 into 8 more collections.
 * Fitted to meta.computeUnitsConsumed, the model is within -1,157 / +557
 * units of each of the 2,852 mints it was fitted on (docs/DESIGN.md §5.2 has
 * the table).  The 0.12.x Bubblegum build costs less than the model for
 * every shape measured (192 mints).
 */
#include "sol_budget.h"

#include <string.h>

#include "sol_codec.h"
#include "sol_crypto.h"

/* the measured cost, units */
#define CU_BASE_MINT_V1       34100 /* mint_v1 into the cheapest tree (before the terms below) */
#define CU_BASE_TO_COLLECTION 40900 /* mint_to_collection_v1 */
/*
 * mint_v2 (the same Bubblegum build on V2 trees: MPL Account Compression, MPL
 * Noop, MPL Core), measured the same way with svm/test/c_v2.test.js
 * (C_V2_CU_DUMP): 240 mints of C-built transactions into trees of depth 14 /
 * buffer 64 / canopy 0 and 20 / 256 / 3 to fit, 310 more into 30 / 512 / 13,
 * 24 / 1024 / 7, 14 / 2048 / 0 and the first two again (C_V2_TREES) to check;
 * 0-5 creators (some verified), with and without one of two Core collections
 * with the BubblegumV2 plugin, random strings of 0-200 bytes, leaf indexes
 * 0-120.  The V1 terms below hold (creators, depth, canopy, tree size, the
 * tree config's bump search, the leaf index, the asset id's bump search, the
 * compute-budget instructions), plus 15 units per byte of name, symbol and
 * uri.  What is left, the base, spans 35,290 - 37,452 (median 35,996) without
 * a collection and 56,199 - 58,891 (median 57,661) into a Core collection
 * (its CPI to MPL Core, UpdateCollectionInfoV1); the bases are those medians
 * + about 800: each of the 550 mints is within -2,300 / +1,200 units of
 * sol_mint_compute_units + what its leaf index and asset id bump search add.
 * The protocol fee (90,000 lamports, a System transfer) is in the base.
 */
#define CU_BASE_MINT_V2       36800
#define CU_BASE_MINT_V2_CORE  58200
#define CU_V2_PER_STRING_BYTE 15
/*
 * Each plugin of the Core collection besides BubblegumV2 (Royalties,
 * PermanentFreezeDelegate, UpdateDelegate, ...): at odd leaves of one depth-14
 * tree, 0 / 1 / 2 / 3 plugins cost 65,600 / ~69,200 / 76,000 / 81,700 units
 * (+3,600, +10,400, +16,100; 8 mints each, one or two collections per count):
 * 5,500 a plugin covers them.
 */
#define CU_V2_PER_CORE_PLUGIN 5500
#define CU_PER_CREATOR        860
#define CU_PER_VERIFIED       510 /* a creator marked verified (the payer signs for it) */
#define CU_PER_LEVEL          275 /* per level of max depth (the append, the change log event) */
#define CU_PER_CANOPY_LEVEL   40
#define CU_CPI_BYTES_PER_UNIT 250  /* the tree account's data crosses one CPI (agave's cost) */
#define CU_PER_PDA_TRY        1500 /* one create_program_address in a bump search */
#define CU_PER_BUDGET_IX      150  /* a ComputeBudget instruction */
/* the leaf index: z trailing zero bits cost 240 z + 91 z^2; leaf 0 3,400 + 545 depth */
#define CU_LEAF_Z1    240
#define CU_LEAF_Z2    91
#define CU_LEAF0_BASE 3400
#define CU_LEAF0_LVL  545

/* the limit: a margin on the known cost, and what the landing leaf may add */
#define CU_MARGIN_PCT        10
#define CU_FIRST_LEAF_ALLOW  30000 /* leaf index + asset id bump search, first attempt */
#define CU_WORST_EXTRA_TRIES 16    /* bump tries beyond the depth, later attempts */

/* the largest tree, assumed when the shape is unknown */
#define UNKNOWN_DEPTH  30
#define UNKNOWN_CANOPY 17

uint64_t
sol_tree_account_size(uint32_t max_depth, uint32_t max_buffer_size, uint32_t canopy_depth)
{
	uint64_t node_path = 40 + 32 * (uint64_t)max_depth; /* a change log, or the rightmost path */
	uint64_t canopy = canopy_depth == 0 ? 0 : 32 * ((UINT64_C(1) << (canopy_depth + 1)) - 2);

	return SOL_TREE_HEADER_LEN + 24 + (uint64_t)max_buffer_size * node_path + node_path + canopy;
}

int
sol_tree_shape_decode(const uint8_t *data, size_t len, uint64_t account_size, SolTreeShape *out)
{
	SolReader r;
	uint32_t buffer;
	uint32_t depth;
	uint32_t c;

	if (data == NULL || len < SOL_TREE_HEADER_LEN || data[0] != 1 || data[1] != 0)
		return -1;
	sol_reader_init(&r, data + 2, len - 2);
	buffer = sol_get_u32(&r);
	depth = sol_get_u32(&r);
	if (r.error || depth < 1 || depth > 30 || buffer < 1 || buffer > 2048)
		return -1;
	for (c = 0; c <= depth && c <= 24; c++)
	{
		if (sol_tree_account_size(depth, buffer, c) == account_size)
		{
			out->max_depth = depth;
			out->max_buffer_size = buffer;
			out->canopy_depth = c;
			out->account_size = account_size;
			return 0;
		}
		if (sol_tree_account_size(depth, buffer, c) > account_size)
			break;
	}
	return -1;
}

int
sol_tree_shape_from_account(const json_t *result, SolTreeShape *out)
{
	const json_t *value = json_object_get(result, "value");
	const json_t *data = json_object_get(value, "data");
	const json_t *b64 = json_array_get(data, 0);
	const json_t *enc = json_array_get(data, 1);
	const json_t *space = json_object_get(value, "space");
	uint8_t head[60];
	const char *s;
	size_t slen;
	uint64_t size;
	int n;

	if (!json_is_string(b64) || !json_is_string(enc) ||
	    strcmp(json_string_value(enc), "base64") != 0)
		return -1;
	s = json_string_value(b64);
	slen = json_string_length(b64);
	if (slen % 4 != 0 || slen < 76)
		return -1;
	/* 76 characters are 57 bytes: the header without decoding megabytes */
	n = sol_base64_decode(s, 76, head, sizeof(head));
	if (n < SOL_TREE_HEADER_LEN)
		return -1;
	if (json_is_integer(space) && json_integer_value(space) > 0)
		size = (uint64_t)json_integer_value(space);
	else
		size = slen / 4 * 3 - (s[slen - 1] == '=') - (s[slen - 2] == '=');
	return sol_tree_shape_decode(head, (size_t)n, size, out);
}

/* extra tries of a bump search that ended at `bump` (255 = found at once) */
static uint32_t
extra_tries(uint8_t bump)
{
	return 255u - bump;
}

/*
 * The bump of a PDA of one address, remembered for the next call: a worker
 * or a batch of tickets prices mints into the same tree and collection over
 * and over, and each search costs curve checks.
 */
typedef struct BumpCache
{
	bool valid;
	bool ok;
	uint8_t key[32];
	uint8_t bump;
} BumpCache;

static bool
cached_bump(BumpCache *c, const uint8_t key[32], int (*pda)(const uint8_t *, uint8_t *, uint8_t *),
            uint8_t *bump)
{
	uint8_t addr[32];

	if (!c->valid || memcmp(c->key, key, 32) != 0)
	{
		memcpy(c->key, key, 32);
		c->ok = pda(key, addr, &c->bump) == 0;
		c->valid = true;
	}
	*bump = c->bump;
	return c->ok;
}

static int
tree_config_pda(const uint8_t *tree, uint8_t *out, uint8_t *bump)
{
	return sol_tree_config_pda(tree, out, bump);
}

static int
edition_pda(const uint8_t *mint, uint8_t *out, uint8_t *bump)
{
	return sol_collection_master_edition_pda(mint, out, bump);
}

uint32_t
sol_mint_compute_units(const SolMintParams *p, const SolTreeShape *shape)
{
	uint64_t units = p->v2 ? (p->to_collection ? CU_BASE_MINT_V2_CORE : CU_BASE_MINT_V2)
	                       : (p->to_collection ? CU_BASE_TO_COLLECTION : CU_BASE_MINT_V1);
	uint32_t depth = shape ? shape->max_depth : UNKNOWN_DEPTH;
	uint32_t canopy = shape ? shape->canopy_depth : UNKNOWN_CANOPY;
	uint64_t size = shape ? shape->account_size : SOL_MAX_ACCOUNT_SIZE;
	static _Thread_local BumpCache tree_cache;
	static _Thread_local BumpCache edition_cache;
	uint8_t bump;
	size_t i;

	if (p->md != NULL)
		for (i = 0; i < p->md->num_creators && i < SOL_MAX_CREATORS; i++)
			units += CU_PER_CREATOR + (p->md->creators[i].verified ? CU_PER_VERIFIED : 0);
	if (p->v2 && p->to_collection)
		units += (uint64_t)CU_V2_PER_CORE_PLUGIN * p->core_plugins;
	if (p->v2 && p->md != NULL)
		units += (uint64_t)CU_V2_PER_STRING_BYTE *
		         (p->md->name_len + p->md->symbol_len + p->md->uri_len);
	units += (uint64_t)CU_PER_LEVEL * depth + (uint64_t)CU_PER_CANOPY_LEVEL * canopy;
	units += (size + CU_CPI_BYTES_PER_UNIT - 1) / CU_CPI_BYTES_PER_UNIT;
	/* Anchor re-derives the tree config's bump on every call; the collection's
	 * master edition is checked by a bump search too */
	if (cached_bump(&tree_cache, p->tree, tree_config_pda, &bump))
		units += (uint64_t)CU_PER_PDA_TRY * extra_tries(bump);
	if (!p->v2 && p->to_collection &&
	    cached_bump(&edition_cache, p->collection_mint, edition_pda, &bump))
		units += (uint64_t)CU_PER_PDA_TRY * extra_tries(bump);
	/* SetComputeUnitLimit itself, and SetComputeUnitPrice when there is a price */
	units += CU_PER_BUDGET_IX * (1 + (p->cu_price_micro_lamports > 0 ? 1 : 0));
	return units > SOL_MAX_COMPUTE_UNITS ? SOL_MAX_COMPUTE_UNITS : (uint32_t)units;
}

uint32_t
sol_mint_leaf_units_max(uint32_t max_depth)
{
	uint32_t z = max_depth > 0 ? max_depth - 1 : 0;
	uint32_t worst = CU_LEAF_Z1 * z + CU_LEAF_Z2 * z * z;
	uint32_t leaf0 = CU_LEAF0_BASE + CU_LEAF0_LVL * max_depth;

	return worst > leaf0 ? worst : leaf0;
}

static uint32_t
with_margin(uint64_t units, uint64_t allowance)
{
	uint64_t limit = (units * (100 + CU_MARGIN_PCT) + 99) / 100 + allowance;

	return limit > SOL_MAX_COMPUTE_UNITS ? SOL_MAX_COMPUTE_UNITS : (uint32_t)limit;
}

uint32_t
sol_mint_cu_limit(const SolMintParams *p, const SolTreeShape *shape, int attempt)
{
	uint32_t depth = shape ? shape->max_depth : UNKNOWN_DEPTH;
	uint64_t need = sol_mint_compute_units(p, shape);

	if (attempt <= 0)
		return with_margin(need, CU_FIRST_LEAF_ALLOW);
	if (attempt == 1)
		return with_margin(need + sol_mint_leaf_units_max(depth),
		                   (uint64_t)CU_PER_PDA_TRY * (depth + CU_WORST_EXTRA_TRIES));
	return SOL_MAX_COMPUTE_UNITS;
}

bool
sol_error_is_budget(const char *err_json)
{
	return err_json != NULL && (strstr(err_json, "ComputationalBudgetExceeded") != NULL ||
	                            strstr(err_json, "ProgramFailedToComplete") != NULL);
}
