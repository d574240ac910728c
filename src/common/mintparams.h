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

extern bool mint_params(const char *owner, const char *metadata_json, const char *tree,
                        const char *collection, const uint8 payer[32], SolMetadata *md,
                        SolMintParams *p, SolError *err);

#endif /* MINT_MINTPARAMS_H */
