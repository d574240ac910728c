/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  Every SQL statement mint_ext runs from C is parameterised, prepared
 *	  on first use and kept for the life of the backend (the plan cache
 *	  revalidates it if the objects it uses change).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/spi.h"

/*
 * mint_plan
 *	  The kept plan in *plan, prepared from sql on first use.  Call inside
 *	  SPI_connect().
 */
SPIPlanPtr
mint_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes)
{
	if (*plan == NULL)
	{
		SPIPlanPtr p = SPI_prepare(sql, nargs, argtypes);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
			     SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}
