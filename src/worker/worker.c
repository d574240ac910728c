/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  Lifecycle of the mint_ext background workers: registration at
 *	  shared_preload_libraries time, signals, the latch loop, and
 *	  mint.worker_status.
 *
 * The loop sleeps on MyLatch, which the SQL API sets at the commit of any
 * transaction that enqueued work; SIGTERM is `die`, SIGHUP reloads the
 * settings.  No transaction or lock is held across network I/O: the engine
 * (engine.c) does its RPC between the short transactions of db.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "mint_ext.h"
#include "common/shared.h"
#include "solana/sol_common.h"
#include "worker/deliver.h"
#include "worker/worker.h"

int mint_worker_slot = -1;

static volatile sig_atomic_t shutdown_requested = false;

/*
 * SIGTERM: stop at the next turn of the loop, after handing the held jobs
 * back (a crash instead leaves them to lease expiry).  The loop never
 * blocks for longer than mint.poll_interval, or 10 ms while calls are in
 * flight, so a stop is prompt.
 */
static void
mint_worker_sigterm(SIGNAL_ARGS)
{
	int save_errno = errno;

	shutdown_requested = true;
	SetLatch(MyLatch);
	errno = save_errno;
}

/*
 * mint_register_workers
 *	  Called from _PG_init: mint.workers static workers, restarted by the
 *	  postmaster one second after a crash.
 */
void
mint_register_workers(void)
{
	BackgroundWorker worker;
	int i;

	for (i = 0; i < mint_workers; i++)
	{
		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		/* started on a hot standby too, where it only says so (mint.worker_status);
		 * it works once the server is promoted */
		worker.bgw_start_time = BgWorkerStart_ConsistentState;
		worker.bgw_restart_time = 1;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "mint_ext");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "mint_worker_main");
		snprintf(worker.bgw_name, BGW_MAXLEN, "mint_ext worker %d", i);
		snprintf(worker.bgw_type, BGW_MAXLEN, "mint_ext worker");
		worker.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&worker);
	}
}

/*
 * mint_worker_report
 *	  What mint.worker_status shows: the state, and the condition that stops
 *	  progress (code and message, NULL when there is none) with the time it
 *	  began.
 */
void
mint_worker_report(const char *state, const char *reason_code, const char *reason, int inflight,
                   int rpc_pending)
{
	MintWorkerStatus *w = &mint_shared->workers[mint_worker_slot];
	TimestampTz now = GetCurrentTimestamp();

	if (reason_code == NULL)
		reason_code = "";
	SpinLockAcquire(&mint_shared->mutex);
	strlcpy(w->state, state, sizeof(w->state));
	if (strcmp(w->reason_code, reason_code) != 0)
	{
		strlcpy(w->reason_code, reason_code, sizeof(w->reason_code));
		w->reason_since = reason_code[0] ? now : 0;
	}
	strlcpy(w->reason, reason_code[0] && reason ? reason : "", sizeof(w->reason));
	w->inflight = inflight;
	w->rpc_pending = rpc_pending;
	SpinLockRelease(&mint_shared->mutex);
}

/* mint.rpc_url as shown and logged: credentials redacted. */
void
mint_worker_set_rpc_url(const char *url)
{
	MintWorkerStatus *w = &mint_shared->workers[mint_worker_slot];

	SpinLockAcquire(&mint_shared->mutex);
	sol_url_redact(url, w->rpc_url, sizeof(w->rpc_url));
	SpinLockRelease(&mint_shared->mutex);
}

/*
 * An attempt is sent only once its record is durable where a failover could
 * take over: the worker's commits flush locally and wait for the synchronous
 * standbys the server names.  A weaker synchronous_commit (off, local) from
 * the configuration, the database or the role is raised for the worker's own
 * session; it never weakens it.
 */
static void
enforce_durable_commit(void)
{
	if (synchronous_commit >= SYNCHRONOUS_COMMIT_REMOTE_WRITE)
		return;
	ereport(LOG, (errmsg("mint worker raises synchronous_commit from \"%s\" to \"on\" for its own "
	                     "session",
	                     GetConfigOption("synchronous_commit", false, false)),
	              errdetail("A transaction is sent only after its record is durable, on the "
	                        "synchronous standbys too.")));
	SetConfigOption("synchronous_commit", "on", PGC_SUSET, PGC_S_OVERRIDE);
}

static void
mint_worker_exit(int code, Datum arg)
{
	MintWorkerStatus *w = &mint_shared->workers[mint_worker_slot];

	mint_set_worker_latch(mint_worker_slot, NULL);
	SpinLockAcquire(&mint_shared->mutex);
	w->pid = 0;
	strlcpy(w->state, "stopped", sizeof(w->state));
	w->inflight = 0;
	w->rpc_pending = 0;
	SpinLockRelease(&mint_shared->mutex);
}

void
mint_worker_main(Datum main_arg)
{
	MintWorkerStatus *w;
	bool woken = true;
	bool mismatch_logged = false;
	char sqlver[16];

	mint_worker_slot = DatumGetInt32(main_arg);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, mint_worker_sigterm);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(mint_database, NULL, 0);

	w = &mint_shared->workers[mint_worker_slot];
	SpinLockAcquire(&mint_shared->mutex);
	memset(w, 0, sizeof(*w));
	w->pid = MyProcPid;
	w->started_at = GetCurrentTimestamp();
	strlcpy(w->state, "starting", sizeof(w->state));
	SpinLockRelease(&mint_shared->mutex);
	before_shmem_exit(mint_worker_exit, (Datum)0);
	mint_set_worker_latch(mint_worker_slot, MyLatch);

	enforce_durable_commit();
	engine_init(); /* sets w->rpc_url, redacted */
	ereport(LOG, (errmsg("mint_ext worker %d (version %s) started on database \"%s\", rpc %s",
	                     mint_worker_slot, MINT_EXT_VERSION, mint_database, w->rpc_url)));

	for (;;)
	{
		long wait_ms;
		int rc;

		CHECK_FOR_INTERRUPTS();
		if (shutdown_requested)
		{
			SpinLockAcquire(&mint_shared->mutex);
			strlcpy(w->state, "stopping", sizeof(w->state));
			SpinLockRelease(&mint_shared->mutex);
			engine_shutdown();
			deliver_shutdown();
			ereport(LOG, (errmsg("mint_ext worker %d stopped", mint_worker_slot)));
			/* exit code 1: restarted after bgw_restart_time unless the server is stopping */
			proc_exit(1);
		}
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			enforce_durable_commit();
			engine_reload();
		}

		if (!db_extension_version(sqlver, sizeof(sqlver)))
		{
			mint_worker_report("waiting for extension", NULL, NULL, 0, 0);
			wait_ms = 1000;
		}
		else if (strcmp(sqlver, MINT_EXT_VERSION) != 0)
		{
			/*
			 * The SQL objects are another version's: their functions may not
			 * be what this library calls.  Do nothing (the jobs wait, and the
			 * leases of jobs held are left to expire) until ALTER EXTENSION
			 * ... UPDATE or a restart with the matching library.
			 */
			char msg[256];

			snprintf(msg, sizeof(msg),
			         "the library is mint_ext %s but the installed extension is %s: run ALTER "
			         "EXTENSION mint_ext UPDATE (or restart with the matching library)",
			         MINT_EXT_VERSION, sqlver);
			if (!mismatch_logged)
				ereport(LOG, (errmsg("mint worker is blocked (version_mismatch): %s", msg)));
			mismatch_logged = true;
			mint_worker_report("blocked", "version_mismatch", msg, 0, 0);
			wait_ms = 1000;
		}
		else if (RecoveryInProgress())
		{
			/* a standby: its tables are a copy, and the primary's workers mint */
			mint_worker_report("standby", "standby",
			                   "this server is a standby (in recovery): the workers run on the "
			                   "primary, and start working here when it is promoted",
			                   0, 0);
			wait_ms = 1000;
		}
		else
		{
			char why[256];
			bool unsafe = db_replication_unsafe(why, sizeof(why));

			mismatch_logged = false;
			engine_set_replication(unsafe, why);
			wait_ms = engine_tick(woken);
			if (mint_worker_slot == 0)
			{
				/* outbound webhooks (deliver.c): never waits, bounded */
				long d = deliver_tick();

				if (wait_ms >= 0)
					wait_ms = Min(wait_ms, d);
			}
		}
		SpinLockAcquire(&mint_shared->mutex);
		strlcpy(w->sql_version, sqlver, sizeof(w->sql_version));
		SpinLockRelease(&mint_shared->mutex);
		woken = false;

		if (wait_ms < 0)
		{
			/* calls in flight: let them progress, then look at the latch */
			engine_wait_rpc(10);
			wait_ms = 0;
		}
		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait_ms,
		               PG_WAIT_EXTENSION);
		if (rc & WL_LATCH_SET)
		{
			ResetLatch(MyLatch);
			woken = true;
		}
	}
}

PG_FUNCTION_INFO_V1(mint_worker_status);

/*
 * mint._worker_status() — one row per configured worker (view
 * mint.worker_status).  The 0.1.0 declaration had 13 columns (no reason,
 * URL or versions); a 0.1.0 schema still gets its 13, the reason folded
 * into the state, so that the view says why the worker waits for ALTER
 * EXTENSION ... UPDATE.
 */
#define WS_COLS_0_1 13
#define WS_COLS     23

Datum
mint_worker_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
	int i;
	int natts;

	InitMaterializedSRF(fcinfo, 0);
	natts = rsinfo->setDesc->natts;
	if (natts != WS_COLS && natts != WS_COLS_0_1)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
		                errmsg("mint._worker_status() declared with %d columns, expected %d", natts,
		                       WS_COLS),
		                errhint("Run ALTER EXTENSION mint_ext UPDATE.")));
	for (i = 0; i < mint_workers; i++)
	{
		MintWorkerStatus s;
		Datum values[WS_COLS];
		bool nulls[WS_COLS];
		int c = 0;
		char state[64];

		SpinLockAcquire(&mint_shared->mutex);
		s = mint_shared->workers[i];
		SpinLockRelease(&mint_shared->mutex);

		memset(nulls, 0, sizeof(nulls));
		strlcpy(state, s.state[0] ? s.state : "not started", sizeof(state));
		if (natts == WS_COLS_0_1 && s.reason_code[0])
			snprintf(state, sizeof(state), "%s: %s", s.state, s.reason_code);
		values[c++] = Int32GetDatum(i);
		nulls[c] = s.pid == 0;
		values[c++] = Int32GetDatum(s.pid);
		values[c++] = CStringGetTextDatum(state);
		if (natts == WS_COLS)
		{
			nulls[c] = s.reason_code[0] == '\0';
			values[c++] = CStringGetTextDatum(s.reason_code);
			nulls[c] = s.reason_code[0] == '\0';
			values[c++] = CStringGetTextDatum(s.reason);
			nulls[c] = s.reason_since == 0;
			values[c++] = TimestampTzGetDatum(s.reason_since);
		}
		values[c++] = Int32GetDatum(s.inflight);
		values[c++] = Int32GetDatum(s.rpc_pending);
		values[c++] = Int64GetDatum(s.sent);
		values[c++] = Int64GetDatum(s.confirmed);
		values[c++] = Int64GetDatum(s.failed);
		values[c++] = Int64GetDatum(s.requeued);
		values[c++] = Int64GetDatum(s.rpc_errors);
		if (natts == WS_COLS)
		{
			values[c++] = Int64GetDatum(s.inconclusive);
			values[c++] = Int64GetDatum(s.context_not_reached);
			values[c++] = Int64GetDatum(s.sent_extra);
			values[c++] = Int64GetDatum(s.send_extra_errors);
		}
		nulls[c] = s.last_rpc_error[0] == '\0';
		values[c++] = CStringGetTextDatum(s.last_rpc_error);
		nulls[c] = s.last_rpc_error_at == 0;
		values[c++] = TimestampTzGetDatum(s.last_rpc_error_at);
		nulls[c] = s.started_at == 0;
		values[c++] = TimestampTzGetDatum(s.started_at);
		if (natts == WS_COLS)
		{
			nulls[c] = s.rpc_url[0] == '\0';
			values[c++] = CStringGetTextDatum(s.rpc_url);
			values[c++] = CStringGetTextDatum(MINT_EXT_VERSION);
			nulls[c] = s.sql_version[0] == '\0';
			values[c++] = CStringGetTextDatum(s.sql_version);
		}
		Assert(c == natts);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum)0;
}
