/*
 * sol_common.h
 *	  Error reporting shared by the mint_ext Solana client library.
 *
 * Plain C11; never includes postgres.h.  Every exported symbol is prefixed
 * sol_ (types Sol, constants SOL_).
 */
#ifndef SOL_COMMON_H
#define SOL_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SolError.code values */
#define SOL_OK            0
#define SOL_ERR_INVALID   1 /* bad value, bad type, unknown key, bad encoding */
#define SOL_ERR_TOO_LONG  2 /* a string over its byte limit */
#define SOL_ERR_TOO_LARGE 3 /* transaction over 1232 bytes, or output buffer too small */
#define SOL_ERR_KEYPAIR   4 /* keypair file malformed, unreadable, too permissive, mismatch */
#define SOL_ERR_IO        5 /* file system error */
#define SOL_ERR_PDA       6 /* no valid program address (bump exhausted / bad seeds) */
#define SOL_ERR_NOT_FOUND 7 /* e.g. getTransaction returned null, no leaf event */
#define SOL_ERR_TX_FAILED 8 /* transaction landed with meta.err set */
#define SOL_ERR_NOMEM     9
#define SOL_ERR_INTERNAL  10

typedef struct SolError
{
	int code;
	char field[64]; /* JSON field / component the error is about ("" if none) */
	char message[256];
} SolError;

/* Fill err (may be NULL).  Always returns -1 so callers can "return sol_error_set(...)". */
int sol_error_set(SolError *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sol_error_clear(SolError *err);
const char *sol_error_code_name(int code);

#define SOL_PACKET_DATA_SIZE 1232

/*
 * An RPC URL as it may be shown and logged: userinfo becomes "***@", every
 * query parameter's value "***", and every path segment of 16 or more
 * characters (where providers put their tokens) "***".  Always
 * NUL-terminated, truncated to cap; returns out.
 */
char *sol_url_redact(const char *url, char *out, size_t cap);

#endif
