/*
 * sol_crypto.h
 *	  Keccak-256, Solana's on-curve test, program-derived addresses, Ed25519
 *	  signing/verification (libsodium) and Solana CLI keypair files.
 */
#ifndef SOL_CRYPTO_H
#define SOL_CRYPTO_H

#include "sol_common.h"

/* Keccak-256 (original Keccak padding 0x01, as Solana's keccak::hashv; NOT SHA3-256). */
typedef struct SolKeccak
{
	uint64_t st[25];
	size_t pos;
} SolKeccak;

void sol_keccak_init(SolKeccak *k);
void sol_keccak_update(SolKeccak *k, const void *data, size_t len);
void sol_keccak_final(SolKeccak *k, uint8_t out[32]);
void sol_keccak256(const void *data, size_t len, uint8_t out[32]);

void sol_sha256(const void *data, size_t len, uint8_t out[32]);

/* curve25519-dalek CompressedEdwardsY::decompress().is_some(): bit 255 ignored, y reduced mod p. */
bool sol_is_on_curve(const uint8_t p[32]);

/* Program-derived addresses.  At most 16 seeds (15 for find, the bump is one), each <= 32 bytes. */
#define SOL_MAX_SEEDS    16
#define SOL_MAX_SEED_LEN 32
int sol_create_program_address(const uint8_t *const *seeds, const size_t *seed_lens, size_t nseeds,
                               const uint8_t program_id[32], uint8_t out[32], SolError *err);
int sol_find_program_address(const uint8_t *const *seeds, const size_t *seed_lens, size_t nseeds,
                             const uint8_t program_id[32], uint8_t out[32], uint8_t *bump_out,
                             SolError *err);

/* Well-known program ids (raw bytes). */
extern const uint8_t sol_bubblegum_program_id[32];
extern const uint8_t sol_noop_program_id[32];
extern const uint8_t sol_account_compression_program_id[32];
extern const uint8_t sol_system_program_id[32];
extern const uint8_t sol_token_metadata_program_id[32];
extern const uint8_t sol_compute_budget_program_id[32];

/* Bubblegum / Token Metadata PDAs (0 ok, -1 err). */
int sol_tree_config_pda(const uint8_t tree[32], uint8_t out[32], uint8_t *bump);
int sol_asset_id_pda(const uint8_t tree[32], uint64_t nonce, uint8_t out[32], uint8_t *bump);
int sol_collection_metadata_pda(const uint8_t mint[32], uint8_t out[32], uint8_t *bump);
int sol_collection_master_edition_pda(const uint8_t mint[32], uint8_t out[32], uint8_t *bump);
int sol_collection_cpi_pda(uint8_t out[32], uint8_t *bump);

/* Ed25519.  secret64 = seed(32) || pubkey(32), the Solana CLI / libsodium layout. */
int sol_keypair_from_seed(const uint8_t seed[32], uint8_t secret64[64], uint8_t pub[32]);
int sol_sign(const uint8_t secret64[64], const uint8_t *msg, size_t len, uint8_t sig[64]);
bool sol_verify(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64]);

/*
 * Load a Solana CLI keypair file (JSON array of 64 integers 0..255).  Rejects:
 * a non-regular file, a file readable/writable by group or others (mode & 077),
 * malformed JSON, wrong length or values, and a public half that does not match
 * the seed.  0 ok, -1 err (SOL_ERR_KEYPAIR / SOL_ERR_IO).  Wipes temporaries.
 */
int sol_keypair_load(const char *path, uint8_t secret64[64], SolError *err);
/* The content check alone (no file): strict "[n,...]" of 64 integers, pubkey match. */
int sol_keypair_parse(const char *buf, size_t len, uint8_t secret64[64], SolError *err);

#endif
