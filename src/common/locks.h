/*-------------------------------------------------------------------------
 *
 * locks.h
 *	  Advisory locks of mint_ext, in a lock namespace of their own.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_LOCKS_H
#define MINT_LOCKS_H

/*
 * Advisory lock tags carry a 16-bit "field4".  PostgreSQL's SQL functions use
 * 1 (bigint key) and 2 (two int keys); mint_ext uses its own values, so its
 * locks can never collide with an application's pg_advisory_lock() calls.
 * They show in pg_locks as locktype 'advisory' with objsubid = these values.
 */
#define MINT_LOCK_NS_TICKET 0x4D54 /* 'MT' per-ticket critical section (API) */
#define MINT_LOCK_NS_KEY    0x4D4B /* 'MK' idempotency key in progress (API) */
#define MINT_LOCK_NS_HOLDER 0x4D57 /* 'MW' a worker's incarnation (session, key: its id) */

extern uint64 mint_lock_key(const char *tenant_id, const char *name);
extern void mint_lock_ticket(const char *tenant_id, const char *ticket_id);
extern bool mint_try_lock_key(const char *tenant_id, const char *idempotency_key);
extern int64 mint_lock_holder(void);
extern bool mint_holder_alive(int64 id);

#endif /* MINT_LOCKS_H */
