/*
 * sol_errors.h
 *	  Names for on-chain errors: the custom error codes of Bubblegum, SPL / MPL
 *	  Account Compression, the Anchor framework and the System program, the
 *	  runtime's InstructionError / TransactionError variants, and a describer
 *	  that turns a transaction's `err` JSON (optionally with its logMessages)
 *	  into a bounded human-readable line.
 *
 * Plain C11; never includes postgres.h.  Every string returned is static
 * (never freed, never NULL unless documented), and the describer never writes
 * more than `cap` bytes nor echoes more than a few dozen sanitized bytes of
 * its input.
 */
#ifndef SOL_ERRORS_H
#define SOL_ERRORS_H

#include <jansson.h>

#include "sol_common.h"

/* Which program an instruction calls (the caller knows the transaction it built). */
typedef enum SolProgramKind
{
	SOL_PROG_UNKNOWN = 0,             /* nothing is named */
	SOL_PROG_ANCHOR,                  /* some Anchor program: framework codes (100..5000) only */
	SOL_PROG_BUBBLEGUM,               /* BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY */
	SOL_PROG_ACCOUNT_COMPRESSION,     /* SPL, cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK */
	SOL_PROG_MPL_ACCOUNT_COMPRESSION, /* mcmt6YrQEMKw8Mw43FmpRLmf7BqRnFMKmAcbxE3xkAW */
	SOL_PROG_SYSTEM,                  /* 11111111111111111111111111111111 */
	SOL_PROG_COMPUTE_BUDGET,          /* ComputeBudget111111111111111111111111111111 */
	SOL_PROG_SPL_NOOP,                /* noopb9bkMVfRPU8AsbpTUg8AQkHtKwMYZiFUjNRtMmV */
	SOL_PROG_MPL_NOOP,                /* mnoopTCrg4p8ry25e4bcWA9XZjbNjMTfgYVGGEdRsf3 */
	SOL_PROG_TOKEN_METADATA,          /* metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s (no table) */
	SOL_PROG_MPL_CORE,                /* CoREENxT6tW1HoK8ypY1SxRMZTcVPm7R94rH4PZNhX7d (no table) */
	SOL_PROG_KIND_COUNT
} SolProgramKind;

/* "Bubblegum", "SPL Account Compression", ...; "unknown program" for anything else. */
const char *sol_program_kind_name(SolProgramKind prog);
/* Map a program id (base58, NUL-terminated, or 32 raw bytes) to its kind; UNKNOWN if not listed. */
SolProgramKind sol_program_kind_from_b58(const char *id);
SolProgramKind sol_program_kind_from_id(const uint8_t id[32]);

/*
 * Name and message of a custom error code raised by `prog`.  Anchor-based
 * programs (Bubblegum, both Account Compressions, SOL_PROG_ANCHOR) name their
 * own codes (>= 6000) and the framework's (100..5000).  NULL if unknown.  The
 * message is the IDL's `msg` (NULL where the source has none).
 */
const char *sol_program_error_name(SolProgramKind prog, long code);
const char *sol_program_error_message(SolProgramKind prog, long code);
/* True if `code` is one of the Anchor framework's own (100..5000) as named by anchor-lang. */
bool sol_anchor_error_code(long code);

/*
 * Human message of a built-in (non-Custom) InstructionError variant, e.g.
 * "ProgramFailedToComplete" -> "Program failed to complete", and of a
 * TransactionError variant ("BlockhashNotFound" -> "Blockhash not found").
 * NULL if the variant is unknown.
 */
const char *sol_instruction_error_message(const char *variant);
const char *sol_transaction_error_message(const char *variant);

/* What the describer found (all strings static or NULL). */
typedef struct SolTxErrorInfo
{
	int ix_index;           /* instruction index of an InstructionError, else -1 */
	long custom_code;       /* the Custom code, else -1 */
	SolProgramKind program; /* program the error is attributed to (UNKNOWN if none) */
	bool via_cpi;           /* the logs attribute the code to a program the instruction called */
	const char *name;       /* static name of the error / variant, NULL if not in our tables */
	const char *message;    /* static message, NULL if none */
} SolTxErrorInfo;

/* Largest err JSON accepted (bytes); a longer one is described as "too long". */
#define SOL_TX_ERROR_JSON_MAX 8192
/* A buffer of this size holds every description in full. */
#define SOL_TX_ERROR_DESC_MAX 512
/* Log lines examined at most; longer lines are cut at SOL_TX_ERROR_LOG_LINE_MAX bytes. */
#define SOL_TX_ERROR_LOG_LINES_MAX 4096
#define SOL_TX_ERROR_LOG_LINE_MAX  1024

/*
 * Describe a transaction error (the `err` of a signature status or of a
 * getTransaction meta, or `data.err` of a failed preflight), e.g.
 *   {"InstructionError":[2,{"Custom":6016}]}
 *     -> instruction 2: custom error 6016 TreeAuthorityIncorrect
 *        (Bubblegum: "Tree creator or tree delegate must sign.")
 *   {"InstructionError":[0,"ProgramFailedToComplete"]}, "BlockhashNotFound",
 *   {"InsufficientFundsForRent":{"account_index":0}}, null ("no error").
 * ix_programs[i] (n_ix entries, may be NULL) is the program instruction i
 * calls.  A Custom code is attributed to that program.  out is always
 * NUL-terminated when cap > 0 (out may be NULL only if cap == 0); a cut
 * description ends in "...".  Returns 0 if the error was recognised, -1 if the
 * JSON does not parse or has an unknown shape (out then says so).
 */
int sol_describe_tx_error(const char *err_json, const SolProgramKind *ix_programs, int n_ix,
                          char *out, size_t cap);

/*
 * The same with the transaction's logMessages (n_logs NUL-terminated strings,
 * NULL entries skipped).  A Custom code is attributed to the program whose
 * "Program <id> failed: custom program error: 0x<code>" line comes first within
 * the failing instruction, i.e. the one that raised it inside a CPI (Account
 * Compression errors propagate through Bubblegum with the same code).  When no
 * table names the code, an "AnchorError ... Error Code: <name>. Error Number:
 * <code>." log line of that instruction names it.
 */
int sol_describe_tx_error_logs(const char *err_json, const SolProgramKind *ix_programs, int n_ix,
                               const char *const *logs, size_t n_logs, char *out, size_t cap);

/*
 * The jansson form: err is the parsed value (NULL or JSON null = no error),
 * log_messages a JSON array of strings or NULL, info (may be NULL) receives
 * what was found.  Same return value and output rules.
 */
int sol_describe_tx_error_json(const json_t *err, const SolProgramKind *ix_programs, int n_ix,
                               const json_t *log_messages, SolTxErrorInfo *info, char *out,
                               size_t cap);

#endif
