/*-------------------------------------------------------------------------
 *
 * engine.c
 *	  Drives the jobs a worker holds through the attempt protocol:
 *
 *	  claim -> build + sign -> RECORD (commit) -> send -> watch:
 *		getSignatureStatuses (searchTransactionHistory) for the pending attempt
 *		  landed at mint.commitment, ok      -> getTransaction -> confirm
 *		  landed with an error               -> attempt dead -> fail / requeue
 *		  unknown, finalized height > last
 *			valid block height (observed
 *			before the status was asked)     -> attempt dead (expired) -> requeue
 *		  unknown, not expired               -> re-broadcast the same bytes
 *
 *	  A new transaction is built only for a job with no pending attempt, and
 *	  the database refuses to record one otherwise (mint._record_attempts).
 *
 * Everything network-bound runs on one libcurl multi handle (sol_rpc), with
 * no transaction open; the decisions of a tick are applied by db_flush() in
 * one transaction.  Consecutive RPC failures put the engine in a quiet
 * period with exponential backoff, probed by one getBlockHeight, so an
 * outage costs a bounded number of requests.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/pg_prng.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "mint_ext.h"
#include "common/mintparams.h"
#include "common/shared.h"
#include "solana/sol_bubblegum.h"
#include "solana/sol_budget.h"
#include "solana/sol_crypto.h"
#include "solana/sol_errors.h"
#include "solana/sol_fees.h"
#include "solana/sol_tx.h"
#include "solana/sol_rpc.h"
#include "solana/sol_tree.h"
#include "worker/worker.h"

#define STATUS_CHUNK         256   /* getSignatureStatuses limit */
#define SEND_CHUNK           64    /* sendTransaction calls per HTTP request ... */
#define SEND_BATCH_BYTES     40000 /* ... and their size: RPC nodes refuse bodies over 50 KiB */
#define GETTX_CHUNK          32    /* getTransaction calls per HTTP request */
#define BLOCKHASH_MAX_AGE_MS 400
/*
 * A worker that held jobs this recently asks for a new blockhash once its
 * own is this old: the answer takes a round trip and, at a slot of 400 ms, up
 * to a slot more (minContextSlot), so asking at half the age limit left the
 * worker without a usable one for a sixth of the time under load.
 */
#define BLOCKHASH_WARM_MS    10000
#define BLOCKHASH_REFRESH_MS 50
#define QUIET_AFTER_FAILURES 3
#define LANDED_CHECK_MAX_MS  1000 /* see landed_recheck() */
#define LANDED_WAIT_MAX_MS   30000
#define KEY_RETRY_MS         10000
#define HOLD_BACK_EVERY_MS   5000 /* how often held-back queued jobs are told why */
#define HOLD_BACK_BATCH      1000
#define CLAIM_ROUNDS_MAX     16     /* claim(): batches a tick may take */
#define TICK_MAX_MS          40     /* engine_wait_rpc(): the longest period between ticks */
#define TICK_WOKEN_MS        10     /* ... and the longest once a ticket is waiting */
#define TREE_BAD_RECHECK_MS  5000   /* a tree found unusable is looked at again after this */
#define TREE_OK_RECHECK_MS   600000 /* and a usable one after this (its delegate may change) */

typedef enum ReqKind
{
	REQ_BLOCKHASH,
	REQ_HEIGHT,
	REQ_STATUS,
	REQ_GETTX,
	REQ_SEND,
	REQ_GENESIS,      /* getGenesisHash: which cluster the endpoint serves */
	REQ_TREE_ACCOUNT, /* getAccountInfo of a merkle tree ... */
	REQ_TREE_CONFIG,  /* ... and of its Bubblegum tree config */
	REQ_TREE_COLL,    /* ... and of the MPL Core collection a V2 tree mints into */
	REQ_FEES,         /* getRecentPrioritizationFees over a tree and its tree config */
	REQ_CREATE_SEND,  /* sendTransaction of a tree's creation ... */
	REQ_CREATE_STATUS /* ... and its getSignatureStatuses */
} ReqKind;

/* The tag of a JSON-RPC call: what it was for. */
typedef struct Req
{
	ReqKind kind;
	int n;
	MintJob **jobs;
	int64 fin;      /* finalized height known when a status call was made ... */
	int64 fin_slot; /* ... and the slot of the view it was observed in */
	int tree;       /* REQ_TREE_*: index in trees[] ... */
	int gen;        /* ... of this generation of trees[] */
} Req;

extern int mint_worker_slot;

static MemoryContext engine_cxt = NULL;
static MemoryContext tick_cxt = NULL; /* scratch of one tick, reset after it */
static SolRpc *rpc = NULL;
static char *rpc_url_in_use = NULL;

static bool have_key = false;
static uint8 key_secret[64];
static uint8 key_pub[32];
static TimestampTz key_retry_at = 0;

static MintJob **set = NULL;
static int nset = 0;
static int capset = 0;

static bool have_blockhash = false;
static uint8 blockhash[32];
static char blockhash58[SOL_PUBKEY_B58_MAX];
static int64 blockhash_last_valid = 0;
static TimestampTz blockhash_at = 0;
static TimestampTz busy_at = 0; /* when the worker last held a job */
static bool req_blockhash = false;

/*
 * The expiry proof's chain facts.  A pool of nodes behind one URL lag each
 * other, so a finalized height is kept with the slot of the view it came
 * from (one getEpochInfo answer), and a status answer proves "unknown" only
 * from a view at or past that slot (its context.slot).  hwm_slot[c] is the
 * newest slot seen at commitment c (0 processed, 1 confirmed, 2 finalized):
 * requests ask for at least that view (minContextSlot), so a lagging node
 * answers "not reached" (-32016) instead of an old view, e.g. a blockhash
 * that is already dead on the chain.
 */
static int64 fin_height = -1;
static int64 fin_slot = -1;
static TimestampTz fin_at = 0;
static bool req_height = false;
static uint64 hwm_slot[3];
static TimestampTz blockhash_retry_at = 0;

/* The cluster the endpoint serves (getGenesisHash): recorded with every
 * attempt, and an attempt is judged only by an endpoint of its cluster. */
static bool have_genesis = false;
static bool req_genesis = false;
static char genesis58[SOL_PUBKEY_B58_MAX];

/* Send-only endpoints (mint.send_urls): the same signed bytes go there too. */
static SolRpc **senders = NULL;
static int nsenders = 0;
static char *send_urls_in_use = NULL;

static int rpc_failures = 0;
static TimestampTz quiet_until = 0;

static TimestampTz next_claim = 0;
/* this incarnation's id: its session lock, and the lease_holder of the jobs it claims */
static int64 holder_id = 0;
static TimestampTz next_renew = 0;
static TimestampTz next_reap = 0;

/*
 * Conditions that stop progress (mint.worker_status: state "blocked", or
 * only the reason while other work goes on).  A condition of the whole
 * worker holds back every queued job (db_hold_back tells them why); a tree
 * that cannot be minted into holds back only that tree's jobs.
 */
static char key_code[32]; /* no_keypair, keypair_unreadable, ...: "" once the key is loaded */
static char key_msg[256];
static char rpc_down_msg[256]; /* the last RPC failure, shown once the engine goes quiet */
static TimestampTz next_hold = 0;
static bool repl_unsafe = false; /* standbys, none synchronous (db_replication_unsafe) */
static char repl_msg[256];
static bool probe_rpc = true; /* one getBlockHeight after start or reload: is the RPC reachable? */

/* What the worker learnt about each tree it was asked to mint into. */
typedef struct TreeState
{
	char tree58[SOL_PUBKEY_B58_MAX];
	uint8 key[32];
	bool known;  /* a verdict was reached */
	bool usable; /* the verdict: it can be minted into with our key */
	int pending; /* getAccountInfo calls in flight (0, 2 or 3) */
	bool acct_exists, cfg_exists;
	bool answers_ok; /* every call answered and parsed */
	uint8 acct_owner[32], cfg_owner[32];
	SolTreeConfig cfg;
	bool cfg_decoded;
	/* the tree's collection (mint.trees.collection_mint): on a V2 tree an MPL Core
	 * collection, read with the tree and judged with it */
	bool has_coll;
	bool coll_asked; /* it was asked about with the tree's latest reading */
	uint8 coll_key[32];
	bool coll_exists, coll_decoded;
	uint8 coll_owner[32];
	SolCoreCollection coll;
	SolTreeShape shape; /* depth, buffer, canopy, size: the mints' compute units */
	bool shape_known;
	char code[32]; /* why it is unusable */
	char msg[256];
	TimestampTz recheck_at;
	/* what mint.trees is told (mint._tree_facts) */
	bool facts_due; /* a verdict (or a capacity refusal) not written yet */
	bool full_seen; /* a mint was refused for capacity: no leaf is left */
	/* the dynamic priority fee (mint.priority_fee_max > 0) */
	bool fee_known;     /* an answer came (or the call failed: then the floor) */
	bool fee_pending;   /* a call is in flight */
	uint64 fee_recent;  /* the percentile of the recent fees */
	TimestampTz fee_at; /* when it was asked */
} TreeState;

static TreeState *trees = NULL;
static int ntrees = 0;
static int captrees = 0;
static int trees_gen = 0;
static void forget_trees(void);

/* ---------------------------------------------------------------------------
 * Status reporting (mint.worker_status)
 * ---------------------------------------------------------------------------
 */

static bool rpc_quiet(TimestampTz now);

/* The latest tree that cannot be minted into, if any. */
static const TreeState *
tree_problem(void)
{
	const TreeState *worst = NULL;
	int i;

	for (i = 0; i < ntrees; i++)
		if (trees[i].known && !trees[i].usable &&
		    (worst == NULL || trees[i].recheck_at > worst->recheck_at))
			worst = &trees[i];
	return worst;
}

/* The condition that holds back every queued job, or NULL. */
static const char *
blocked_code(const char **msg)
{
	if (key_code[0] != '\0')
	{
		*msg = key_msg;
		return key_code;
	}
	if (repl_unsafe && !mint_accept_async_replication)
	{
		*msg = repl_msg;
		return "replication_not_synchronous";
	}
	if (rpc_quiet(0) && rpc_down_msg[0] != '\0')
	{
		*msg = rpc_down_msg;
		return "rpc_unreachable";
	}
	return NULL;
}

/* Nothing new may be signed and sent: no key, or no durable record before a send. */
static bool
may_build(void)
{
	return have_key && have_genesis && !(repl_unsafe && !mint_accept_async_replication);
}

/*
 * engine_set_replication
 *	  What db_replication_unsafe() found, before each tick.  Unsafe and not
 *	  accepted (mint.accept_async_replication): the worker signs and sends
 *	  nothing new; accepted: it goes on and says so, loudly.
 */
void
engine_set_replication(bool unsafe, const char *why)
{
	if (unsafe != repl_unsafe)
	{
		if (unsafe)
			ereport(WARNING,
			        (errmsg("mint worker: %s", why),
			         errhint(mint_accept_async_replication
			                     ? "mint.accept_async_replication is on: the worker sends anyway."
			                     : "The worker sends nothing new until a synchronous standby is "
			                       "named (synchronous_standby_names) or "
			                       "mint.accept_async_replication is set.")));
		else
			ereport(LOG, (errmsg("mint worker: every standby is synchronous again, or gone")));
	}
	repl_unsafe = unsafe;
	strlcpy(repl_msg, why, sizeof(repl_msg));
}

/* A pool that runs low and may not grow (mint._tree_rollover): shown in worker_status. */
static char pool_msg[256] = "";

static void
report(const char *state)
{
	const char *msg = NULL;
	const char *code = blocked_code(&msg);

	if (code != NULL)
		state = "blocked";
	else
	{
		const TreeState *t = tree_problem();

		if (repl_unsafe)
		{
			/* accepted by the operator: said as loudly as a block */
			code = "async_replication_accepted";
			msg = repl_msg;
		}
		else if (t != NULL)
		{
			code = t->code;
			msg = t->msg;
		}
		else if (pool_msg[0] != '\0')
		{
			code = "pool_low";
			msg = pool_msg;
		}
	}
	mint_worker_report(state, code, msg, nset, rpc ? (int)sol_rpc_pending(rpc) : 0);
}

static void
count(int64 *field)
{
	SpinLockAcquire(&mint_shared->mutex);
	(*field)++;
	SpinLockRelease(&mint_shared->mutex);
}

#define COUNT(f) count(&mint_shared->workers[mint_worker_slot].f)

/*
 * Crash tests: when mint.test_crash_file names a file whose content is
 * this point's name, remove the file and die as kill -9 would.  Points:
 * after_claim, after_record (recorded, not sent), after_send (sends
 * submitted, answers not read), before_confirm (landing seen, not written).
 * "<point>:postmaster" kills the postmaster first (the server dies there:
 * the failover tests).
 */
static void
crash_point(const char *point)
{
	FILE *f;
	char want[64];

	if (mint_test_crash_file == NULL || mint_test_crash_file[0] == '\0')
		return;
	f = fopen(mint_test_crash_file, "r");
	if (f == NULL)
		return;
	if (fgets(want, sizeof(want), f) == NULL)
		want[0] = '\0';
	fclose(f);
	want[strcspn(want, "\r\n")] = '\0';
	{
		/* "point:postmaster": the whole server dies there (failover tests) */
		size_t n = strlen(point);

		if (strncmp(want, point, n) != 0 ||
		    (want[n] != '\0' && strcmp(want + n, ":postmaster") != 0))
			return;
		unlink(mint_test_crash_file);
		ereport(LOG, (errmsg("mint worker crashing at %s (mint.test_crash_file)", want)));
		if (want[n] != '\0')
			kill(PostmasterPid, SIGKILL);
	}
	kill(MyProcPid, SIGKILL);
	pg_usleep(10000000L);
}

static TimestampTz
after_ms(TimestampTz t, double ms)
{
	return t + (TimestampTz)(ms * 1000.0);
}

static double
jitter(double cap_ms)
{
	return cap_ms * pg_prng_double(&pg_global_prng_state);
}

static double
backoff_cap(int n)
{
	double cap = (double)mint_backoff_base * pow(2.0, Min(n, 30));

	return Min(cap, (double)mint_backoff_max);
}

/* ---------------------------------------------------------------------------
 * RPC health: a quiet period after consecutive failures
 * ---------------------------------------------------------------------------
 */

static void
rpc_failed(const SolRpcResult *r, TimestampTz now)
{
	MintWorkerStatus *w = &mint_shared->workers[mint_worker_slot];
	double wait;

	rpc_failures++;
	SpinLockAcquire(&mint_shared->mutex);
	w->rpc_errors++;
	snprintf(w->last_rpc_error, sizeof(w->last_rpc_error), "%s: %s: %s", r->method,
	         sol_rpc_class_name(r->cls), r->message);
	w->last_rpc_error_at = now;
	snprintf(rpc_down_msg, sizeof(rpc_down_msg), "RPC %s is failing (%d calls in a row): %s",
	         w->rpc_url, rpc_failures, w->last_rpc_error);
	SpinLockRelease(&mint_shared->mutex);

	if (rpc_failures >= QUIET_AFTER_FAILURES)
	{
		wait = jitter(backoff_cap(rpc_failures - QUIET_AFTER_FAILURES));
		if (r->cls == SOL_RPC_RATE_LIMITED && r->retry_after_ms > wait)
			wait = (double)r->retry_after_ms;
		quiet_until = Max(quiet_until, after_ms(now, wait));
	}
}

/* An answer that came (cls OK) but does not parse: a malformed answer, said why. */
static void
rpc_malformed(const SolRpcResult *r, const char *why, TimestampTz now)
{
	SolRpcResult bad = *r;

	bad.cls = SOL_RPC_MALFORMED;
	strlcpy(bad.message, why, sizeof(bad.message));
	rpc_failed(&bad, now);
}

static void
rpc_succeeded(void)
{
	rpc_failures = 0;
}

static int
commitment_index(const char *c)
{
	return strcmp(c, "finalized") == 0 ? 2 : strcmp(c, "confirmed") == 0 ? 1 : 0;
}

static void
saw_slot(int level, uint64 slot)
{
	if (slot > hwm_slot[level])
		hwm_slot[level] = slot;
}

/* A node behind the newest view seen answered "minimum context slot not
 * reached": the endpoint works, this node lags; asked again later. */
static void
lagging_node(void)
{
	rpc_succeeded();
	COUNT(context_not_reached);
}

/* In a quiet period only the getBlockHeight probe may go out. */
static bool
rpc_quiet(TimestampTz now)
{
	return rpc_failures >= QUIET_AFTER_FAILURES;
}

static Req *
new_req(ReqKind kind, int n)
{
	Req *q = MemoryContextAllocZero(engine_cxt, sizeof(Req));

	q->kind = kind;
	q->n = n;
	if (n > 0)
		q->jobs = MemoryContextAllocZero(engine_cxt, sizeof(MintJob *) * n);
	return q;
}

static void
req_add(Req *q, int i, MintJob *j)
{
	q->jobs[i] = j;
	j->refs++;
}

/* ---------------------------------------------------------------------------
 * The working set
 * ---------------------------------------------------------------------------
 */

static void
job_free(MintJob *j)
{
	if (j->tx)
		pfree(j->tx);
	pfree(j->tenant_id);
	pfree(j->ticket_id);
	if (j->owner)
		pfree(j->owner);
	if (j->metadata)
		pfree(j->metadata);
	if (j->tree)
		pfree(j->tree);
	if (j->collection)
		pfree(j->collection);
	if (j->err)
		pfree(j->err);
	pfree(j);
}

static void
req_done(Req *q)
{
	int i;

	for (i = 0; i < q->n; i++)
	{
		MintJob *j = q->jobs[i];

		if (--j->refs == 0 && j->gone)
			job_free(j);
	}
	if (q->jobs)
		pfree(q->jobs);
	pfree(q);
}

/*
 * Drop jobs that left the set: outcome applied (by db_flush), or lease lost.
 * A decided but not yet applied outcome keeps the job until the flush.
 */
static void
compact_set(void)
{
	int i, k = 0;

	for (i = 0; i < nset; i++)
	{
		MintJob *j = set[i];

		if (j->gone || j->applied)
		{
			j->gone = true;
			if (j->refs == 0)
				job_free(j);
			continue;
		}
		set[k++] = j;
	}
	nset = k;
}

static void
set_add(MintJob *j)
{
	if (nset == capset)
	{
		capset = Max(64, capset * 2);
		set = set ? repalloc(set, sizeof(MintJob *) * capset)
		          : MemoryContextAlloc(engine_cxt, sizeof(MintJob *) * capset);
	}
	set[nset++] = j;
}

static void set_error(MintJob *j, const char *cls, const char *code, const char *fmt, ...)
    pg_attribute_printf(4, 5);

static void
set_error(MintJob *j, const char *cls, const char *code, const char *fmt, ...)
{
	va_list ap;
	char code_copy[sizeof(j->err->code)];

	/* code may be the job's own (attempt_dead() keeps it) */
	strlcpy(code_copy, code ? code : "", sizeof(code_copy));
	if (j->err == NULL)
		j->err = MemoryContextAllocZero(engine_cxt, sizeof(MintJobError));
	strlcpy(j->err->cls, cls, sizeof(j->err->cls));
	strlcpy(j->err->code, code_copy, sizeof(j->err->code));
	va_start(ap, fmt);
	vsnprintf(j->err->message, sizeof(j->err->message), fmt, ap);
	va_end(ap);
}

static bool
exhausted(const MintJob *j)
{
	return j->attempts - j->attempt_base >= mint_max_attempts;
}

/*
 * The pending attempt is dead; decide what follows.  `permanent` fails the
 * job with the error already set; otherwise the job is requeued (backoff),
 * or fails when its attempts are exhausted.
 */
static void
attempt_dead(MintJob *j, const char *state, bool permanent)
{
	j->att_dead = true;
	j->dead_state = state;
	if (permanent)
		j->outcome = OUT_FAIL;
	else if (exhausted(j))
	{
		char last[512];

		strlcpy(last, JOB_ERR_MSG(j), sizeof(last));
		set_error(j, "exhausted", JOB_ERR_CODE(j), "%d attempts, the last %s: %s",
		          j->attempts - j->attempt_base, state, last);
		j->outcome = OUT_FAIL;
	}
	else
	{
		/* full jitter: uniform in [0, min(backoff_max, backoff_base * 2^retries)] */
		j->outcome = OUT_REQUEUE;
		j->delay_ms = (int32)jitter(backoff_cap(j->retries));
	}
}

/* ---------------------------------------------------------------------------
 * Keys and RPC client
 * ---------------------------------------------------------------------------
 */

static void key_problem(TimestampTz now, const char *code, const char *fmt, ...)
    pg_attribute_printf(3, 4);

static void
key_problem(TimestampTz now, const char *code, const char *fmt, ...)
{
	va_list ap;
	bool changed = strcmp(key_code, code) != 0;

	strlcpy(key_code, code, sizeof(key_code));
	va_start(ap, fmt);
	vsnprintf(key_msg, sizeof(key_msg), fmt, ap);
	va_end(ap);
	if (changed)
		ereport(LOG, (errmsg("mint worker is blocked (%s): %s", key_code, key_msg)));
	key_retry_at = after_ms(now, KEY_RETRY_MS);
}

static void
load_key(TimestampTz now)
{
	SolError err;
	struct stat st;

	if (have_key || now < key_retry_at)
		return;
	memset(&err, 0, sizeof(err));
	if (mint_keypair_path == NULL || mint_keypair_path[0] == '\0')
	{
		key_problem(now, "no_keypair",
		            "mint.keypair_path is not set: the worker has no key to sign with");
		return;
	}
	if (stat(mint_keypair_path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
	{
		key_problem(now, "keypair_too_open",
		            "keypair file \"%s\" is accessible by group or others (mode %04o): "
		            "chmod 600 it, owned by the server's user",
		            mint_keypair_path, (unsigned)(st.st_mode & 07777));
		return;
	}
	if (sol_keypair_load(mint_keypair_path, key_secret, &err) != 0)
	{
		key_problem(now, err.code == SOL_ERR_IO ? "keypair_unreadable" : "keypair_invalid",
		            "cannot use keypair file \"%s\": %s", mint_keypair_path, err.message);
		return;
	}
	memcpy(key_pub, key_secret + 32, 32);
	have_key = true;
	key_code[0] = '\0';
	key_msg[0] = '\0';
	SpinLockAcquire(&mint_shared->mutex);
	sol_pubkey_to_b58(key_pub, mint_shared->payer);
	SpinLockRelease(&mint_shared->mutex);
	ereport(LOG, (errmsg("mint worker signs as %s", mint_shared->payer)));
	/* the trees' verdicts were about the old key */
	forget_trees();
}

static void
open_rpc(void)
{
	SolRpcOptions opts;
	SolError err;

	if (rpc != NULL && rpc_url_in_use != NULL && strcmp(rpc_url_in_use, mint_rpc_url) == 0)
		return;
	if (rpc != NULL)
	{
		int i;

		/* in-flight calls are lost; their outcomes are learnt again */
		sol_rpc_free(rpc);

		/*
		 * Nothing the old endpoint said is evidence about the new one: above
		 * all not its finalized height, which could prove a signature of the
		 * new cluster "expired" while it lands.
		 */
		fin_height = -1;
		fin_slot = -1;
		fin_at = 0;
		memset(hwm_slot, 0, sizeof(hwm_slot));
		have_genesis = false;
		req_genesis = false;
		have_blockhash = false;
		req_blockhash = false;
		req_height = false;
		rpc_failures = 0;
		for (i = 0; i < nset; i++)
		{
			set[i]->req_send = set[i]->req_status = set[i]->req_tx = false;
			set[i]->refs = 0; /* the lost calls' tags never come back */
			set[i]->resend = set[i]->has_att;
		}
	}
	memset(&opts, 0, sizeof(opts));
	opts.default_timeout_ms = mint_rpc_timeout;
	memset(&err, 0, sizeof(err));
	mint_worker_set_rpc_url(mint_rpc_url);
	if (rpc_url_in_use != NULL)
		ereport(LOG, (errmsg("mint worker switches to rpc %s",
		                     mint_shared->workers[mint_worker_slot].rpc_url)));
	rpc_down_msg[0] = '\0';
	probe_rpc = true;
	forget_trees(); /* another cluster: nothing known about its trees */
	rpc = sol_rpc_new(mint_rpc_url, &opts, &err);
	if (rpc == NULL)
	{
		char shown[256];

		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("invalid mint.rpc_url \"%s\": %s",
		                       sol_url_redact(mint_rpc_url, shown, sizeof(shown)), err.message)));
	}
	if (rpc_url_in_use)
		pfree(rpc_url_in_use);
	rpc_url_in_use = MemoryContextStrdup(engine_cxt, mint_rpc_url);
}

/*
 * The send-only endpoints of mint.send_urls (comma-separated): every send
 * also goes to each, with skipPreflight and maxRetries 0 (such senders
 * forward at once and retry nothing; the worker re-broadcasts the same bytes
 * itself while the signature is unknown and its blockhash valid).  Their
 * answers prove nothing and are only counted: the reads endpoint decides.
 */
static void
open_senders(void)
{
	const char *urls = mint_send_urls ? mint_send_urls : "";
	char *copy;
	char *tok;
	char *save = NULL;
	int i;

	if (send_urls_in_use != NULL && strcmp(send_urls_in_use, urls) == 0)
		return;
	for (i = 0; i < nsenders; i++)
		sol_rpc_free(senders[i]);
	nsenders = 0;
	if (send_urls_in_use)
		pfree(send_urls_in_use);
	send_urls_in_use = MemoryContextStrdup(engine_cxt, urls);
	copy = pstrdup(urls);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save))
	{
		SolRpcOptions opts;
		SolError err;
		SolRpc *c;
		char shown[256];

		memset(&opts, 0, sizeof(opts));
		opts.default_timeout_ms = mint_rpc_timeout;
		memset(&err, 0, sizeof(err));
		sol_url_redact(tok, shown, sizeof(shown));
		c = sol_rpc_new(tok, &opts, &err);
		if (c == NULL)
		{
			ereport(WARNING,
			        (errmsg("mint worker ignores send url \"%s\": %s", shown, err.message)));
			continue;
		}
		if (senders == NULL)
			senders = MemoryContextAlloc(engine_cxt, sizeof(SolRpc *) * 16);
		if (nsenders == 16)
		{
			sol_rpc_free(c);
			ereport(WARNING, (errmsg("mint worker uses at most 16 send urls")));
			break;
		}
		senders[nsenders++] = c;
		ereport(LOG, (errmsg("mint worker also sends through %s", shown)));
	}
	pfree(copy);
}

void
engine_init(void)
{
	engine_cxt = AllocSetContextCreate(TopMemoryContext, "mint worker", ALLOCSET_DEFAULT_SIZES);
	tick_cxt = AllocSetContextCreate(engine_cxt, "mint worker tick", ALLOCSET_DEFAULT_SIZES);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		elog(ERROR, "curl_global_init failed");
	open_rpc();
	open_senders();
}

void
engine_reload(void)
{
	MemoryContext old = MemoryContextSwitchTo(engine_cxt);

	have_key = false; /* the key file may have changed */
	key_retry_at = 0;
	open_rpc();
	open_senders();
	MemoryContextSwitchTo(old);
}

void
engine_shutdown(void)
{
	int i;

	if (nset > 0 && engine_cxt != NULL)
	{
		MintJob **held = palloc(sizeof(MintJob *) * nset);
		int n = 0;

		/* decisions already taken are written; the rest is handed back */
		db_flush(set, nset);
		for (i = 0; i < nset; i++)
			if (!set[i]->gone && set[i]->outcome == OUT_NONE)
				held[n++] = set[i];
		db_release(held, n);
	}
	if (rpc != NULL)
		sol_rpc_free(rpc);
	rpc = NULL;
	for (i = 0; i < nsenders; i++)
		sol_rpc_free(senders[i]);
	nsenders = 0;
	curl_global_cleanup();
}

static const char *
commitment_name(void)
{
	return mint_commitment == MINT_COMMITMENT_FINALIZED ? "finalized" : "confirmed";
}

static SolCommitment
commitment_level(void)
{
	return mint_commitment == MINT_COMMITMENT_FINALIZED ? SOL_COMMITMENT_FINALIZED
	                                                    : SOL_COMMITMENT_CONFIRMED;
}

/* ---------------------------------------------------------------------------
 * Trees: before the first mint into a tree, and now and then after, the
 * worker reads the tree account and its Bubblegum tree config and checks
 * that its key may mint there.  A tree that cannot be minted into holds its
 * jobs back (queued, with the reason) instead of failing them: the cause is
 * the set-up, which an operator fixes.
 * ---------------------------------------------------------------------------
 */

/* MPL Account Compression, the owner of Bubblegum V2 trees */
#define MPL_ACCOUNT_COMPRESSION_B58 "mcmt6YrQEMKw8Mw43FmpRLmf7BqRnFMKmAcbxE3xkAW"

/* Everything known about trees is forgotten (another key, another endpoint). */
static void
forget_trees(void)
{
	int i;

	ntrees = 0;
	trees_gen++; /* answers to earlier questions are ignored */
	for (i = 0; i < nset; i++)
		set[i]->tree_slot = 0;
}

static int
tree_slot(const char *tree58)
{
	int i;

	for (i = 0; i < ntrees; i++)
		if (strcmp(trees[i].tree58, tree58) == 0)
			return i;
	if (ntrees == captrees)
	{
		captrees = Max(8, captrees * 2);
		trees = trees ? repalloc(trees, sizeof(TreeState) * captrees)
		              : MemoryContextAlloc(engine_cxt, sizeof(TreeState) * captrees);
	}
	memset(&trees[ntrees], 0, sizeof(TreeState));
	strlcpy(trees[ntrees].tree58, tree58, sizeof(trees[ntrees].tree58));
	if (!sol_pubkey_from_b58(tree58, trees[ntrees].key))
	{
		/* register_tree validated it; a bad address is unusable, never asked about */
		trees[ntrees].known = true;
		strlcpy(trees[ntrees].code, "tree_not_found", sizeof(trees[ntrees].code));
		snprintf(trees[ntrees].msg, sizeof(trees[ntrees].msg), "\"%s\" is not an address", tree58);
		trees[ntrees].recheck_at = PG_INT64_MAX;
	}
	return ntrees++;
}

static void tree_verdict(TreeState *t, TimestampTz now, const char *code, const char *fmt, ...)
    pg_attribute_printf(4, 5);

static void
tree_verdict(TreeState *t, TimestampTz now, const char *code, const char *fmt, ...)
{
	bool was = t->known ? t->usable : true;

	t->known = true;
	t->usable = code == NULL;
	t->facts_due = true;
	if (code == NULL)
	{
		t->code[0] = '\0';
		t->msg[0] = '\0';
		t->recheck_at = after_ms(now, TREE_OK_RECHECK_MS);
	}
	else
	{
		va_list ap;

		strlcpy(t->code, code, sizeof(t->code));
		va_start(ap, fmt);
		vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
		va_end(ap);
		t->recheck_at = after_ms(now, TREE_BAD_RECHECK_MS);
	}
	if (was != t->usable)
	{
		if (t->usable)
			ereport(LOG, (errmsg("mint worker: tree %s can be minted into", t->tree58)));
		else
			ereport(LOG, (errmsg("mint worker: tree %s cannot be minted into (%s): %s", t->tree58,
			                     t->code, t->msg)));
	}
}

/* A V2 tree: mint_v2 (its tree config's version, read before any build). */
static bool
tree_v2(const TreeState *t)
{
	return t->cfg_decoded && t->cfg.version == SOL_TREE_CONFIG_VERSION_V2;
}

/* A V2 tree's collection, judged as Bubblegum would (mint_v2 into an MPL Core collection). */
static bool
coll_judge(TreeState *t, TimestampTz now)
{
	char coll58[SOL_PUBKEY_B58_MAX];
	char payer58[SOL_PUBKEY_B58_MAX];

	if (!t->has_coll || !tree_v2(t))
		return true;
	sol_pubkey_to_b58(t->coll_key, coll58);
	sol_pubkey_to_b58(key_pub, payer58);
	if (!t->coll_exists)
	{
		tree_verdict(t, now, "collection_not_found",
		             "the collection %s of V2 tree %s does not exist on the cluster", coll58,
		             t->tree58);
		return false;
	}
	if (memcmp(t->coll_owner, sol_mpl_core_program_id, 32) != 0 || !t->coll_decoded)
	{
		tree_verdict(t, now, "not_core_collection",
		             "the collection %s of V2 tree %s is not an MPL Core collection (a V2 tree "
		             "mints into Core collections only)",
		             coll58, t->tree58);
		return false;
	}
	if (!t->coll.has_bubblegum_v2)
	{
		tree_verdict(t, now, "collection_not_bubblegum",
		             "the Core collection %s has no BubblegumV2 plugin: mint_v2 cannot add to it",
		             coll58);
		return false;
	}
	if (!sol_core_collection_can_mint(&t->coll, key_pub))
	{
		tree_verdict(t, now, "not_collection_authority",
		             "the worker's key %s is neither the update authority nor an update delegate "
		             "of the Core collection %s",
		             payer58, coll58);
		return false;
	}
	return true;
}

/* Every answer is in: judge the tree. */
static void
tree_judge(TreeState *t, TimestampTz now)
{
	char owner58[SOL_PUBKEY_B58_MAX];
	char payer58[SOL_PUBKEY_B58_MAX];
	uint8 cfg_addr[32];
	char cfg58[SOL_PUBKEY_B58_MAX];

	if (!t->answers_ok)
		return; /* asked again at the next tick */
	if (t->has_coll && !t->coll_asked)
	{
		/* its collection became known while the tree was being read: read both again */
		t->recheck_at = 0;
		return;
	}
	sol_pubkey_to_b58(key_pub, payer58);
	sol_tree_config_pda(t->key, cfg_addr, NULL);
	sol_pubkey_to_b58(cfg_addr, cfg58);
	if (!t->acct_exists)
	{
		tree_verdict(t, now, "tree_not_found",
		             "merkle tree %s does not exist on the cluster (mint.rpc_url)", t->tree58);
		return;
	}
	sol_pubkey_to_b58(t->acct_owner, owner58);
	if (memcmp(t->acct_owner, sol_account_compression_program_id, 32) != 0 &&
	    strcmp(owner58, MPL_ACCOUNT_COMPRESSION_B58) != 0)
	{
		tree_verdict(
		    t, now, "not_bubblegum_tree",
		    "account %s is owned by %s, not by an account-compression program: not a merkle tree",
		    t->tree58, owner58);
		return;
	}
	if (!t->cfg_exists || memcmp(t->cfg_owner, sol_bubblegum_program_id, 32) != 0 ||
	    !t->cfg_decoded)
	{
		tree_verdict(
		    t, now, "not_bubblegum_tree",
		    "merkle tree %s has no Bubblegum tree config (account %s): it was not created by "
		    "Bubblegum",
		    t->tree58, cfg58);
		return;
	}
	if (!t->cfg.is_public && memcmp(t->cfg.tree_creator, key_pub, 32) != 0 &&
	    memcmp(t->cfg.tree_delegate, key_pub, 32) != 0)
	{
		char creator58[SOL_PUBKEY_B58_MAX];
		char delegate58[SOL_PUBKEY_B58_MAX];

		sol_pubkey_to_b58(t->cfg.tree_creator, creator58);
		sol_pubkey_to_b58(t->cfg.tree_delegate, delegate58);
		tree_verdict(
		    t, now, "not_tree_authority",
		    "the worker's key %s is neither the creator (%s) nor the delegate (%s) of tree %s",
		    payer58, creator58, delegate58, t->tree58);
		return;
	}
	if (tree_v2(t) != (strcmp(owner58, MPL_ACCOUNT_COMPRESSION_B58) == 0))
	{
		/* Bubblegum keeps each version on its own compression program */
		tree_verdict(t, now, "not_bubblegum_tree",
		             "tree %s is a version %d tree owned by %s: Bubblegum would refuse it",
		             t->tree58, t->cfg.version + 1, owner58);
		return;
	}
	if (!coll_judge(t, now))
		return;
	tree_verdict(t, now, NULL, NULL);
}

/*
 * The tree's collection, as mint.trees or a job names it: a collection not
 * read with the tree yet makes the tree unknown again (read at once).
 */
static void
tree_set_collection(TreeState *t, const char *coll58)
{
	uint8 key[32];

	if (coll58 == NULL || !sol_pubkey_from_b58(coll58, key))
		return; /* none, or add_tree validated it: the mint's build refuses it */
	if (t->has_coll && memcmp(t->coll_key, key, 32) == 0)
		return;
	memcpy(t->coll_key, key, 32);
	t->has_coll = true;
	t->coll_asked = t->coll_exists = t->coll_decoded = false;
	if (t->pending == 0 && t->recheck_at != PG_INT64_MAX)
	{
		t->known = false;
		t->recheck_at = 0;
	}
}

static bool wants_build(const MintJob *j);
static bool status_due(const MintJob *j, TimestampTz now);

/* The job's tree (tree_slot caches its index + 1; 0: not looked up yet). */
static TreeState *
job_tree(MintJob *j)
{
	if (j->tree_slot == 0)
	{
		j->tree_slot = tree_slot(j->tree) + 1;
		tree_set_collection(&trees[j->tree_slot - 1], j->collection);
	}
	return &trees[j->tree_slot - 1];
}

/* Ask for a tree's account and its tree config, unless asked lately or in flight. */
static void
submit_tree_check(int slot, TimestampTz now)
{
	TreeState *t = &trees[slot];
	SolError err;
	Req *q;
	uint8 cfg_addr[32];

	if (t->pending > 0 || (t->known && now < t->recheck_at))
		return;
	t->pending = t->has_coll ? 3 : 2;
	t->coll_asked = t->has_coll;
	t->answers_ok = true;
	memset(&err, 0, sizeof(err));
	q = new_req(REQ_TREE_ACCOUNT, 0);
	q->tree = slot;
	q->gen = trees_gen;
	if (sol_rpc_get_account_info(rpc, t->key, "confirmed", mint_rpc_timeout, q, &err) == 0)
		elog(ERROR, "could not submit getAccountInfo: %s", err.message);
	sol_tree_config_pda(t->key, cfg_addr, NULL);
	q = new_req(REQ_TREE_CONFIG, 0);
	q->tree = slot;
	q->gen = trees_gen;
	if (sol_rpc_get_account_info(rpc, cfg_addr, "confirmed", mint_rpc_timeout, q, &err) == 0)
		elog(ERROR, "could not submit getAccountInfo: %s", err.message);
	if (t->has_coll)
	{
		q = new_req(REQ_TREE_COLL, 0);
		q->tree = slot;
		q->gen = trees_gen;
		if (sol_rpc_get_account_info(rpc, t->coll_key, "confirmed", mint_rpc_timeout, q, &err) == 0)
			elog(ERROR, "could not submit getAccountInfo: %s", err.message);
	}
}

/* Ask about the trees that jobs waiting for a build need and nobody asked about yet. */
static void
submit_tree_checks(TimestampTz now)
{
	int i;

	for (i = 0; i < nset; i++)
	{
		MintJob *j = set[i];

		if (!wants_build(j) || j->tree == NULL)
			continue;
		(void)job_tree(j);
		submit_tree_check(j->tree_slot - 1, now);
	}
}

/* How often the pool's trees that no job can be dealt to yet are looked up. */
#define POOL_CHECK_MS 1000
static TimestampTz next_pool_check = 0;
static TimestampTz last_pool_check = 0;

/*
 * The active trees mint.trees has no reading of (or an old one): read them,
 * whether or not a job needs them, since no job is dealt to a tree before
 * its capacity is known (mint._claim).
 */
static void
submit_pool_checks(TimestampTz now, bool woken)
{
	char **names;
	char **colls;
	int n;
	int i;

	/* a wake (a commit: tickets, a tree registered) looks at once, at most every 100 ms */
	if (now < next_pool_check && !(woken && now >= after_ms(last_pool_check, 100)))
		return;
	next_pool_check = after_ms(now, POOL_CHECK_MS);
	last_pool_check = now;
	n = db_trees_to_check(64, tick_cxt, &names, &colls);
	for (i = 0; i < n; i++)
	{
		int slot = tree_slot(names[i]);
		TreeState *t = &trees[slot];

		tree_set_collection(t, colls[i]);
		if (t->known && t->pending == 0 && now < t->recheck_at)
			t->facts_due = true; /* read, but mint.trees did not get it: tell it again */
		else
			submit_tree_check(slot, now);
	}
}

/* Tell mint.trees what was learnt about its trees. */
static void
write_tree_facts(void)
{
	int i;

	for (i = 0; i < ntrees; i++)
	{
		TreeState *t = &trees[i];
		MintTreeFacts f;

		if (!t->facts_due || !t->known)
			continue;
		memset(&f, 0, sizeof(f));
		f.capacity = f.num_minted = -1;
		f.version = f.max_depth = f.max_buffer_size = f.canopy_depth = -1;
		if (t->usable)
		{
			if (t->cfg_decoded)
			{
				f.capacity = (int64)Min(t->cfg.total_mint_capacity, (uint64)PG_INT64_MAX);
				f.num_minted = (int64)Min(t->cfg.num_minted, (uint64)PG_INT64_MAX);
				f.version = t->cfg.version + 1; /* TreeConfig's enum: V1 = 0 */
			}
			if (t->shape_known)
			{
				f.max_depth = (int)t->shape.max_depth;
				f.max_buffer_size = (int)t->shape.max_buffer_size;
				f.canopy_depth = (int)t->shape.canopy_depth;
			}
		}
		else
		{
			f.problem_code = t->code;
			f.problem = t->msg;
		}
		f.full = t->full_seen;
		db_tree_facts(t->tree58, &f);
		if (t->usable)
			next_claim = 0; /* its tenant's held-back jobs are due: claim them now */
		t->facts_due = false;
		t->full_seen = false;
	}
}

/* A mint into this job's tree was refused for capacity (InsufficientMintCapacity). */
static void
tree_full(MintJob *j)
{
	TreeState *t = job_tree(j);

	if (!t->full_seen)
		ereport(LOG, (errmsg("mint worker: tree %s is full; its jobs move to other trees of the "
		                     "pool",
		                     t->tree58)));
	t->full_seen = true;
	t->facts_due = true;
}

/* Bubblegum's InsufficientMintCapacity (6017) in a transaction error. */
static bool
capacity_error(const char *err_json)
{
	return err_json != NULL && strstr(err_json, "\"Custom\":6017}") != NULL;
}

/* How long a tree's recent prioritization fees are used before they are asked again. */
#define FEE_REFRESH_MS 10000

static bool
dynamic_fee(void)
{
	return mint_priority_fee_max > 0;
}

/*
 * With a dynamic priority fee: ask for the recent prioritization fees over
 * the accounts every mint into the tree write-locks (the tree and its tree
 * config) for each tree a job waits to be built for, every FEE_REFRESH_MS.
 */
static void
submit_fee_checks(TimestampTz now)
{
	int i;

	if (!dynamic_fee())
		return;
	for (i = 0; i < nset; i++)
	{
		MintJob *j = set[i];
		TreeState *t;
		SolError err;
		Req *q;
		uint8 accounts[2][32];

		if (!wants_build(j) || j->tree == NULL)
			continue;
		t = job_tree(j);
		if (t->fee_pending || (t->fee_known && now < after_ms(t->fee_at, FEE_REFRESH_MS)))
			continue;
		memcpy(accounts[0], t->key, 32);
		sol_tree_config_pda(t->key, accounts[1], NULL);
		q = new_req(REQ_FEES, 0);
		q->tree = j->tree_slot - 1;
		q->gen = trees_gen;
		memset(&err, 0, sizeof(err));
		if (sol_rpc_submit(
		        rpc, "getRecentPrioritizationFees",
		        sol_rpc_params_recent_prioritization_fees((const uint8_t(*)[32])accounts, 2),
		        mint_rpc_timeout, q, &err) == 0)
			elog(ERROR, "could not submit getRecentPrioritizationFees: %s", err.message);
		t->fee_pending = true;
		t->fee_at = now;
	}
}

static void
on_fees(Req *q, SolRpcResult *r, TimestampTz now)
{
	TreeState *t;
	uint64 fees[SOL_RECENT_FEE_SLOTS];
	size_t n;
	SolError err;

	if (q->gen != trees_gen || q->tree >= ntrees)
		return; /* forgotten (key or endpoint changed) */
	t = &trees[q->tree];
	t->fee_pending = false;
	memset(&err, 0, sizeof(err));
	if (r->cls == SOL_RPC_OK &&
	    sol_rpc_parse_prioritization_fees(r, fees, lengthof(fees), &n, &err) == 0)
	{
		rpc_succeeded();
		t->fee_recent = sol_fee_percentile(fees, n, mint_priority_fee_percentile);
		t->fee_known = true;
		return;
	}
	if (r->cls == SOL_RPC_OK)
		rpc_malformed(r, err.message, now);
	else
		rpc_failed(r, now);
	/* no answer: build with what is known (the last percentile, or the floor) and
	 * ask again at the next refresh, rather than hold the tickets back */
	t->fee_known = true;
}

static void
on_tree_account(Req *q, SolRpcResult *r, TimestampTz now)
{
	TreeState *t;
	uint8 data[4096]; /* a tree config (96 bytes) or a Core collection with its plugins */
	size_t len;
	bool exists;
	uint8 owner[32];
	SolError err;

	if (q->gen != trees_gen || q->tree >= ntrees)
		return; /* forgotten (key or endpoint changed) */
	t = &trees[q->tree];
	t->pending--;
	memset(&err, 0, sizeof(err));
	if (r->cls != SOL_RPC_OK)
	{
		rpc_failed(r, now);
		t->answers_ok = false;
	}
	else
	{
		/* the tree account's data is large: only its existence and owner matter */
		bool want_data = q->kind != REQ_TREE_ACCOUNT;
		int rc = sol_rpc_parse_account(r, want_data ? data : NULL, want_data ? sizeof(data) : 0,
		                               &len, &exists, owner, &err);

		if (rc != 0)
		{
			rpc_malformed(r, err.message, now);
			t->answers_ok = false;
		}
		else
		{
			rpc_succeeded();
			if (q->kind == REQ_TREE_ACCOUNT)
			{
				t->acct_exists = exists;
				memcpy(t->acct_owner, owner, 32);
				t->shape_known = exists && sol_tree_shape_from_account(r->result, &t->shape) == 0;
			}
			else if (q->kind == REQ_TREE_CONFIG)
			{
				t->cfg_exists = exists;
				memcpy(t->cfg_owner, owner, 32);
				t->cfg_decoded = exists && sol_tree_config_decode(data, len, &t->cfg) == 0;
			}
			else
			{
				t->coll_exists = exists;
				memcpy(t->coll_owner, owner, 32);
				t->coll_decoded = exists && sol_core_collection_decode(data, len, &t->coll) == 0;
			}
		}
	}
	if (t->pending == 0)
		tree_judge(t, now);
}

/* ---------------------------------------------------------------------------
 * Tree creation (mint.create_tree): the worker of slot 0 creates each tree
 * under a mint's rules.  The creation is recorded (mint.tree_attempts)
 * before it is first sent, only its recorded bytes are re-broadcast, and a
 * new one is built only when the old one is provably dead: expired (unknown
 * to a view at least as new as the finalized height that is past its last
 * valid block height) or landed with an error at finalized commitment.  The
 * tree's address follows from the key and the seed, so even a second
 * landing could not make a second account: it would fail.
 * ---------------------------------------------------------------------------
 */

#define MAX_CREATIONS      16
#define CREATION_LOAD_MS   1000
#define CREATION_RESEND_MS 2000
#define CREATE_TREE_CU     1400000

typedef struct TreeCreation
{
	char tenant[65]; /* a tenant id: at most 64 bytes (api/validate.h) */
	char tree58[SOL_PUBKEY_B58_MAX];
	char seed[SOL_MAX_SEED_LEN + 1];
	int depth, buffer, canopy;
	int version; /* 2: create_tree_v2 */
	/* the new MPL Core collection its transaction also creates (V2 only) */
	bool new_coll;
	uint8 coll_address[32];
	char coll_name[SOL_CORE_MAX_NAME + 1];
	char coll_uri[SOL_CORE_MAX_URI + 1];
	uint16 coll_royalty;
	uint8 coll_recipient[32];
	bool coll_freeze;
	bool coll_has_freeze_authority;
	uint8 coll_freeze_authority[32];
	bool has_att;
	char sig58[SOL_SIGNATURE_B58_MAX];
	uint8 sig[64];
	int64 last_valid;
	char genesis58[SOL_PUBKEY_B58_MAX];
	uint8 tx[SOL_PACKET_DATA_SIZE];
	int txlen;
	bool req;               /* a call about it is in flight */
	bool told;              /* a refusal of this attempt was logged */
	bool refused_permanent; /* preflight: the program refuses it (no more sends) */
	char refusal[256];
	TimestampTz next_send;
	TimestampTz next_check;
} TreeCreation;

static TreeCreation creations[MAX_CREATIONS];
static int ncreations = 0;
static int creations_gen = 0;
static int creations_req = 0; /* calls in flight */
static TimestampTz next_creation_load = 0;

#define ROLLOVER_MS 2000
static TimestampTz next_rollover = 0;

/* The tenants' tree policies: create the next tree of each pool that runs low. */
static void
rollover(TimestampTz now)
{
	MintRollover *rows;
	int n;
	int i;
	char msg[256] = "";

	if (now < next_rollover)
		return;
	next_rollover = after_ms(now, ROLLOVER_MS);
	n = db_tree_rollover(tick_cxt, &rows);
	for (i = 0; i < n; i++)
	{
		if (rows[i].merkle_tree != NULL)
		{
			ereport(LOG, (errmsg("mint worker: the pool of tenant \"%s\" runs low (" INT64_FORMAT
			                     " free leaves): creating tree %s",
			                     rows[i].tenant_id, rows[i].free, rows[i].merkle_tree)));
			next_creation_load = now;
		}
		else if (rows[i].reason != NULL)
		{
			if (strcmp(pool_msg, rows[i].reason) != 0 && msg[0] == '\0')
				ereport(LOG, (errmsg("mint worker: %s", rows[i].reason)));
			if (msg[0] == '\0')
				strlcpy(msg, rows[i].reason, sizeof(msg));
		}
	}
	strlcpy(pool_msg, msg, sizeof(pool_msg));
}

static bool
creations_to_build(void)
{
	int i;

	for (i = 0; i < ncreations; i++)
		if (!creations[i].has_att)
			return true;
	return false;
}

static bool
creations_watching(void)
{
	int i;

	for (i = 0; i < ncreations; i++)
		if (creations[i].has_att)
			return true;
	return false;
}

/*
 * The trees to create and their pending attempts (when no call is in
 * flight).  What the worker knows of an attempt it already holds (when to
 * send and ask next, a refusal) is kept.
 */
static void
load_creations(TimestampTz now)
{
	MintTreeCreation *rows;
	TreeCreation *old;
	int nold = ncreations;
	int n;
	int i;

	if (now < next_creation_load || creations_req > 0)
		return;
	next_creation_load = after_ms(now, CREATION_LOAD_MS);
	n = db_tree_creations(MAX_CREATIONS, tick_cxt, &rows);
	old = palloc(sizeof(TreeCreation) * Max(nold, 1));
	memcpy(old, creations, sizeof(TreeCreation) * nold);
	creations_gen++;
	ncreations = 0;
	for (i = 0; i < n; i++)
	{
		TreeCreation *c = &creations[ncreations++];
		int k;

		for (k = 0; k < nold; k++)
			if (strcmp(old[k].tree58, rows[i].merkle_tree) == 0 && old[k].has_att &&
			    rows[i].signature != NULL && strcmp(old[k].sig58, rows[i].signature) == 0)
				break;
		if (k < nold)
		{
			*c = old[k]; /* the same attempt: what is known of it stays */
			c->req = false;
			continue;
		}
		memset(c, 0, sizeof(*c));
		strlcpy(c->tenant, rows[i].tenant_id, sizeof(c->tenant));
		strlcpy(c->tree58, rows[i].merkle_tree, sizeof(c->tree58));
		strlcpy(c->seed, rows[i].seed, sizeof(c->seed));
		c->depth = rows[i].max_depth;
		c->buffer = rows[i].max_buffer_size;
		c->canopy = rows[i].canopy_depth;
		c->version = rows[i].version;
		if (rows[i].coll_address != NULL &&
		    sol_pubkey_from_b58(rows[i].coll_address, c->coll_address))
		{
			c->new_coll = true;
			strlcpy(c->coll_name, rows[i].coll_name, sizeof(c->coll_name));
			strlcpy(c->coll_uri, rows[i].coll_uri, sizeof(c->coll_uri));
			c->coll_royalty = (uint16)Min(Max(rows[i].coll_royalty, 0), 10000);
			c->coll_freeze = rows[i].coll_freeze;
			/* royalties to the worker's key unless the operator named a recipient */
			if (rows[i].coll_recipient == NULL ||
			    !sol_pubkey_from_b58(rows[i].coll_recipient, c->coll_recipient))
				memcpy(c->coll_recipient, key_pub, 32);
			c->coll_has_freeze_authority =
			    rows[i].coll_freeze_authority != NULL &&
			    sol_pubkey_from_b58(rows[i].coll_freeze_authority, c->coll_freeze_authority);
		}
		if (rows[i].signature != NULL && rows[i].txlen <= (int)sizeof(c->tx))
		{
			/* an attempt recorded earlier (by this process before a restart, or another) */
			c->has_att = true;
			strlcpy(c->sig58, rows[i].signature, sizeof(c->sig58));
			memcpy(c->tx, rows[i].tx, rows[i].txlen);
			c->txlen = rows[i].txlen;
			memcpy(c->sig, c->tx + 1, 64); /* one signature: after its count byte */
			c->last_valid = rows[i].last_valid;
			strlcpy(c->genesis58, rows[i].genesis, sizeof(c->genesis58));
		}
		c->next_send = now;
		c->next_check = now;
	}
	pfree(old);
}

/* Build, record, then (below) send the creation of every tree without a pending attempt. */
static void
build_creations(TimestampTz now)
{
	int i;

	for (i = 0; i < ncreations; i++)
	{
		TreeCreation *c = &creations[i];
		SolCreateTree p;
		SolError err;
		int len;

		if (c->has_att)
			continue;
		memset(&p, 0, sizeof(p));
		memcpy(p.payer, key_pub, 32);
		strlcpy(p.seed, c->seed, sizeof(p.seed));
		p.max_depth = (uint32)c->depth;
		p.max_buffer_size = (uint32)c->buffer;
		p.canopy_depth = (uint32)c->canopy;
		p.version = (uint8)c->version;
		if (c->new_coll)
		{
			p.new_collection = true;
			memcpy(p.coll_address, c->coll_address, 32);
			strlcpy(p.coll_name, c->coll_name, sizeof(p.coll_name));
			strlcpy(p.coll_uri, c->coll_uri, sizeof(p.coll_uri));
			p.royalty_bps = c->coll_royalty;
			memcpy(p.royalty_recipient, c->coll_recipient, 32);
			p.permanent_freeze = c->coll_freeze;
			p.has_freeze_authority = c->coll_has_freeze_authority;
			memcpy(p.freeze_authority, c->coll_freeze_authority, 32);
		}
		p.cu_limit = CREATE_TREE_CU;
		p.cu_price_micro_lamports = (uint64)mint_priority_fee;
		memset(&err, 0, sizeof(err));
		len =
		    sol_build_create_tree_tx(&p, blockhash, key_secret, c->tx, sizeof(c->tx), c->sig, &err);
		if (len < 0)
		{
			ereport(LOG, (errmsg("mint worker cannot build the creation of tree %s: %s", c->tree58,
			                     err.message)));
			continue;
		}
		{
			uint8 addr[32];
			char addr58[SOL_PUBKEY_B58_MAX];

			/* the address was derived from this key when the tree was asked for */
			sol_create_tree_address(&p, addr);
			sol_pubkey_to_b58(addr, addr58);
			if (strcmp(addr58, c->tree58) != 0)
			{
				ereport(LOG, (errmsg("mint worker: tree %s was asked for with another key; not "
				                     "created",
				                     c->tree58)));
				continue;
			}
		}
		c->txlen = len;
		sol_signature_to_b58(c->sig, c->sig58);
		c->last_valid = blockhash_last_valid;
		strlcpy(c->genesis58, genesis58, sizeof(c->genesis58));
		/* RECORD before SEND */
		if (!db_record_tree_attempt(c->tenant, c->tree58, c->sig58, c->last_valid, c->tx, c->txlen,
		                            c->genesis58))
		{
			next_creation_load = now; /* someone else's change: look again */
			continue;
		}
		crash_point("after_tree_record");
		ereport(LOG, (errmsg("mint worker: creating tree %s for tenant \"%s\" (transaction %s)",
		                     c->tree58, c->tenant, c->sig58)));
		c->has_att = true;
		c->told = false;
		c->refused_permanent = false;
		c->next_send = now;
		c->next_check = after_ms(now, mint_poll_interval);
	}
}

static void
submit_creations(TimestampTz now)
{
	int i;

	for (i = 0; i < ncreations; i++)
	{
		TreeCreation *c = &creations[i];
		SolError err;
		Req *q;

		if (!c->has_att || c->req || strcmp(c->genesis58, genesis58) != 0)
			continue;
		memset(&err, 0, sizeof(err));
		if (now >= c->next_check)
		{
			q = new_req(REQ_CREATE_STATUS, 0);
			q->tree = i;
			q->gen = creations_gen;
			q->fin = fin_height;
			q->fin_slot = fin_slot;
			if (sol_rpc_get_signature_statuses(rpc, (const uint8(*)[64])c->sig, 1, true,
			                                   mint_rpc_timeout, q, &err) == 0)
				elog(ERROR, "could not submit getSignatureStatuses: %s", err.message);
		}
		else if (now >= c->next_send && !c->refused_permanent)
		{
			q = new_req(REQ_CREATE_SEND, 0);
			q->tree = i;
			q->gen = creations_gen;
			if (sol_rpc_submit(
			        rpc, "sendTransaction",
			        sol_rpc_params_send_transaction(c->tx, c->txlen, false, commitment_name(), 0),
			        mint_rpc_timeout, q, &err) == 0)
				elog(ERROR, "could not submit sendTransaction: %s", err.message);
			c->next_send = after_ms(now, CREATION_RESEND_MS);
		}
		else
			continue;
		c->req = true;
		creations_req++;
	}
}

static void
on_creation(Req *q, SolRpcResult *r, TimestampTz now)
{
	TreeCreation *c;
	SolSignatureStatus st;
	SolError err;
	uint64 ctx = 0;
	const char *done = NULL;
	char why[256] = "";

	creations_req--;
	if (q->gen != creations_gen || q->tree >= ncreations)
		return;
	c = &creations[q->tree];
	c->req = false;
	if (q->kind == REQ_CREATE_SEND)
	{
		/* only the status decides; a refusal is no proof of anything */
		if (r->cls == SOL_RPC_PREFLIGHT_PERMANENT)
		{
			/* the program refuses it: the tree fails once the attempt is provably dead */
			c->refused_permanent = true;
			strlcpy(c->refusal, r->message, sizeof(c->refusal));
		}
		if (r->cls != SOL_RPC_OK && r->cls != SOL_RPC_ALREADY_PROCESSED && !c->told)
		{
			/* once per attempt: it is sent again until it lands or expires */
			ereport(LOG, (errmsg("mint worker: the creation of tree %s was refused (%s): %s",
			                     c->tree58, sol_rpc_class_name(r->cls), r->message)));
			c->told = true;
		}
		return;
	}
	c->next_check = after_ms(now, Max(mint_poll_interval, 200));
	memset(&err, 0, sizeof(err));
	if (r->cls != SOL_RPC_OK)
	{
		rpc_failed(r, now);
		return;
	}
	if (sol_rpc_parse_signature_statuses(r, &st, 1, &err) != 0)
	{
		rpc_malformed(r, err.message, now);
		return;
	}
	rpc_succeeded();
	if (st.found)
	{
		if (st.confirmation < SOL_COMMITMENT_FINALIZED)
			return; /* landed; a tree is ready only at finalized */
		if (st.failed)
		{
			done = "landed_err";
			snprintf(why, sizeof(why), "the creation landed with an error: %s", st.err);
		}
		else
			done = "landed_ok";
	}
	else if (q->fin >= 0 && q->fin > c->last_valid &&
	         sol_rpc_parse_context_slot(r, &ctx, &err) == 0 && (int64)ctx >= q->fin_slot)
	{
		done = "expired";
		if (c->refused_permanent)
			snprintf(why, sizeof(why), "the program refused the creation: %s", c->refusal);
		else
			snprintf(
			    why, sizeof(why),
			    "transaction %s never landed; its blockhash expired at block height " INT64_FORMAT,
			    c->sig58, c->last_valid);
	}
	if (done == NULL)
		return;
	db_tree_attempt_done(
	    c->tenant, c->tree58, c->sig58, done, why,
	    strcmp(done, "landed_err") == 0 || c->refused_permanent ? "tree_create_failed" : NULL);
	if (strcmp(done, "landed_ok") == 0)
		ereport(LOG,
		        (errmsg("mint worker: created tree %s for tenant \"%s\"", c->tree58, c->tenant)));
	else
		ereport(LOG, (errmsg("mint worker: the creation of tree %s is dead (%s): %s", c->tree58,
		                     done, why)));
	c->has_att = false;
	next_creation_load = now;
}

/* ---------------------------------------------------------------------------
 * Claiming and building
 * ---------------------------------------------------------------------------
 */

/* One batch; whether it was full. */
static bool
claim_batch(TimestampTz now)
{
	MintJob **jobs;
	int n;
	int i;
	int room = mint_max_inflight - nset;
	MintJob **fresh;
	int nfresh = 0;

	/* the jobs outlive the tick: they are allocated in engine_cxt */
	if (holder_id == 0)
		holder_id = db_lock_holder();
	n = db_claim(Min(room, mint_batch_size), holder_id, engine_cxt, &jobs);
	if (n == 0)
		return false;
	fresh = palloc(sizeof(MintJob *) * n);
	for (i = 0; i < n; i++)
		fresh[nfresh++] = jobs[i];
	db_load_pending(fresh, nfresh, engine_cxt);
	for (i = 0; i < nfresh; i++)
	{
		fresh[i]->next_check = now;
		fresh[i]->next_send = now;
		fresh[i]->lease_at = now;
		fresh[i]->resend = fresh[i]->has_att; /* a taken-over attempt is re-broadcast */
		set_add(fresh[i]);
	}
	pfree(fresh);
	pfree(jobs);
	crash_point("after_claim");
	return n == mint_batch_size;
}

/*
 * Claim batches of mint.batch_size until the working set is full, the queue
 * has no more, or CLAIM_ROUNDS_MAX batches were taken this tick: with tens
 * of thousands of jobs in flight a tick comes every few tens of ms, and one
 * batch a tick capped the drain at batch_size x ticks per second.
 */
static void
claim(TimestampTz now)
{
	int round;

	for (round = 0; round < CLAIM_ROUNDS_MAX && nset < mint_max_inflight; round++)
		if (!claim_batch(now))
			return;
	if (nset < mint_max_inflight)
		next_claim = now; /* every batch was full: there may be more waiting */
}

/*
 * Identical parameters (one owner, one metadata, one tree) under one
 * blockhash sign identical bytes: one transaction, so one mint for two
 * tickets (a buyer's two tickets of one kind), and the second attempt's
 * record collides with the first's signature.  The signatures this worker
 * built under the current blockhash are kept (built_sigs), each with how
 * many repeats of it were built: the n-th repeat asks for n compute-unit
 * steps more (with no limit asked for, the tree's limit becomes it), so it
 * is one more build, whatever the number of repeats.  A step is
 * mint.workers units and worker slot s adds s, so two workers never sign
 * the same bytes either.  A few units over the budget change nothing the
 * program does; past the largest limit a job waits for the next blockhash.
 */
typedef struct BuiltSig
{
	uint8 sig[64]; /* of the transaction as the parameters alone make it */
	int32 repeats; /* builds of those parameters after the first */
} BuiltSig;

static HTAB *built_sigs = NULL;
static uint8 built_under[32]; /* the blockhash built_sigs is of */

/* the signed length, -1 with err set, or 0: not under this blockhash (build it with the next) */
static int
build_distinct(MintJob *j, SolMintParams *p, const SolTreeShape *shape, uint8 *buf, size_t cap,
               SolError *err)
{
	uint32 budget = p->cu_limit;
	int32 *repeats = NULL; /* of the first signature these parameters made */

	if (built_sigs == NULL || memcmp(built_under, blockhash, 32) != 0)
	{
		HASHCTL ctl;

		if (built_sigs)
			hash_destroy(built_sigs);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = 64;
		ctl.entrysize = sizeof(BuiltSig);
		ctl.hcxt = engine_cxt;
		built_sigs = hash_create("mint signatures under one blockhash", 1024, &ctl,
		                         HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		memcpy(built_under, blockhash, 32);
	}
	if (mint_worker_slot > 0)
	{
		if (budget == 0)
			budget = sol_mint_cu_limit(p, shape, j->attempts);
		p->cu_limit = budget + (uint32)mint_worker_slot;
	}
	for (;;)
	{
		int len = sol_build_mint_tx(p, blockhash, key_secret, buf, cap, j->sig, err);
		bool found;
		BuiltSig *e;
		uint64 limit;

		if (len < 0)
			return -1;
		e = hash_search(built_sigs, j->sig, HASH_ENTER, &found);
		if (!found)
		{
			e->repeats = 0;
			return len;
		}
		/* a repeat (or, rarely, the bytes another job's own limit gives): more units */
		if (repeats == NULL)
			repeats = &e->repeats;
		if (budget == 0)
			budget = sol_mint_cu_limit(p, shape, j->attempts);
		limit = (uint64)budget + (uint64)mint_worker_slot +
		        (uint64)(*repeats + 1) * (uint64)Max(mint_workers, 1);
		if (limit > SOL_MAX_COMPUTE_UNITS)
			return 0;
		(*repeats)++;
		p->cu_limit = (uint32)limit;
	}
}

static bool
wants_build(const MintJob *j)
{
	return !j->gone && j->outcome == OUT_NONE && !j->has_att;
}

/*
 * Build and sign a transaction for every job without a pending attempt,
 * record them all in one transaction, then send the recorded ones.
 */
static void
build_record_send(TimestampTz now)
{
	MintJob **built = palloc(sizeof(MintJob *) * Max(nset, 1));
	int nbuilt = 0;
	int i;

	for (i = 0; i < nset; i++)
	{
		MintJob *j = set[i];
		SolMetadata md;
		SolMintParams p;
		SolError err;
		uint8 buf[SOL_PACKET_DATA_SIZE];
		const SolTreeShape *shape;
		int len;

		if (!wants_build(j))
			continue;
		if (exhausted(j))
		{
			set_error(j, "exhausted", NULL, "%d attempts without a mint",
			          j->attempts - j->attempt_base);
			j->outcome = OUT_FAIL;
			continue;
		}
		j->seen = false;
		if (j->tree == NULL)
		{
			set_error(j, "validation", "no_tree", "tenant \"%s\" has no active merkle tree",
			          j->tenant_id);
			j->outcome = OUT_FAIL;
			continue;
		}
		{
			TreeState *t = job_tree(j);

			if (!t->known)
				continue; /* its check is in flight: built when the answer comes */
			if (dynamic_fee() && !t->fee_known)
				continue; /* the same for its recent fees */
			if (!t->usable)
			{
				/* held back, not failed: nothing was signed, and an operator fixes this */
				set_error(j, "blocked", t->code, "%s", t->msg);
				j->outcome = OUT_REQUEUE;
				j->delay_ms = (int32)Max(backoff_cap(j->retries), 1000.0);
				continue;
			}
		}
		memset(&err, 0, sizeof(err));
		if (!mint_params(j->owner, j->metadata, j->tree, j->collection, tree_v2(job_tree(j)),
		                 key_pub, &md, &p, &err) ||
		    sol_metadata_check_signers(&md, key_pub, key_pub, &err) != 0)
		{
			set_error(j, "validation", err.field, "cannot build the mint: %s", err.message);
			j->outcome = OUT_FAIL;
			continue;
		}
		if (dynamic_fee())
		{
			/* the attempt's price (docs/DESIGN.md §5.3): this tree's recent fees, dearer for
			 * each earlier attempt since the last retry_mint that expired */
			p.cu_price_micro_lamports = sol_priority_fee(
			    (uint64)mint_priority_fee, job_tree(j)->fee_recent, (uint64)mint_priority_fee_max,
			    (unsigned)Max(j->attempts - j->attempt_base, 0));
		}
		j->cu_price = p.cu_price_micro_lamports;
		if (p.v2 && p.to_collection && job_tree(j)->coll_decoded)
			p.core_plugins = (uint8)Min(Max((int)job_tree(j)->coll.num_plugins - 1, 0), 255);
		/* the compute-unit limit for this tree and attempt (docs/DESIGN.md §5.2) */
		shape = job_tree(j)->shape_known ? &job_tree(j)->shape : NULL;
		mint_params_budget(&p, shape, j->attempts);
		len = build_distinct(j, &p, shape, buf, sizeof(buf), &err);
		if (len == 0)
			continue; /* built with the next blockhash */
		j->cu_limit = p.cu_limit;
		if (len < 0)
		{
			set_error(j, "validation", sol_error_code_name(err.code), "cannot build the mint: %s",
			          err.message);
			j->outcome = OUT_FAIL;
			continue;
		}
		sol_signature_to_b58(j->sig, j->sig58);
		j->tx = MemoryContextAlloc(engine_cxt, len);
		memcpy(j->tx, buf, len);
		j->txlen = len;
		j->last_valid = blockhash_last_valid;
		strlcpy(j->genesis58, genesis58, sizeof(j->genesis58));
		j->has_att = true;
		j->recorded = false;
		j->maybe_accepted = false;
		j->refused = false;
		j->resend = true; /* the first send */
		j->send_failures = 0;
		j->landed_checks = 0;
		built[nbuilt++] = j;
	}
	if (nbuilt == 0)
	{
		pfree(built);
		return;
	}

	/* RECORD before SEND: nothing unrecorded ever leaves this process. */
	db_record_attempts(built, nbuilt, blockhash58, genesis58);
	crash_point("after_record");
	for (i = 0; i < nbuilt; i++)
	{
		MintJob *j = built[i];

		if (!j->recorded)
		{
			/*
			 * refused: the bytes are an attempt recorded already (another
			 * job's, built before this worker restarted under the same
			 * blockhash: built_sigs now has them, so the next build differs),
			 * our lease was taken over, or an earlier attempt is alive.  One
			 * more build, then the job is let go.
			 */
			j->has_att = false;
			pfree(j->tx);
			j->tx = NULL;
			j->txlen = 0;
			if (!j->record_refused)
			{
				j->record_refused = true;
				continue;
			}
			ereport(LOG, (errmsg("mint worker could not record an attempt for job mint:%s:%s",
			                     j->tenant_id, j->ticket_id)));
			j->gone = true;
			continue;
		}
		j->record_refused = false;
		j->next_send = now; /* sent below */
		j->next_check = after_ms(now, mint_poll_interval);
		j->lease_at = now; /* recording extends the lease */
	}
	pfree(built);
}

/* ---------------------------------------------------------------------------
 * Submitting calls
 * ---------------------------------------------------------------------------
 */

/* Whether the job's attempt was made for another cluster than the endpoint's. */
static bool
foreign_attempt(const MintJob *j)
{
	return j->has_att && j->genesis58[0] != '\0' && have_genesis &&
	       strcmp(j->genesis58, genesis58) != 0;
}

static void
flush_sends(SolRpcCall *calls, MintJob **jobs, int *nc, size_t *bytes)
{
	uint64 ids[SEND_CHUNK];
	SolError err;
	int k;

	if (*nc == 0)
		return;
	memset(&err, 0, sizeof(err));
	if (sol_rpc_submit_batch(rpc, calls, *nc, mint_rpc_timeout, ids, &err) != 0)
		elog(ERROR, "could not submit sendTransaction batch: %s", err.message);
	/* the same bytes through every send-only path (one signature: the chain deduplicates) */
	for (k = 0; k < nsenders; k++)
	{
		SolRpcCall extra[SEND_CHUNK];
		int i;

		for (i = 0; i < *nc; i++)
		{
			extra[i].method = "sendTransaction";
			extra[i].params =
			    sol_rpc_params_send_transaction(jobs[i]->tx, jobs[i]->txlen, true, NULL, 0);
			extra[i].tag = NULL;
		}
		memset(&err, 0, sizeof(err));
		if (sol_rpc_submit_batch(senders[k], extra, *nc, mint_rpc_timeout, ids, &err) != 0)
			elog(ERROR, "could not submit sendTransaction batch to a send url: %s", err.message);
	}
	*nc = 0;
	*bytes = 0;
}

static void
submit_sends(TimestampTz now)
{
	SolRpcCall calls[SEND_CHUNK];
	MintJob *jobs[SEND_CHUNK];
	int nc = 0;
	size_t bytes = 0;
	int i;

	for (i = 0; i < nset; i++)
	{
		MintJob *j = set[i];
		size_t size;
		Req *q;

		if (j->gone || j->outcome != OUT_NONE || !j->has_att || !j->recorded || j->seen ||
		    j->refused || !j->resend || j->req_send || now < j->next_send || foreign_attempt(j))
			continue;
		/* base64 of the transaction plus the JSON around it */
		size = 4 * ((j->txlen + 2) / 3) + 200;
		if (nc == SEND_CHUNK || bytes + size > SEND_BATCH_BYTES)
			flush_sends(calls, jobs, &nc, &bytes);
		q = new_req(REQ_SEND, 1);
		req_add(q, 0, j);
		j->req_send = true;
		calls[nc].method = "sendTransaction";
		/* preflight on a view at least as new as any seen: a lagging node says so */
		calls[nc].params =
		    sol_rpc_params_send_transaction_min(j->tx, j->txlen, false, commitment_name(), 0,
		                                        hwm_slot[commitment_index(commitment_name())]);
		calls[nc].tag = q;
		jobs[nc] = j;
		nc++;
		bytes += size;
	}
	flush_sends(calls, jobs, &nc, &bytes);
}

static void
submit_statuses(TimestampTz now)
{
	uint8(*sigs)[64] = NULL;
	Req *q = NULL;
	int nq = 0;
	int i;

	for (i = 0; i <= nset; i++)
	{
		MintJob *j = i < nset ? set[i] : NULL;

		if (j != NULL && !j->gone && j->outcome == OUT_NONE && j->has_att && j->recorded &&
		    !j->req_status && !j->req_tx && status_due(j, now))
		{
			if (q == NULL)
			{
				q = new_req(REQ_STATUS, STATUS_CHUNK);
				q->fin = fin_height;
				q->fin_slot = fin_slot;
				sigs = palloc(64 * STATUS_CHUNK);
				nq = 0;
			}
			memcpy(sigs[nq], j->sig, 64);
			req_add(q, nq, j);
			j->req_status = true;
			nq++;
		}
		if (q != NULL && (nq == STATUS_CHUNK || j == NULL))
		{
			SolError err;

			q->n = nq;
			memset(&err, 0, sizeof(err));
			if (sol_rpc_get_signature_statuses(rpc, (const uint8(*)[64])sigs, nq, true,
			                                   mint_rpc_timeout, q, &err) == 0)
				elog(ERROR, "could not submit getSignatureStatuses: %s", err.message);
			pfree(sigs);
			q = NULL;
		}
	}
}

static void
submit_gettx(MintJob **jobs, int n)
{
	int i;

	for (i = 0; i < n; i += GETTX_CHUNK)
	{
		SolRpcCall calls[GETTX_CHUNK];
		uint64 ids[GETTX_CHUNK];
		int k;
		int m = Min(GETTX_CHUNK, n - i);
		SolError err;

		for (k = 0; k < m; k++)
		{
			Req *q = new_req(REQ_GETTX, 1);

			req_add(q, 0, jobs[i + k]);
			jobs[i + k]->req_tx = true;
			calls[k].method = "getTransaction";
			calls[k].params = sol_rpc_params_get_transaction(jobs[i + k]->sig, commitment_name());
			calls[k].tag = q;
		}
		memset(&err, 0, sizeof(err));
		if (sol_rpc_submit_batch(rpc, calls, m, mint_rpc_timeout, ids, &err) != 0)
			elog(ERROR, "could not submit getTransaction batch: %s", err.message);
	}
}

/* ---------------------------------------------------------------------------
 * Handling results
 * ---------------------------------------------------------------------------
 */

static bool
instruction_error(const char *err_json)
{
	/* the budget running out is the attempt's, not the ticket's: a later attempt asks for more */
	return strstr(err_json, "InstructionError") != NULL && !sol_error_is_budget(err_json);
}

/*
 * A transaction error as the job's last error: the programs' own names for
 * custom codes (Bubblegum, account compression, Anchor), attributed through
 * the logs when there are some (a code raised inside a CPI belongs to the
 * program that raised it).  err is the JSON error value; logs a JSON array
 * or NULL.  The code is the custom code, or the error's name.
 */
static void
set_tx_error(MintJob *j, const char *cls, const json_t *err, const json_t *logs, const char *prefix)
{
	SolProgramKind progs[SOL_MAX_TX_IXS];
	int nprogs = 0;
	SolTxView v;
	SolError derr;
	SolTxErrorInfo info;
	char desc[SOL_TX_ERROR_DESC_MAX];
	char code[64];
	size_t i;

	memset(&derr, 0, sizeof(derr));
	if (j->tx != NULL && sol_tx_decode(j->tx, j->txlen, &v, &derr) == 0)
		for (i = 0; i < v.num_instructions && i < SOL_MAX_TX_IXS; i++)
			progs[nprogs++] = sol_program_kind_from_id(v.keys + 32 * v.ixs[i].program_id_index);
	memset(&info, 0, sizeof(info));
	sol_describe_tx_error_json(err, progs, nprogs, logs, &info, desc, sizeof(desc));
	if (info.custom_code >= 0)
		snprintf(code, sizeof(code), "%ld", info.custom_code);
	else
		strlcpy(code, info.name ? info.name : "transaction_error", sizeof(code));
	set_error(j, cls, code, "%s%s", prefix, desc);
}

/*
 * A landed transaction short of its commitment: finalization takes about 32
 * blocks (~13 s on mainnet), so its status is asked again after a delay that
 * doubles from mint.poll_interval up to LANDED_CHECK_MAX_MS (about 16 asks
 * instead of 130 at 100 ms), which delays the confirmation by at most that
 * cap.
 */
static TimestampTz
landed_recheck(MintJob *j, TimestampTz now, const SolSignatureStatus *st)
{
	double ms = mint_poll_interval * (double)(1 << Min(j->landed_checks, 10));

	j->landed_checks++;
	if (st->slot > 0 && (commitment_level() == SOL_COMMITMENT_FINALIZED || st->failed))
	{
		/*
		 * Waiting for finalized: nothing can change before the finalized
		 * view (getEpochInfo, asked every poll interval for every job at
		 * once) reaches the slot it landed in; ask then (submit_statuses),
		 * or after LANDED_WAIT_MAX_MS if that view stops moving.  Two or
		 * three asks per mint instead of about 16.
		 */
		j->landed_slot = (int64)st->slot;
		return after_ms(now, Max((double)mint_poll_interval, LANDED_WAIT_MAX_MS));
	}
	return after_ms(now, Min(ms, Max((double)mint_poll_interval, LANDED_CHECK_MAX_MS)));
}

/* A status ask is due: its time came, or the finalized view passed the slot it landed in. */
static bool
status_due(const MintJob *j, TimestampTz now)
{
	return now >= j->next_check || (j->landed_slot > 0 && fin_slot >= j->landed_slot);
}

static void
on_status(Req *q, SolRpcResult *r, TimestampTz now, MintJob ***tx_jobs, int *ntx)
{
	SolSignatureStatus *st;
	SolError err;
	uint64 ctx = 0;
	bool have_ctx;
	int i;

	for (i = 0; i < q->n; i++)
		q->jobs[i]->req_status = false;
	if (r->cls != SOL_RPC_OK)
	{
		rpc_failed(r, now);
		for (i = 0; i < q->n; i++)
			q->jobs[i]->next_check = after_ms(now, mint_poll_interval);
		return;
	}
	st = palloc0(sizeof(SolSignatureStatus) * q->n);
	memset(&err, 0, sizeof(err));
	if (sol_rpc_parse_signature_statuses(r, st, q->n, &err) != 0)
	{
		rpc_malformed(r, err.message, now);
		for (i = 0; i < q->n; i++)
			q->jobs[i]->next_check = after_ms(now, mint_poll_interval);
		pfree(st);
		return;
	}
	rpc_succeeded();
	/* the view the answer came from (statuses are answered from the processed bank) */
	have_ctx = sol_rpc_parse_context_slot(r, &ctx, &err) == 0;
	if (have_ctx)
		saw_slot(0, ctx);
	for (i = 0; i < q->n; i++)
	{
		MintJob *j = q->jobs[i];

		if (j->gone || j->outcome != OUT_NONE || !j->has_att)
			continue;
		j->next_check = after_ms(now, mint_poll_interval);
		j->landed_slot = 0;
		if (foreign_attempt(j))
		{
			/* nothing this endpoint says is evidence about another cluster's transaction */
			continue;
		}
		if (st[i].found)
		{
			j->maybe_accepted = true;
			j->seen = true; /* landed: no more re-broadcasts */
			if (st[i].confirmation < commitment_level())
			{
				/* landed; wait for the commitment */
				j->next_check = landed_recheck(j, now, &st[i]);
				continue;
			}
			if (st[i].failed)
			{
				/* a full tree is the tree's end, not the ticket's: another tree takes it */
				bool full = capacity_error(st[i].err);
				bool permanent = instruction_error(st[i].err) && !full;

				/*
				 * A failed landing frees the ticket for a new attempt, so it
				 * must be final: on a fork that drops its block the same
				 * bytes could still land, and succeed.
				 */
				if (st[i].confirmation < SOL_COMMITMENT_FINALIZED)
				{
					j->next_check = landed_recheck(j, now, &st[i]);
					continue;
				}

				{
					json_t *e = json_loads(st[i].err, JSON_DECODE_ANY, NULL);

					set_tx_error(j, "transaction", e, NULL, "landed with an error: ");
					json_decref(e);
				}
				if (full)
					tree_full(j);
				attempt_dead(j, "landed_err", permanent);
				continue;
			}
			(*tx_jobs)[(*ntx)++] = j; /* fetch it for the leaf event */
			continue;
		}
		/* Unknown to the cluster.  Dead only if the blockhash had provably expired
		 * (finalized height seen before this status was asked for). */
		if (q->fin >= 0 && q->fin > j->last_valid)
		{
			/*
			 * Unknown proves never-landed only from a view that has seen
			 * every block up to the proof's height: a lagging node's null
			 * may be a transaction finalized elsewhere.  Otherwise ask again.
			 */
			if (!mint_test_skip_context_check && (!have_ctx || (int64)ctx < q->fin_slot))
			{
				COUNT(inconclusive);
				continue;
			}
			if (j->refused)
			{
				/* the preflight error already set is the reason */
				attempt_dead(j, "expired", j->refused_permanent);
				continue;
			}
			set_error(
			    j, "expired", NULL,
			    "transaction %s never landed; its blockhash expired at block height " INT64_FORMAT,
			    j->sig58, j->last_valid);
			attempt_dead(j, "expired", false);
			continue;
		}
		/* still valid: submit_sends() re-broadcasts the same bytes (same
		 * signature) when next_send comes */
		j->landed_checks = 0;
		j->seen = false;
		j->resend = true;
	}
	pfree(st);
}

static void
on_gettx(Req *q, SolRpcResult *r, TimestampTz now)
{
	MintJob *j = q->jobs[0];
	SolLeafEvent ev;
	SolError err;

	j->req_tx = false;
	if (j->gone || j->outcome != OUT_NONE)
		return;
	if (r->cls != SOL_RPC_OK)
	{
		rpc_failed(r, now);
		j->next_check = after_ms(now, mint_poll_interval);
		return;
	}
	rpc_succeeded();
	memset(&err, 0, sizeof(err));
	if (sol_leaf_from_transaction(r->result, &ev, &err) == 0)
	{
		sol_pubkey_to_b58(ev.id, j->asset58);
		j->nonce = (int64)ev.nonce;
		j->outcome = OUT_CONFIRM;
		return;
	}
	if (err.code == SOL_ERR_TX_FAILED)
	{
		/* failed, but only a finalized failure is final: the status
		 * check decides once it is (see on_status) */
		if (mint_commitment != MINT_COMMITMENT_FINALIZED)
		{
			j->next_check = after_ms(now, mint_poll_interval);
			return;
		}
		{
			const json_t *meta = json_object_get(r->result, "meta");

			set_tx_error(j, "transaction", json_object_get(meta, "err"),
			             json_object_get(meta, "logMessages"), "landed with an error: ");
		}
		attempt_dead(j, "landed_err", instruction_error(err.message));
		return;
	}
	/* not visible yet at our commitment, or unreadable: ask again later */
	if (err.code != SOL_ERR_NOT_FOUND)
		ereport(LOG, (errmsg("mint worker cannot read the leaf event of %s: %s", j->sig58,
		                     err.message)));
	j->next_check = after_ms(now, mint_poll_interval);
}

static void
on_send(Req *q, SolRpcResult *r, TimestampTz now)
{
	MintJob *j = q->jobs[0];

	j->req_send = false;
	if (j->gone || j->outcome != OUT_NONE || !j->has_att)
		return;
	switch (r->cls)
	{
		case SOL_RPC_OK:
		case SOL_RPC_ALREADY_PROCESSED:
			rpc_succeeded();
			j->maybe_accepted = true;
			j->send_failures = 0;
			j->resend = false; /* until a status says the cluster does not know it */
			j->next_send = after_ms(now, Max(2000, 4 * mint_poll_interval));
			COUNT(sent);
			return;
		case SOL_RPC_CONTEXT_NOT_REACHED:
			/* a lagging node would have run the preflight on an old view */
			lagging_node();
			j->next_send = after_ms(now, Max(200, mint_poll_interval));
			return;
		case SOL_RPC_BLOCKHASH_NOT_FOUND:
			/* the node does not know the blockhash (lagging, or expired): the
			 * expiry rule decides, never this answer */
			rpc_succeeded();
			j->next_send = after_ms(now, Max(1000, 2 * mint_poll_interval));
			return;
		case SOL_RPC_PREFLIGHT_PERMANENT:
		case SOL_RPC_SIGNATURE_INVALID:
		case SOL_RPC_INVALID_REQUEST:
		case SOL_RPC_PREFLIGHT_FAILED:
		{
			bool permanent = r->cls != SOL_RPC_PREFLIGHT_FAILED;
			char code[32];

			const json_t *data = json_object_get(r->error, "data");
			const json_t *derr = json_object_get(data, "err");

			rpc_succeeded();
			if (permanent && derr != NULL)
			{
				/* the budget running out is the attempt's, not the ticket's */
				char *txt = json_dumps(derr, JSON_COMPACT);

				permanent = !sol_error_is_budget(txt);
				if (capacity_error(txt))
				{
					/* the tree is full: the ticket moves to another once this attempt is dead */
					permanent = false;
					tree_full(j);
				}
				free(txt);
			}
			snprintf(code, sizeof(code), "%ld",
			         r->custom_error >= 0 ? r->custom_error : r->rpc_code);
			if (derr != NULL && !json_is_null(derr))
			{
				/* the simulation's error and logs name the program's error */
				char prefix[64];

				snprintf(prefix, sizeof(prefix), "%s: ", sol_rpc_class_name(r->cls));
				set_tx_error(j, permanent ? "transaction" : "rpc", derr,
				             json_object_get(data, "logs"), prefix);
			}
			else
				set_error(j, permanent ? "transaction" : "rpc", code, "%s: %s",
				          sol_rpc_class_name(r->cls), r->message);

			/*
			 * Refused by preflight: these bytes will not be sent again.  The
			 * refusal is not proof that no node has them (an earlier send, or
			 * libcurl's silent re-send of a request whose connection died, may
			 * have been accepted), so the attempt stays pending until the
			 * expiry rule proves it dead; the job then fails (permanent) or is
			 * requeued with this error, without waiting a backoff first.
			 */
			j->refused = true;
			j->refused_permanent = permanent;
			return;
		}
		default:
			/* transport, timeout, 429, 5xx...: the outcome is unknown */
			rpc_failed(r, now);
			j->maybe_accepted = true;
			j->resend = true;
			j->next_send = after_ms(now, jitter(backoff_cap(++j->send_failures)));
			return;
	}
}

static void
handle_results(TimestampTz now, int wait_ms)
{
	SolRpcResult res[64];
	MintJob **tx_jobs = palloc(sizeof(MintJob *) * Max(nset, 1));
	int ntx = 0;
	int got;
	int i;

	while ((got = sol_rpc_poll(rpc, wait_ms, res, lengthof(res))) > 0)
	{
		wait_ms = 0;
		for (i = 0; i < got; i++)
		{
			Req *q = (Req *)res[i].tag;
			SolError err;

			memset(&err, 0, sizeof(err));
			switch (q->kind)
			{
				case REQ_BLOCKHASH:
					req_blockhash = false;
					if (res[i].cls == SOL_RPC_OK &&
					    sol_rpc_parse_latest_blockhash(
					        &res[i], blockhash, (uint64_t *)&blockhash_last_valid, &err) == 0)
					{
						uint64 ctx;

						rpc_succeeded();
						have_blockhash = true;
						blockhash_at = now;
						sol_pubkey_to_b58(blockhash, blockhash58);
						if (sol_rpc_parse_context_slot(&res[i], &ctx, &err) == 0)
							saw_slot(commitment_index(commitment_name()), ctx);
					}
					else if (res[i].cls == SOL_RPC_CONTEXT_NOT_REACHED)
					{
						lagging_node();
						blockhash_retry_at = after_ms(now, 50);
					}
					else
						rpc_failed(&res[i], now);
					break;
				case REQ_HEIGHT:
					req_height = false;
					{
						uint64 h;
						uint64 slot;

						/* height and slot of one view, from one answer */
						if (res[i].cls == SOL_RPC_OK &&
						    sol_rpc_parse_epoch_info(&res[i], &h, &slot, &err) == 0)
						{
							rpc_succeeded();
							if ((int64)slot >= fin_slot)
							{
								fin_height = (int64)h;
								fin_slot = (int64)slot;
								saw_slot(2, slot);
							}
							fin_at = now;
						}
						else if (res[i].cls == SOL_RPC_CONTEXT_NOT_REACHED)
							lagging_node();
						else
							rpc_failed(&res[i], now);
					}
					break;
				case REQ_GENESIS:
					req_genesis = false;
					{
						uint8 g[32];

						if (res[i].cls == SOL_RPC_OK && sol_rpc_parse_hash(&res[i], g, &err) == 0)
						{
							rpc_succeeded();
							have_genesis = true;
							sol_pubkey_to_b58(g, genesis58);
							ereport(LOG, (errmsg("mint worker: the endpoint serves the cluster of "
							                     "genesis hash %s",
							                     genesis58)));
						}
						else
							rpc_failed(&res[i], now);
					}
					break;
				case REQ_STATUS:
					on_status(q, &res[i], now, &tx_jobs, &ntx);
					break;
				case REQ_GETTX:
					on_gettx(q, &res[i], now);
					break;
				case REQ_SEND:
					on_send(q, &res[i], now);
					break;
				case REQ_TREE_ACCOUNT:
				case REQ_TREE_CONFIG:
				case REQ_TREE_COLL:
					on_tree_account(q, &res[i], now);
					break;
				case REQ_FEES:
					on_fees(q, &res[i], now);
					break;
				case REQ_CREATE_SEND:
				case REQ_CREATE_STATUS:
					on_creation(q, &res[i], now);
					break;
			}
			sol_rpc_result_clear(&res[i]);
			req_done(q);
		}
	}
	if (ntx > 0)
		submit_gettx(tx_jobs, ntx);
	pfree(tx_jobs);

	/* the send-only paths' answers: counted, never evidence */
	for (i = 0; i < nsenders; i++)
	{
		int k;

		while ((got = sol_rpc_poll(senders[i], 0, res, lengthof(res))) > 0)
			for (k = 0; k < got; k++)
			{
				if (res[k].cls == SOL_RPC_OK || res[k].cls == SOL_RPC_ALREADY_PROCESSED)
					COUNT(sent_extra);
				else
					COUNT(send_extra_errors);
				sol_rpc_result_clear(&res[k]);
			}
	}
}

/* ---------------------------------------------------------------------------
 * The tick
 * ---------------------------------------------------------------------------
 */

static bool
any_job(bool (*pred)(const MintJob *))
{
	int i;

	for (i = 0; i < nset; i++)
		if (pred(set[i]))
			return true;
	return false;
}

static bool
is_watching(const MintJob *j)
{
	return !j->gone && j->outcome == OUT_NONE && j->has_att && j->recorded;
}

static bool
awaits_finality(const MintJob *j)
{
	return is_watching(j) && j->landed_slot > 0;
}

/*
 * How often the finalized height is asked for: every poll interval, and five
 * times as often while a landed attempt waits for the finalized view to pass
 * its slot (its confirmation waits for that answer, then for its status).
 */
static double
height_period(bool awaiting)
{
	return awaiting ? mint_poll_interval / 5.0 : (double)mint_poll_interval;
}

/*
 * When the next tick has something to do for this job (the conditions of
 * submit_sends() and submit_statuses()), or dflt if nothing is scheduled.
 */
static TimestampTz
job_due(const MintJob *j, TimestampTz dflt)
{
	TimestampTz due = dflt;

	if (!is_watching(j))
		return due;
	if (!j->req_status && !j->req_tx)
		due = Min(due, j->landed_slot > 0 && fin_slot >= j->landed_slot ? 0 : j->next_check);
	if (!j->seen && !j->refused && j->resend && !j->req_send)
		due = Min(due, j->next_send);
	return due;
}

/* Whether the worker keeps a blockhash at hand (it held jobs recently). */
static bool
blockhash_warm(TimestampTz now)
{
	return have_key && have_genesis && now <= after_ms(busy_at, BLOCKHASH_WARM_MS);
}

/*
 * engine_tick
 *	  One round: claim, fetch what the chain knows, build/record/send, react
 *	  to answers, apply decisions.  Returns how long the caller may sleep
 *	  (ms) before the next round if nothing wakes it, or -1 when calls are
 *	  in flight (the caller lets them progress with engine_wait_rpc).
 */
long
engine_tick(bool woken)
{
	TimestampTz now = GetCurrentTimestamp();
	MemoryContext old = MemoryContextSwitchTo(tick_cxt);
	long wait;
	int i;

	load_key(now);

	if (nset > 0 && now >= next_renew)
	{
		/*
		 * Every sixth of the lease, renew the leases older than a third of it
		 * (so none is ever older than half): a job that is done within a
		 * third of mint.lease (a mint at finalized takes ~13 s, the lease is
		 * 60 s) is never renewed, and the renewal's cost follows the jobs
		 * that need it, not all the jobs held.
		 */
		MintJob **old = palloc(sizeof(MintJob *) * nset);
		TimestampTz aged = after_ms(now, -mint_lease / 3.0);
		int nold = 0;

		for (i = 0; i < nset; i++)
			if (!set[i]->gone && set[i]->lease_at <= aged)
				old[nold++] = set[i];
		if (nold > 0)
		{
			db_renew(old, nold);
			for (i = 0; i < nold; i++)
				old[i]->lease_at = now;
		}
		pfree(old);
		next_renew = after_ms(now, mint_lease / 6.0);
		compact_set();
	}
	if (now >= next_reap)
	{
		int reaped = db_reap(1000);

		next_reap = after_ms(now, reaped == 1000 ? 100 : 60000);
	}

	if (may_build() && !rpc_quiet(now) && nset < mint_max_inflight && (woken || now >= next_claim))
	{
		next_claim = after_ms(now, mint_poll_interval);
		claim(now);
	}
	{
		const char *msg;
		const char *code = blocked_code(&msg);

		if (code != NULL && now >= next_hold)
		{
			/* nothing will be claimed: tell the queued jobs why */
			db_hold_back(code, msg, HOLD_BACK_BATCH);
			next_hold = after_ms(now, HOLD_BACK_EVERY_MS);
		}
	}
	if (have_key && !rpc_quiet(now))
	{
		submit_pool_checks(now, woken);
		submit_tree_checks(now);
		submit_fee_checks(now);
	}

	/* which cluster the endpoint serves, before anything is built or judged */
	if (!have_genesis && !req_genesis && !rpc_quiet(now))
	{
		SolError err;

		memset(&err, 0, sizeof(err));
		if (sol_rpc_submit(rpc, "getGenesisHash", json_array(), mint_rpc_timeout,
		                   new_req(REQ_GENESIS, 0), &err) == 0)
			elog(ERROR, "could not submit getGenesisHash: %s", err.message);
		req_genesis = true;
	}

	/*
	 * Chain facts: a fresh blockhash for new attempts, the finalized height
	 * for expiry.  While the worker has had jobs in the last
	 * BLOCKHASH_WARM_MS it asks for a new blockhash once its own is
	 * BLOCKHASH_REFRESH_MS old, without waiting for a job to need one (one
	 * call at a time: about one per round trip): a ticket enqueued then is built
	 * at once, not after a round trip to the RPC node (~100 ms on mainnet).
	 */
	if (nset > 0)
		busy_at = now;
	if (may_build() && !rpc_quiet(now) && !req_blockhash && now >= blockhash_retry_at &&
	    (((any_job(wants_build) || creations_to_build()) &&
	      (!have_blockhash || now > after_ms(blockhash_at, BLOCKHASH_MAX_AGE_MS))) ||
	     (blockhash_warm(now) && now > after_ms(blockhash_at, BLOCKHASH_REFRESH_MS))))
	{
		SolError err;

		memset(&err, 0, sizeof(err));
		if (sol_rpc_submit(rpc, "getLatestBlockhash",
		                   sol_rpc_params_commitment_min(
		                       commitment_name(), hwm_slot[commitment_index(commitment_name())]),
		                   mint_rpc_timeout, new_req(REQ_BLOCKHASH, 0), &err) == 0)
			elog(ERROR, "could not submit getLatestBlockhash: %s", err.message);
		req_blockhash = true;
	}
	if (!req_height &&
	    (rpc_quiet(now)
	         ? now >= quiet_until
	         : (probe_rpc || ((any_job(is_watching) || creations_watching()) &&
	                          now > after_ms(fin_at, height_period(any_job(awaits_finality)))))))
	{
		SolError err;

		probe_rpc = false;
		memset(&err, 0, sizeof(err));
		/* the finalized height with the slot of its view, never older than one seen */
		if (sol_rpc_submit(rpc, "getEpochInfo",
		                   sol_rpc_params_commitment_min("finalized", (uint64)Max(fin_slot, 0)),
		                   mint_rpc_timeout, new_req(REQ_HEIGHT, 0), &err) == 0)
			elog(ERROR, "could not submit getEpochInfo: %s", err.message);
		req_height = true;
		if (rpc_quiet(now))
			quiet_until = after_ms(now, jitter(backoff_cap(rpc_failures)));
	}

	handle_results(now, 0);
	write_tree_facts();
	if (mint_worker_slot == 0 && have_key && have_genesis && may_build() && !rpc_quiet(now))
	{
		rollover(now);
		load_creations(now);
		if (have_blockhash && now <= after_ms(blockhash_at, BLOCKHASH_MAX_AGE_MS))
			build_creations(now);
		submit_creations(now);
	}

	if (may_build() && have_blockhash && !rpc_quiet(now) &&
	    now <= after_ms(blockhash_at, BLOCKHASH_MAX_AGE_MS) && any_job(wants_build))
		build_record_send(now);
	if (!rpc_quiet(now))
	{
		submit_sends(now);
		if (sol_rpc_pending(rpc) > 0)
		{
			/* let the sends leave before a crash test kills us */
			handle_results(now, 5);
			crash_point("after_send");
		}
		if (have_genesis)
			submit_statuses(now);
	}

	for (i = 0; i < nset; i++)
		if (set[i]->outcome == OUT_CONFIRM)
		{
			crash_point("before_confirm");
			break;
		}
	db_flush(set, nset);
	for (i = 0; i < nset; i++)
	{
		set[i]->applied = set[i]->outcome != OUT_NONE;
		switch (set[i]->outcome)
		{
			case OUT_CONFIRM:
				COUNT(confirmed);
				break;
			case OUT_FAIL:
				COUNT(failed);
				break;
			case OUT_REQUEUE:
				COUNT(requeued);
				break;
			case OUT_NONE:
				break;
		}
	}
	compact_set();

	/*
	 * How long until something is due.  Only what the next tick would act on
	 * counts (a job whose status call is in flight is not due at its
	 * next_check), or the loop would spin; jobs waiting for a build are due
	 * at once when the blockhash is fresh, else when its answer comes.
	 */
	if (sol_rpc_pending(rpc) > 0)
		wait = -1;
	else
	{
		TimestampTz due = next_claim;
		TimestampTz t = GetCurrentTimestamp();

		/* the pool's trees are looked up every POOL_CHECK_MS, whatever the poll
		 * interval: a tree registered without a wake is read within a second */
		due = Min(due, next_pool_check);
		for (i = 0; i < nset; i++)
			due = Min(due, job_due(set[i], due));
		if (may_build() && any_job(wants_build))
			due = Max(t, blockhash_retry_at); /* build now, or ask for a blockhash now */
		if (rpc_quiet(now))
			due = Max(due, quiet_until);
		if (nset > 0)
			due = Min(due, next_renew);
		if (!req_height && any_job(awaits_finality))
			due = Min(due, after_ms(fin_at, height_period(true)));
		if (blockhash_warm(t) && !req_blockhash)
			due = Min(due, Max(after_ms(blockhash_at, BLOCKHASH_REFRESH_MS), blockhash_retry_at));
		/* rounded up: a due time 0.4 ms away is a 1 ms sleep, not a spin */
		wait = due <= t ? 0 : (long)((due - t + 999) / 1000);
		wait = Min(wait, (long)mint_poll_interval);
	}
	report(nset > 0 ? "working" : "idle");
	MemoryContextSwitchTo(old);
	MemoryContextReset(tick_cxt);
	return wait;
}

/*
 * engine_wait_rpc
 *	  Let transfers progress for up to ms milliseconds, handling answers.
 */
void
engine_wait_rpc(long ms)
{
	MemoryContext old = MemoryContextSwitchTo(tick_cxt);
	TimestampTz start = GetCurrentTimestamp();
	TimestampTz until;
	TimestampTz soon;
	TimestampTz t;

	/*
	 * A tick walks the whole working set several times: with tens of
	 * thousands of jobs in flight a tick per answer cost more than the
	 * answers (bench/RESULTS.md, run 9).  So the answers that come within
	 * the period are all handled here, and the next tick sees them at once:
	 * one period per 1,000 jobs held, from ms up to TICK_MAX_MS, or up to
	 * TICK_WOKEN_MS once a new ticket waits (under a steady load a tick's
	 * work grows with the time since the last one, and 40 ms idle between
	 * ticks made each cycle about 130 ms: run 11).
	 */
	until = after_ms(start, (double)Max(ms, Min((long)(nset / 1000), TICK_MAX_MS)));
	soon = after_ms(start, (double)Min((long)(nset / 1000), TICK_WOKEN_MS));
	for (t = start; t < until && sol_rpc_pending(rpc) > 0; t = GetCurrentTimestamp())
	{
		/* a ticket is waiting (its commit set the latch): tick after TICK_WOKEN_MS at most */
		if (t >= soon && MyLatch->is_set)
			break;
		handle_results(t, (int)Max(Min(until - t, (TimestampTz)TICK_WOKEN_MS * 1000) / 1000, 1));
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(tick_cxt);
}
