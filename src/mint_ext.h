/*-------------------------------------------------------------------------
 *
 * mint_ext.h
 *	  Declarations shared by the layers of mint_ext: settings (defined in
 *	  mint_ext.c) and the extension's own SQLSTATEs.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_EXT_H
#define MINT_EXT_H

/* Settings (GUCs), defined and documented in mint_ext.c and the README. */
extern char *mint_database;
extern int mint_workers;
extern int mint_idempotency_ttl; /* seconds */
extern int mint_lock_timeout;    /* milliseconds */
extern int mint_max_batch;
extern char *mint_rpc_url;
extern char *mint_send_urls;
extern char *mint_keypair_path;
extern int mint_commitment; /* MINT_COMMITMENT_* */
extern int mint_batch_size;
extern int mint_max_inflight;
extern int mint_max_attempts;
extern int mint_backoff_base;            /* milliseconds */
extern int mint_backoff_max;             /* milliseconds */
extern int mint_lease;                   /* milliseconds */
extern int mint_rpc_timeout;             /* milliseconds */
extern int mint_poll_interval;           /* milliseconds */
extern int mint_priority_fee;            /* micro-lamports per compute unit, 0 = none */
extern int mint_priority_fee_max;        /* cap of the dynamic fee, 0 = fixed fee */
extern int mint_priority_fee_percentile; /* of the recent fees over tree + tree config */
extern char *mint_test_crash_file;
extern int mint_webhook_retention; /* seconds */
extern bool mint_accept_async_replication;
extern bool mint_test_skip_context_check;

#define MINT_COMMITMENT_CONFIRMED 1
#define MINT_COMMITMENT_FINALIZED 2

/*
 * The extension's own SQLSTATE class "MX": idempotency conflicts an
 * application branches on.  Documented in the README.
 */
#define ERRCODE_MINT_IDEMPOTENCY_IN_PROGRESS   MAKE_SQLSTATE('M', 'X', '0', '0', '1')
#define ERRCODE_MINT_IDEMPOTENCY_KEY_REUSED    MAKE_SQLSTATE('M', 'X', '0', '0', '2')
#define ERRCODE_MINT_TICKET_PARAMETERS_CHANGED MAKE_SQLSTATE('M', 'X', '0', '0', '3')

#endif /* MINT_EXT_H */
