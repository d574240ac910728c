/*
 * sol_common.c
 *	  Error helpers.
 */
#include "sol_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
sol_error_set(SolError *err, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

void
sol_error_clear(SolError *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
}

const char *
sol_error_code_name(int code)
{
	switch (code)
	{
		case SOL_OK:
			return "ok";
		case SOL_ERR_INVALID:
			return "invalid";
		case SOL_ERR_TOO_LONG:
			return "too_long";
		case SOL_ERR_TOO_LARGE:
			return "too_large";
		case SOL_ERR_KEYPAIR:
			return "keypair";
		case SOL_ERR_IO:
			return "io";
		case SOL_ERR_PDA:
			return "pda";
		case SOL_ERR_NOT_FOUND:
			return "not_found";
		case SOL_ERR_TX_FAILED:
			return "tx_failed";
		case SOL_ERR_NOMEM:
			return "nomem";
		default:
			return "internal";
	}
}
