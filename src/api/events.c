/*-------------------------------------------------------------------------
 *
 * events.c
 *	  mint._sequence_events(): the deferred row trigger on mint.events that
 *	  numbers a transaction's events at commit (src/api/events.sql).
 *
 * Every event row queues one deferred trigger; the first one that fires
 * numbers all of the transaction's unnumbered events (mint._number_events(),
 * one statement), the others only need to know that their row was among
 * them.  That knowledge lives here, not in a query: the transaction's events
 * take their ord from one sequence in this session, so a row whose ord is at
 * most the highest ord the numbering saw was numbered by it.  A PL/pgSQL
 * trigger looked the row up instead, and PL/pgSQL keeps its plans for the
 * session: a plan made while the table was small (a sequential scan) read
 * every event for every row of every commit of the worker (bench/RESULTS.md,
 * run 9).
 *
 * What was seen is forgotten at the end of the transaction and at the abort
 * of any subtransaction (whose numbering, if it ran, is undone with it, and
 * whose fired triggers fire again at commit).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "catalog/pg_proc.h"

PG_FUNCTION_INFO_V1(mint_sequence_events);

/* the local transaction whose events up to numbered_ord are numbered (0: none) */
static LocalTransactionId numbered_lxid = InvalidLocalTransactionId;
static int64 numbered_ord = 0;
static bool callbacks_registered = false;

static void
forget_xact(XactEvent event, void *arg)
{
	numbered_lxid = InvalidLocalTransactionId;
}

static void
forget_subxact(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid,
               void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		numbered_lxid = InvalidLocalTransactionId;
}

Datum
mint_sequence_events(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *)fcinfo->context;
	TupleDesc desc;
	int attno;
	bool isnull;
	bool seq_null;
	int64 ord;
	Oid owner, save_user;
	int save_sec;
	HeapTuple proc;
	char *sql;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
	    !TRIGGER_FIRED_FOR_ROW(td->tg_event) || !TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
		                errmsg("mint._sequence_events() must be an AFTER INSERT row trigger")));
	if (!callbacks_registered)
	{
		RegisterXactCallback(forget_xact, NULL);
		RegisterSubXactCallback(forget_subxact, NULL);
		callbacks_registered = true;
	}
	desc = RelationGetDescr(td->tg_relation);
	attno = SPI_fnumber(desc, "ord");
	if (attno <= 0)
		elog(ERROR, "mint._sequence_events(): the table has no column \"ord\"");
	ord = DatumGetInt64(heap_getattr(td->tg_trigtuple, attno, desc, &isnull));
	if (!isnull && numbered_lxid == MyProc->lxid && ord <= numbered_ord)
		return PointerGetDatum(NULL);
	/* a row inserted with its number (a restore, a copy of history) needs none */
	attno = SPI_fnumber(desc, "seq");
	if (attno <= 0)
		elog(ERROR, "mint._sequence_events(): the table has no column \"seq\"");
	(void)heap_getattr(td->tg_trigtuple, attno, desc, &seq_null);
	if (!seq_null)
		return PointerGetDatum(NULL);

	/*
	 * Number them, as the owner of this function: the committing role (an
	 * application's) may not execute mint._number_events(), which is
	 * SECURITY DEFINER with its search_path pinned.  The call names its
	 * schema, the one of the table.
	 */
	proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (!HeapTupleIsValid(proc))
		elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	owner = ((Form_pg_proc)GETSTRUCT(proc))->proowner;
	ReleaseSysCache(proc);
	sql = psprintf("SELECT %s._number_events()",
	               quote_identifier(get_namespace_name(RelationGetNamespace(td->tg_relation))));
	GetUserIdAndSecContext(&save_user, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		int64 upto;
		bool upto_null;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute(sql, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "mint._number_events() failed");
		upto = DatumGetInt64(
		    SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &upto_null));
		SPI_finish();
		/* this row, if it still exists, was among them (it has no number otherwise) */
		numbered_lxid = MyProc->lxid;
		numbered_ord = Max(upto_null ? 0 : upto, isnull ? 0 : ord);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();
	pfree(sql);
	return PointerGetDatum(NULL);
}
