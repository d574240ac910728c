/*-------------------------------------------------------------------------
 *
 * create.c
 *	  Trees created from SQL (mint.create_tree, src/api/trees.sql): what one
 *	  costs before anything is spent, and the address it will have.
 *
 * The address follows from the worker's key and a seed
 * (SystemProgram.createAccountWithSeed, src/solana/sol_tree.c), so it is
 * known, and recorded, before the worker signs anything; the worker can
 * re-build the creation as often as the attempt protocol needs and never
 * make a second account.  Reading the key's public half needs the key file
 * (mint.keypair_path), which the backend reads as the worker does; the
 * secret half is wiped at once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "mint_ext.h"
#include "solana/sol_codec.h"
#include "solana/sol_crypto.h"
#include "solana/sol_tree.h"

#include <sodium.h>

PG_FUNCTION_INFO_V1(mint_tree_cost);
PG_FUNCTION_INFO_V1(mint_tree_address);
PG_FUNCTION_INFO_V1(mint_core_collection_address);

/* The creation's compute-unit limit (docs/DESIGN.md §5.2: create_tree is rare; the
 * price, if any, is mint.priority_fee on this limit). */
#define CREATE_TREE_CU_LIMIT 1400000

static void
check_shape(int32 depth, int32 buffer, int32 canopy)
{
	uint64 space;

	if (depth < 0 || buffer < 0 || !sol_tree_size_allowed((uint32)depth, (uint32)buffer))
		ereport(
		    ERROR,
		    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		     errmsg("account compression has no tree of max depth %d and max buffer size %d", depth,
		            buffer),
		     errhint("The pairs are (3, 8), (5, 8), (14, 64 | 256 | 1024 | 2048), (15..19, 64), "
		             "(20, 64 | 256 | 1024 | 2048), (24, 64 | 256 | 512 | 1024 | 2048), (26 | 30, "
		             "512 | 1024 | 2048).")));
	if (canopy < 0 || canopy >= depth)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("canopy depth %d is not in [0, max depth %d)", canopy, depth)));
	if (depth - canopy > SOL_TREE_MAX_PROOF)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		         errmsg("a tree of max depth %d needs a canopy depth of at least %d", depth,
		                depth - SOL_TREE_MAX_PROOF),
		         errdetail("Bubblegum refuses proofs of more than %d nodes (InvalidCanopySize).",
		                   SOL_TREE_MAX_PROOF)));
	space = sol_tree_space((uint32)depth, (uint32)buffer, (uint32)canopy);
	if (space > SOL_TREE_MAX_SPACE)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		         errmsg("a tree of max depth %d, buffer %d and canopy %d needs " UINT64_FORMAT
		                " bytes, over Solana's 10 MiB account",
		                depth, buffer, canopy, space)));
}

static void
check_version(int32 version)
{
	if (version != 1 && version != 2)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("version must be 1 (Bubblegum V1) or 2 (Bubblegum V2)")));
}

/*
 * mint.tree_cost(max_depth, max_buffer_size, canopy_depth, version) ->
 * capacity, account_bytes, tree_rent, config_rent, fee, total (lamports):
 * what creating such a tree takes from the fee payer.  The rents stay in the
 * accounts (rent-exempt), the fee is spent.  Then what one mint into it
 * costs: mint_fee (the signature and, with mint.priority_fee, its price on
 * the first attempt's compute-unit limit; a dynamic fee goes up to
 * mint.priority_fee_max) and mint_protocol_fee (Bubblegum V2 moves 90,000
 * lamports per mint_v2 from the payer to the tree config; V1 nothing).
 */
Datum
mint_tree_cost(PG_FUNCTION_ARGS)
{
	int32 depth = PG_GETARG_INT32(0);
	int32 buffer = PG_GETARG_INT32(1);
	int32 canopy = PG_GETARG_INT32(2);
	int32 version = PG_GETARG_INT32(3);
	TupleDesc td;
	Datum values[8];
	bool nulls[8] = {0};
	uint64 space;
	uint64 fee;

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "mint.tree_cost must return a record");
	check_shape(depth, buffer, canopy);
	check_version(version);
	space = sol_tree_space((uint32)depth, (uint32)buffer, (uint32)canopy);
	/* one signature, and the price on the limit, rounded up */
	fee = 5000 + ((uint64)mint_priority_fee * CREATE_TREE_CU_LIMIT + 999999) / 1000000;
	values[0] = Int64GetDatum((int64)1 << depth);
	values[1] = Int64GetDatum((int64)space);
	values[2] = Int64GetDatum((int64)sol_rent_exempt_minimum(space));
	values[3] = Int64GetDatum((int64)sol_rent_exempt_minimum(SOL_TREE_CONFIG_SPACE));
	values[4] = Int64GetDatum((int64)fee);
	values[5] = Int64GetDatum((int64)(sol_rent_exempt_minimum(space) +
	                                  sol_rent_exempt_minimum(SOL_TREE_CONFIG_SPACE) + fee));
	values[6] = Int64GetDatum((int64)sol_tree_mint_fee(
	    (uint32)depth, (uint32)buffer, (uint32)canopy, (uint8)version, (uint64)mint_priority_fee));
	values[7] = Int64GetDatum((int64)sol_tree_mint_protocol_fee((uint8)version));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, values, nulls)));
}

static void
check_seed(const char *seed)
{
	if (strlen(seed) == 0 || strlen(seed) > SOL_MAX_SEED_LEN)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("a tree seed is 1 to %d bytes", SOL_MAX_SEED_LEN)));
}

/* The worker's keypair (the caller wipes it). */
static void
load_key(uint8 secret[64])
{
	SolError err;

	if (mint_keypair_path == NULL || mint_keypair_path[0] == '\0')
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("mint.keypair_path is not set: the tree's address follows from the "
		                       "worker's key")));
	memset(&err, 0, sizeof(err));
	if (sol_keypair_load(mint_keypair_path, secret, &err) != 0)
	{
		sodium_memzero(secret, 64);
		ereport(ERROR,
		        (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		         errmsg("the worker's key (mint.keypair_path) cannot be read: %s", err.message)));
	}
}

/*
 * mint._tree_address(seed, max_depth, max_buffer_size, canopy_depth, version):
 * the address a tree of this version created with this seed by the worker's
 * key gets (the shape
 * is checked here too, so that nothing is recorded that cannot be built).
 */
Datum
mint_tree_address(PG_FUNCTION_ARGS)
{
	char *seed = text_to_cstring(PG_GETARG_TEXT_PP(0));
	SolCreateTree p;
	uint8 secret[64];
	uint8 tree[32];
	char tree58[SOL_PUBKEY_B58_MAX];

	check_shape(PG_GETARG_INT32(1), PG_GETARG_INT32(2), PG_GETARG_INT32(3));
	check_version(PG_GETARG_INT32(4));
	check_seed(seed);
	load_key(secret);
	memset(&p, 0, sizeof(p));
	memcpy(p.payer, secret + 32, 32);
	sodium_memzero(secret, sizeof(secret));
	strlcpy(p.seed, seed, sizeof(p.seed));
	p.version = (uint8)PG_GETARG_INT32(4);
	if (sol_create_tree_address(&p, tree) != 0)
		elog(ERROR, "could not derive the tree address");
	sol_pubkey_to_b58(tree, tree58);
	PG_RETURN_TEXT_P(cstring_to_text(tree58));
}

/*
 * mint._core_collection_address(seed): the address of the MPL Core collection
 * the creation of the tree with this seed makes (sol_core_collection_keypair:
 * derived from the worker's key, so fixed before anything is signed).
 */
Datum
mint_core_collection_address(PG_FUNCTION_ARGS)
{
	char *seed = text_to_cstring(PG_GETARG_TEXT_PP(0));
	uint8 secret[64];
	uint8 pub[32];
	char pub58[SOL_PUBKEY_B58_MAX];
	int rc;

	check_seed(seed);
	load_key(secret);
	rc = sol_core_collection_keypair(secret, seed, pub, NULL);
	sodium_memzero(secret, sizeof(secret));
	if (rc != 0)
		elog(ERROR, "could not derive the collection address");
	sol_pubkey_to_b58(pub, pub58);
	PG_RETURN_TEXT_P(cstring_to_text(pub58));
}
