/*-------------------------------------------------------------------------
 *
 * shared.h
 *	  mint_ext's shared memory: the workers' latches and the wake-up counter
 *	  the SQL API bumps at commit.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_SHARED_H
#define MINT_SHARED_H

#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/spin.h"

#include "datatype/timestamp.h"

#define MINT_MAX_WORKERS 32

/* crypto_shorthash_KEYBYTES (SipHash-2-4); shared.c checks it. */
#define MINT_LOCK_HASH_KEY_LEN 16

/* What a worker reports about itself (mint.worker_status). */
typedef struct MintWorkerStatus
{
	int pid; /* 0: not running */
	char state[32];
	int inflight;    /* jobs held */
	int rpc_pending; /* JSON-RPC calls in flight */
	int64 sent;
	int64 confirmed;
	int64 failed;
	int64 requeued;
	int64 rpc_errors;
	int64 inconclusive;        /* "unknown" from a view older than the expiry proof's */
	int64 context_not_reached; /* -32016: a lagging node refused an old view */
	int64 sent_extra;          /* sends accepted by the send-only endpoints */
	int64 send_extra_errors;   /* ... and refused or failed there */
	char last_rpc_error[256];
	TimestampTz last_rpc_error_at;
	TimestampTz started_at;
	/* why it cannot make progress ("" when it can), since when */
	char reason_code[32];
	char reason[256];
	TimestampTz reason_since;
	char rpc_url[256];    /* mint.rpc_url as shown: credentials redacted */
	char sql_version[16]; /* the installed extension's version it last saw */
} MintWorkerStatus;

/* Webhook deliveries by outcome (mint.stats); rejected ones store nothing else. */
typedef enum MintWebhookCounter
{
	MINT_WH_PROCESSED,
	MINT_WH_DUPLICATE,
	MINT_WH_IGNORED,
	MINT_WH_REJECTED_SIGNATURE, /* missing, malformed or wrong signature */
	MINT_WH_REJECTED_TIMESTAMP, /* outside the tolerance */
	MINT_WH_REJECTED_MALFORMED, /* headers or body unusable */
	MINT_WH_REJECTED_TOO_LARGE,
	MINT_WH_REJECTED_ENDPOINT, /* unknown or disabled provider */
	MINT_WH_NCOUNTERS
} MintWebhookCounter;

typedef struct MintShared
{
	pg_atomic_uint64 wake_commits; /* commits that enqueued or changed work */
	slock_t mutex;                 /* protects everything below */
	Latch *latches[MINT_MAX_WORKERS];
	MintWorkerStatus workers[MINT_MAX_WORKERS];
	char payer[48]; /* base58 public key of the workers' keypair, "" if none */
	pg_atomic_uint64 webhooks[MINT_WH_NCOUNTERS];
	/*
	 * The key of the advisory lock keys' SipHash (src/common/locks.c), drawn
	 * when the shared memory is created (every server start and crash
	 * restart); written once before any backend runs, read-only after.  No
	 * SQL function returns it.
	 */
	uint8 lock_hash_key[MINT_LOCK_HASH_KEY_LEN];
} MintShared;

extern MintShared *mint_shared;

extern void mint_shmem_request(void);
extern void mint_shmem_startup(void);
extern void mint_wake_at_commit(void);
extern void mint_set_worker_latch(int slot, Latch *latch);
extern void mint_webhook_count(MintWebhookCounter c);

#endif /* MINT_SHARED_H */
