/*-------------------------------------------------------------------------
 *
 * deliver.h
 *	  Outbound webhooks: worker 0 delivers the outbox's events to the
 *	  tenants' endpoints (deliver.c, deliver.sql).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_DELIVER_H
#define MINT_DELIVER_H

/* _PG_init: the mint.delivery_* settings */
extern void deliver_define_settings(void);
/* one step of the worker's loop: settle answers, claim and send; returns
 * how many milliseconds it may sleep (never blocks) */
extern long deliver_tick(void);
/* the worker stops: drop the transfers (their leases expire) */
extern void deliver_shutdown(void);

#endif /* MINT_DELIVER_H */
