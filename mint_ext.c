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
#include "worker/deliver.h"
#include "worker/worker.h"

PG_MODULE_MAGIC;

/* Settings; see the README's table. */
char *mint_database = NULL;
int mint_workers = 1;
int mint_idempotency_ttl = 86400;
int mint_lock_timeout = 5000;
int mint_max_batch = 1000;
char *mint_rpc_url = NULL;
char *mint_send_urls = NULL;
char *mint_keypair_path = NULL;
int mint_commitment = MINT_COMMITMENT_FINALIZED;
int mint_batch_size = 256;
int mint_max_inflight = 32768;
int mint_max_attempts = 5;
int mint_backoff_base = 1000;
int mint_backoff_max = 60000;
int mint_lease = 60000;
int mint_rpc_timeout = 10000;
int mint_poll_interval = 500;
int mint_priority_fee = 0;
int mint_priority_fee_max = 0;
int mint_priority_fee_percentile = 75;
int mint_webhook_retention = 7 * 86400;
static int mint_webhook_max_events = 1000; /* read by mint._webhook_accept (webhook.sql) */
char *mint_test_crash_file = NULL;
bool mint_accept_async_replication = false;
bool mint_test_skip_context_check = false;

static const struct config_enum_entry commitment_options[] = {
    {"confirmed", MINT_COMMITMENT_CONFIRMED, false},
    {"finalized", MINT_COMMITMENT_FINALIZED, false},
    {NULL, 0, false}};

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

void _PG_init(void);

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
	DefineCustomStringVariable("mint.database", "Database the mint_ext workers connect to.", NULL,
	                           &mint_database, "postgres", PGC_POSTMASTER, GUC_SUPERUSER_ONLY, NULL,
	                           NULL, NULL);
	DefineCustomIntVariable("mint.workers", "Number of mint_ext background workers.", NULL,
	                        &mint_workers, 1, 0, MINT_MAX_WORKERS, PGC_POSTMASTER, 0, NULL, NULL,
	                        NULL);
	DefineCustomIntVariable("mint.idempotency_ttl", "How long an idempotency key is remembered.",
	                        "Replays after this time are treated as new requests.",
	                        &mint_idempotency_ttl, 86400, 60, 30 * 86400, PGC_SUSET, GUC_UNIT_S,
	                        NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "mint.lock_timeout", "Longest wait for another transaction enqueueing the same ticket.",
	    NULL, &mint_lock_timeout, 5000, 1, INT_MAX, PGC_USERSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("mint.max_batch", "Most tickets one mint.mint_tickets() call accepts.",
	                        NULL, &mint_max_batch, 1000, 1, 100000, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("mint.rpc_url", "Solana JSON-RPC endpoint the workers use.", NULL,
	                           &mint_rpc_url, "http://127.0.0.1:8899", PGC_SIGHUP,
	                           GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomStringVariable(
	    "mint.send_urls", "Send-only JSON-RPC endpoints the signed bytes also go to.",
	    "Comma-separated (e.g. a staked or SWQoS sender); sent with skipPreflight and maxRetries "
	    "0; their answers prove nothing, mint.rpc_url decides.",
	    &mint_send_urls, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomStringVariable("mint.keypair_path",
	                           "Solana CLI keypair file (JSON array of 64 bytes) of the fee payer "
	                           "and tree delegate.",
	                           "Read by the workers only; the file must not be readable by group "
	                           "or others.",
	                           &mint_keypair_path, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL,
	                           NULL);
	DefineCustomEnumVariable("mint.commitment",
	                         "Commitment at which a landed mint counts as confirmed.", NULL,
	                         &mint_commitment, MINT_COMMITMENT_FINALIZED, commitment_options,
	                         PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("mint.batch_size", "Jobs a worker claims at a time.", NULL,
	                        &mint_batch_size, 256, 1, 10000, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("mint.max_inflight", "Jobs a worker works on at once.", NULL,
	                        &mint_max_inflight, 32768, 1, 100000, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("mint.max_attempts",
	                        "Signed transactions per job before it fails (per retry_mint).", NULL,
	                        &mint_max_attempts, 5, 1, 1000, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("mint.backoff_base", "First retry delay (full jitter).", NULL,
	                        &mint_backoff_base, 1000, 1, 3600000, PGC_SIGHUP, GUC_UNIT_MS, NULL,
	                        NULL, NULL);
	DefineCustomIntVariable("mint.backoff_max", "Longest retry delay.", NULL, &mint_backoff_max,
	                        60000, 1, 86400000, PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "mint.lease", "How long a claimed job stays a worker's without renewal.", NULL, &mint_lease,
	    60000, 1000, 3600000, PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("mint.rpc_timeout", "Timeout of one JSON-RPC request.", NULL,
	                        &mint_rpc_timeout, 10000, 100, 600000, PGC_SIGHUP, GUC_UNIT_MS, NULL,
	                        NULL, NULL);
	DefineCustomIntVariable(
	    "mint.poll_interval", "How often a worker checks signatures and due jobs when not woken.",
	    NULL, &mint_poll_interval, 500, 1, 600000, PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("mint.priority_fee",
	                        "Compute-unit price in micro-lamports (0: no compute-budget "
	                        "instructions).",
	                        NULL, &mint_priority_fee, 0, 0, INT_MAX, PGC_SIGHUP, 0, NULL, NULL,
	                        NULL);
	DefineCustomIntVariable(
	    "mint.priority_fee_max",
	    "Cap of the dynamic compute-unit price in micro-lamports (0: mint.priority_fee is fixed).",
	    "Above 0, each attempt pays the mint.priority_fee_percentile of the fees that recently "
	    "landed transactions write-locking its tree and tree config (at least mint.priority_fee), "
	    "plus a quarter of this cap for each earlier attempt of the ticket that expired, and never "
	    "more than this cap.",
	    &mint_priority_fee_max, 0, 0, INT_MAX, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("mint.priority_fee_percentile",
	                        "Percentile of the recent prioritization fees the dynamic fee pays.",
	                        NULL, &mint_priority_fee_percentile, 75, 0, 100, PGC_SIGHUP, 0, NULL,
	                        NULL, NULL);
	DefineCustomIntVariable(
	    "mint.webhook_retention",
	    "How long processed webhook deliveries are kept before they are reaped.", NULL,
	    &mint_webhook_retention, 7 * 86400, 60, INT_MAX, PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "mint.webhook_max_events",
	    "Most transactions one Helius webhook delivery may carry (413 past it).", NULL,
	    &mint_webhook_max_events, 1000, 1, 100000, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable(
	    "mint.accept_async_replication",
	    "Let the workers send while the server has standbys but no synchronous one.",
	    "A failover to an asynchronous standby can lose the record of a sent transaction and mint "
	    "the ticket twice; without this setting the workers refuse to send then.",
	    &mint_accept_async_replication, false, PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomBoolVariable(
	    "mint.test_skip_context_check",
	    "For tests only: take any unknown status as proof, whatever view it came from.",
	    "Shows that the context check is needed: behind lagging nodes this mints twice.",
	    &mint_test_skip_context_check, false, PGC_SIGHUP, GUC_SUPERUSER_ONLY | GUC_NOT_IN_SAMPLE,
	    NULL, NULL, NULL);
	DefineCustomStringVariable("mint.test_crash_file",
	                           "For crash tests only: a file naming the point where a worker "
	                           "kills itself once.",
	                           NULL, &mint_test_crash_file, "", PGC_SIGHUP,
	                           GUC_SUPERUSER_ONLY | GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	deliver_define_settings();
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
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not initialise libsodium")));

	mint_define_settings();

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = mint_shmem_request_hook;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = mint_shmem_startup_hook;

	mint_register_workers();
}
