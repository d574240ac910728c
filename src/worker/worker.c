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
#include "utils/timestamp.h"

#include "mint_ext.h"
#include "common/shared.h"
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
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = 1;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "mint_ext");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "mint_worker_main");
		snprintf(worker.bgw_name, BGW_MAXLEN, "mint_ext worker %d", i);
		snprintf(worker.bgw_type, BGW_MAXLEN, "mint_ext worker");
		worker.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&worker);
	}
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

	ereport(LOG, (errmsg("mint_ext worker %d started on database \"%s\", rpc %s", mint_worker_slot,
	                     mint_database, mint_rpc_url)));
	engine_init();

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
			ereport(LOG, (errmsg("mint_ext worker %d stopped", mint_worker_slot)));
			/* exit code 1: restarted after bgw_restart_time unless the server is stopping */
			proc_exit(1);
		}
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			engine_reload();
		}

		if (!db_extension_ready())
		{
			SpinLockAcquire(&mint_shared->mutex);
			strlcpy(w->state, "waiting for extension", sizeof(w->state));
			SpinLockRelease(&mint_shared->mutex);
			wait_ms = 1000;
		}
		else
			wait_ms = engine_tick(woken);
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
 * mint._worker_status() — one row per configured worker (view mint.worker_status).
 */
Datum
mint_worker_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
	int i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < mint_workers; i++)
	{
		MintWorkerStatus s;
		char payer[48];
		Datum values[13];
		bool nulls[13];

		SpinLockAcquire(&mint_shared->mutex);
		s = mint_shared->workers[i];
		memcpy(payer, mint_shared->payer, sizeof(payer));
		SpinLockRelease(&mint_shared->mutex);

		memset(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(i);
		values[1] = Int32GetDatum(s.pid);
		nulls[1] = s.pid == 0;
		values[2] = CStringGetTextDatum(s.state[0] ? s.state : "not started");
		values[3] = Int32GetDatum(s.inflight);
		values[4] = Int32GetDatum(s.rpc_pending);
		values[5] = Int64GetDatum(s.sent);
		values[6] = Int64GetDatum(s.confirmed);
		values[7] = Int64GetDatum(s.failed);
		values[8] = Int64GetDatum(s.requeued);
		values[9] = Int64GetDatum(s.rpc_errors);
		values[10] = CStringGetTextDatum(s.last_rpc_error);
		nulls[10] = s.last_rpc_error[0] == '\0';
		values[11] = TimestampTzGetDatum(s.last_rpc_error_at);
		nulls[11] = s.last_rpc_error_at == 0;
		values[12] = TimestampTzGetDatum(s.started_at);
		nulls[12] = s.started_at == 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum)0;
}
