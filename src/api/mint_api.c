/*-------------------------------------------------------------------------
 *
 * mint_api.c
 *	  The idempotent SQL API: mint.mint_ticket(), mint.mint_tickets(),
 *	  mint.get_mint() and the mint.enqueue_mint() trigger.
 *
 * One short transaction per call, no network I/O ever:
 *
 *	 validate everything (writes nothing on error)
 *	 -> idempotency key: try-lock (in progress -> error at once), replay or
 *		reject a reused key
 *	 -> per-ticket advisory transaction locks, in ticket order (no deadlock
 *		between overlapping batches), bounded wait
 *	 -> INSERT ... ON CONFLICT ... DO UPDATE ... WHERE ... RETURNING per ticket
 *	 -> store the key with the result identity
 *	 -> wake the workers at COMMIT.
 *
 * The functions are SECURITY DEFINER with a pinned search_path; every
 * statement is a prepared, parameterised plan kept for the backend's life,
 * and an idempotency key is looked up through its table's primary key
 * directly (key_lookup: a kept plan made on an empty table scanned it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_relation.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "storage/spin.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "mint_ext.h"
#include "api/access.h"
#include "api/trees.h"
#include "api/validate.h"
#include "common/locks.h"
#include "common/spi.h"
#include "common/shared.h"

PG_FUNCTION_INFO_V1(mint_ticket);
PG_FUNCTION_INFO_V1(mint_tickets);
PG_FUNCTION_INFO_V1(mint_get_mint);
PG_FUNCTION_INFO_V1(mint_enqueue_mint);
PG_FUNCTION_INFO_V1(mint_is_address_sql);
PG_FUNCTION_INFO_V1(mint_preview_transaction);

/* Columns of mint.mint_result, in order. */
enum
{
	R_JOB_ID,
	R_TENANT_ID,
	R_TICKET_ID,
	R_STATUS,
	R_SIGNATURE,
	R_ASSET_ID,
	R_ATTEMPTS,
	R_LAST_ERROR,
	R_LAST_ERROR_CLASS,
	R_CREATED,
	R_REPLAYED,
	R_IDEM_KEY,
	R_UPDATED_AT,
	R_CONFIRMED_AT,
	R_NCOLS
};

/*
 * The job columns every statement below returns, in this order; the result
 * columns map onto them in job_row_to_result().
 */
#define JOB_COLS                                                                                   \
	"j.job_id, j.tenant_id, j.ticket_id, j.status, j.signature, j.asset_id, j.attempts, "          \
	"j.last_error_message, j.last_error_class, j.idempotency_key, j.updated_at, "                  \
	"j.confirmed_at, j.fingerprint"
#define JOB_COL_FINGERPRINT 13 /* 1-based, as SPI counts */

/*
 * An expired key is replaced (the reaper may not have deleted it yet); a
 * live one never is: the caller holds the key's lock and found none.
 */
#define KEY_PUT_CONFLICT                                                                           \
	"ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET "                                      \
	"operation = excluded.operation, fingerprint = excluded.fingerprint, "                         \
	"ticket_ids = excluded.ticket_ids, created_flags = excluded.created_flags, "                   \
	"created_at = excluded.created_at, expires_at = excluded.expires_at "                          \
	"WHERE k.expires_at <= now()"

/* What a call produces: one result row per requested ticket. */
typedef void (*MintEmit)(void *arg, Datum *values, bool *nulls);

static SPIPlanPtr plan_job_get = NULL;
static SPIPlanPtr plan_job_insert = NULL;
static SPIPlanPtr plan_job_upsert = NULL; /* the parameters changed */
static SPIPlanPtr plan_job_insert_key = NULL;
static SPIPlanPtr plan_key_put = NULL;

/*
 * job_row_to_result
 *	  Fill a mint_result from row `row` of the current SPI result.
 */
static void
job_row_to_result(int row, bool created, bool replayed, Datum *values, bool *nulls)
{
	static const int map[][2] = {
	    {R_JOB_ID, 1},           {R_TENANT_ID, 2}, {R_TICKET_ID, 3},   {R_STATUS, 4},
	    {R_SIGNATURE, 5},        {R_ASSET_ID, 6},  {R_ATTEMPTS, 7},    {R_LAST_ERROR, 8},
	    {R_LAST_ERROR_CLASS, 9}, {R_IDEM_KEY, 10}, {R_UPDATED_AT, 11}, {R_CONFIRMED_AT, 12},
	};
	HeapTuple tuple = SPI_tuptable->vals[row];
	TupleDesc desc = SPI_tuptable->tupdesc;
	int i;

	for (i = 0; i < lengthof(map); i++)
		values[map[i][0]] = SPI_getbinval(tuple, desc, map[i][1], &nulls[map[i][0]]);
	values[R_CREATED] = BoolGetDatum(created);
	nulls[R_CREATED] = false;
	values[R_REPLAYED] = BoolGetDatum(replayed);
	nulls[R_REPLAYED] = false;
}

/*
 * mint_job_get
 *	  Read one job into the SPI result; false when it does not exist.
 */
static bool
mint_job_get(const char *tenant_id, const char *ticket_id)
{
	Oid types[2] = {TEXTOID, TEXTOID};
	Datum values[2];

	values[0] = CStringGetTextDatum(tenant_id);
	values[1] = CStringGetTextDatum(ticket_id);
	if (SPI_execute_plan(mint_plan(&plan_job_get,
	                               "SELECT " JOB_COLS " FROM mint.mint_jobs j "
	                               "WHERE j.tenant_id = $1 AND j.ticket_id = $2",
	                               2, types),
	                     values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read mint.mint_jobs");
	return SPI_processed == 1;
}

static bytea *
bytes_to_bytea(const uint8 *bytes, int len)
{
	bytea *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), bytes, len);
	return b;
}

static bool
bytea_equals(Datum d, const uint8 *bytes, int len)
{
	bytea *b = DatumGetByteaPP(d);

	return VARSIZE_ANY_EXHDR(b) == len && memcmp(VARDATA_ANY(b), bytes, len) == 0;
}

/* The job insert every path starts with; its six parameters are job_args(). */
#define JOB_INSERT                                                                                 \
	"INSERT INTO mint.mint_jobs AS j "                                                             \
	"(tenant_id, ticket_id, owner, metadata, fingerprint, idempotency_key) "                       \
	"VALUES ($1, $2, $3, $4, $5, $6) "
#define JOB_INSERT_NARGS 6
#define JOB_INSERT_TYPES TEXTOID, TEXTOID, TEXTOID, JSONBOID, BYTEAOID, TEXTOID

static void
job_args(const char *tenant_id, MintTicket *t, const char *key, Datum *args, char *argnulls)
{
	args[0] = CStringGetTextDatum(tenant_id);
	args[1] = CStringGetTextDatum(t->ticket_id);
	args[2] = CStringGetTextDatum(t->owner);
	args[3] = JsonbPGetDatum(t->metadata);
	args[4] = PointerGetDatum(bytes_to_bytea(t->fingerprint, MINT_FINGERPRINT_LEN));
	if (key != NULL)
	{
		args[5] = CStringGetTextDatum(key);
		argnulls[5] = ' ';
	}
	else
		argnulls[5] = 'n';
}

/*
 * mint_upsert_job
 *	  Create or find the job of one ticket whose lock we hold.
 *
 * A new ticket is one INSERT ... ON CONFLICT DO NOTHING.  A conflict there
 * takes no row lock and writes nothing, so a repeat with the same parameters
 * is read only (no xid, no WAL, no wake-up): the job is read and returned as
 * stored.  Only different parameters go through the updating upsert, which
 * changes the job only when nothing has been recorded for it yet (status
 * queued or in_flight, no attempt); the lease token is bumped so a worker
 * that already claimed the old parameters is fenced out.  A conflict never
 * resets status, attempts, signature or asset id.  Different parameters
 * after an attempt was recorded: error, nothing changes.
 */
static void
mint_upsert_job(const char *tenant_id, MintTicket *t, const char *key, Datum *values, bool *nulls)
{
	Oid types[JOB_INSERT_NARGS] = {JOB_INSERT_TYPES};
	Datum args[JOB_INSERT_NARGS];
	char argnulls[JOB_INSERT_NARGS + 1] = "      ";
	bool isnull;

	job_args(tenant_id, t, key, args, argnulls);
	if (SPI_execute_plan(mint_plan(&plan_job_insert,
	                               JOB_INSERT "ON CONFLICT (tenant_id, ticket_id) DO NOTHING "
	                                          "RETURNING " JOB_COLS,
	                               JOB_INSERT_NARGS, types),
	                     args, argnulls, false, 0) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not insert into mint.mint_jobs");
	if (SPI_processed == 1)
	{
		job_row_to_result(0, true, false, values, nulls);
		mint_wake_at_commit();
		return;
	}

	/* The job exists: the same parameters are the common repeat. */
	if (!mint_job_get(tenant_id, t->ticket_id))
		elog(ERROR, "job of ticket \"%s\" vanished while locked", t->ticket_id);
	if (bytea_equals(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
	                               JOB_COL_FINGERPRINT, &isnull),
	                 t->fingerprint, MINT_FINGERPRINT_LEN))
	{
		job_row_to_result(0, false, false, values, nulls);
		return;
	}

	/* Different parameters: mint._change_params (src/worker/state.sql) */
	if (SPI_execute_plan(mint_plan(&plan_job_upsert,
	                               "SELECT " JOB_COLS
	                               " FROM mint._change_params($1, $2, $3, $4, $5, $6) j",
	                               JOB_INSERT_NARGS, types),
	                     args, argnulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not change the parameters of a job in mint.mint_jobs");

	if (SPI_processed == 1)
	{
		job_row_to_result(0, false, false, values, nulls);
		mint_wake_at_commit();
		return;
	}

	/* The conflict changed nothing: same parameters, or too late to change. */
	if (!mint_job_get(tenant_id, t->ticket_id))
		elog(ERROR, "job of ticket \"%s\" vanished while locked", t->ticket_id);
	if (!bytea_equals(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
	                                JOB_COL_FINGERPRINT, &isnull),
	                  t->fingerprint, MINT_FINGERPRINT_LEN))
		ereport(
		    ERROR,
		    (errcode(ERRCODE_MINT_TICKET_PARAMETERS_CHANGED),
		     errmsg("ticket \"%s\" of tenant \"%s\" was already submitted with other parameters",
		            t->ticket_id, tenant_id),
		     errdetail("The job is %s; its owner and metadata can change only while it is "
		               "queued and nothing has been signed for it.",
		               SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4)),
		     errhint("Call mint.get_mint() to see the job.")));
	job_row_to_result(0, false, false, values, nulls);
}

/*
 * mint_insert_job_with_key
 *	  The common keyed request, one new ticket: the job and its idempotency
 *	  record in one statement.  false, and nothing written, when the job
 *	  exists; the caller then takes the general path.
 */
static bool
mint_insert_job_with_key(const char *tenant_id, MintTicket *t, const char *key,
                         const char *operation, const uint8 *request_fp, Datum *values, bool *nulls)
{
	Oid types[JOB_INSERT_NARGS + 3] = {JOB_INSERT_TYPES, BYTEAOID, FLOAT8OID, TEXTOID};
	Datum args[JOB_INSERT_NARGS + 3];
	char argnulls[JOB_INSERT_NARGS + 4] = "         ";
	bool isnull;

	job_args(tenant_id, t, key, args, argnulls);
	args[6] = PointerGetDatum(bytes_to_bytea(request_fp, MINT_FINGERPRINT_LEN));
	args[7] = Float8GetDatum((double)mint_idempotency_ttl);
	args[8] = CStringGetTextDatum(operation);
	if (SPI_execute_plan(
	        mint_plan(&plan_job_insert_key,
	                  "WITH j AS (" JOB_INSERT "ON CONFLICT (tenant_id, ticket_id) DO NOTHING "
	                  "RETURNING " JOB_COLS "), "
	                  "k AS (INSERT INTO mint.idempotency_keys AS k (tenant_id, idempotency_key, "
	                  "operation, fingerprint, ticket_ids, created_flags, expires_at) "
	                  "SELECT $1, $6, $9, $7, ARRAY[$2], ARRAY[true], "
	                  "now() + make_interval(secs => $8) FROM j " KEY_PUT_CONFLICT " RETURNING 1) "
	                  "SELECT j.*, (SELECT count(*) FROM k) FROM j",
	                  JOB_INSERT_NARGS + 3, types),
	        args, argnulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not insert into mint.mint_jobs");
	if (SPI_processed == 0)
		return false;
	if (DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
	                                JOB_COL_FINGERPRINT + 1, &isnull)) != 1)
		elog(ERROR, "could not store idempotency key \"%s\"", key);
	job_row_to_result(0, true, false, values, nulls);
	mint_wake_at_commit();
	return true;
}

/*
 * mint_replay
 *	  Answer from a stored idempotency record: the same jobs, with the
 *	  `created` flags of the original call, their status as it is now, and
 *	  replayed = true.
 */
static void
mint_replay(const char *tenant_id, Datum ticket_ids, Datum created_flags, MintEmit emit, void *arg)
{
	Datum *ids;
	Datum *flags;
	int nids;
	int nflags;
	int i;
	Datum values[R_NCOLS];
	bool nulls[R_NCOLS];

	deconstruct_array(DatumGetArrayTypeP(ticket_ids), TEXTOID, -1, false, TYPALIGN_INT, &ids, NULL,
	                  &nids);
	deconstruct_array(DatumGetArrayTypeP(created_flags), BOOLOID, 1, true, TYPALIGN_CHAR, &flags,
	                  NULL, &nflags);
	for (i = 0; i < nids; i++)
	{
		char *ticket_id = TextDatumGetCString(ids[i]);

		if (!mint_job_get(tenant_id, ticket_id))
			elog(ERROR, "job of ticket \"%s\" recorded under an idempotency key is missing",
			     ticket_id);
		memset(nulls, 0, sizeof(nulls));
		job_row_to_result(0, i < nflags && DatumGetBool(flags[i]), true, values, nulls);
		emit(arg, values, nulls);
	}
}

/*
 * key_lookup
 *	  The live record of an idempotency key, read through the table's primary
 *	  key directly, not by a query: a plan kept for the backend's life, made
 *	  while mint.idempotency_keys was empty (a new installation, a first
 *	  burst after a TRUNCATE), scanned the whole table at every call until an
 *	  ANALYZE replaced it (2,600 keyed calls a second instead of 9,000,
 *	  bench/RESULTS.md run 11).  It sees what a statement here would see: a
 *	  new snapshot after this transaction's own writes.  The datums are
 *	  copies in the current memory context.
 */
typedef struct StoredKey
{
	Datum operation;
	Datum fingerprint;
	Datum ticket_ids;
	Datum created_flags;
} StoredKey;

static bool
key_lookup(const char *tenant_id, const char *key, StoredKey *out)
{
	static const char *const cols[] = {"operation", "fingerprint", "ticket_ids", "created_flags",
	                                   "expires_at"};
	Oid relid = get_relname_relid("idempotency_keys", get_namespace_oid("mint", false));
	Relation rel;
	Relation idx;
	ScanKeyData sk[2];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	Snapshot snap;
	AttrNumber att[lengthof(cols)];
	bool found = false;
	int i;

	if (!OidIsValid(relid))
		elog(ERROR, "relation mint.idempotency_keys does not exist");
	rel = table_open(relid, AccessShareLock);
	idx = index_open(RelationGetPrimaryKeyIndex(rel), AccessShareLock);
	for (i = 0; i < lengthof(cols); i++)
		if ((att[i] = attnameAttNum(rel, cols[i], false)) == InvalidAttrNumber)
			elog(ERROR, "mint.idempotency_keys has no column %s", cols[i]);
	for (i = 0; i < 2; i++)
	{
		/* the index's own collation: its entries are ordered by it */
		ScanKeyInit(&sk[i], i + 1, BTEqualStrategyNumber, F_TEXTEQ,
		            CStringGetTextDatum(i == 0 ? tenant_id : key));
		sk[i].sk_collation = idx->rd_indcollation[i];
	}
	CommandCounterIncrement();
	snap = RegisterSnapshot(GetTransactionSnapshot());
	slot = table_slot_create(rel, NULL);
	scan = index_beginscan(rel, idx, snap, 2, 0);
	index_rescan(scan, sk, 2, NULL, 0);
	while (!found && index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool isnull;
		Datum d[lengthof(cols)];

		for (i = 0; i < lengthof(cols); i++)
		{
			d[i] = slot_getattr(slot, att[i], &isnull);
			if (isnull)
				elog(ERROR, "mint.idempotency_keys.%s is null", cols[i]);
		}
		/* expires_at > now() */
		if (DatumGetTimestampTz(d[4]) <= GetCurrentTransactionStartTimestamp())
			continue;
		out->operation = PointerGetDatum(PG_DETOAST_DATUM_COPY(d[0]));
		out->fingerprint = PointerGetDatum(PG_DETOAST_DATUM_COPY(d[1]));
		out->ticket_ids = PointerGetDatum(PG_DETOAST_DATUM_COPY(d[2]));
		out->created_flags = PointerGetDatum(PG_DETOAST_DATUM_COPY(d[3]));
		found = true;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snap);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	return found;
}

static int
ticket_index_cmp(const void *a, const void *b, void *arg)
{
	MintTicket *tickets = (MintTicket *)arg;
	int ia = *(const int *)a;
	int ib = *(const int *)b;
	int c = strcmp(tickets[ia].ticket_id, tickets[ib].ticket_id);

	/* ties in request order, so a ticket's first item leads its group */
	return c != 0 ? c : (ia > ib) - (ia < ib);
}

/*
 * mint_enqueue
 *	  The one code path behind mint_ticket, mint_tickets and the trigger.
 *	  Emits one result per ticket, in request order.  Must be called inside
 *	  SPI_connect().
 */
static void
mint_enqueue(const char *tenant_id, MintTicket *tickets, int n, const char *key,
             const char *operation, MintEmit emit, void *arg)
{
	MintTree tree;
	uint8 request_fp[MINT_FINGERPRINT_LEN];
	int *order;
	int *first; /* index of the first item with the same ticket */
	Datum *res_values;
	bool *res_nulls;
	Datum *ids;
	Datum *flags;
	int i;
	char where[64] = "";

	mint_check_tenant_id(tenant_id);
	if (key != NULL)
		mint_check_idempotency_key(key);
	mint_check_tenant_access(tenant_id);
	mint_get_tree(tenant_id, &tree);

	for (i = 0; i < n; i++)
	{
		if (n > 1 || strcmp(operation, "mint_tickets") == 0)
			snprintf(where, sizeof(where), "tickets[%d]: ", i);
		mint_check_ticket(&tickets[i], &tree, where);
	}

	/* Sort once: the lock order, and duplicates of one ticket side by side. */
	order = palloc(sizeof(int) * n);
	first = palloc(sizeof(int) * n);
	for (i = 0; i < n; i++)
		order[i] = i;
	qsort_arg(order, n, sizeof(int), ticket_index_cmp, tickets);
	for (i = 0; i < n; i++)
	{
		int cur = order[i];

		first[cur] = cur;
		if (i > 0 && strcmp(tickets[order[i - 1]].ticket_id, tickets[cur].ticket_id) == 0)
		{
			int lead = first[order[i - 1]];

			if (memcmp(tickets[lead].fingerprint, tickets[cur].fingerprint, MINT_FINGERPRINT_LEN) !=
			    0)
				ereport(ERROR,
				        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				         errmsg("tickets[%d] and tickets[%d] name ticket \"%s\" with different "
				                "parameters",
				                lead, cur, tickets[cur].ticket_id)));
			first[cur] = lead;
		}
	}

	if (key != NULL)
	{
		StoredKey stored;

		mint_request_fingerprint(operation, tickets, n, request_fp);
		if (!mint_try_lock_key(tenant_id, key))
			ereport(ERROR,
			        (errcode(ERRCODE_MINT_IDEMPOTENCY_IN_PROGRESS),
			         errmsg("a request with idempotency key \"%s\" is still in progress", key),
			         errdetail("Another transaction used this key and has not committed yet."),
			         errhint("Retry after that request has finished.")));
		if (key_lookup(tenant_id, key, &stored))
		{
			char *stored_op = TextDatumGetCString(stored.operation);

			if (strcmp(stored_op, operation) != 0 ||
			    !bytea_equals(stored.fingerprint, request_fp, MINT_FINGERPRINT_LEN))
				ereport(ERROR,
				        (errcode(ERRCODE_MINT_IDEMPOTENCY_KEY_REUSED),
				         errmsg("idempotency key \"%s\" was already used with different "
				                "parameters",
				                key),
				         errdetail("The key was first used for a %s call with other tickets, "
				                   "owners or metadata.",
				                   stored_op),
				         errhint("Use a new key for a new request.")));
			mint_replay(tenant_id, stored.ticket_ids, stored.created_flags, emit, arg);
			return;
		}
	}

	for (i = 0; i < n; i++)
	{
		if (first[order[i]] == order[i])
			mint_lock_ticket(tenant_id, tickets[order[i]].ticket_id);
	}

	res_values = palloc(sizeof(Datum) * R_NCOLS * n);
	res_nulls = palloc0(sizeof(bool) * R_NCOLS * n);

	/* One new ticket with a key: the job and the key in one statement. */
	if (n == 1 && key != NULL &&
	    mint_insert_job_with_key(tenant_id, &tickets[0], key, operation, request_fp, res_values,
	                             res_nulls))
	{
		emit(arg, res_values, res_nulls);
		return;
	}

	ids = palloc(sizeof(Datum) * n);
	flags = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
	{
		Datum *v = res_values + i * R_NCOLS;
		bool *nl = res_nulls + i * R_NCOLS;

		if (first[i] == i)
			mint_upsert_job(tenant_id, &tickets[i], key, v, nl);
		else
		{
			/* A repeat of an earlier item: the same job, not created twice. */
			memcpy(v, res_values + first[i] * R_NCOLS, sizeof(Datum) * R_NCOLS);
			memcpy(nl, res_nulls + first[i] * R_NCOLS, sizeof(bool) * R_NCOLS);
			v[R_CREATED] = BoolGetDatum(false);
		}
		ids[i] = CStringGetTextDatum(tickets[i].ticket_id);
		flags[i] = v[R_CREATED];
	}

	if (key != NULL)
	{
		Oid types[7] = {TEXTOID, TEXTOID, TEXTOID, BYTEAOID, TEXTARRAYOID, BOOLARRAYOID, FLOAT8OID};
		Datum args[7];

		args[0] = CStringGetTextDatum(tenant_id);
		args[1] = CStringGetTextDatum(key);
		args[2] = CStringGetTextDatum(operation);
		args[3] = PointerGetDatum(bytes_to_bytea(request_fp, MINT_FINGERPRINT_LEN));
		args[4] = PointerGetDatum(construct_array(ids, n, TEXTOID, -1, false, TYPALIGN_INT));
		args[5] = PointerGetDatum(construct_array(flags, n, BOOLOID, 1, true, TYPALIGN_CHAR));
		args[6] = Float8GetDatum((double)mint_idempotency_ttl);
		if (SPI_execute_plan(
		        mint_plan(&plan_key_put,
		                  "INSERT INTO mint.idempotency_keys AS k (tenant_id, idempotency_key, "
		                  "operation, fingerprint, ticket_ids, created_flags, expires_at) "
		                  "VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => "
		                  "$7)) " KEY_PUT_CONFLICT,
		                  7, types),
		        args, NULL, false, 0) != SPI_OK_INSERT ||
		    SPI_processed != 1)
			elog(ERROR, "could not store idempotency key \"%s\"", key);
	}

	for (i = 0; i < n; i++)
		emit(arg, res_values + i * R_NCOLS, res_nulls + i * R_NCOLS);
}

/* ---------------------------------------------------------------------------
 * SQL-callable functions
 * ---------------------------------------------------------------------------
 */

static char *
arg_text(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
		        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be null", name)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

typedef struct SingleResult
{
	TupleDesc desc;
	MemoryContext cxt;
	HeapTuple tuple;
} SingleResult;

static void
emit_single(void *arg, Datum *values, bool *nulls)
{
	SingleResult *r = (SingleResult *)arg;
	MemoryContext old = MemoryContextSwitchTo(r->cxt);

	r->tuple = heap_form_tuple(r->desc, values, nulls);
	MemoryContextSwitchTo(old);
}

static void
emit_tuplestore(void *arg, Datum *values, bool *nulls)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *)arg;

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

static TupleDesc
result_desc(FunctionCallInfo fcinfo)
{
	TupleDesc desc;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be mint.mint_result");
	return BlessTupleDesc(desc);
}

/*
 * mint.mint_ticket(tenant_id, ticket_id, owner, metadata, idempotency_key)
 */
Datum
mint_ticket(PG_FUNCTION_ARGS)
{
	SingleResult r;
	MintTicket t;
	char *tenant_id = arg_text(fcinfo, 0, "tenant_id");
	char *key = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));

	memset(&t, 0, sizeof(t));
	t.ticket_id = arg_text(fcinfo, 1, "ticket_id");
	t.owner = arg_text(fcinfo, 2, "owner");
	if (PG_ARGISNULL(3))
		ereport(ERROR,
		        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("metadata must not be null")));
	t.metadata = PG_GETARG_JSONB_P(3);

	r.desc = result_desc(fcinfo);
	r.cxt = CurrentMemoryContext;
	r.tuple = NULL;
	SPI_connect();
	mint_enqueue(tenant_id, &t, 1, key, "mint_ticket", emit_single, &r);
	SPI_finish();
	PG_RETURN_DATUM(HeapTupleGetDatum(r.tuple));
}

/*
 * Parse mint_tickets' JSON array: objects with exactly ticket_id, owner and
 * metadata.
 */
static MintTicket *
parse_tickets(Jsonb *jb, int *n)
{
	MintTicket *tickets;
	int count;
	int i;

	if (!JB_ROOT_IS_ARRAY(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("tickets must be a JSON array of objects")));
	count = JB_ROOT_COUNT(jb);
	if (count == 0)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("tickets must not be empty")));
	if (count > mint_max_batch)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("too many tickets in one call: %d", count),
		                errdetail("mint.max_batch is %d.", mint_max_batch)));

	tickets = palloc0(sizeof(MintTicket) * count);
	for (i = 0; i < count; i++)
	{
		JsonbValue *item = getIthJsonbValueFromContainer(&jb->root, i);
		JsonbContainer *obj;
		JsonbValue v;
		int found = 0;

		if (item->type != jbvBinary || !JsonContainerIsObject(item->val.binary.data))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("tickets[%d] must be a JSON object", i)));
		obj = item->val.binary.data;

		if (getKeyJsonValueFromContainer(obj, "ticket_id", 9, &v) != NULL)
		{
			if (v.type != jbvString)
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				                errmsg("tickets[%d]: ticket_id must be a string", i)));
			tickets[i].ticket_id = pnstrdup(v.val.string.val, v.val.string.len);
			found++;
		}
		if (getKeyJsonValueFromContainer(obj, "owner", 5, &v) != NULL)
		{
			if (v.type != jbvString)
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				                errmsg("tickets[%d]: owner must be a string", i)));
			tickets[i].owner = pnstrdup(v.val.string.val, v.val.string.len);
			found++;
		}
		if (getKeyJsonValueFromContainer(obj, "metadata", 8, &v) != NULL)
		{
			if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				                errmsg("tickets[%d]: metadata must be a JSON object", i)));
			tickets[i].metadata = JsonbValueToJsonb(&v);
			found++;
		}
		if (tickets[i].ticket_id == NULL || tickets[i].owner == NULL || tickets[i].metadata == NULL)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("tickets[%d] must have ticket_id, owner and metadata", i)));
		if (JsonContainerSize(obj) != found)
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			         errmsg("tickets[%d] has a key other than ticket_id, owner and metadata", i)));
	}
	*n = count;
	return tickets;
}

/*
 * mint.mint_tickets(tenant_id, tickets, idempotency_key): all or nothing.
 */
Datum
mint_tickets(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
	char *tenant_id = arg_text(fcinfo, 0, "tenant_id");
	char *key = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	MintTicket *tickets;
	int n;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
		        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("tickets must not be null")));
	tickets = parse_tickets(PG_GETARG_JSONB_P(1), &n);

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	mint_enqueue(tenant_id, tickets, n, key, "mint_tickets", emit_tuplestore, rsinfo);
	SPI_finish();
	return (Datum)0;
}

/*
 * mint.get_mint(tenant_id, ticket_id): read only; NULL when there is no job.
 */
Datum
mint_get_mint(PG_FUNCTION_ARGS)
{
	char *tenant_id = arg_text(fcinfo, 0, "tenant_id");
	char *ticket_id = arg_text(fcinfo, 1, "ticket_id");
	TupleDesc desc = result_desc(fcinfo);
	Datum values[R_NCOLS];
	bool nulls[R_NCOLS];
	MemoryContext cxt = CurrentMemoryContext;
	HeapTuple tuple = NULL;

	mint_check_tenant_id(tenant_id);
	SPI_connect();
	mint_check_tenant_access(tenant_id);
	if (mint_job_get(tenant_id, ticket_id))
	{
		MemoryContext old;

		memset(nulls, 0, sizeof(nulls));
		job_row_to_result(0, false, false, values, nulls);
		old = MemoryContextSwitchTo(cxt);
		tuple = heap_form_tuple(desc, values, nulls);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	if (tuple == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}

static void
emit_nothing(void *arg, Datum *values, bool *nulls)
{
}

static char *
trigger_column(TriggerData *td, HeapTuple tuple, int argno, const char *what, Datum *binval)
{
	TupleDesc desc = td->tg_relation->rd_att;
	const char *col = td->tg_trigger->tgargs[argno];
	int fnum = SPI_fnumber(desc, col);
	bool isnull;

	if (fnum <= 0)
		ereport(ERROR,
		        (errcode(ERRCODE_UNDEFINED_COLUMN),
		         errmsg("column \"%s\" named as the %s column of trigger \"%s\" does not exist",
		                mint_clip(col), what, td->tg_trigger->tgname)));
	if (binval != NULL)
		*binval = SPI_getbinval(tuple, desc, fnum, &isnull);
	else
		(void)SPI_getbinval(tuple, desc, fnum, &isnull);
	if (isnull)
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		                errmsg("%s column \"%s\" of the new row is null", what, mint_clip(col))));
	return SPI_getvalue(tuple, desc, fnum);
}

/*
 * mint.enqueue_mint(): row trigger; arguments are the column names of the
 * tenant id, ticket id, owner and metadata (jsonb, json or text).
 */
Datum
mint_enqueue_mint(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *)fcinfo->context;
	HeapTuple tuple;
	MintTicket t;
	char *tenant_id;
	char *metadata_text;
	Datum metadata;
	int fnum;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
		                errmsg("mint.enqueue_mint() must be called as a trigger")));
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
	    !(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
		        (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
		         errmsg("mint.enqueue_mint() must be a FOR EACH ROW trigger on INSERT or UPDATE")));
	if (td->tg_trigger->tgnargs != 4)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		         errmsg("trigger \"%s\" must name four columns: tenant id, ticket id, owner, "
		                "metadata",
		                td->tg_trigger->tgname)));

	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	memset(&t, 0, sizeof(t));
	tenant_id = trigger_column(td, tuple, 0, "tenant id", NULL);
	t.ticket_id = trigger_column(td, tuple, 1, "ticket id", NULL);
	t.owner = trigger_column(td, tuple, 2, "owner", NULL);
	metadata_text = trigger_column(td, tuple, 3, "metadata", &metadata);
	fnum = SPI_fnumber(td->tg_relation->rd_att, td->tg_trigger->tgargs[3]);
	if (SPI_gettypeid(td->tg_relation->rd_att, fnum) == JSONBOID)
		t.metadata = DatumGetJsonbP(metadata);
	else
		t.metadata = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(metadata_text)));

	SPI_connect();
	mint_enqueue(tenant_id, &t, 1, NULL, "mint_ticket", emit_nothing, NULL);
	SPI_finish();
	return PointerGetDatum(TRIGGER_FIRED_BEFORE(td->tg_event) ? tuple : NULL);
}

/*
 * mint.is_address(text) — whether the text is a base58 32-byte address.
 */
Datum
mint_is_address_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(mint_is_address(text_to_cstring(PG_GETARG_TEXT_PP(0))));
}

/*
 * mint.preview_transaction(tenant_id, ticket_id, recent_blockhash): base64
 * of the transaction the worker would build for the job with this
 * blockhash, signature slots zeroed.  The signing key never enters a
 * backend: the fee payer's public key comes from shared memory, where the
 * worker publishes it when it loads mint.keypair_path.
 */
Datum
mint_preview_transaction(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	char *tenant_id = arg_text(fcinfo, 0, "tenant_id");
	char *ticket_id = arg_text(fcinfo, 1, "ticket_id");
	char *blockhash = arg_text(fcinfo, 2, "recent_blockhash");
	Oid types[2] = {TEXTOID, TEXTOID};
	Datum args[2];
	char payer[48];
	MintTree tree;
	char *owner;
	char *metadata;
	char *b64;
	text *result;

	SpinLockAcquire(&mint_shared->mutex);
	memcpy(payer, mint_shared->payer, sizeof(payer));
	SpinLockRelease(&mint_shared->mutex);
	if (payer[0] == '\0')
		ereport(ERROR,
		        (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		         errmsg("no signing key is configured"),
		         errdetail("The fee payer's public key is published by a mint_ext worker once it "
		                   "has loaded mint.keypair_path."),
		         errhint("Set mint.keypair_path and reload the configuration.")));

	mint_check_tenant_id(tenant_id);
	SPI_connect();
	mint_check_tenant_access(tenant_id);
	args[0] = CStringGetTextDatum(tenant_id);
	args[1] = CStringGetTextDatum(ticket_id);
	if (SPI_execute_plan(mint_plan(&plan,
	                               "SELECT j.owner, j.metadata::text FROM mint.mint_jobs j "
	                               "WHERE j.tenant_id = $1 AND j.ticket_id = $2",
	                               2, types),
	                     args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read mint.mint_jobs");
	if (SPI_processed == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND),
		                errmsg("no mint job for ticket \"%s\" of tenant \"%s\"",
		                       mint_clip(ticket_id), tenant_id)));
	owner = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	metadata = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	mint_get_tree(tenant_id, &tree);
	b64 = mint_preview_tx(owner, metadata, &tree, payer, blockhash);
	result = SPI_palloc(VARHDRSZ + strlen(b64));
	SET_VARSIZE(result, VARHDRSZ + strlen(b64));
	memcpy(VARDATA(result), b64, strlen(b64));
	SPI_finish();
	PG_RETURN_TEXT_P(result);
}
