/*
 * sol_fees.c
 *	  Priority fee of a mint attempt (see sol_fees.h).
 */
#include "sol_fees.h"

#include <stdlib.h>

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

uint64_t
sol_fee_percentile(uint64_t *fees, size_t n, int pct)
{
	size_t rank;

	if (n == 0)
		return 0;
	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	qsort(fees, n, sizeof(uint64_t), cmp_u64);
	/* nearest rank: ceil(pct / 100 * n), 1-based; pct 0 is the lowest */
	rank = ((size_t)pct * n + 99) / 100;
	if (rank == 0)
		rank = 1;
	return fees[rank - 1];
}

uint64_t
sol_priority_fee(uint64_t floor, uint64_t recent, uint64_t cap, unsigned rebuilt)
{
	uint64_t price;
	uint64_t step;

	if (cap == 0)
		return floor;
	price = recent > floor ? recent : floor;
	if (price >= cap)
		return cap;
	step = cap / 4 + (cap % 4 != 0);
	/* price < cap, so cap - price does not wrap; no overflow in the comparison */
	if (rebuilt > 0 && step > 0 && (cap - price) / step < rebuilt)
		return cap;
	price += step * rebuilt;
	return price < cap ? price : cap;
}
