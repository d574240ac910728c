/*-------------------------------------------------------------------------
 *
 * trees.h
 *	  The tenants' active trees, cached per backend.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_TREES_H
#define MINT_TREES_H

#include "api/validate.h"

extern void mint_get_tree(const char *tenant_id, MintTree *tree);

#endif /* MINT_TREES_H */
