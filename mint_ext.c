/*-------------------------------------------------------------------------
 *
 * mint_ext.c
 *	  Module entry of mint_ext: _PG_init, settings, shared memory hooks and
 *	  worker registration.  Nothing else lives here; the layers are under
 *	  src/ (api: SQL functions, worker: background worker, solana: the plain-C
 *	  Solana client, common: locks and shared memory).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include <sodium.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/guc.h"

#include "mint_ext.h"
#include "common/shared.h"

PG_MODULE_MAGIC;

/* Settings; see the README's table. */
char	   *mint_database = NULL;
int			mint_workers = 1;
int			mint_idempotency_ttl = 86400;
int			mint_lock_timeout = 5000;
int			mint_max_batch = 1000;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

void		_PG_init(void);

static void
mint_shmem_request_hook(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	mint_shmem_request();
}

static void
mint_shmem_startup_hook(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	mint_shmem_startup();
}

static void
mint_define_settings(void)
{
	DefineCustomStringVariable("mint.database",
							   "Database the mint_ext workers connect to.",
							   NULL, &mint_database, "postgres", PGC_POSTMASTER, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("mint.workers", "Number of mint_ext background workers.", NULL,
							&mint_workers, 1, 0, MINT_MAX_WORKERS, PGC_POSTMASTER, 0, NULL, NULL,
							NULL);
	DefineCustomIntVariable("mint.idempotency_ttl",
							"How long an idempotency key is remembered.",
							"Replays after this time are treated as new requests.",
							&mint_idempotency_ttl, 86400, 60, 30 * 86400, PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("mint.lock_timeout",
							"Longest wait for another transaction enqueueing the same ticket.",
							NULL, &mint_lock_timeout, 5000, 1, INT_MAX, PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("mint.max_batch", "Most tickets one mint.mint_tickets() call accepts.",
							NULL, &mint_max_batch, 1000, 1, 100000, PGC_SUSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("mint");
}

void
_PG_init(void)
{
	if (IsBinaryUpgrade)
		return;

	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("mint_ext must be loaded via shared_preload_libraries"),
				 errhint("Add mint_ext to shared_preload_libraries in postgresql.conf and restart "
						 "the server.")));

	if (sodium_init() < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not initialise libsodium")));

	mint_define_settings();

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = mint_shmem_request_hook;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = mint_shmem_startup_hook;
}
