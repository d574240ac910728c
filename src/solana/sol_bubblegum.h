/*
 * sol_bubblegum.h
 *	  Metaplex Bubblegum: MetadataArgs (application JSON -> struct, Borsh
 *	  encode/decode), mint_v1 / mint_to_collection_v1 instructions and
 *	  transactions, data/creator/leaf hashes (keccak-256), LeafSchema event
 *	  encode/decode and extraction from a getTransaction JSON result.
 */
#ifndef SOL_BUBBLEGUM_H
#define SOL_BUBBLEGUM_H

#include <jansson.h>

#include "sol_common.h"

#define SOL_MAX_NAME_LEN     32
#define SOL_MAX_SYMBOL_LEN   10
#define SOL_MAX_URI_LEN      200
#define SOL_MAX_CREATORS     5
#define SOL_MAX_BASIS_POINTS 10000
/* Largest Borsh MetadataArgs: 3 strings at their limits, all options, 5 creators. */
#define SOL_METADATA_BORSH_MAX 489

typedef struct SolCreator
{
	uint8_t address[32];
	bool verified;
	uint8_t share;
} SolCreator;

typedef struct SolMetadata
{
	char name[SOL_MAX_NAME_LEN + 1]; /* NUL-terminated; *_len are byte lengths */
	size_t name_len;
	char symbol[SOL_MAX_SYMBOL_LEN + 1];
	size_t symbol_len;
	char uri[SOL_MAX_URI_LEN + 1];
	size_t uri_len;
	uint16_t seller_fee_basis_points;
	bool primary_sale_happened;
	bool is_mutable;
	bool has_edition_nonce;
	uint8_t edition_nonce;
	bool has_token_standard;
	uint8_t token_standard; /* 0 NonFungible */
	bool has_collection;
	bool collection_verified;
	uint8_t collection_key[32];
	bool has_uses;
	uint8_t use_method; /* 0 Burn, 1 Multiple, 2 Single */
	uint64_t uses_remaining;
	uint64_t uses_total;
	uint8_t token_program_version; /* 0 Original, 1 Token2022 */
	size_t num_creators;
	SolCreator creators[SOL_MAX_CREATORS];
} SolMetadata;

/*
 * The application's metadata JSON (snake_case; see NOTES.md) -> SolMetadata with
 * token_standard = Some(NonFungible), edition_nonce/uses = None, Original.
 * Strict: unknown keys, wrong types, non-integers, out-of-range, invalid
 * UTF-8 -> SOL_ERR_INVALID (field = offending key, e.g. "creators[1].share");
 * strings over their byte limit -> SOL_ERR_TOO_LONG.  0 ok, -1 err.
 */
int sol_metadata_from_json(const char *json, size_t len, SolMetadata *out, SolError *err);
/* Same, from an already parsed object. */
int sol_metadata_from_jansson(const json_t *obj, SolMetadata *out, SolError *err);

/* Check Bubblegum's limits on a struct (as the program's asserts do). 0 ok, -1 err. */
int sol_metadata_validate(const SolMetadata *md, SolError *err);

/*
 * Bubblegum accepts verified = true only for creators that sign the mint (the
 * payer or the tree creator/delegate here); anything else fails on chain with
 * CreatorDidNotVerify (6006), a permanent error.  The worker should call this
 * with its real keys before signing.  0 ok, -1 (SOL_ERR_INVALID, field
 * "creators[i].verified").
 */
int sol_metadata_check_signers(const SolMetadata *md, const uint8_t payer[32],
                               const uint8_t tree_delegate[32], SolError *err);

/* Borsh.  encode returns length or -1 (buffer too small); decode is strict
 * (limits, UTF-8, bool/enum/option tags, no trailing bytes when exact). */
int sol_metadata_borsh_encode(const SolMetadata *md, uint8_t *out, size_t outcap);
/* Returns bytes consumed or -1.  */
int sol_metadata_borsh_decode(const uint8_t *in, size_t len, SolMetadata *md, SolError *err);

/* keccak hashes as computed by the Bubblegum program. */
void sol_metadata_data_hash(const SolMetadata *md, uint8_t out[32]);
void sol_metadata_creator_hash(const SolMetadata *md, uint8_t out[32]);
void sol_leaf_hash(const uint8_t id[32], const uint8_t owner[32], const uint8_t delegate[32],
                   uint64_t nonce, const uint8_t data_hash[32], const uint8_t creator_hash[32],
                   uint8_t out[32]);

/* Anchor discriminators */
extern const uint8_t sol_mint_v1_discriminator[8];
extern const uint8_t sol_mint_to_collection_v1_discriminator[8];

/* Builder for the mint transaction. */
typedef struct SolMintParams
{
	uint8_t payer[32];
	uint8_t tree[32];
	uint8_t owner[32];
	uint8_t tree_delegate[32]; /* = payer usually; all-zero means payer */
	const SolMetadata *md;
	bool to_collection;
	uint8_t collection_mint[32];
	uint8_t collection_authority[32]; /* all-zero means payer */
	uint32_t cu_limit;                /* 0 = no SetComputeUnitLimit */
	uint64_t cu_price_micro_lamports; /* 0 = no SetComputeUnitPrice */
} SolMintParams;

/*
 * Instruction data: discriminator || Borsh(MetadataArgs).  For
 * mint_to_collection_v1 the collection is forced to Some(collection_mint); for
 * mint_v1 a verified collection is refused.  Returns length or -1.
 */
int sol_mint_ix_data(const SolMintParams *p, uint8_t *out, size_t outcap, SolError *err);

/*
 * Build the legacy transaction (compute budget ixs first if requested, then
 * the Bubblegum ix).  With secret64 == NULL the signature slots are zero
 * (preview / size check).  Returns tx length or -1 (err filled; over 1232 ->
 * SOL_ERR_TOO_LARGE).  sig_out may be NULL.
 */
int sol_build_mint_tx(const SolMintParams *p, const uint8_t blockhash[32], const uint8_t *secret64,
                      uint8_t *out, size_t outcap, uint8_t sig_out[64], SolError *err);
/* Same with several keypairs (payer, tree delegate, collection authority). */
int sol_build_mint_tx_multi(const SolMintParams *p, const uint8_t blockhash[32],
                            const uint8_t *const *secrets, size_t nsecrets, uint8_t *out,
                            size_t outcap, uint8_t sig_out[64], SolError *err);

/* A decoded mint_v1 / mint_to_collection_v1 instruction (for the fake cluster). */
typedef struct SolMintIx
{
	size_t ix_index; /* position among the transaction's instructions */
	bool to_collection;
	uint8_t tree_config[32];
	uint8_t owner[32];
	uint8_t delegate[32];
	uint8_t tree[32];
	uint8_t payer[32];
	uint8_t tree_delegate[32];
	uint8_t collection_authority[32]; /* to_collection only */
	uint8_t collection_mint[32];      /* to_collection only */
	SolMetadata md;                   /* as sent (collection.verified as sent) */
} SolMintIx;

/*
 * Find and decode the first Bubblegum instruction of a decoded transaction.
 * Checks: discriminator, account count (9 / 16), Borsh MetadataArgs filling the
 * data exactly, the fixed program accounts (Noop, Account Compression, System),
 * tree_config = PDA(tree), collection PDAs, signer/writable flags that the
 * program requires.  0 ok; -1 with err (SOL_ERR_NOT_FOUND if no Bubblegum ix).
 */
struct SolTxView;
int sol_mint_ix_decode(const struct SolTxView *v, SolMintIx *out, SolError *err);

/* LeafSchema V1 event as emitted through SPL Noop (209 bytes). */
#define SOL_LEAF_EVENT_LEN 209
typedef struct SolLeafEvent
{
	uint8_t id[32];
	uint8_t owner[32];
	uint8_t delegate[32];
	uint64_t nonce;
	uint8_t data_hash[32];
	uint8_t creator_hash[32];
	uint8_t leaf_hash[32];
} SolLeafEvent;

/*
 * The event the Bubblegum program emits for a mint at leaf `nonce`: asset id =
 * PDA("asset", tree, nonce), data_hash over md (collection.verified forced to
 * true when to_collection, as the program does), creator_hash, leaf_hash.
 * 0 ok, -1 (no PDA).
 */
int sol_leaf_event_for_mint(const SolMetadata *md, bool to_collection, const uint8_t tree[32],
                            uint64_t nonce, const uint8_t owner[32], const uint8_t delegate[32],
                            SolLeafEvent *out);
void sol_leaf_event_encode(const SolLeafEvent *ev, uint8_t out[SOL_LEAF_EVENT_LEN]);
/* Strict: exactly 209 bytes with the V1 LeafSchema prefix.  0 ok, -1 not an event. */
int sol_leaf_event_decode(const uint8_t *data, size_t len, SolLeafEvent *ev);

/*
 * Find the LeafSchema event of the (first) Bubblegum instruction in a
 * getTransaction result (encoding "json").  `result` is the JSON-RPC "result"
 * value.  0 ok; -1 with err: SOL_ERR_NOT_FOUND (result null / no event),
 * SOL_ERR_TX_FAILED (meta.err set; message holds it), SOL_ERR_INVALID (shape).
 */
int sol_leaf_from_transaction(const json_t *result, SolLeafEvent *ev, SolError *err);
/* Same from text: either a full JSON-RPC response or the bare result object. */
int sol_leaf_from_transaction_json(const char *json, size_t len, SolLeafEvent *ev, SolError *err);

/* TreeConfig account (96 bytes) */
typedef struct SolTreeConfig
{
	uint8_t tree_creator[32];
	uint8_t tree_delegate[32];
	uint64_t total_mint_capacity;
	uint64_t num_minted;
	bool is_public;
	uint8_t is_decompressible;
	uint8_t version;
} SolTreeConfig;
int sol_tree_config_decode(const uint8_t *data, size_t len, SolTreeConfig *tc);

#endif
