/*-------------------------------------------------------------------------
 *
 * spi.h
 *	  Statements prepared once per backend and kept.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_SPI_H
#define MINT_SPI_H

#include "executor/spi.h"

extern SPIPlanPtr mint_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes);

#endif /* MINT_SPI_H */
