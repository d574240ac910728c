/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  The background worker: lifecycle (worker.c), the engine that drives
 *	  jobs through the attempt protocol over JSON-RPC (engine.c), and the
 *	  calls to the state machine's SQL functions (db.c, src/worker/state.sql).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_WORKER_H
#define MINT_WORKER_H

#include "datatype/timestamp.h"

#include "solana/sol_codec.h"

extern void mint_register_workers(void);
/* worker.c: what mint.worker_status shows of this worker */
extern void mint_worker_report(const char *state, const char *reason_code, const char *reason,
                               int inflight, int rpc_pending);
extern void mint_worker_set_rpc_url(const char *url);
extern PGDLLEXPORT void mint_worker_main(Datum main_arg);

/* What the engine decided about a job, applied by db_flush() in one transaction. */
typedef enum MintOutcome
{
	OUT_NONE = 0,
	OUT_CONFIRM, /* landed ok: write signature, asset id, nonce */
	OUT_REQUEUE, /* back to queued after a backoff */
	OUT_FAIL     /* failed with its reason */
} MintOutcome;

/* What went wrong with a job, for its row and its event (allocated when set). */
typedef struct MintJobError
{
	char cls[32];
	char code[64];
	char message[512];
} MintJobError;

/* What db_flush() writes for a job without an error: empty strings. */
#define JOB_ERR_CLASS(j) ((j)->err ? (j)->err->cls : "")
#define JOB_ERR_CODE(j)  ((j)->err ? (j)->err->code : "")
#define JOB_ERR_MSG(j)   ((j)->err ? (j)->err->message : "")

/* A job a worker holds (claimed and leased). */
typedef struct MintJob
{
	char *tenant_id;
	char *ticket_id;
	int64 token; /* lease token of our claim: fences every write */
	char *owner;
	char *metadata;
	char *tree;    /* the tenant's active tree at claim time (NULL: none) */
	int tree_slot; /* engine.c's record of that tree, index + 1 (0: not looked up) */
	char *collection;
	int attempts;
	int attempt_base;
	int retries;

	/* The pending attempt: at most one, a new one needs every earlier dead. */
	bool has_att;
	uint8 sig[64];
	char sig58[SOL_SIGNATURE_B58_MAX];
	int64 last_valid;                   /* last valid block height of its blockhash */
	char genesis58[SOL_PUBKEY_B58_MAX]; /* the cluster it was made for ("": not recorded) */
	uint64 cu_price; /* its SetComputeUnitPrice (micro-lamports per unit, 0: none) ... */
	uint32 cu_limit; /* ... and SetComputeUnitLimit (0: none)                       */
	uint8 *tx;       /* signed bytes, re-broadcast as they are */
	int txlen;
	bool recorded;       /* committed in mint_attempts (sendable) */
	bool maybe_accepted; /* a send may have reached the cluster */
	bool seen;           /* the cluster reported it landed (await commitment) */
	bool refused;        /* preflight refused it: no more sends, await expiry */
	bool refused_permanent;
	bool record_refused; /* its last record was refused once: built again, then let go */
	bool resend; /* send (again) when next_send comes: first send, unknown status, failed send */
	TimestampTz next_send;
	TimestampTz next_check;
	TimestampTz lease_at; /* when this worker last set its lease (claim, record, renewal) */
	int landed_checks; /* status answers in a row that found it landed, short of the commitment */
	int64 landed_slot; /* landed there, short of finalized: asked again once finalized passes it */
	int send_failures;

	/* requests in flight that point at this job */
	int refs;
	bool req_status;
	bool req_tx;
	bool req_send;

	/* staged for the next flush */
	bool att_dead;          /* mark the pending attempt dead */
	const char *dead_state; /* "expired" or "landed_err" */
	MintOutcome outcome;
	int32 delay_ms; /* OUT_REQUEUE: backoff before it is due again */
	char asset58[SOL_PUBKEY_B58_MAX];
	int64 nonce;
	struct MintJobError *err; /* the last error set (NULL: none): most jobs never get one */

	bool applied; /* the outcome was written by db_flush */
	bool gone;    /* left the working set; freed when refs == 0 */
} MintJob;

/* db.c: the state machine's transitions (src/worker/state.sql), batched. */
extern int64 db_lock_holder(void);
extern int db_claim(int n, int64 holder, MemoryContext cxt, MintJob ***jobs_out);
extern void db_load_pending(MintJob **jobs, int n, MemoryContext cxt);
extern int db_record_attempts(MintJob **jobs, int n, const char *blockhash58,
                              const char *genesis58);
extern void db_renew(MintJob **jobs, int n);
extern void db_flush(MintJob **jobs, int n);
extern void db_release(MintJob **jobs, int n);
extern int db_reap(int n);
extern void db_hold_back(const char *code, const char *message, int n);

/* What the worker read of a tree (NULL pointers / negative numbers: unknown). */
typedef struct MintTreeFacts
{
	int64 capacity; /* the tree config's total_mint_capacity; -1 unknown */
	int64 num_minted;
	int version;
	int max_depth, max_buffer_size, canopy_depth; /* -1 unknown */
	bool full;                                    /* refused a mint for capacity */
	const char *problem_code;                     /* NULL: it can be minted into */
	const char *problem;
} MintTreeFacts;
extern void db_tree_facts(const char *tree58, const MintTreeFacts *f);
extern int db_trees_to_check(int n, MemoryContext cxt, char ***trees_out, char ***colls_out);

/* A tree mint.create_tree() asked for, and its pending creation attempt if any. */
typedef struct MintTreeCreation
{
	char *tenant_id;
	char *merkle_tree;
	char *seed;
	int max_depth, max_buffer_size, canopy_depth;
	int version; /* 1 or 2 (create_tree_v2) */
	/* a new MPL Core collection made with it (coll_address NULL: none) */
	char *coll_address, *coll_name, *coll_uri, *coll_recipient, *coll_freeze_authority;
	int coll_royalty;
	bool coll_freeze;
	char *signature; /* NULL: no pending attempt */
	int64 last_valid;
	uint8 *tx;
	int txlen;
	char *genesis;
} MintTreeCreation;
extern int db_tree_creations(int n, MemoryContext cxt, MintTreeCreation **out);
extern bool db_record_tree_attempt(const char *tenant, const char *tree, const char *sig58,
                                   int64 last_valid, const uint8 *tx, int txlen,
                                   const char *genesis58);
/* mint._tree_rollover(): trees created for pools that ran low; why not (NULL: one was). */
typedef struct MintRollover
{
	char *tenant_id;
	char *merkle_tree; /* NULL: none created */
	int64 free;
	char *reason;
} MintRollover;
extern int db_tree_rollover(MemoryContext cxt, MintRollover **out);
extern void db_tree_attempt_done(const char *tenant, const char *tree, const char *sig58,
                                 const char *state, const char *error, const char *failed_code);
extern bool db_extension_version(char *version, size_t cap);
extern bool db_replication_unsafe(char *why, size_t cap);

/* engine.c */
extern void engine_init(void);
extern void engine_shutdown(void);
extern long engine_tick(bool woken);
extern void engine_reload(void);
extern void engine_set_replication(bool unsafe, const char *why);
extern void engine_wait_rpc(long ms);

#endif /* MINT_WORKER_H */
