/*
 * sol_tx.h
 *	  Legacy Solana transactions: message compilation (fee payer first, then
 *	  the four signer/writable groups each sorted by raw key bytes, as
 *	  solana-sdk's CompiledKeys), signing, and a validating wire decoder.
 */
#ifndef SOL_TX_H
#define SOL_TX_H

#include "sol_common.h"

#define SOL_MAX_TX_KEYS    64
#define SOL_MAX_TX_IXS     64
#define SOL_MAX_TX_SIGNERS 12

typedef struct SolAccountMeta
{
	uint8_t pubkey[32];
	bool is_signer;
	bool is_writable;
} SolAccountMeta;

typedef struct SolInstruction
{
	uint8_t program_id[32];
	const SolAccountMeta *accounts;
	size_t num_accounts;
	const uint8_t *data;
	size_t data_len;
} SolInstruction;

/* Summary of a compiled message. */
typedef struct SolMessageInfo
{
	uint8_t num_required_signatures;
	uint8_t num_readonly_signed;
	uint8_t num_readonly_unsigned;
	size_t num_keys;
	uint8_t keys[SOL_MAX_TX_KEYS][32];
} SolMessageInfo;

/*
 * Compile a legacy message.  Returns the message length or -1 (err filled).
 * info may be NULL.
 */
int sol_message_compile(const uint8_t payer[32], const SolInstruction *ixs, size_t nixs,
                        const uint8_t blockhash[32], uint8_t *out, size_t outcap,
                        SolMessageInfo *info, SolError *err);

/*
 * Compile + sign + serialize a transaction.  secrets: nsecrets keypairs
 * (seed||pubkey); each fills the signature slot of its pubkey.  With
 * nsecrets == 0 all slots stay zero (preview).  If some signers are given but
 * a required signer has no key, that is an error.  Over 1232 bytes ->
 * SOL_ERR_TOO_LARGE.  Returns wire length or -1.  sig_out (may be NULL)
 * receives signature 0 (the transaction id).
 */
int sol_tx_build(const uint8_t payer[32], const SolInstruction *ixs, size_t nixs,
                 const uint8_t blockhash[32], const uint8_t *const *secrets, size_t nsecrets,
                 uint8_t *out, size_t outcap, uint8_t sig_out[64], SolError *err);

/* Decoded (borrowed) views into a wire transaction. */
typedef struct SolIxView
{
	uint8_t program_id_index;
	size_t num_accounts;
	const uint8_t *accounts; /* num_accounts u8 indexes */
	size_t data_len;
	const uint8_t *data;
} SolIxView;

typedef struct SolTxView
{
	size_t num_signatures;
	const uint8_t *signatures; /* num_signatures * 64 */
	const uint8_t *message;    /* signed bytes */
	size_t message_len;
	uint8_t num_required_signatures;
	uint8_t num_readonly_signed;
	uint8_t num_readonly_unsigned;
	size_t num_keys;
	const uint8_t *keys; /* num_keys * 32 */
	const uint8_t *blockhash;
	size_t num_instructions;
	SolIxView ixs[SOL_MAX_TX_IXS];
} SolTxView;

/* Parse and sanitize a legacy message (no trailing bytes).  0 ok, -1 err. */
int sol_message_decode(const uint8_t *msg, size_t len, SolTxView *v, SolError *err);
/* Parse a wire transaction (<= 1232 bytes, #signatures == header count). 0 ok, -1 err. */
int sol_tx_decode(const uint8_t *wire, size_t len, SolTxView *v, SolError *err);
/* Verify every signature against its key.  true iff all valid. */
bool sol_tx_verify(const SolTxView *v);
bool sol_tx_key_is_writable(const SolTxView *v, size_t i);
bool sol_tx_key_is_signer(const SolTxView *v, size_t i);

/* Compute-budget instruction data (program ComputeBudget111…). */
size_t sol_compute_unit_limit_data(uint32_t units, uint8_t out[5]);
size_t sol_compute_unit_price_data(uint64_t micro_lamports, uint8_t out[9]);
/* The compute-budget instructions a transaction leads with: SetComputeUnitLimit when
 * limit > 0, SetComputeUnitPrice when price > 0, written to ixs[] (their data in the two
 * buffers, which must outlive ixs).  Returns how many (0..2). */
size_t sol_compute_budget_ixs(uint32_t limit, uint64_t price_micro_lamports, SolInstruction *ixs,
                              uint8_t limit_data[5], uint8_t price_data[9]);

#endif
