/*-------------------------------------------------------------------------
 *
 * mintparams.h
 *	  The one description of the mint transaction a job turns into, shared
 *	  by call-time validation, mint.preview_transaction() and the worker.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_MINTPARAMS_H
#define MINT_MINTPARAMS_H

#include "solana/sol_bubblegum.h"
#include "solana/sol_budget.h"

extern bool mint_params(const char *owner, const char *metadata_json, const char *tree,
                        const char *collection, bool v2, const uint8 payer[32], SolMetadata *md,
                        SolMintParams *p, SolError *err);
extern void mint_params_budget(SolMintParams *p, const SolTreeShape *shape, int attempt);
extern bool mint_leaf_event(const SolMintParams *p, uint64 nonce, SolLeafEvent *ev);

#endif /* MINT_MINTPARAMS_H */
