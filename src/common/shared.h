/*-------------------------------------------------------------------------
 *
 * shared.h
 *	  mint_ext's shared memory: the workers' latches and the wake-up counter
 *	  the SQL API bumps at commit.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_SHARED_H
#define MINT_SHARED_H

#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/spin.h"

#define MINT_MAX_WORKERS 32

typedef struct MintShared
{
	pg_atomic_uint64 wake_commits;	/* commits that enqueued or changed work */
	slock_t		mutex;			/* protects latches[] */
	Latch	   *latches[MINT_MAX_WORKERS];
} MintShared;

extern MintShared *mint_shared;

extern void mint_shmem_request(void);
extern void mint_shmem_startup(void);
extern void mint_wake_at_commit(void);
extern void mint_set_worker_latch(int slot, Latch *latch);

#endif							/* MINT_SHARED_H */
