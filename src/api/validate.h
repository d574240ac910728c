/*-------------------------------------------------------------------------
 *
 * validate.h
 *	  Call-time validation of mint requests and their fingerprints.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_VALIDATE_H
#define MINT_VALIDATE_H

#include "utils/jsonb.h"

#define MINT_TENANT_ID_MAX   64
#define MINT_TICKET_ID_MAX   128
#define MINT_IDEM_KEY_MAX    255
#define MINT_FINGERPRINT_LEN 32
#define MINT_ECHO_MAX        64 /* bytes of an input an error message quotes */

/* The tenant's active tree, as read from mint.trees. */
typedef struct MintTree
{
	char *merkle_tree;
	char
	    *collection_mint; /* NULL: plain mint_v1 / mint_v2 (on a V2 tree: an MPL Core collection) */
	int version;          /* 2: a V2 tree (mint_v2); 1, or not read yet: mint_v1 */
} MintTree;

/* One ticket of a request, validated. */
typedef struct MintTicket
{
	char *ticket_id;
	char *owner;
	Jsonb *metadata;
	char *metadata_text;                     /* canonical (jsonb) text */
	uint8 fingerprint[MINT_FINGERPRINT_LEN]; /* of owner + metadata */
} MintTicket;

extern void mint_check_tenant_id(const char *tenant_id);
extern void mint_check_idempotency_key(const char *key);
extern void mint_check_ticket(MintTicket *t, const MintTree *tree, const char *where);
extern bool mint_is_address(const char *s);
extern const char *mint_clip(const char *s);
extern char *mint_preview_tx(const char *owner, const char *metadata_text, const MintTree *tree,
                             const char *payer58, const char *blockhash58);
extern void mint_request_fingerprint(const char *operation, MintTicket *tickets, int n,
                                     uint8 out[MINT_FINGERPRINT_LEN]);

#endif /* MINT_VALIDATE_H */
