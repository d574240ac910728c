/*
 * sol_budget.h
 *	  The compute units a Bubblegum mint consumes, from measurements in the
 *	  real programs (svm/: LiteSVM running the deployed Bubblegum, SPL
 *	  Account Compression, SPL Noop and Token Metadata binaries), and the
 *	  SetComputeUnitLimit the worker asks for; the shape of a concurrent
 *	  merkle tree account (depth, buffer, canopy, size) that the cost depends on.
 */
#ifndef SOL_BUDGET_H
#define SOL_BUDGET_H

#include <jansson.h>

#include "sol_bubblegum.h"
#include "sol_common.h"

/* The shape of a concurrent merkle tree account (SPL and MPL Account Compression). */
typedef struct SolTreeShape
{
	uint32_t max_depth;
	uint32_t max_buffer_size;
	uint32_t canopy_depth;
	uint64_t account_size; /* bytes of account data */
} SolTreeShape;

/* account type (1) + header V1 (55): the bytes that name depth and buffer size */
#define SOL_TREE_HEADER_LEN 56
/* Solana's largest account (10 MiB): the size assumed for a tree of unknown shape */
#define SOL_MAX_ACCOUNT_SIZE  (10u * 1024 * 1024)
#define SOL_MAX_COMPUTE_UNITS 1400000u

/* Account size of a tree of that shape: 56 + 24 + B(40+32D) + (40+32D) + 32(2^(c+1)-2). */
uint64_t sol_tree_account_size(uint32_t max_depth, uint32_t max_buffer_size, uint32_t canopy_depth);

/*
 * From the first bytes of the account data (at least SOL_TREE_HEADER_LEN:
 * account type 1 = concurrent merkle tree, header version 0, max buffer size,
 * max depth) and the account's size, whose excess over the tree proper is the
 * canopy.  0 ok; -1 when it is not a V1 tree header or the size fits no canopy.
 */
int sol_tree_shape_decode(const uint8_t *data, size_t len, uint64_t account_size,
                          SolTreeShape *out);

/*
 * The same from a getAccountInfo result (the JSON-RPC "result" value, encoding
 * base64): decodes only the header; the size is value.space or, without it,
 * the length of the data.  0 ok; -1 (no account, not base64, not a tree).
 */
int sol_tree_shape_from_account(const json_t *result, SolTreeShape *out);

/*
 * The measured cost of the mint `p` describes (mint_v1, mint_to_collection_v1,
 * or with p->v2 mint_v2 without / into a Core collection) into a tree of `shape` (NULL:
 * unknown, the largest tree: depth 30, 10 MiB), at its cheapest leaf (leaf
 * index odd, the asset id's first bump off the curve): everything that is
 * known before the transaction lands.  Compute-budget instructions included
 * (p->cu_limit / p->cu_price as set).
 */
uint32_t sol_mint_compute_units(const SolMintParams *p, const SolTreeShape *shape);

/*
 * Compute units the leaf index adds at most to that cost: the worst leaf of a
 * tree of depth `max_depth` (the append hashes along the lowest zero bits of
 * the index: 240 z + 91 z^2 for z trailing zeros, the highest z = depth - 1;
 * leaf 0 costs 3,400 + 545 depth).
 */
uint32_t sol_mint_leaf_units_max(uint32_t max_depth);

/*
 * The SetComputeUnitLimit of a mint's attempt number `attempt` (0: the
 * job's first transaction):
 *   0   110 % of sol_mint_compute_units + 30,000 units for the leaf index and
 *       the asset id's bump search, which are known only when it lands (one
 *       leaf in about 100,000 needs more);
 *   1   110 % of (that cost + the tree's worst leaf) + the bump search up to
 *       depth + 16 extra tries;
 *   2+  1,400,000, the most a transaction may ask for.
 * Never above 1,400,000.
 */
uint32_t sol_mint_cu_limit(const SolMintParams *p, const SolTreeShape *shape, int attempt);

/*
 * Whether a transaction error (its JSON) is the compute budget running out
 * (ComputationalBudgetExceeded, or ProgramFailedToComplete: a program that
 * exceeded its units): a property of the attempt's limit and leaf, not of the
 * ticket.
 */
bool sol_error_is_budget(const char *err_json);

#endif
