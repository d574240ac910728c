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
extern int	mint_workers;
extern int	mint_idempotency_ttl;	/* seconds */
extern int	mint_lock_timeout;		/* milliseconds */
extern int	mint_max_batch;

/*
 * The extension's own SQLSTATE class "MX": idempotency conflicts an
 * application branches on.  Documented in the README.
 */
#define ERRCODE_MINT_IDEMPOTENCY_IN_PROGRESS	MAKE_SQLSTATE('M', 'X', '0', '0', '1')
#define ERRCODE_MINT_IDEMPOTENCY_KEY_REUSED		MAKE_SQLSTATE('M', 'X', '0', '0', '2')
#define ERRCODE_MINT_TICKET_PARAMETERS_CHANGED	MAKE_SQLSTATE('M', 'X', '0', '0', '3')

#endif							/* MINT_EXT_H */
