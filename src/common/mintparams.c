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
 * The compute-unit limit is the measured cost of the mint plus a stated
 * margin (src/solana/sol_budget.c, docs/DESIGN.md §5.2): the cost depends on
 * the tree's depth, canopy and account size, which only the chain knows, so
 * mint_params() prices an unknown (the largest) tree and the worker, which
 * reads the tree account before its first mint into it, sets the limit for
 * the real tree and the attempt with mint_params_budget().
 *
 * Includes the Solana client (jansson), so not utils/builtins.h.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mint_ext.h"
#include "common/mintparams.h"
#include "solana/sol_codec.h"

bool
mint_params(const char *owner, const char *metadata_json, const char *tree, const char *collection,
            bool v2, const uint8 payer[32], SolMetadata *md, SolMintParams *p, SolError *err)
{
	memset(p, 0, sizeof(*p));
	if (sol_metadata_from_json(metadata_json, strlen(metadata_json), md, err) != 0)
		return false;
	/* a V2 tree takes mint_v2: its metadata has V2's rules (docs/DESIGN.md §5.5) */
	p->v2 = v2;
	if (v2 && sol_metadata_v2_validate(md, err) != 0)
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
		/* on a V2 tree, collection_mint is the MPL Core collection's address */
		p->to_collection = true;
		memcpy(p->collection_authority, payer, 32);
	}
	if (mint_priority_fee > 0 || mint_priority_fee_max > 0)
	{
		/* the fixed price; with a dynamic fee its floor, the worker setting each
		 * attempt's price (sol_priority_fee) before mint_params_budget() */
		p->cu_price_micro_lamports = (uint64)mint_priority_fee;
		if (mint_priority_fee_max > 0 && mint_priority_fee > mint_priority_fee_max)
			p->cu_price_micro_lamports = (uint64)mint_priority_fee_max;
		p->cu_limit = sol_mint_cu_limit(p, NULL, 0);
	}
	return true;
}

/*
 * mint_params_budget
 *	  The compute-unit limit of attempt number `attempt` (the job's attempts
 *	  so far: 0 for its first transaction) into a tree of `shape` (NULL:
 *	  unknown).  Nothing changes when no limit is asked for (no priority fee).
 *	  A later attempt gets the tree's worst leaf, then the maximum, so that a
 *	  leaf dearer than the first limit covers never holds a ticket back.
 */
void
mint_params_budget(SolMintParams *p, const SolTreeShape *shape, int attempt)
{
	if (p->cu_limit > 0)
		p->cu_limit = sol_mint_cu_limit(p, shape, attempt);
}

/*
 * mint_leaf_event
 *	  The LeafSchema event the program emits for this mint at leaf `nonce`:
 *	  asset id, owner and delegate (the owner), data hash over the metadata
 *	  as the instruction carries it (for mint_to_collection_v1 the tenant's
 *	  collection, marked verified by the program), creator hash, leaf hash;
 *	  for mint_v2 the V2 schema (collection hash, asset data hash, flags).
 */
bool
mint_leaf_event(const SolMintParams *p, uint64 nonce, SolLeafEvent *ev)
{
	SolMetadata md = *p->md;

	if (p->v2)
		return sol_leaf_event_for_params(p, nonce, ev) == 0;

	if (p->to_collection)
	{
		/* as sol_mint_ix_data() writes it: the collection is the tenant's */
		md.has_collection = true;
		memcpy(md.collection_key, p->collection_mint, 32);
	}
	return sol_leaf_event_for_mint(&md, p->to_collection, p->tree, nonce, p->owner, p->owner, ev) ==
	       0;
}
