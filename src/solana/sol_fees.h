/*
 * sol_fees.h
 *	  The priority fee (SetComputeUnitPrice, micro-lamports per compute unit)
 *	  of a mint attempt: fixed, or from the fees that recently landed
 *	  transactions write-locking the same accounts (getRecentPrioritizationFees
 *	  over the tree and its tree config), raised on each re-built attempt up
 *	  to the operator's cap (docs/DESIGN.md §5.3).
 */
#ifndef SOL_FEES_H
#define SOL_FEES_H

#include <stddef.h>
#include <stdint.h>

/* How many recent slots getRecentPrioritizationFees reports at most (agave: 150). */
#define SOL_RECENT_FEE_SLOTS 150

/*
 * The nearest-rank percentile `pct` (0..100; 0 = the lowest) of fees[n]:
 * the smallest fee at least pct % of the slots did not exceed.  Sorts fees
 * in place.  0 when n == 0 (no recent slot: nothing to outbid).
 */
uint64_t sol_fee_percentile(uint64_t *fees, size_t n, int pct);

/*
 * The price of an attempt.  cap == 0: the fixed price `floor`.  Otherwise
 * max(floor, recent) plus a quarter of the cap (rounded up) for each earlier
 * attempt of the job that expired without landing (`rebuilt`), never above
 * `cap`: an attempt priced out by congestion is re-built dearer, and the
 * cap is reached after at most four re-builds.
 */
uint64_t sol_priority_fee(uint64_t floor, uint64_t recent, uint64_t cap, unsigned rebuilt);

#endif /* SOL_FEES_H */
