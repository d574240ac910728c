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
	/*
	 * Bubblegum V2 (mint_v2, a V2 tree only).  With v2, to_collection means
	 * into the MPL Core collection collection_mint (the collection account's
	 * address, not a mint), with collection_authority (all-zero: the payer)
	 * signing; md must carry no edition nonce, uses or Token-2022 version.
	 */
	bool v2;
	/*
	 * mint_v2 into a Core collection: its plugins besides BubblegumV2
	 * (SolCoreCollection.num_plugins - 1).  Only the compute units depend on
	 * it: each costs about 5,000 units more (Bubblegum reads them and MPL
	 * Core updates the collection).
	 */
	uint8_t core_plugins;
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
	bool v2;         /* mint_v2 (sol_mint_v2_ix_decode): to_collection = a Core collection */
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
	/* set by the decoders and sol_leaf_event_for_mint*: 1 (LeafSchema V1) or 2 */
	uint8_t schema_version;
	/* LeafSchema V2 only (zero for V1) */
	uint8_t collection_hash[32];
	uint8_t asset_data_hash[32];
	uint8_t flags; /* SOL_LEAF_FLAG_* */
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
 * getTransaction result (encoding "json"): a V1 event (209 bytes) through
 * SPL Noop, or a V2 event (274 bytes, sol_leaf_event_v2_decode) through MPL
 * Noop; ev->schema_version says which.  `result` is the JSON-RPC "result"
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
/* version is the raw Borsh byte: 0 = a V1 tree, 1 = a V2 tree (the layout is the same) */
int sol_tree_config_decode(const uint8_t *data, size_t len, SolTreeConfig *tc);
#define SOL_TREE_CONFIG_VERSION_V1 0
#define SOL_TREE_CONFIG_VERSION_V2 1

/* ---------------------------------------------------------------------------
 * Bubblegum V2 (sol_bubblegum_v2.c): mint_v2 on V2 trees (MPL Account
 * Compression, MPL Noop), MPL Core collections, LeafSchema V2.
 *
 * MetadataArgsV2 = name, symbol, uri, seller_fee_basis_points,
 * primary_sale_happened, is_mutable, token_standard: Option<u8>, creators,
 * collection: Option<Pubkey>.  It is held in a SolMetadata: the V1-only
 * fields (edition nonce, uses, token program version) must be unset, and
 * collection_verified is not part of V2 (a V2 collection is a Core
 * collection, always verified; the decoder sets it to has_collection).
 * ------------------------------------------------------------------------- */

/* 3 strings at their limits, Some(token standard), 5 creators, Some(collection) */
#define SOL_METADATA_V2_BORSH_MAX 467
/* discriminator + MetadataArgsV2 + asset_data None + asset_data_schema None */
#define SOL_MINT_V2_DATA_MAX (8 + SOL_METADATA_V2_BORSH_MAX + 2)
/* mint_v2's accounts */
#define SOL_MINT_V2_ACCOUNTS 13
/* what mint_v2 transfers from the payer to the tree config besides the fee
 * (mpl-bubblegum MINT_V2_FEE_LAMPORTS; svm/test/c_v2.test.js checks it) */
#define SOL_MINT_V2_PROTOCOL_FEE_LAMPORTS 90000

/* LeafSchema V2 flags (mpl-bubblegum LeafSchemaV2Flags) */
#define SOL_LEAF_FLAG_FROZEN_BY_OWNER         0x01
#define SOL_LEAF_FLAG_FROZEN_BY_PERM_DELEGATE 0x02
#define SOL_LEAF_FLAG_NON_TRANSFERABLE        0x04
#define SOL_LEAF_FLAGS_KNOWN                  0x07

/* The V2 event through MPL Noop: 01 00 u32le(268) 01 (LeafSchemaEvent) 01 (V2) 01 (LeafSchema::V2)
 * ... */
#define SOL_LEAF_EVENT_V2_LEN 274

extern const uint8_t sol_mint_v2_discriminator[8];
/* MPL program ids and the Core CPI signer PDA ("mpl_core_cpi_signer" under Bubblegum) */
extern const uint8_t sol_mpl_noop_program_id[32];
extern const uint8_t sol_mpl_account_compression_program_id[32];
extern const uint8_t sol_mpl_core_program_id[32];
extern const uint8_t sol_mpl_core_cpi_signer[32];

/*
 * V2's rules on a SolMetadata, as the program checks them (the V1 limits,
 * token_standard = Some(NonFungible)) plus: no edition nonce, no uses,
 * token program version Original.  0 ok, -1 (SOL_ERR_INVALID / _TOO_LONG).
 */
int sol_metadata_v2_validate(const SolMetadata *md, SolError *err);
/* Borsh MetadataArgsV2.  Returns the length or -1 (buffer too small, over a limit). */
int sol_metadata_v2_borsh_encode(const SolMetadata *md, uint8_t *out, size_t outcap);
/* Strict (limits, UTF-8, bool/enum/option tags).  Returns bytes consumed or -1. */
int sol_metadata_v2_borsh_decode(const uint8_t *in, size_t len, SolMetadata *md, SolError *err);

/* keccak(keccak(MetadataArgsV2) || seller_fee_basis_points le); creator hash as V1 */
void sol_metadata_v2_data_hash(const SolMetadata *md, uint8_t out[32]);
/* keccak(collection), the all-zero key when collection == NULL (no collection) */
void sol_collection_hash(const uint8_t *collection, uint8_t out[32]);
/* keccak(asset data); None hashes as empty data */
void sol_asset_data_hash(const uint8_t *data, size_t len, uint8_t out[32]);
/* keccak(2 || id || owner || delegate || nonce le || data || creator || collection || asset data ||
 * flags) */
void sol_leaf_hash_v2(const uint8_t id[32], const uint8_t owner[32], const uint8_t delegate[32],
                      uint64_t nonce, const uint8_t data_hash[32], const uint8_t creator_hash[32],
                      const uint8_t collection_hash[32], const uint8_t asset_data_hash[32],
                      uint8_t flags, uint8_t out[32]);

/*
 * The V2 event the program emits for a mint_v2 of md (its collection, if
 * any, is the Core collection) at leaf `nonce`: asset id, V2 data hash,
 * creator hash, collection hash, the empty asset data's hash, flags 0, leaf
 * hash; schema_version 2.  0 ok, -1 (no PDA).
 */
int sol_leaf_event_for_mint_v2(const SolMetadata *md, const uint8_t tree[32], uint64_t nonce,
                               const uint8_t owner[32], const uint8_t delegate[32],
                               SolLeafEvent *out);
/* The event the mint `p` describes (V1 or V2 by p->v2) at leaf `nonce`, delegate = owner. */
int sol_leaf_event_for_params(const SolMintParams *p, uint64_t nonce, SolLeafEvent *out);
void sol_leaf_event_v2_encode(const SolLeafEvent *ev, uint8_t out[SOL_LEAF_EVENT_V2_LEN]);
/*
 * Strict: exactly 274 bytes with the V2 prefix, only known flags, and the
 * leaf hash equal to the hash of the fields.  0 ok (schema_version 2), -1.
 */
int sol_leaf_event_v2_decode(const uint8_t *data, size_t len, SolLeafEvent *ev);

/*
 * The 13 accounts of mint_v2 (mpl-bubblegum's order): tree config (W), payer
 * (S W), tree delegate (S), collection authority (S, or the Bubblegum id
 * without a collection), leaf owner, leaf delegate (= owner), merkle tree
 * (W), Core collection (W) and the MPL Core CPI signer (both the Bubblegum id
 * without a collection), MPL Noop, MPL Account Compression, MPL Core, System.
 * sol_mint_ix_data / sol_build_mint_tx[_multi] build it when p->v2; the
 * data is discriminator || MetadataArgsV2 || 00 (asset_data None) || 00
 * (asset_data_schema None).  This is the V2 part of sol_mint_ix_data.
 */
int sol_mint_v2_ix_data(const SolMintParams *p, uint8_t *out, size_t outcap, SolError *err);

/*
 * Find and decode the first Bubblegum instruction of a decoded transaction as
 * mint_v2: discriminator, 13 accounts, MetadataArgsV2 + asset_data None +
 * asset_data_schema None filling the data exactly (Some: refused, the program
 * answers NotAvailable), V2 validation, tree_config = PDA(tree), the fixed
 * program accounts, signer/writable flags.  Optional accounts given as the
 * Bubblegum id take the program's defaults (tree delegate = payer, collection
 * authority = tree delegate, leaf delegate = owner, no collection).  A
 * metadata collection must be the Core collection account, and a Core
 * collection needs the CPI signer.  out->v2 = true; to_collection /
 * collection_mint / collection_authority describe the Core collection.
 * 0 ok; -1 (SOL_ERR_NOT_FOUND: no Bubblegum ix; SOL_ERR_INVALID).
 */
int sol_mint_v2_ix_decode(const struct SolTxView *v, SolMintIx *out, SolError *err);

/*
 * An MPL Core collection account (owner CoREENxT…): CollectionV1 {key 5,
 * update_authority, name, uri, num_minted u32, current_size u32}, then its
 * plugins (PluginHeaderV1 -> PluginRegistryV1 records -> plugin data).  The
 * fields a ticketing platform and mint_v2 use are decoded; other plugins are
 * counted.  Layout from mpl-core's program source; checked against
 * mpl-core's JS client on accounts the real program wrote.
 */
#define SOL_CORE_MAX_DELEGATES 8
typedef struct SolCoreAuthority
{
	uint8_t kind; /* 0 None, 1 Owner, 2 UpdateAuthority, 3 Address */
	uint8_t address[32];
} SolCoreAuthority;
typedef struct SolCoreCollection
{
	uint8_t update_authority[32];
	uint32_t num_minted;   /* assets ever added (mint_v2 counts) */
	uint32_t current_size; /* assets in it now */
	size_t num_plugins;
	bool has_bubblegum_v2; /* required by mint_v2 */
	bool has_royalties;
	uint16_t royalty_basis_points;
	bool has_permanent_freeze; /* PermanentFreezeDelegate */
	bool permanently_frozen;   /* its state: every asset frozen (soulbound) while set */
	SolCoreAuthority permanent_freeze_authority;
	bool has_update_delegate;
	SolCoreAuthority update_delegate_authority;
	size_t num_additional_delegates; /* at most SOL_CORE_MAX_DELEGATES kept */
	uint8_t additional_delegates[SOL_CORE_MAX_DELEGATES][32];
} SolCoreCollection;

/* 0 ok; -1 not a CollectionV1 account, or a malformed plugin area */
int sol_core_collection_decode(const uint8_t *data, size_t len, SolCoreCollection *out);
/*
 * Whether Bubblegum accepts `authority` as the collection authority of a
 * mint_v2 into it (process_collection_verification_mpl_core_only): the
 * update authority, or an UpdateDelegate plugin's authority / additional
 * delegate; and the collection has the BubblegumV2 plugin.
 */
bool sol_core_collection_can_mint(const SolCoreCollection *c, const uint8_t authority[32]);

#endif
