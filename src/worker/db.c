/*-------------------------------------------------------------------------
 *
 * db.c
 *	  The worker's side of the state machine: each function here is one
 *	  short transaction calling the transition functions of
 *	  src/worker/state.sql with arrays, one statement per batch.  No network
 *	  I/O happens while a transaction is open.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "replication/syncrep.h"
#include "replication/walsender_private.h"
#include "storage/lwlock.h"
#include "storage/pmsignal.h"
#include "utils/array.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "mint_ext.h"
#include "common/locks.h"
#include "common/spi.h"
#include "worker/worker.h"

/* ---------------------------------------------------------------------------
 * Transactions and arrays
 * ---------------------------------------------------------------------------
 */

static MemoryContext db_caller_cxt = NULL;

static void
db_begin(const char *what)
{
	db_caller_cxt = CurrentMemoryContext;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, what);
}

/*
 * A commit returns with its WAL on the synchronous standbys, unless the wait
 * for them was cut short: the postmaster died (the walsenders die with it),
 * or the backend was told to stop or to cancel.  PostgreSQL then keeps the
 * commit (it is local already) and warns.  The worker sends only on a
 * commit a failover would know, so such a commit stops it here, before any
 * send: the jobs it held are taken over once their leases expire, and their
 * recorded bytes are sent only after that claim's commit is confirmed.
 */
static void
db_check_replicated(void)
{
	XLogRecPtr confirmed;
	bool defined;
	int mode;

	CHECK_FOR_INTERRUPTS(); /* a stop or the postmaster's death met while waiting */
	if (XactLastCommitEnd == InvalidXLogRecPtr ||
	    synchronous_commit < SYNCHRONOUS_COMMIT_REMOTE_WRITE)
		return;
	mode = synchronous_commit == SYNCHRONOUS_COMMIT_REMOTE_WRITE   ? SYNC_REP_WAIT_WRITE
	       : synchronous_commit == SYNCHRONOUS_COMMIT_REMOTE_APPLY ? SYNC_REP_WAIT_APPLY
	                                                               : SYNC_REP_WAIT_FLUSH;
	/*
	 * A commit that did not wait (the standbys' state was being set up) may
	 * still be confirmed a moment later: wait for that, up to 5 s, and never
	 * go on before it.
	 */
	for (int i = 0;; i++)
	{
		LWLockAcquire(SyncRepLock, LW_SHARED);
		defined = (WalSndCtl->sync_standbys_status & SYNC_STANDBY_DEFINED) != 0;
		confirmed = WalSndCtl->lsn[mode];
		LWLockRelease(SyncRepLock);
		if (!defined || confirmed >= XactLastCommitEnd || i >= 500 || !PostmasterIsAlive())
			break;
		pg_usleep(10000L);
		CHECK_FOR_INTERRUPTS();
	}
	if (defined && confirmed < XactLastCommitEnd)
		ereport(FATAL,
		        (errmsg("mint worker: a commit was not confirmed by the synchronous standbys "
		                "(the wait for them was cut short); nothing is sent on it")));
}

static void
db_commit(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	db_check_replicated();
	/* CommitTransactionCommand leaves TopMemoryContext current */
	MemoryContextSwitchTo(db_caller_cxt);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

static Datum
text_array(const char **v, int n)
{
	Datum *d = palloc(sizeof(Datum) * Max(n, 1));
	int i;

	for (i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(v[i] ? v[i] : "");
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
int8_array(const int64 *v, int n)
{
	Datum *d = palloc(sizeof(Datum) * Max(n, 1));
	int i;

	for (i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
int4_array(const int32 *v, int n)
{
	Datum *d = palloc(sizeof(Datum) * Max(n, 1));
	int i;

	for (i = 0; i < n; i++)
		d[i] = Int32GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT4OID, 4, true, TYPALIGN_INT));
}

static Datum
bytea_array(bytea **v, int n)
{
	Datum *d = palloc(sizeof(Datum) * Max(n, 1));
	int i;

	for (i = 0; i < n; i++)
		d[i] = PointerGetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, BYTEAOID, -1, false, TYPALIGN_INT));
}

/* Keys of a set of jobs, as the arrays every transition takes first. */
typedef struct JobKeys
{
	int n;
	const char **tenant;
	const char **ticket;
	int64 *token;
} JobKeys;

static void
keys_init(JobKeys *k, int cap)
{
	k->n = 0;
	k->tenant = palloc(sizeof(char *) * Max(cap, 1));
	k->ticket = palloc(sizeof(char *) * Max(cap, 1));
	k->token = palloc(sizeof(int64) * Max(cap, 1));
}

static void
keys_add(JobKeys *k, const MintJob *j)
{
	k->tenant[k->n] = j->tenant_id;
	k->ticket[k->n] = j->ticket_id;
	k->token[k->n] = j->token;
	k->n++;
}

/*
 * Plans are prepared once and kept; they are forgotten when the extension
 * is dropped and created again (its functions and types have new OIDs).
 */
#define MAX_PLANS 16
static SPIPlanPtr *kept_plans[MAX_PLANS];
static int nkept = 0;
static Oid extension_oid = InvalidOid;

static SPIPlanPtr
plan_for(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types)
{
	if (*plan == NULL)
	{
		(void)mint_plan(plan, sql, nargs, types);
		Assert(nkept < MAX_PLANS);
		kept_plans[nkept++] = plan;
	}
	return *plan;
}

/* Run a kept SELECT of a transition function; an error aborts the worker. */
static void
exec_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types, Datum *args, bool read_only)
{
	if (SPI_execute_plan(plan_for(plan, sql, nargs, types), args, NULL, read_only, 0) !=
	    SPI_OK_SELECT)
		elog(ERROR, "mint worker: \"%s\" failed", sql);
}

static void
forget_plans(void)
{
	int i;

	for (i = 0; i < nkept; i++)
	{
		SPI_freeplan(*kept_plans[i]);
		*kept_plans[i] = NULL;
	}
	nkept = 0;
}

/*
 * Jobs by (tenant, ticket), to match the rows a statement returns to the
 * jobs it was given: a hash, built once per statement, so a statement over n
 * jobs costs O(n) here, not O(n^2) (with tens of thousands held, a lease
 * renewal's strcmp scans took longer than the renewal).
 */
typedef struct JobKey
{
	const char *tenant;
	const char *ticket;
} JobKey;

typedef struct JobEntry
{
	JobKey key;
	int pos; /* index into the array the index was built from */
} JobEntry;

static uint32
job_key_hash(const void *key, Size keysize)
{
	const JobKey *k = key;

	return hash_combine(string_hash(k->tenant, strlen(k->tenant) + 1),
	                    string_hash(k->ticket, strlen(k->ticket) + 1));
}

static int
job_key_cmp(const void *a, const void *b, Size keysize)
{
	const JobKey *x = a;
	const JobKey *y = b;
	int c = strcmp(x->tenant, y->tenant);

	return c != 0 ? c : strcmp(x->ticket, y->ticket);
}

/* An index of jobs[0..n-1], in the current memory context. */
static HTAB *
job_index(MintJob **jobs, int n)
{
	HASHCTL ctl;
	HTAB *h;
	int i;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(JobKey);
	ctl.entrysize = sizeof(JobEntry);
	ctl.hash = job_key_hash;
	ctl.match = job_key_cmp;
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("mint jobs by key", Max(n, 16), &ctl,
	                HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	for (i = 0; i < n; i++)
	{
		JobKey k = {jobs[i]->tenant_id, jobs[i]->ticket_id};
		bool found;
		JobEntry *e = hash_search(h, &k, HASH_ENTER, &found);

		if (!found)
			e->pos = i;
	}
	return h;
}

/* The position of the job of row `row` of the SPI result (columns 1, 2), or -1. */
static int
match_row(HTAB *index, int row)
{
	JobKey k;
	JobEntry *e;

	k.tenant = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1);
	k.ticket = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 2);
	e = hash_search(index, &k, HASH_FIND, NULL);
	return e != NULL ? e->pos : -1;
}

/* ---------------------------------------------------------------------------
 * Transitions
 * ---------------------------------------------------------------------------
 */

/*
 * Whether the extension is installed in mint.database, and at which version
 * (into version[cap], "" when it is not).  Looked up at most once a second:
 * the check is a transaction of its own.  ALTER EXTENSION ...
 * UPDATE keeps the extension's oid, so the version is read each time.
 */
bool
db_extension_version(char *version, size_t cap)
{
	static TimestampTz checked_at = 0;
	static char seen[NAMEDATALEN] = "";
	TimestampTz now = GetCurrentTimestamp();
	Oid oid = InvalidOid;

	if (OidIsValid(extension_oid) && now - checked_at < 1000000)
	{
		strlcpy(version, seen, cap);
		return true;
	}
	checked_at = now;
	seen[0] = '\0';
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	{
		Relation rel = table_open(ExtensionRelationId, AccessShareLock);
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple tup;

		ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
		            CStringGetDatum("mint_ext"));
		scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
		tup = systable_getnext(scan);
		if (HeapTupleIsValid(tup))
		{
			bool isnull;
			Datum v =
			    heap_getattr(tup, Anum_pg_extension_extversion, RelationGetDescr(rel), &isnull);

			oid = ((Form_pg_extension)GETSTRUCT(tup))->oid;
			if (!isnull)
				text_to_cstring_buffer(DatumGetTextPP(v), seen, sizeof(seen));
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	CommitTransactionCommand();
	if (oid != extension_oid)
	{
		forget_plans();
		extension_oid = oid;
	}
	strlcpy(version, seen, cap);
	return OidIsValid(oid);
}

static char *
copy_col(MemoryContext cxt, int row, int col)
{
	char *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/*
 * db_lock_holder
 *	  This worker incarnation's id, its session lock taken (src/common/locks.c).
 */
int64
db_lock_holder(void)
{
	int64 id;

	db_begin("mint: worker id");
	id = mint_lock_holder();
	db_commit();
	return id;
}

/*
 * db_claim
 *	  claim: up to n due jobs (queued, or leased by a dead worker or by this
 *	  one, holder).  The jobs are allocated in the caller's current memory
 *	  context.
 */
int
db_claim(int n, int64 holder, MemoryContext cxt, MintJob ***jobs_out)
{
	static SPIPlanPtr plan = NULL;
	Oid types[3] = {INT4OID, INT4OID, INT8OID};
	Datum args[3];
	MintJob **jobs;
	int count;
	int i;

	db_begin("mint: claim");
	args[0] = Int32GetDatum(n);
	args[1] = Int32GetDatum(mint_lease);
	args[2] = Int64GetDatum(holder);
	exec_plan(&plan, "SELECT * FROM mint._claim($1, $2, $3)", 3, types, args, false);
	count = (int)SPI_processed;
	jobs = MemoryContextAllocZero(cxt, sizeof(MintJob *) * Max(count, 1));
	for (i = 0; i < count; i++)
	{
		MintJob *j = MemoryContextAllocZero(cxt, sizeof(MintJob));
		bool isnull;

		j->tenant_id = copy_col(cxt, i, 1);
		j->ticket_id = copy_col(cxt, i, 2);
		j->token =
		    DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3, &isnull));
		j->owner = copy_col(cxt, i, 5);
		j->metadata = copy_col(cxt, i, 6);
		j->attempts = atoi(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 7));
		j->attempt_base = atoi(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 8));
		j->retries = atoi(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 9));
		j->tree = copy_col(cxt, i, 10);
		j->collection = copy_col(cxt, i, 11);
		jobs[i] = j;
	}
	db_commit();
	*jobs_out = jobs;
	return count;
}

/*
 * db_load_pending
 *	  The pending attempt (signed bytes and all) of each claimed job.  Only
 *	  jobs with recorded attempts are asked about: the one statement that
 *	  inserts an attempt also counts it in mint_jobs.attempts, so a job
 *	  claimed with attempts = 0 has none (most claims: no query at all).
 */
void
db_load_pending(MintJob **all, int nall, MemoryContext cxt)
{
	HTAB *index;
	static SPIPlanPtr plan = NULL;
	Oid types[2] = {TEXTARRAYOID, TEXTARRAYOID};
	Datum args[2];
	JobKeys k;
	MintJob **jobs = palloc(sizeof(MintJob *) * Max(nall, 1));
	int n = 0;
	int i;

	for (i = 0; i < nall; i++)
		if (all[i]->attempts > 0)
			jobs[n++] = all[i];
	if (n == 0)
	{
		pfree(jobs);
		return;
	}
	keys_init(&k, n);
	for (i = 0; i < n; i++)
		keys_add(&k, jobs[i]);
	db_begin("mint: load attempts");
	args[0] = text_array(k.tenant, n);
	args[1] = text_array(k.ticket, n);
	exec_plan(&plan, "SELECT * FROM mint._pending_attempts($1, $2)", 2, types, args, true);
	index = job_index(jobs, n);
	for (i = 0; i < (int)SPI_processed; i++)
	{
		int pos = match_row(index, i);
		MintJob *j = pos >= 0 ? jobs[pos] : NULL;
		char *sig58;
		bytea *tx;
		bool isnull;

		if (j == NULL || j->has_att)
			continue;
		sig58 = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4);
		if (sol_b58_decode(sig58, strlen(sig58), j->sig, sizeof(j->sig)) != 64)
			continue;
		strlcpy(j->sig58, sig58, sizeof(j->sig58));
		j->last_valid =
		    DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 5, &isnull));
		tx = DatumGetByteaPP(
		    SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 6, &isnull));
		j->txlen = VARSIZE_ANY_EXHDR(tx);
		j->tx = MemoryContextAlloc(cxt, j->txlen);
		memcpy(j->tx, VARDATA_ANY(tx), j->txlen);
		{
			char *g = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 7);

			strlcpy(j->genesis58, g ? g : "", sizeof(j->genesis58));
		}
		j->has_att = true;
		j->recorded = true;
		/* sent by a worker before us: it may have reached the cluster */
		j->maybe_accepted = true;
	}
	pfree(jobs);
	db_commit();
}

/*
 * db_record_attempts
 *	  record: commit each job's signed attempt before it is sent.  Jobs the
 *	  database refused (lease taken over) come back with recorded = false.
 */
int
db_record_attempts(MintJob **jobs, int n, const char *blockhash58, const char *genesis58)
{
	HTAB *index;
	static SPIPlanPtr plan = NULL;
	Oid types[12] = {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID,
	                 TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID, BYTEAARRAYOID,
	                 INT4OID,      TEXTOID,      INT8ARRAYOID, INT4ARRAYOID};
	Datum args[12];
	JobKeys k;
	const char **sigs = palloc(sizeof(char *) * Max(n, 1));
	const char **hashes = palloc(sizeof(char *) * Max(n, 1));
	const char **trees = palloc(sizeof(char *) * Max(n, 1));
	int64 *lvbh = palloc(sizeof(int64) * Max(n, 1));
	bytea **txs = palloc(sizeof(bytea *) * Max(n, 1));
	Datum *fees = palloc(sizeof(Datum) * Max(n, 1));
	Datum *limits = palloc(sizeof(Datum) * Max(n, 1));
	bool *fee_nulls = palloc(sizeof(bool) * Max(n, 1));
	bool *limit_nulls = palloc(sizeof(bool) * Max(n, 1));
	int dims[1];
	int lbs[1] = {1};
	int recorded;
	int i;

	if (n == 0)
		return 0;
	keys_init(&k, n);
	for (i = 0; i < n; i++)
	{
		MintJob *j = jobs[i];

		keys_add(&k, j);
		sigs[i] = j->sig58;
		hashes[i] = blockhash58;
		trees[i] = j->tree;
		lvbh[i] = j->last_valid;
		txs[i] = palloc(VARHDRSZ + j->txlen);
		SET_VARSIZE(txs[i], VARHDRSZ + j->txlen);
		memcpy(VARDATA(txs[i]), j->tx, j->txlen);
		/* NULL: the attempt has no such compute-budget instruction */
		fees[i] = Int64GetDatum((int64)j->cu_price);
		fee_nulls[i] = j->cu_price == 0;
		limits[i] = Int32GetDatum((int32)j->cu_limit);
		limit_nulls[i] = j->cu_limit == 0;
	}
	dims[0] = n;
	db_begin("mint: record attempts");
	args[0] = text_array(k.tenant, n);
	args[1] = text_array(k.ticket, n);
	args[2] = int8_array(k.token, n);
	args[3] = text_array(sigs, n);
	args[4] = text_array(hashes, n);
	args[5] = int8_array(lvbh, n);
	args[6] = text_array(trees, n);
	args[7] = bytea_array(txs, n);
	args[8] = Int32GetDatum(mint_lease);
	args[9] = CStringGetTextDatum(genesis58);
	args[10] = PointerGetDatum(construct_md_array(fees, fee_nulls, 1, dims, lbs, INT8OID, 8,
	                                              FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[11] = PointerGetDatum(
	    construct_md_array(limits, limit_nulls, 1, dims, lbs, INT4OID, 4, true, TYPALIGN_INT));
	exec_plan(&plan,
	          "SELECT * FROM mint._record_attempts($1, $2, $3, $4, $5, $6, "
	          "$7, $8, $9, $10, $11, $12)",
	          12, types, args, false);
	recorded = (int)SPI_processed;
	index = job_index(jobs, n);
	for (i = 0; i < recorded; i++)
	{
		int pos = match_row(index, i);

		if (pos >= 0)
		{
			jobs[pos]->recorded = true;
			jobs[pos]->attempts++;
		}
	}
	db_commit();
	return recorded;
}

/*
 * db_renew
 *	  Extend the leases of the jobs we hold; a job whose token no longer
 *	  matches is marked gone (its lease was taken over).
 */
void
db_renew(MintJob **jobs, int n)
{
	HTAB *index;
	static SPIPlanPtr plan = NULL;
	Oid types[4] = {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID, INT4OID};
	Datum args[4];
	JobKeys k;
	bool *kept = palloc0(sizeof(bool) * Max(n, 1));
	int i;

	if (n == 0)
		return;
	keys_init(&k, n);
	for (i = 0; i < n; i++)
		keys_add(&k, jobs[i]);
	db_begin("mint: renew leases");
	args[0] = text_array(k.tenant, n);
	args[1] = text_array(k.ticket, n);
	args[2] = int8_array(k.token, n);
	args[3] = Int32GetDatum(mint_lease);
	exec_plan(&plan, "SELECT * FROM mint._renew($1, $2, $3, $4)", 4, types, args, false);
	index = job_index(jobs, n);
	for (i = 0; i < (int)SPI_processed; i++)
	{
		int pos = match_row(index, i);

		if (pos >= 0)
			kept[pos] = true;
	}
	db_commit();
	for (i = 0; i < n; i++)
	{
		if (!kept[i])
		{
			ereport(LOG, (errmsg("mint worker lost the lease of job mint:%s:%s", jobs[i]->tenant_id,
			                     jobs[i]->ticket_id)));
			jobs[i]->gone = true;
		}
	}
}

/*
 * db_flush
 *	  Apply the staged outcomes of a tick in one transaction: dead attempts,
 *	  confirmations, requeues with backoff, failures.
 */
void
db_flush(MintJob **jobs, int n)
{
	static SPIPlanPtr plan_dead = NULL;
	static SPIPlanPtr plan_confirm = NULL;
	static SPIPlanPtr plan_requeue = NULL;
	static SPIPlanPtr plan_fail = NULL;
	JobKeys dead, conf, req, fail;
	const char **d_sig = palloc(sizeof(char *) * Max(n, 1));
	const char **d_state = palloc(sizeof(char *) * Max(n, 1));
	const char **d_class = palloc(sizeof(char *) * Max(n, 1));
	const char **d_code = palloc(sizeof(char *) * Max(n, 1));
	const char **d_msg = palloc(sizeof(char *) * Max(n, 1));
	const char **c_sig = palloc(sizeof(char *) * Max(n, 1));
	const char **c_asset = palloc(sizeof(char *) * Max(n, 1));
	int64 *c_nonce = palloc(sizeof(int64) * Max(n, 1));
	int32 *r_delay = palloc(sizeof(int32) * Max(n, 1));
	const char **r_class = palloc(sizeof(char *) * Max(n, 1));
	const char **r_code = palloc(sizeof(char *) * Max(n, 1));
	const char **r_msg = palloc(sizeof(char *) * Max(n, 1));
	const char **f_class = palloc(sizeof(char *) * Max(n, 1));
	const char **f_code = palloc(sizeof(char *) * Max(n, 1));
	const char **f_msg = palloc(sizeof(char *) * Max(n, 1));
	int i;

	keys_init(&dead, n);
	keys_init(&conf, n);
	keys_init(&req, n);
	keys_init(&fail, n);
	for (i = 0; i < n; i++)
	{
		MintJob *j = jobs[i];

		if (j->att_dead)
		{
			d_sig[dead.n] = j->sig58;
			d_state[dead.n] = j->dead_state;
			d_class[dead.n] = JOB_ERR_CLASS(j);
			d_code[dead.n] = JOB_ERR_CODE(j);
			d_msg[dead.n] = JOB_ERR_MSG(j);
			keys_add(&dead, j);
		}
		switch (j->outcome)
		{
			case OUT_CONFIRM:
				c_sig[conf.n] = j->sig58;
				c_asset[conf.n] = j->asset58;
				c_nonce[conf.n] = j->nonce;
				keys_add(&conf, j);
				break;
			case OUT_REQUEUE:
				r_delay[req.n] = j->delay_ms;
				r_class[req.n] = JOB_ERR_CLASS(j);
				r_code[req.n] = JOB_ERR_CODE(j);
				r_msg[req.n] = JOB_ERR_MSG(j);
				keys_add(&req, j);
				break;
			case OUT_FAIL:
				f_class[fail.n] = JOB_ERR_CLASS(j);
				f_code[fail.n] = JOB_ERR_CODE(j);
				f_msg[fail.n] = JOB_ERR_MSG(j);
				keys_add(&fail, j);
				break;
			case OUT_NONE:
				break;
		}
	}
	if (dead.n + conf.n + req.n + fail.n == 0)
		return;

	db_begin("mint: apply outcomes");
	if (dead.n > 0)
	{
		Oid types[8] = {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID,
		                TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
		Datum args[8];

		args[0] = text_array(dead.tenant, dead.n);
		args[1] = text_array(dead.ticket, dead.n);
		args[2] = int8_array(dead.token, dead.n);
		args[3] = text_array(d_sig, dead.n);
		args[4] = text_array(d_state, dead.n);
		args[5] = text_array(d_class, dead.n);
		args[6] = text_array(d_code, dead.n);
		args[7] = text_array(d_msg, dead.n);
		exec_plan(&plan_dead,
		          "SELECT * FROM mint._attempts_dead($1, $2, $3, $4, $5, $6, "
		          "$7, $8)",
		          8, types, args, false);
	}
	if (conf.n > 0)
	{
		Oid types[6] = {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID,
		                TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID};
		Datum args[6];

		args[0] = text_array(conf.tenant, conf.n);
		args[1] = text_array(conf.ticket, conf.n);
		args[2] = int8_array(conf.token, conf.n);
		args[3] = text_array(c_sig, conf.n);
		args[4] = text_array(c_asset, conf.n);
		args[5] = int8_array(c_nonce, conf.n);
		exec_plan(&plan_confirm, "SELECT * FROM mint._confirm($1, $2, $3, $4, $5, $6)", 6, types,
		          args, false);
	}
	if (req.n > 0)
	{
		Oid types[7] = {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID, INT4ARRAYOID,
		                TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
		Datum args[7];

		args[0] = text_array(req.tenant, req.n);
		args[1] = text_array(req.ticket, req.n);
		args[2] = int8_array(req.token, req.n);
		args[3] = int4_array(r_delay, req.n);
		args[4] = text_array(r_class, req.n);
		args[5] = text_array(r_code, req.n);
		args[6] = text_array(r_msg, req.n);
		exec_plan(&plan_requeue, "SELECT * FROM mint._requeue($1, $2, $3, $4, $5, $6, $7)", 7,
		          types, args, false);
	}
	if (fail.n > 0)
	{
		Oid types[6] = {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID,
		                TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
		Datum args[6];

		args[0] = text_array(fail.tenant, fail.n);
		args[1] = text_array(fail.ticket, fail.n);
		args[2] = int8_array(fail.token, fail.n);
		args[3] = text_array(f_class, fail.n);
		args[4] = text_array(f_code, fail.n);
		args[5] = text_array(f_msg, fail.n);
		exec_plan(&plan_fail, "SELECT * FROM mint._fail($1, $2, $3, $4, $5, $6)", 6, types, args,
		          false);
	}
	db_commit();
}

/*
 * db_release
 *	  A stopping worker hands its jobs back.
 */
void
db_release(MintJob **jobs, int n)
{
	static SPIPlanPtr plan = NULL;
	Oid types[3] = {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID};
	Datum args[3];
	JobKeys k;
	int i;

	if (n == 0)
		return;
	keys_init(&k, n);
	for (i = 0; i < n; i++)
		keys_add(&k, jobs[i]);
	db_begin("mint: release");
	args[0] = text_array(k.tenant, n);
	args[1] = text_array(k.ticket, n);
	args[2] = int8_array(k.token, n);
	exec_plan(&plan, "SELECT mint._release($1, $2, $3)", 3, types, args, false);
	db_commit();
}

/*
 * db_reap
 *	  Delete up to n expired idempotency keys and up to n webhook deliveries
 *	  past their retention; returns the larger count (n: call again soon).
 */
int
db_reap(int n)
{
	static SPIPlanPtr plan = NULL;
	Oid types[1] = {INT4OID};
	Datum args[1];
	bool isnull;
	int reaped = 0;

	db_begin("mint: reap");
	args[0] = Int32GetDatum(n);
	if (SPI_execute_plan(plan_for(&plan,
	                              "SELECT GREATEST(mint.reap_idempotency_keys($1), "
	                              "mint.reap_webhook_events($1))",
	                              1, types),
	                     args, NULL, false, 1) == SPI_OK_SELECT &&
	    SPI_processed == 1)
		reaped =
		    DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	db_commit();
	return reaped;
}

/*
 * db_hold_back
 *	  The worker cannot claim (see mint._hold_back): up to n queued jobs
 *	  that do not say so yet are told why.
 */
void
db_hold_back(const char *code, const char *message, int n)
{
	static SPIPlanPtr plan = NULL;
	Oid types[3] = {TEXTOID, TEXTOID, INT4OID};
	Datum args[3];

	db_begin("mint: hold back");
	args[0] = CStringGetTextDatum(code);
	args[1] = CStringGetTextDatum(message);
	args[2] = Int32GetDatum(n);
	exec_plan(&plan, "SELECT mint._hold_back($1, $2, $3)", 3, types, args, false);
	db_commit();
}

/*
 * db_tree_facts
 *	  Write what the worker read of a tree's accounts into mint.trees
 *	  (mint._tree_facts): the capacity that lets jobs be dealt to it, the
 *	  leaves used, its shape, or why it cannot be minted into.
 */
void
db_tree_facts(const char *tree58, const MintTreeFacts *f)
{
	static SPIPlanPtr plan = NULL;
	Oid types[10] = {TEXTOID, INT8OID, INT8OID, INT2OID, INT4OID,
	                 INT4OID, INT4OID, BOOLOID, TEXTOID, TEXTOID};
	Datum args[10];
	char nulls[10];
	int i;

	memset(nulls, ' ', sizeof(nulls));
	args[0] = CStringGetTextDatum(tree58);
	args[1] = Int64GetDatum(f->capacity);
	nulls[1] = f->capacity < 0 ? 'n' : ' ';
	args[2] = Int64GetDatum(f->num_minted);
	nulls[2] = f->num_minted < 0 ? 'n' : ' ';
	args[3] = Int16GetDatum((int16)f->version);
	nulls[3] = f->version < 0 ? 'n' : ' ';
	args[4] = Int32GetDatum(f->max_depth);
	args[5] = Int32GetDatum(f->max_buffer_size);
	args[6] = Int32GetDatum(f->canopy_depth);
	for (i = 4; i <= 6; i++)
		nulls[i] = DatumGetInt32(args[i]) < 0 ? 'n' : ' ';
	args[7] = BoolGetDatum(f->full);
	args[8] = f->problem_code ? CStringGetTextDatum(f->problem_code) : (Datum)0;
	nulls[8] = f->problem_code ? ' ' : 'n';
	args[9] = f->problem ? CStringGetTextDatum(f->problem) : (Datum)0;
	nulls[9] = f->problem ? ' ' : 'n';
	db_begin("mint: tree facts");
	if (SPI_execute_plan(
	        plan_for(&plan, "SELECT mint._tree_facts($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", 10,
	                 types),
	        args, nulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "mint worker: mint._tree_facts failed");
	db_commit();
}

/*
 * db_trees_to_check
 *	  Active trees the worker has not read (or not lately): no job is dealt
 *	  to a tree before its capacity is known.  The names are allocated in cxt.
 */
int
db_trees_to_check(int n, MemoryContext cxt, char ***trees_out, char ***colls_out)
{
	static SPIPlanPtr plan = NULL;
	Oid types[1] = {INT4OID};
	Datum args[1];
	char **out;
	char **colls;
	int got;
	int i;

	db_begin("mint: trees to check");
	args[0] = Int32GetDatum(n);
	exec_plan(&plan, "SELECT merkle_tree, collection_mint FROM mint._trees_to_check($1)", 1, types,
	          args, true);
	got = (int)SPI_processed;
	out = MemoryContextAlloc(cxt, sizeof(char *) * Max(got, 1));
	colls = MemoryContextAlloc(cxt, sizeof(char *) * Max(got, 1));
	for (i = 0; i < got; i++)
	{
		char *c = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		out[i] =
		    MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		colls[i] = c ? MemoryContextStrdup(cxt, c) : NULL;
	}
	db_commit();
	*trees_out = out;
	*colls_out = colls;
	return got;
}

/*
 * db_tree_creations
 *	  The trees mint.create_tree() asked for, with their pending attempt.
 */
int
db_tree_creations(int n, MemoryContext cxt, MintTreeCreation **out)
{
	static SPIPlanPtr plan = NULL;
	Oid types[1] = {INT4OID};
	Datum args[1];
	MintTreeCreation *rows;
	int got;
	int i;

	db_begin("mint: trees to create");
	args[0] = Int32GetDatum(n);
	exec_plan(&plan, "SELECT * FROM mint._tree_creations($1)", 1, types, args, true);
	got = (int)SPI_processed;
	rows = MemoryContextAllocZero(cxt, sizeof(MintTreeCreation) * Max(got, 1));
	for (i = 0; i < got; i++)
	{
		HeapTuple tup = SPI_tuptable->vals[i];
		TupleDesc td = SPI_tuptable->tupdesc;
		MintTreeCreation *c = &rows[i];
		bool isnull;
		Datum d;

		c->tenant_id = MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 1));
		c->merkle_tree = MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 2));
		c->seed = MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 3));
		c->max_depth = DatumGetInt32(SPI_getbinval(tup, td, 4, &isnull));
		c->max_buffer_size = DatumGetInt32(SPI_getbinval(tup, td, 5, &isnull));
		c->canopy_depth = DatumGetInt32(SPI_getbinval(tup, td, 6, &isnull));
		c->version = DatumGetInt16(SPI_getbinval(tup, td, 12, &isnull));
		d = SPI_getbinval(tup, td, 18, &isnull);
		if (!isnull)
		{
			c->coll_address = MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 18));
			c->coll_name = MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 13));
			c->coll_uri = MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 14));
			c->coll_royalty = DatumGetInt32(SPI_getbinval(tup, td, 15, &isnull));
			d = SPI_getbinval(tup, td, 16, &isnull);
			c->coll_recipient = isnull ? NULL : MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 16));
			c->coll_freeze = DatumGetBool(SPI_getbinval(tup, td, 17, &isnull));
			d = SPI_getbinval(tup, td, 19, &isnull);
			c->coll_freeze_authority =
			    isnull ? NULL : MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 19));
		}
		d = SPI_getbinval(tup, td, 8, &isnull);
		if (!isnull)
		{
			bytea *tx;

			c->signature = MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 8));
			c->last_valid = DatumGetInt64(SPI_getbinval(tup, td, 9, &isnull));
			tx = DatumGetByteaPP(SPI_getbinval(tup, td, 10, &isnull));
			c->txlen = VARSIZE_ANY_EXHDR(tx);
			c->tx = MemoryContextAlloc(cxt, Max(c->txlen, 1));
			memcpy(c->tx, VARDATA_ANY(tx), c->txlen);
			c->genesis = MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 11));
		}
		(void)d;
	}
	db_commit();
	*out = rows;
	return got;
}

/*
 * db_record_tree_attempt
 *	  record: commit a tree's signed creation before it is sent; false when
 *	  refused (the tree is no longer to be created, or an attempt is alive).
 */
bool
db_record_tree_attempt(const char *tenant, const char *tree, const char *sig58, int64 last_valid,
                       const uint8 *tx, int txlen, const char *genesis58)
{
	static SPIPlanPtr plan = NULL;
	Oid types[6] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, BYTEAOID, TEXTOID};
	Datum args[6];
	bytea *b = palloc(VARHDRSZ + txlen);
	bool recorded;

	SET_VARSIZE(b, VARHDRSZ + txlen);
	memcpy(VARDATA(b), tx, txlen);
	db_begin("mint: record a tree creation");
	args[0] = CStringGetTextDatum(tenant);
	args[1] = CStringGetTextDatum(tree);
	args[2] = CStringGetTextDatum(sig58);
	args[3] = Int64GetDatum(last_valid);
	args[4] = PointerGetDatum(b);
	args[5] = CStringGetTextDatum(genesis58);
	exec_plan(&plan, "SELECT * FROM mint._record_tree_attempt($1, $2, $3, $4, $5, $6)", 6, types,
	          args, false);
	recorded = SPI_processed == 1;
	db_commit();
	return recorded;
}

/*
 * db_tree_rollover
 *	  Grow the pools that run low, as their tenants' tree policies allow.
 */
int
db_tree_rollover(MemoryContext cxt, MintRollover **out)
{
	static SPIPlanPtr plan = NULL;
	MintRollover *rows;
	int got;
	int i;

	db_begin("mint: tree rollover");
	exec_plan(&plan, "SELECT * FROM mint._tree_rollover()", 0, NULL, NULL, false);
	got = (int)SPI_processed;
	rows = MemoryContextAllocZero(cxt, sizeof(MintRollover) * Max(got, 1));
	for (i = 0; i < got; i++)
	{
		HeapTuple tup = SPI_tuptable->vals[i];
		TupleDesc td = SPI_tuptable->tupdesc;
		char *v;
		bool isnull;

		rows[i].tenant_id = MemoryContextStrdup(cxt, SPI_getvalue(tup, td, 1));
		v = SPI_getvalue(tup, td, 2);
		rows[i].merkle_tree = v ? MemoryContextStrdup(cxt, v) : NULL;
		rows[i].free = DatumGetInt64(SPI_getbinval(tup, td, 3, &isnull));
		v = SPI_getvalue(tup, td, 4);
		rows[i].reason = v ? MemoryContextStrdup(cxt, v) : NULL;
	}
	db_commit();
	*out = rows;
	return got;
}

/*
 * db_tree_attempt_done
 *	  A creation attempt's end (landed_ok, landed_err, expired).
 */
void
db_tree_attempt_done(const char *tenant, const char *tree, const char *sig58, const char *state,
                     const char *error, const char *failed_code)
{
	static SPIPlanPtr plan = NULL;
	Oid types[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum args[6];
	char nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};

	args[0] = CStringGetTextDatum(tenant);
	args[1] = CStringGetTextDatum(tree);
	args[2] = CStringGetTextDatum(sig58);
	args[3] = CStringGetTextDatum(state);
	args[4] = CStringGetTextDatum(error ? error : "");
	args[5] = failed_code ? CStringGetTextDatum(failed_code) : (Datum)0;
	nulls[5] = failed_code ? ' ' : 'n';
	db_begin("mint: tree creation done");
	if (SPI_execute_plan(
	        plan_for(&plan, "SELECT mint._tree_attempt_done($1, $2, $3, $4, NULLIF($5, ''), $6)", 6,
	                 types),
	        args, nulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "mint worker: mint._tree_attempt_done failed");
	db_commit();
}

/*
 * db_replication_unsafe
 *	  Whether a failover could take over from a standby that may lack the
 *	  worker's latest commits: the server streams to a physical standby (a
 *	  walsender of no database) or keeps a physical replication slot, and
 *	  names no synchronous standby (synchronous_standby_names is empty), so
 *	  its commits wait for none.  With a synchronous standby named, a commit
 *	  waits for it (and hangs while it is away), which is safe.  Looked up at
 *	  most once a second; why[cap] says what was found.
 */
bool
db_replication_unsafe(char *why, size_t cap)
{
	static SPIPlanPtr plan = NULL;
	static TimestampTz checked_at = 0;
	static bool unsafe = false;
	static char seen[256] = "";
	TimestampTz now = GetCurrentTimestamp();

	if (now - checked_at >= 1000000)
	{
		checked_at = now;
		db_begin("mint: replication");
		exec_plan(&plan,
		          "SELECT pg_catalog.current_setting('synchronous_standby_names') = '', "
		          "(SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_replication r "
		          "  JOIN pg_catalog.pg_stat_activity a ON a.pid = r.pid WHERE a.datid IS NULL), "
		          "(SELECT pg_catalog.count(*) FROM pg_catalog.pg_replication_slots "
		          "  WHERE slot_type = 'physical')",
		          0, NULL, NULL, true);
		if (SPI_processed == 1)
		{
			bool isnull;
			bool no_sync = DatumGetBool(
			    SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
			int64 senders = DatumGetInt64(
			    SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
			int64 slots = DatumGetInt64(
			    SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));

			unsafe = no_sync && (senders > 0 || slots > 0);
			snprintf(seen, sizeof(seen),
			         "the server streams to " INT64_FORMAT " standby(s) and has " INT64_FORMAT
			         " physical replication slot(s), but synchronous_standby_names is empty: a "
			         "failover to a standby could lose the record of a sent mint and mint it twice",
			         senders, slots);
		}
		db_commit();
	}
	strlcpy(why, seen, cap);
	return unsafe;
}
