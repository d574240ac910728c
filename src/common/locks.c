/*-------------------------------------------------------------------------
 *
 * locks.c
 *	  Transaction-scoped advisory locks serialising the per-ticket critical
 *	  section of the SQL API (docs/AUDIT.md DL1-DL4, docs/DESIGN.md §7).
 *
 * Keys are a 64-bit keyed hash of (tenant_id, name) in a lock namespace of
 * the extension's own (see locks.h): SipHash-2-4 (libsodium's
 * crypto_shorthash) under a secret key drawn when the server creates its
 * shared memory (src/common/shared.c).  An unkeyed hash could be inverted: a
 * tenant could compute one of its own ticket ids or idempotency keys whose
 * lock key is another tenant's, and hold it to block that tenant's calls
 * (issue 13).  Without the key no one can aim at a lock key, and a chance
 * collision only serialises two unrelated tickets; it never merges them,
 * because every decision is backed by a unique constraint.  The API and the
 * workers read the same key.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sodium.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "port.h"
#include "storage/lock.h"
#include "utils/guc.h"

#include "mint_ext.h"
#include "common/locks.h"
#include "common/shared.h"

/*
 * mint_lock_key
 *	  64-bit key of (tenant_id, name): SipHash-2-4 of tenant_id NUL name under
 *	  the server's lock hash key.  The NUL keeps ("ab", "c") and ("a", "bc")
 *	  apart (neither part can contain one).
 */
uint64
mint_lock_key(const char *tenant_id, const char *name)
{
	size_t tlen = strlen(tenant_id);
	size_t nlen = strlen(name);
	unsigned char *buf = palloc(tlen + nlen + 1);
	unsigned char out[crypto_shorthash_BYTES];
	uint64 h = 0;

	if (mint_shared == NULL)
		elog(ERROR, "mint_ext's shared memory is not initialised");
	memcpy(buf, tenant_id, tlen);
	buf[tlen] = '\0';
	memcpy(buf + tlen + 1, name, nlen);
	crypto_shorthash(out, buf, tlen + nlen + 1, mint_shared->lock_hash_key);
	pfree(buf);
	for (int i = 0; i < crypto_shorthash_BYTES; i++)
		h = (h << 8) | out[i];
	return h;
}

static void
mint_lock_tag(LOCKTAG *tag, uint64 key, uint16 ns)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32)(key >> 32), (uint32)key, ns);
}

/*
 * mint_lock_ticket
 *	  Take the per-ticket transaction lock, waiting at most mint.lock_timeout.
 *
 * The uncontended case is one conditional acquire.  When another transaction
 * holds the lock we wait like any lock waiter (so pg_locks and the isolation
 * tester see the wait), bounded by lock_timeout set to mint.lock_timeout for
 * the duration of the wait only, and turn a timeout into a clear error.
 */
void
mint_lock_ticket(const char *tenant_id, const char *ticket_id)
{
	LOCKTAG tag;
	int save_nestlevel;
	char buf[32];
	MemoryContext oldcxt = CurrentMemoryContext;

	mint_lock_tag(&tag, mint_lock_key(tenant_id, ticket_id), MINT_LOCK_NS_TICKET);
	if (LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL)
		return;

	save_nestlevel = NewGUCNestLevel();
	snprintf(buf, sizeof(buf), "%d", mint_lock_timeout);
	(void)set_config_option("lock_timeout", buf, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
	                        0, false);
	PG_TRY();
	{
		(void)LockAcquire(&tag, ExclusiveLock, false, false);
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
		        (errcode(ERRCODE_LOCK_NOT_AVAILABLE),
		         errmsg("ticket \"%s\" of tenant \"%s\" is being enqueued by another transaction",
		                ticket_id, tenant_id),
		         errdetail("Waited %d ms for the ticket's lock.", mint_lock_timeout),
		         errhint("Retry the call; it is safe to repeat.")));
	}
	PG_END_TRY();
	AtEOXact_GUC(true, save_nestlevel);
}

/*
 * mint_try_lock_key
 *	  Take the idempotency key's transaction lock without waiting.  false
 *	  means a call with this key has not committed yet (docs/AUDIT.md IK7).
 */
bool
mint_try_lock_key(const char *tenant_id, const char *idempotency_key)
{
	LOCKTAG tag;

	mint_lock_tag(&tag, mint_lock_key(tenant_id, idempotency_key), MINT_LOCK_NS_KEY);
	return LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL;
}

/*
 * mint_lock_holder / mint_holder_alive
 *	  A worker's incarnation is a session lock on a random 64-bit id, taken
 *	  when the worker starts and released by the server when its backend
 *	  ends (exit, kill -9, crash restart).  The jobs it claims carry the id
 *	  (mint_jobs.lease_holder), and a job whose lease ran out is taken over
 *	  only if the lock of its holder is free: the holder is dead (mint._claim).
 *	  One lock per worker however many jobs it holds: a lock per job filled
 *	  PostgreSQL's lock table at tens of thousands of jobs in flight, and
 *	  every commit of the worker walked them all (bench/RESULTS.md, run 8).
 */
int64
mint_lock_holder(void)
{
	for (;;)
	{
		int64 id;
		LOCKTAG tag;

		if (!pg_strong_random(&id, sizeof(id)))
			elog(ERROR, "could not generate a random worker id");
		if (id == 0)
			continue;
		mint_lock_tag(&tag, (uint64)id, MINT_LOCK_NS_HOLDER);
		if (LockAcquire(&tag, ExclusiveLock, true, true) != LOCKACQUIRE_NOT_AVAIL)
			return id;
	}
}

bool
mint_holder_alive(int64 id)
{
	LOCKTAG tag;

	mint_lock_tag(&tag, (uint64)id, MINT_LOCK_NS_HOLDER);
	if (LockAcquire(&tag, ExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
		return true;
	(void)LockRelease(&tag, ExclusiveLock, false);
	return false;
}

PG_FUNCTION_INFO_V1(mint_holder_alive_sql);

/*
 * mint._holder_alive(holder bigint) — the worker incarnation holder still
 * runs (for mint._claim).
 */
Datum
mint_holder_alive_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(mint_holder_alive(PG_GETARG_INT64(0)));
}
