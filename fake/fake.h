/*
 * fake.h
 *	  solana-fake: an in-process fake Solana cluster (JSON-RPC over HTTP) for
 *	  mint_ext's tests, demo and benchmarks.  Loopback only.
 */
#ifndef FAKE_H
#define FAKE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* ---- growable byte buffer (fake_util.c) ---- */
typedef struct FkBuf
{
	char *data;
	size_t len;
	size_t cap;
} FkBuf;

void fk_buf_reserve(FkBuf *b, size_t extra);
void fk_buf_put(FkBuf *b, const void *p, size_t n);
void fk_buf_puts(FkBuf *b, const char *s);
void fk_buf_printf(FkBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON string literal (with quotes) for n bytes of (UTF-8) text. */
void fk_buf_json_str(FkBuf *b, const char *s, size_t n);

/* ---- splitmix64 RNG ---- */
typedef struct FkRng
{
	uint64_t s;
} FkRng;

uint64_t fk_rng_next(FkRng *r);
double fk_rng_double(FkRng *r); /* [0,1) */

uint64_t fk_now_ms(void); /* CLOCK_MONOTONIC */
void *fk_xmalloc(size_t n);
void *fk_xcalloc(size_t n, size_t sz);
void *fk_xrealloc(void *p, size_t n);
char *fk_xstrndup(const char *s, size_t n);

/* ---- string -> counter map (open addressing) ---- */
typedef struct FkStrMap
{
	char **keys;
	uint64_t *vals;
	size_t cap;
	size_t count;
} FkStrMap;

uint64_t *fk_strmap_get(FkStrMap *m, const char *k, size_t klen, bool create);
void fk_strmap_free(FkStrMap *m);

/* ---- configuration and run-time faults ---- */

/* Load-balanced mode: a pool of up to FK_MAX_NODES views of one chain. */
#define FK_MAX_NODES    16
#define FK_MAX_NODE_LAG 10000 /* blocks */

enum
{
	FK_ROUTE_RANDOM,
	FK_ROUTE_ROUND_ROBIN
};

typedef struct FkFaults
{
	double latency_ms;
	double p_429;
	double p_5xx;
	double p_timeout;
	double p_lost_response;
	double p_never_lands;
	double p_tx_error;
	bool down;
	bool paused;
	int retry_after_s;
	int timeout_hold_ms;
	int tx_error_code;
	uint64_t tree_capacity;    /* 0 = unlimited */
	uint64_t min_priority_fee; /* congestion: a lower compute-unit price never lands */
	uint32_t tree_block_limit; /* mints per tree per block (write lock); 0 = unlimited */
	int slot_ms;
	/* load-balanced mode (nodes = 1: one node, today's behaviour) */
	int nodes;
	uint32_t node_lag[FK_MAX_NODES]; /* fixed lag in blocks; missing entries are 0 */
	bool wander;                     /* nodes 1..N-1 wander within [wander_min, wander_max] */
	uint32_t wander_min;
	uint32_t wander_max;
	int route; /* FK_ROUTE_* */
} FkFaults;

typedef struct FkConfig
{
	char listen_host[64];
	int listen_port;
	const char *port_file;
	uint64_t finalized_lag;
	uint64_t blockhash_window;
	uint64_t seed;
	int threads;
	const char *webhook_log;
	uint8_t webhook_key[128];
	size_t webhook_key_len;
	bool webhook_helius;
	const char *webhook_auth;
	bool quiet;
	FkFaults faults;
} FkConfig;

/* ---- stats ---- */
enum FkMethod
{
	M_GET_HEALTH,
	M_GET_VERSION,
	M_GET_SLOT,
	M_GET_BLOCK_HEIGHT,
	M_GET_LATEST_BLOCKHASH,
	M_SEND_TRANSACTION,
	M_GET_SIGNATURE_STATUSES,
	M_GET_TRANSACTION,
	M_GET_ACCOUNT_INFO,
	M_GET_EPOCH_INFO,
	M_GET_GENESIS_HASH,
	M_IS_BLOCKHASH_VALID,
	M_GET_RECENT_PRIORITIZATION_FEES,
	M_OTHER,
	M__COUNT
};
enum FkOutcome
{
	O_OK,
	O_DUPLICATE,
	O_ALREADY_PROCESSED,
	O_BLOCKHASH_NOT_FOUND,
	O_SIG_VERIFY_FAILED,
	O_INVALID_PARAMS,
	O_SIMULATION_FAILED,
	O_NEVER_LANDS,
	O_DROPPED_BAD_SIGNATURE,
	O_DROPPED_BAD_BLOCKHASH,
	O_LOST_RESPONSE,
	O_METHOD_NOT_FOUND,
	O_MIN_CONTEXT_SLOT,
	O_INVALID_REQUEST,
	O_UNSUPPORTED_TX,
	O__COUNT
};
enum FkHttpStat
{
	H_REQUESTS,
	H_RPC_REQUESTS,
	H_BATCHES,
	H_DOWN,
	H_429,
	H_5XX,
	H_TIMEOUT,
	H_LOST_RESPONSE,
	H_PARSE_ERROR,
	H_TOO_LARGE,
	H_BAD_CONTENT_TYPE,
	H_NOT_FOUND,
	H_CONTROL,
	H__COUNT
};
enum FkChainStat
{
	C_BLOCKS,
	C_LANDED_OK,
	C_LANDED_ERR,
	C_TX_ERROR_INJECTED,
	C_TREE_FULL,
	C_EXPIRED_IN_QUEUE,
	C_PRICED_OUT,      /* expired in the queue, its compute-unit price below min_priority_fee */
	C_TREE_BLOCK_FULL, /* held for a later block: its tree had tree_block_limit mints in this one */
	C_WEBHOOKS,
	C__COUNT
};

/* per-node counters (load-balanced mode) */
enum FkNodeStat
{
	N_REQUESTS, /* HTTP requests (a batch counts once) routed to the node */
	N_CALLS,    /* JSON-RPC calls it answered */
	N_MIN_CONTEXT_SLOT,
	N_BLOCKHASH_NOT_FOUND,
	N__COUNT
};

void fk_stat_method(int method, int outcome);
void fk_stat_node(int node, int which);
void fk_stat_http(int which);
void fk_stat_chain(int which);
char *fk_stats_json(void);
void fk_stats_reset(void);
extern const char *const fk_method_names[M__COUNT];

/* ---- chain (fake_chain.c) ---- */
extern FkConfig fk_cfg;
/* The chain mutex guards all chain state and fk_cfg.faults. */
extern pthread_mutex_t fk_lock;

void fk_chain_init(void);
void fk_chain_free(void);
int fk_chain_add_tree(const char *spec, const char **errmsg); /* "TREE:CREATOR" */
/* Produce one block (call without the lock held). */
void fk_chain_tick(void);
/* Roll a request-level fault probability (takes the lock). */
bool fk_roll(double p);
/* The node that answers one HTTP request: `pin` (from /node/<i>) when it is a
 * node of the pool, else the --route choice.  0 when there is one node. */
int fk_route(const FkFaults *f, int pin);
/* Current lag of each node (takes the lock); returns the number of nodes. */
int fk_node_lags(uint64_t lags[FK_MAX_NODES]);

/* One JSON-RPC request body, answered by `node` -> response body (malloc'd,
 * NULL = no body).  *drop set when the response must be lost (p_lost_response). */
char *fk_rpc_handle(const char *body, size_t len, int node, bool *drop, int *http_status);

/* GET /ledger [?summary=1][&offset=N&limit=M] */
char *fk_ledger_json(bool summary, uint64_t offset, uint64_t limit);
/* GET /control, POST /control */
char *fk_control_get(void);
/* Returns the new settings, or NULL with *errmsg (static) set. */
char *fk_control_post(const char *body, size_t len, const char **errmsg);
/* Apply one named option (from --name value or control JSON); -1 on error. */
int fk_apply_option(FkFaults *f, const char *name, json_t *val, const char **errmsg);

/* ---- webhooks (fake_util.c) ---- */
int fk_webhook_open(void);
void fk_webhook_close(void);
void fk_webhook_emit(const char *body, size_t len, const char *msg_id);

#endif
