/*
 * sol_rpc.h
 *	  Non-blocking Solana JSON-RPC client over one libcurl multi handle.
 *
 *	  The caller submits calls (each gets a nonzero id), possibly several in
 *	  one HTTP request (a JSON-RPC batch), then repeatedly calls sol_rpc_poll()
 *	  which returns within max_wait_ms with the calls completed so far.  Every
 *	  completed call carries a classification (SolRpcClass); a malformed
 *	  response is never fatal.  No signals are used (CURLOPT_NOSIGNAL), only
 *	  http/https are allowed, redirects are not followed.  The caller must have
 *	  called curl_global_init() once; there is no other global state.
 */
#ifndef SOL_RPC_H
#define SOL_RPC_H

#include <jansson.h>

#include "sol_common.h"

typedef enum SolRpcClass
{
	SOL_RPC_OK = 0,
	SOL_RPC_TRANSPORT,           /* connect/reset/short body: retry; outcome unknown for sends */
	SOL_RPC_TIMEOUT,             /* per-request timeout hit: outcome unknown for sends */
	SOL_RPC_RATE_LIMITED,        /* HTTP 429: wait retry_after_ms (if >= 0) then retry */
	SOL_RPC_SERVER,              /* HTTP 5xx: retry with backoff */
	SOL_RPC_HTTP,                /* other non-200 HTTP status */
	SOL_RPC_MALFORMED,           /* not a usable JSON-RPC response */
	SOL_RPC_ERROR,               /* JSON-RPC error not classified below (see rpc_code) */
	SOL_RPC_BLOCKHASH_NOT_FOUND, /* -32002 BlockhashNotFound: rebuild (after expiry proof) */
	SOL_RPC_ALREADY_PROCESSED,   /* -32002 AlreadyProcessed: the same bytes landed: sent */
	SOL_RPC_PREFLIGHT_PERMANENT, /* -32002 with InstructionError: permanent failure */
	SOL_RPC_PREFLIGHT_FAILED,    /* -32002 other (e.g. InsufficientFundsForFee) */
	SOL_RPC_NODE_UNHEALTHY,      /* -32005: retry later */
	SOL_RPC_INVALID_REQUEST,     /* -32600/-32601/-32602: our request is wrong: permanent */
	SOL_RPC_SIGNATURE_INVALID,   /* -32003: permanent */
	SOL_RPC_HISTORY_UNAVAILABLE, /* -32011: node without history */
	SOL_RPC_CONTEXT_NOT_REACHED, /* -32016: the node's view is older than minContextSlot */
	SOL_RPC_CANCELLED            /* client freed before completion (never returned by poll) */
} SolRpcClass;

const char *sol_rpc_class_name(SolRpcClass cls);
/* True for classes where retrying the same request later is reasonable. */
bool sol_rpc_class_retryable(SolRpcClass cls);

typedef struct SolRpcResult
{
	uint64_t id; /* as returned by submit */
	void *tag;   /* caller's pointer, as passed to submit */
	char method[40];
	SolRpcClass cls;
	long http_status;      /* 0 if no HTTP response */
	int curl_code;         /* CURLcode */
	long rpc_code;         /* JSON-RPC error code, 0 if none */
	long retry_after_ms;   /* Retry-After header (429/503), -1 if absent */
	int instruction_index; /* InstructionError index, -1 if none */
	long custom_error;     /* InstructionError Custom code, -1 if none */
	char message[256];     /* human-readable reason ("" on OK) */
	json_t *result;        /* owned: "result" on SOL_RPC_OK (may be JSON null) */
	json_t *error;         /* owned: "error" object on JSON-RPC errors */
} SolRpcResult;

/* Release result/error references (safe on a zeroed struct). */
void sol_rpc_result_clear(SolRpcResult *r);

typedef struct SolRpcOptions
{
	long default_timeout_ms;   /* 0 -> 10000 */
	long connect_timeout_ms;   /* 0 -> min(timeout, 5000) */
	size_t max_response_bytes; /* 0 -> 16 MiB */
	const char *auth_header;   /* optional extra header line, e.g. "x-api-key: ..." */
} SolRpcOptions;

typedef struct SolRpc SolRpc;

SolRpc *sol_rpc_new(const char *url, const SolRpcOptions *opts, SolError *err);
/* Aborts transfers still in flight and frees queued results. */
void sol_rpc_free(SolRpc *c);

/* One call.  params is stolen (json_decref'd by the client), may be NULL.  timeout_ms 0 =
 * default.  Returns the call id (> 0) or 0 on error. */
uint64_t sol_rpc_submit(SolRpc *c, const char *method, json_t *params, long timeout_ms, void *tag,
                        SolError *err);

typedef struct SolRpcCall
{
	const char *method;
	json_t *params; /* stolen */
	void *tag;
} SolRpcCall;

/* n calls in one HTTP request (JSON-RPC batch).  ids_out[n] receives the ids.  0 ok, -1 err
 * (then all params were released). */
int sol_rpc_submit_batch(SolRpc *c, const SolRpcCall *calls, size_t n, long timeout_ms,
                         uint64_t *ids_out, SolError *err);

/*
 * Drive transfers for at most max_wait_ms (0 = just make progress) and move up
 * to outcap completed calls into out[].  Returns the number written (results
 * must be released with sol_rpc_result_clear).  Returns early as soon as
 * something completed or nothing is in flight.
 */
int sol_rpc_poll(SolRpc *c, int max_wait_ms, SolRpcResult *out, size_t outcap);

/* Calls submitted but not yet handed back by sol_rpc_poll. */
size_t sol_rpc_pending(const SolRpc *c);

/*
 * Classify a JSON-RPC HTTP response without any network I/O (used by the poll
 * loop; exported for tests, the fuzzer and the fake cluster).  ids[n] are the
 * request ids, batch tells whether they were sent as an array.  Fills out[n]
 * (release each with sol_rpc_result_clear).  0 ok, -1 bad arguments.
 */
int sol_rpc_parse_response(long http_status, const char *body, size_t len, const uint64_t *ids,
                           size_t n, bool batch, SolRpcResult *out);

/* Parameter builders (return new references, NULL on bad input). */
json_t *sol_rpc_params_commitment(const char *commitment); /* [{"commitment":...}] */
/* [{"commitment":..., "minContextSlot": min_context_slot}] (no minContextSlot when 0) */
json_t *sol_rpc_params_commitment_min(const char *commitment, uint64_t min_context_slot);
/* sendTransaction's params with minContextSlot for its preflight (0: none) */
json_t *sol_rpc_params_send_transaction_min(const uint8_t *wire, size_t len, bool skip_preflight,
                                            const char *preflight_commitment, int max_retries,
                                            uint64_t min_context_slot);
json_t *sol_rpc_params_send_transaction(const uint8_t *wire, size_t len, bool skip_preflight,
                                        const char *preflight_commitment, int max_retries);
json_t *sol_rpc_params_signature_statuses(const uint8_t (*sigs)[64], size_t n, bool search_history);
json_t *sol_rpc_params_get_transaction(const uint8_t sig[64], const char *commitment);

/* Convenience submitters (id or 0). */
uint64_t sol_rpc_get_latest_blockhash(SolRpc *c, const char *commitment, long timeout_ms, void *tag,
                                      SolError *err);
uint64_t sol_rpc_get_block_height(SolRpc *c, const char *commitment, long timeout_ms, void *tag,
                                  SolError *err);
uint64_t sol_rpc_send_transaction(SolRpc *c, const uint8_t *wire, size_t len,
                                  const char *preflight_commitment, long timeout_ms, void *tag,
                                  SolError *err);
uint64_t sol_rpc_get_signature_statuses(SolRpc *c, const uint8_t (*sigs)[64], size_t n,
                                        bool search_history, long timeout_ms, void *tag,
                                        SolError *err);
uint64_t sol_rpc_get_transaction(SolRpc *c, const uint8_t sig[64], const char *commitment,
                                 long timeout_ms, void *tag, SolError *err);

/* getAccountInfo (encoding base64), e.g. for the TreeConfig account (num_minted, capacity). */
uint64_t sol_rpc_get_account_info(SolRpc *c, const uint8_t pubkey[32], const char *commitment,
                                  long timeout_ms, void *tag, SolError *err);
/* *exists = false when the account does not exist (value null).  Data is base64-decoded into
 * out[cap]; *len receives its length.  0 ok, -1 (malformed / too large for cap). */
int sol_rpc_parse_account_data(const SolRpcResult *r, uint8_t *out, size_t cap, size_t *len,
                               bool *exists, SolError *err);
/* The same, and the account's owner program (all zero when it does not exist); out == NULL
 * skips the data (*len = 0). */
int sol_rpc_parse_account(const SolRpcResult *r, uint8_t *out, size_t cap, size_t *len,
                          bool *exists, uint8_t owner[32], SolError *err);

/* getRecentPrioritizationFees over accounts[n] (the accounts a transaction write-locks; at
 * most 128): the fee, in micro-lamports per compute unit, that landed a transaction locking
 * all of them in each of the node's recent slots (up to 150). */
json_t *sol_rpc_params_recent_prioritization_fees(const uint8_t (*accounts)[32], size_t n);
/* Its answer: up to cap fees (one per slot) into fees[]; *n receives how many.  0 ok, -1. */
int sol_rpc_parse_prioritization_fees(const SolRpcResult *r, uint64_t *fees, size_t cap, size_t *n,
                                      SolError *err);

/* Result parsers for SOL_RPC_OK results.  0 ok, -1 (SOL_ERR_INVALID: treat as malformed). */
int sol_rpc_parse_latest_blockhash(const SolRpcResult *r, uint8_t blockhash[32],
                                   uint64_t *last_valid_block_height, SolError *err);
int sol_rpc_parse_u64(const SolRpcResult *r, uint64_t *out, SolError *err);
int sol_rpc_parse_signature(const SolRpcResult *r, uint8_t sig[64], SolError *err);
/* A base58 32-byte result (getGenesisHash). */
int sol_rpc_parse_hash(const SolRpcResult *r, uint8_t hash[32], SolError *err);
/* result.context.slot: the slot of the view the node answered from. */
int sol_rpc_parse_context_slot(const SolRpcResult *r, uint64_t *slot, SolError *err);
/* getEpochInfo: the block height and the slot of one view, from one answer. */
int sol_rpc_parse_epoch_info(const SolRpcResult *r, uint64_t *block_height, uint64_t *absolute_slot,
                             SolError *err);

typedef enum SolCommitment
{
	SOL_COMMITMENT_UNKNOWN = -1,
	SOL_COMMITMENT_PROCESSED = 0,
	SOL_COMMITMENT_CONFIRMED = 1,
	SOL_COMMITMENT_FINALIZED = 2
} SolCommitment;

typedef struct SolSignatureStatus
{
	bool found;
	uint64_t slot;
	SolCommitment confirmation;
	bool failed;   /* err != null: landed and failed (terminal) */
	char err[200]; /* compact JSON of err when failed */
} SolSignatureStatus;

/* n must equal the number of signatures requested. */
int sol_rpc_parse_signature_statuses(const SolRpcResult *r, SolSignatureStatus *out, size_t n,
                                     SolError *err);

#endif
