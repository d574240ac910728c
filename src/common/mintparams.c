/*-------------------------------------------------------------------------
 *
 * mintparams.c
 *	  From a job (owner, metadata, the tenant's tree) and the fee payer's
 *	  public key to the parameters of the Bubblegum mint transaction.
 *
 * The fee payer signs as tree delegate and, for a collection tree, as
 * collection authority; with mint.priority_fee set, compute-budget
 * instructions come first.  Validation, preview and the worker all go
 * through here, so what was accepted is what gets sent.
 *
 * Includes the Solana client (jansson), so not utils/builtins.h.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mint_ext.h"
#include "common/mintparams.h"
#include "solana/sol_codec.h"

#define MINT_CU_LIMIT 300000

bool
mint_params(const char *owner, const char *metadata_json, const char *tree, const char *collection,
            const uint8 payer[32], SolMetadata *md, SolMintParams *p, SolError *err)
{
	memset(p, 0, sizeof(*p));
	if (sol_metadata_from_json(metadata_json, strlen(metadata_json), md, err) != 0)
		return false;
	if (!sol_pubkey_from_b58(owner, p->owner))
		return sol_error_set(err, SOL_ERR_INVALID, "owner", "owner is not a base58 address") == 0;
	if (!sol_pubkey_from_b58(tree, p->tree))
		return sol_error_set(err, SOL_ERR_INVALID, "merkle_tree",
		                     "merkle tree is not a base58 address") == 0;
	memcpy(p->payer, payer, 32);
	memcpy(p->tree_delegate, payer, 32);
	p->md = md;
	if (collection != NULL)
	{
		if (!sol_pubkey_from_b58(collection, p->collection_mint))
			return sol_error_set(err, SOL_ERR_INVALID, "collection_mint",
			                     "collection mint is not a base58 address") == 0;
		p->to_collection = true;
		memcpy(p->collection_authority, payer, 32);
	}
	if (mint_priority_fee > 0)
	{
		p->cu_limit = MINT_CU_LIMIT;
		p->cu_price_micro_lamports = (uint64)mint_priority_fee;
	}
	return true;
}
