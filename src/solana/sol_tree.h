/*
 * sol_tree.h
 *	  Creating a Bubblegum tree in one transaction the fee payer alone
 *	  signs: SystemProgram CreateAccountWithSeed (base = the payer, a seed
 *	  named after the tenant and the tree's number, owner SPL Account
 *	  Compression for a V1 tree, MPL Account Compression for a V2 tree)
 *	  allocates the merkle tree account at an address that follows from the
 *	  payer's key, the seed and the version, then Bubblegum's create_tree
 *	  (V1: SPL Noop) or create_tree_v2 (V2: MPL Noop) initialises it and its
 *	  tree config.  The address is
 *	  fixed before anything is signed, so however often the creation is
 *	  re-built, at most one account can ever exist for it.
 */
#ifndef SOL_TREE_H
#define SOL_TREE_H

#include "sol_common.h"

/* createWithSeed's limit on the seed (solana_program::pubkey::MAX_SEED_LEN) */
#define SOL_MAX_SEED_LEN 32

/* What mint_ext lets a new Core collection's name and uri be (bytes; the
 * transaction must also carry the tree's creation) */
#define SOL_CORE_MAX_NAME 32
#define SOL_CORE_MAX_URI  200

/*
 * Whether SPL Account Compression initialises a concurrent merkle tree of
 * this (max depth, max buffer size): only a fixed set of pairs is compiled
 * into the program; any other is refused.
 */
bool sol_tree_size_allowed(uint32_t max_depth, uint32_t max_buffer_size);

/* Bubblegum refuses a tree whose proofs would not fit a transaction: at most this many
 * levels above the canopy (InvalidCanopySize, 6041) */
#define SOL_TREE_MAX_PROOF 17

/* Bubblegum's TreeConfig account: discriminator + 32 + 32 + 8 + 8 + 1 + 1 + 1, padded (96). */
#define SOL_TREE_CONFIG_SPACE 96

/* The rent-exempt minimum of an account of data_len bytes (Rent::default: 3,480
 * lamports per byte-year, 2 years, 128 bytes of account overhead). */
uint64_t sol_rent_exempt_minimum(uint64_t data_len);

/* Pubkey::create_with_seed: sha256(base || seed || owner).  -1 if the seed is longer
 * than SOL_MAX_SEED_LEN or the owner ends with "ProgramDerivedAddress". */
int sol_create_with_seed(const uint8_t base[32], const char *seed, size_t seed_len,
                         const uint8_t owner[32], uint8_t out[32]);

typedef struct SolCreateTree
{
	uint8_t payer[32]; /* funds, is the base of the address, creator of the tree */
	char seed[SOL_MAX_SEED_LEN + 1];
	uint32_t max_depth;
	uint32_t max_buffer_size;
	uint32_t canopy_depth;
	bool is_public;
	uint8_t version;                  /* 2: a V2 tree (create_tree_v2); otherwise V1 */
	uint32_t cu_limit;                /* 0: no SetComputeUnitLimit */
	uint64_t cu_price_micro_lamports; /* 0: no SetComputeUnitPrice */
	/*
	 * A V2 tree's new MPL Core collection, created in the same transaction
	 * (CreateCollectionV2 with the BubblegumV2 plugin, the payer its update
	 * authority), at the address of sol_core_collection_keypair(payer, seed):
	 * the creation is atomic, so the collection exists exactly when the tree
	 * does.  Royalties when royalty_bps > 0 (all to royalty_recipient); a
	 * PermanentFreezeDelegate when permanent_freeze (frozen) or
	 * has_freeze_authority: its authority is freeze_authority (the platform
	 * freezes and thaws with its own key), else the update authority.
	 */
	bool new_collection;
	uint8_t coll_address[32];
	char coll_name[SOL_CORE_MAX_NAME + 1];
	char coll_uri[SOL_CORE_MAX_URI + 1];
	uint16_t royalty_bps;
	uint8_t royalty_recipient[32];
	bool permanent_freeze;
	bool has_freeze_authority;
	uint8_t freeze_authority[32];
} SolCreateTree;

/*
 * The keypair (seed||pubkey) of the Core collection a tree creation with this
 * seed makes: an ed25519 key from HMAC-SHA256(the payer's secret seed,
 * "mint_ext core collection " || seed).  Only the payer's key can compute
 * it, and every re-build of the creation signs with the same one.
 * secret64 may be NULL (the address only).  0 ok, -1 (seed too long).
 */
int sol_core_collection_keypair(const uint8_t payer_secret64[64], const char *seed, uint8_t pub[32],
                                uint8_t secret64[64]);

/* The data size of a tree account of that shape (sol_tree_account_size), and the
 * largest account Solana allows (10 MiB). */
uint64_t sol_tree_space(uint32_t max_depth, uint32_t max_buffer_size, uint32_t canopy_depth);
#define SOL_TREE_MAX_SPACE (10u * 1024 * 1024)

/* The tree's address (create_with_seed with the version's account compression program as owner). */
int sol_create_tree_address(const SolCreateTree *p, uint8_t tree[32]);
/* The merkle tree account's data size and the lamports the transaction moves into it. */
uint64_t sol_create_tree_space(const SolCreateTree *p);

/*
 * Build and sign (secret64: the payer's keypair; NULL for an unsigned preview;
 * with new_collection the collection's keypair is derived from it) the
 * creation.  Returns the wire length or -1 (err: an unsupported size pair,
 * a canopy too deep, an account over 10 MiB).  sig_out receives the signature.
 */
int sol_build_create_tree_tx(const SolCreateTree *p, const uint8_t blockhash[32],
                             const uint8_t secret64[64], uint8_t *out, size_t outcap,
                             uint8_t sig_out[64], SolError *err);

/*
 * What one mint into a tree of this shape and version costs the fee payer, in
 * lamports: the fee (one signature and, at cu_price micro-lamports per unit,
 * the compute-unit limit of a first attempt without a collection, rounded
 * up; cu_price 0: no limit is asked for), and the protocol fee (mint_v2
 * moves SOL_MINT_V2_PROTOCOL_FEE_LAMPORTS to the tree config; V1 nothing).
 */
uint64_t sol_tree_mint_fee(uint32_t max_depth, uint32_t max_buffer_size, uint32_t canopy_depth,
                           uint8_t version, uint64_t cu_price);
uint64_t sol_tree_mint_protocol_fee(uint8_t version);

#endif /* SOL_TREE_H */
