/*-------------------------------------------------------------------------
 *
 * shared.c
 *	  Shared memory and the commit-time wake-up of the workers.
 *
 * The SQL API never talks to the network; it only marks "work was enqueued"
 * in its transaction.  A transaction callback turns that mark into a latch
 * wake-up of every worker at COMMIT, so the worker never wakes before the
 * rows are visible, and a rolled-back call wakes nobody (docs/AUDIT.md UP6).  The
 * callback is registered once per backend (pg_net registered it on every
 * call and never removed it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sodium.h>

#include "access/xact.h"
#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"

#include "common/shared.h"

MintShared *mint_shared = NULL;

StaticAssertDecl(MINT_LOCK_HASH_KEY_LEN == crypto_shorthash_KEYBYTES,
                 "the lock hash key is a crypto_shorthash key");

static bool wake_pending = false;
static bool xact_callback_registered = false;

void
mint_shmem_request(void)
{
	RequestAddinShmemSpace(MAXALIGN(sizeof(MintShared)));
}

void
mint_shmem_startup(void)
{
	bool found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	mint_shared = ShmemInitStruct("mint_ext", sizeof(MintShared), &found);
	if (!found)
	{
		memset(mint_shared, 0, sizeof(MintShared));
		pg_atomic_init_u64(&mint_shared->wake_commits, 0);
		for (int i = 0; i < MINT_WH_NCOUNTERS; i++)
			pg_atomic_init_u64(&mint_shared->webhooks[i], 0);
		SpinLockInit(&mint_shared->mutex);
		/* advisory locks do not outlive the shared memory: neither need the key */
		randombytes_buf(mint_shared->lock_hash_key, sizeof(mint_shared->lock_hash_key));
	}
	LWLockRelease(AddinShmemInitLock);
}

static void
mint_wake_workers(void)
{
	int i;

	pg_atomic_fetch_add_u64(&mint_shared->wake_commits, 1);
	SpinLockAcquire(&mint_shared->mutex);
	for (i = 0; i < MINT_MAX_WORKERS; i++)
	{
		if (mint_shared->latches[i] != NULL)
			SetLatch(mint_shared->latches[i]);
	}
	SpinLockRelease(&mint_shared->mutex);
}

static void
mint_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (wake_pending && mint_shared != NULL)
				mint_wake_workers();
			wake_pending = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			wake_pending = false;
			break;
		default:
			break;
	}
}

/*
 * mint_wake_at_commit
 *	  Wake the workers when (and only if) the current transaction commits.
 */
void
mint_wake_at_commit(void)
{
	if (!xact_callback_registered)
	{
		RegisterXactCallback(mint_xact_callback, NULL);
		xact_callback_registered = true;
	}
	wake_pending = true;
}

/*
 * mint_set_worker_latch
 *	  A worker publishes (or, with NULL, withdraws) the latch to wake.
 */
void
mint_set_worker_latch(int slot, Latch *latch)
{
	Assert(slot >= 0 && slot < MINT_MAX_WORKERS);
	SpinLockAcquire(&mint_shared->mutex);
	mint_shared->latches[slot] = latch;
	SpinLockRelease(&mint_shared->mutex);
}

PG_FUNCTION_INFO_V1(mint_wake_count);

/*
 * mint.wake_count() — commits that woke the workers since the server started.
 */
Datum
mint_wake_count(PG_FUNCTION_ARGS)
{
	if (mint_shared == NULL)
		PG_RETURN_NULL();
	PG_RETURN_INT64((int64)pg_atomic_read_u64(&mint_shared->wake_commits));
}

PG_FUNCTION_INFO_V1(mint_wake_at_commit_sql);

/*
 * mint.wake_at_commit() — for SQL that makes work due (retry_mint).
 */
Datum
mint_wake_at_commit_sql(PG_FUNCTION_ARGS)
{
	mint_wake_at_commit();
	PG_RETURN_VOID();
}

void
mint_webhook_count(MintWebhookCounter c)
{
	if (mint_shared != NULL)
		pg_atomic_fetch_add_u64(&mint_shared->webhooks[c], 1);
}

PG_FUNCTION_INFO_V1(mint_webhook_counters);

/*
 * mint._webhook_counters() — deliveries by outcome since the server started.
 */
Datum
mint_webhook_counters(PG_FUNCTION_ARGS)
{
	TupleDesc desc;
	Datum values[MINT_WH_NCOUNTERS];
	bool nulls[MINT_WH_NCOUNTERS];
	int i;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	for (i = 0; i < MINT_WH_NCOUNTERS; i++)
	{
		values[i] =
		    Int64GetDatum(mint_shared ? (int64)pg_atomic_read_u64(&mint_shared->webhooks[i]) : 0);
		nulls[i] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
